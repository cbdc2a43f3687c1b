// Reference numbers and tracking codes: codes a person can read over the
// phone, drawn from an alphabet without 0/O and 1/I/L.
#ifndef DUMAS_DOMAIN_REFERENCE_NUMBER_H_
#define DUMAS_DOMAIN_REFERENCE_NUMBER_H_

#include <optional>
#include <string>
#include <string_view>

namespace dumas {

// The 31 symbols of reference numbers and tracking codes. 31 is prime, so a
// weighted sum modulo 31 with distinct non-zero weights catches every single
// substitution and every swap of two adjacent symbols.
inline constexpr std::string_view kCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

// A complaint's reference number: 11 random symbols and a check symbol,
// written "XXXX-XXXX-XXXX". Not secret; tracking also needs the tracking code.
class ReferenceNumber {
 public:
  // A new random reference number in canonical form (libsodium's CSPRNG).
  // Uniqueness is the store's job: it draws again on a collision.
  static std::string Generate();

  // The canonical form of `input`: case, spaces and hyphens ignored. nullopt
  // when a symbol is outside the alphabet, the length is not 12 symbols, or
  // the check symbol does not match.
  static std::optional<std::string> Canonicalize(std::string_view input);

  // The check symbol of 11 data symbols from kCodeAlphabet.
  static char CheckSymbol(std::string_view data);
};

// A complaint's secret tracking code: 14 random symbols (69 bits), written
// "XXXX-XXXX-XXXX-XX". Shown once; stored only as a keyed hash.
class TrackingCode {
 public:
  // A new random tracking code in canonical form (libsodium's CSPRNG).
  static std::string Generate();

  // The canonical form of `input`: case, spaces and hyphens ignored. nullopt
  // when a symbol is outside the alphabet or the length is not 14 symbols.
  static std::optional<std::string> Canonicalize(std::string_view input);
};

}  // namespace dumas

#endif  // DUMAS_DOMAIN_REFERENCE_NUMBER_H_
