// Validation of what a complainant submits.
#ifndef DUMAS_DOMAIN_COMPLAINT_VALIDATION_H_
#define DUMAS_DOMAIN_COMPLAINT_VALIDATION_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/field_violations.h"

namespace dumas {

// Limits of the text fields, in Unicode code points.
inline constexpr int kMinDescriptionChars = 10;
inline constexpr int kMaxDescriptionChars = 10000;
inline constexpr int kMaxLocationChars = 500;
inline constexpr int kMaxNameChars = 200;
inline constexpr int kMaxOfficerDescriptionChars = 1000;
inline constexpr int kMaxAddressChars = 500;
inline constexpr int kMaxReplyAddressChars = 500;

// The id in a resource name `{collection}/{id}` (such as "categories/korupsi"),
// where id is 1-64 characters of [a-z0-9-]; nullopt otherwise.
std::optional<std::string> ResourceId(std::string_view collection,
                                      std::string_view name);

// How a free-text field of a request is checked; lengths in code points.
struct TextLimits {
  bool required = false;
  int min_chars = 0;
  int max_chars = 0;
  bool multi_line = false;  // line breaks and tabs allowed (CRLF becomes LF)
};

// The text of `field` trimmed of surrounding white space, if it is valid
// UTF-8 without control characters and within `limits`; otherwise nullopt,
// with a violation (that never repeats the value) added for `field`.
std::optional<std::string> CheckText(std::string_view field, std::string_view raw,
                                     const TextLimits& limits, FieldViolations& violations);

// What the validator needs to know of the reference data.
struct KnownIds {
  const absl::flat_hash_set<std::string>* category_ids = nullptr;
  const absl::flat_hash_set<std::string>* unit_ids = nullptr;
};

// A draft as it arrives at the edge: resource names not yet reduced to ids.
// The edge copies proto fields here one to one.
struct ComplaintSubmission {
  std::string description;
  std::optional<absl::Time> incident_time;  // nullopt: not given
  std::string incident_location;
  std::string category;  // "categories/{id}"
  int channel = 0;       // the raw enum value
  std::string reply_address;
  std::string subject_unit;  // "units/{id}" or empty
  std::string officer_name;
  std::string officer_description;
  std::string full_name;
  std::string nik;
  std::string phone;
  std::string email;
  std::string address;
  bool confidential = false;
  bool share_identity_with_kompolnas = false;
  bool has_subject = false;      // the subject message was given
  bool has_complainant = false;  // the complainant message was given
};

// Checks every field of `submission` and, when all are valid, returns the
// normalised draft: text trimmed of surrounding white space, UTF-8 checked,
// phone numbers in E.164, email domains lower-cased, the reply address in the
// form of its channel, resource names reduced to ids. Field paths in the
// violations start with `prefix` (such as "complaint."). `now` bounds the
// incident time; `known` lists the categories and units that exist.
// Returns nullopt, with `violations` filled, when anything is invalid.
std::optional<ComplaintDraft> ValidateSubmission(const ComplaintSubmission& submission,
                                                 std::string_view prefix,
                                                 absl::Time now, const KnownIds& known,
                                                 FieldViolations& violations);

// The complainant's contact details, as a correction gives them: a field
// that is set replaces the stored one (an empty phone, email or address
// clears it); an unset one stays.
struct ContactDetails {
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::optional<std::string> address;
  std::optional<std::string> reply_address;

  bool empty() const {
    return !phone.has_value() && !email.has_value() && !address.has_value() &&
           !reply_address.has_value();
  }
};

// Checks a correction of the contact details of a complaint that came in
// through `channel` exactly as ValidateSubmission checks them (phone numbers
// in E.164, email domains lower-cased, the reply address in the form of the
// channel and required), and returns the normalised values; nullopt with
// violations (field paths under `prefix`, such as "contact.") otherwise.
std::optional<ContactDetails> ValidateContactCorrection(const ContactDetails& correction,
                                                        Channel channel, std::string_view prefix,
                                                        FieldViolations& violations);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_COMPLAINT_VALIDATION_H_
