#include "domain/reference_number.h"

#include <sodium.h>

#include <array>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"

namespace dumas {
namespace {

constexpr size_t kAlphabetSize = kCodeAlphabet.size();
static_assert(kAlphabetSize == 31, "the check symbol relies on a prime modulus");

constexpr size_t kReferenceDataSymbols = 11;
constexpr size_t kReferenceSymbols = kReferenceDataSymbols + 1;
constexpr size_t kTrackingSymbols = 14;
constexpr size_t kGroupSize = 4;

// Index of each byte in kCodeAlphabet, or -1.
constexpr std::array<int, 256> MakeIndex() {
  std::array<int, 256> index{};
  for (int& i : index) i = -1;
  for (size_t i = 0; i < kCodeAlphabet.size(); ++i) {
    index[static_cast<unsigned char>(kCodeAlphabet[i])] = static_cast<int>(i);
  }
  return index;
}
constexpr std::array<int, 256> kSymbolIndex = MakeIndex();

int SymbolIndex(char c) { return kSymbolIndex[static_cast<unsigned char>(c)]; }

// libsodium must be initialised once before use; sodium_init() is itself
// thread-safe, and the function-local static runs it only once. Without a
// working CSPRNG no code may be issued, so failure is fatal.
void EnsureSodium() {
  static const bool initialised = sodium_init() >= 0;
  if (!initialised) std::abort();
}

std::string RandomSymbols(size_t n) {
  EnsureSodium();
  std::string symbols(n, ' ');
  // randombytes_uniform avoids the modulo bias of `random % 31`.
  for (char& c : symbols) c = kCodeAlphabet[randombytes_uniform(kAlphabetSize)];
  return symbols;
}

// "XXXXXXXXXXXX" -> "XXXX-XXXX-XXXX".
std::string Grouped(std::string_view symbols) {
  std::string out;
  out.reserve(symbols.size() + symbols.size() / kGroupSize);
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (i > 0 && i % kGroupSize == 0) out.push_back('-');
    out.push_back(symbols[i]);
  }
  return out;
}

// The symbols of `input` upper-cased, spaces and hyphens dropped; nullopt when
// a character is outside the alphabet or there are not exactly `n` symbols.
std::optional<std::string> Symbols(std::string_view input, size_t n) {
  std::string symbols;
  symbols.reserve(n);
  for (char c : input) {
    if (c == ' ' || c == '-') continue;
    c = absl::ascii_toupper(static_cast<unsigned char>(c));
    if (SymbolIndex(c) < 0 || symbols.size() == n) return std::nullopt;
    symbols.push_back(c);
  }
  if (symbols.size() != n) return std::nullopt;
  return symbols;
}

}  // namespace

// The check symbol c makes sum_{i=0..10} (i+1)*d_i - c == 0 (mod 31): the
// twelve positions carry the weights 1, 2, ..., 11 and -1 (= 30), distinct
// and non-zero in the field Z_31.
// - A substitution at a position of weight w changes the sum by w*e with
//   e != 0 (mod 31); a product of non-zero elements of a field is non-zero.
// - Swapping differing neighbours x, y at weights w, w' changes the sum by
//   (w - w')*(y - x), again non-zero because the weights differ.
char ReferenceNumber::CheckSymbol(std::string_view data) {
  if (data.size() != kReferenceDataSymbols) return '\0';
  int sum = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const int index = SymbolIndex(data[i]);
    if (index < 0) return '\0';
    sum += static_cast<int>(i + 1) * index;
  }
  return kCodeAlphabet[sum % kAlphabetSize];
}

std::string ReferenceNumber::Generate() {
  std::string symbols = RandomSymbols(kReferenceDataSymbols);
  symbols.push_back(CheckSymbol(symbols));
  return Grouped(symbols);
}

std::optional<std::string> ReferenceNumber::Canonicalize(std::string_view input) {
  std::optional<std::string> symbols = Symbols(input, kReferenceSymbols);
  if (!symbols.has_value()) return std::nullopt;
  const std::string_view data = std::string_view(*symbols).substr(0, kReferenceDataSymbols);
  if (CheckSymbol(data) != symbols->back()) return std::nullopt;
  return Grouped(*symbols);
}

std::string TrackingCode::Generate() { return Grouped(RandomSymbols(kTrackingSymbols)); }

std::optional<std::string> TrackingCode::Canonicalize(std::string_view input) {
  std::optional<std::string> symbols = Symbols(input, kTrackingSymbols);
  if (!symbols.has_value()) return std::nullopt;
  return Grouped(*symbols);
}

}  // namespace dumas
