// Contact addresses: Indonesian phone numbers, email addresses, Twitter
// handles.
#ifndef DUMAS_DOMAIN_CONTACT_H_
#define DUMAS_DOMAIN_CONTACT_H_

#include <optional>
#include <string>
#include <string_view>

namespace dumas {

// Normalises an Indonesian phone number written as +62..., 62... or 0...
// (spaces, hyphens, dots and parentheses allowed) to E.164 ("+62812..."): the
// national number after the country code starts with 2-9 and has 8 to 12
// digits. nullopt for anything else.
std::optional<std::string> NormalizeIndonesianPhone(std::string_view input);

// Whether `input` has the shape of an email address: local@domain.tld, at most
// 254 characters, a local part of at most 64 printable non-space characters,
// domain labels of letters, digits and hyphens, a top-level label of 2+
// letters. Returns it with the domain lower-cased, or nullopt.
std::optional<std::string> NormalizeEmail(std::string_view input);

// A Twitter (X) handle: 1-15 letters, digits or underscores, with or without
// a leading '@'. Returns it with the '@', or nullopt.
std::optional<std::string> NormalizeTwitterHandle(std::string_view input);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_CONTACT_H_
