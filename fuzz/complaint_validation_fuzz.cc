// Validation of a submission (domain/complaint_validation.h): a draft comes
// back exactly when no violation was added; each violation names a field of
// the submission and never repeats a value; an accepted draft is
// normalised text within its limits, and validating it again gives it back
// unchanged.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "domain/complaint_validation.h"
#include "domain/field_violations.h"
#include "fuzz/fuzz_support.h"

namespace dumas {
namespace {

const absl::flat_hash_set<std::string>& Categories() {
  static const auto* ids = new absl::flat_hash_set<std::string>{"korupsi", "pelayanan-buruk"};
  return *ids;
}
const absl::flat_hash_set<std::string>& Units() {
  static const auto* ids = new absl::flat_hash_set<std::string>{"propam", "sat-lantas", "spkt"};
  return *ids;
}

const absl::flat_hash_set<std::string>& KnownFields() {
  static const auto* fields = new absl::flat_hash_set<std::string>{
      "complaint.description", "complaint.incident_time", "complaint.incident_location",
      "complaint.category", "complaint.channel", "complaint.reply_address", "complaint.subject",
      "complaint.subject.unit", "complaint.subject.officer_name",
      "complaint.subject.officer_description", "complaint.complainant",
      "complaint.complainant.full_name", "complaint.complainant.nik",
      "complaint.complainant.phone", "complaint.complainant.email",
      "complaint.complainant.address"};
  return *fields;
}

// The code points of UTF-8 `text` (validated by the caller's checks).
int CodePoints(std::string_view text) {
  int n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Whether `text` is trimmed, without control characters (but the line breaks
// and tabs of multi-line text), and at most `max_chars` code points.
bool IsCleanText(std::string_view text, int max_chars, bool multi_line) {
  if (!text.empty() && (absl::ascii_isspace(static_cast<unsigned char>(text.front())) ||
                        absl::ascii_isspace(static_cast<unsigned char>(text.back())))) {
    return false;
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 || u == 0x7F) && !(multi_line && (c == '\n' || c == '\t'))) return false;
  }
  return CodePoints(text) <= max_chars;
}

std::optional<ComplaintDraft> Validate(const ComplaintSubmission& submission, absl::Time now,
                                       FieldViolations& violations) {
  const KnownIds known{.category_ids = &Categories(), .unit_ids = &Units()};
  return ValidateSubmission(submission, "complaint.", now, known, violations);
}

// The submission that would carry `draft` as it is.
ComplaintSubmission SubmissionOf(const ComplaintDraft& draft) {
  ComplaintSubmission s;
  s.description = draft.description;
  s.incident_time = draft.incident_time;
  s.incident_location = draft.incident_location;
  s.category = "categories/" + draft.category_id;
  s.channel = static_cast<int>(draft.channel);
  s.reply_address = draft.reply_address;
  s.subject_unit = draft.subject.unit_id.empty() ? "" : "units/" + draft.subject.unit_id;
  s.officer_name = draft.subject.officer_name;
  s.officer_description = draft.subject.officer_description;
  s.full_name = draft.identity.full_name;
  s.nik = draft.identity.nik;
  s.phone = draft.identity.phone;
  s.email = draft.identity.email;
  s.address = draft.identity.address;
  s.confidential = draft.confidential;
  s.share_identity_with_kompolnas = draft.share_identity_with_kompolnas;
  s.has_subject = true;
  s.has_complainant = true;
  return s;
}

bool SameDraft(const ComplaintDraft& a, const ComplaintDraft& b) {
  return a.description == b.description && a.incident_time == b.incident_time &&
         a.incident_location == b.incident_location && a.category_id == b.category_id &&
         a.channel == b.channel && a.reply_address == b.reply_address &&
         a.subject.unit_id == b.subject.unit_id &&
         a.subject.officer_name == b.subject.officer_name &&
         a.subject.officer_description == b.subject.officer_description &&
         a.identity.full_name == b.identity.full_name && a.identity.nik == b.identity.nik &&
         a.identity.phone == b.identity.phone && a.identity.email == b.identity.email &&
         a.identity.address == b.identity.address && a.confidential == b.confidential &&
         a.share_identity_with_kompolnas == b.share_identity_with_kompolnas;
}

void Check(const ComplaintSubmission& submission, absl::Time now) {
  FieldViolations violations;
  violations.Add("earlier", "a violation the caller recorded before");
  const std::optional<ComplaintDraft> draft = Validate(submission, now, violations);
  const std::vector<FieldViolation>& found = violations.violations();
  DUMAS_FUZZ_CHECK(draft.has_value() == (found.size() == 1),
                   "a draft came back with violations, or none without");
  const std::string_view values[] = {
      submission.description, submission.incident_location, submission.category,
      submission.reply_address, submission.subject_unit, submission.officer_name,
      submission.officer_description, submission.full_name, submission.nik,
      submission.phone, submission.email, submission.address};
  for (size_t i = 1; i < found.size(); ++i) {
    DUMAS_FUZZ_CHECK(KnownFields().contains(found[i].field),
                     "a violation names no field of the submission");
    for (std::string_view value : values) {
      DUMAS_FUZZ_CHECK(!fuzz::Repeats(found[i].description, value),
                       "a violation's description repeats a submitted value");
    }
  }
  if (!draft.has_value()) return;

  DUMAS_FUZZ_CHECK(IsCleanText(draft->description, kMaxDescriptionChars, true) &&
                       CodePoints(draft->description) >= kMinDescriptionChars,
                   "an accepted description is not clean text within its limits");
  DUMAS_FUZZ_CHECK(IsCleanText(draft->incident_location, kMaxLocationChars, true) &&
                       !draft->incident_location.empty(),
                   "an accepted incident location is not clean text within its limits");
  DUMAS_FUZZ_CHECK(Categories().contains(draft->category_id), "an unknown category was accepted");
  DUMAS_FUZZ_CHECK(draft->subject.unit_id.empty() || Units().contains(draft->subject.unit_id),
                   "an unknown unit was accepted");
  DUMAS_FUZZ_CHECK(!draft->subject.unit_id.empty() || !draft->subject.officer_name.empty(),
                   "a subject without unit or officer was accepted");
  DUMAS_FUZZ_CHECK(IsCleanText(draft->subject.officer_name, kMaxNameChars, false) &&
                       IsCleanText(draft->subject.officer_description,
                                   kMaxOfficerDescriptionChars, true),
                   "an accepted officer is not clean text within its limits");
  DUMAS_FUZZ_CHECK(IsCleanText(draft->identity.full_name, kMaxNameChars, false) &&
                       draft->identity.full_name.size() >= 2,
                   "an accepted name is not clean text within its limits");
  DUMAS_FUZZ_CHECK(draft->identity.nik.size() == 16, "an accepted NIK is not 16 digits");
  DUMAS_FUZZ_CHECK(IsCleanText(draft->identity.address, kMaxAddressChars, true),
                   "an accepted address is not clean text within its limits");
  DUMAS_FUZZ_CHECK(IsCleanText(draft->reply_address, kMaxReplyAddressChars,
                               draft->channel == Channel::kWalkIn) &&
                       !draft->reply_address.empty(),
                   "an accepted reply address is not clean text within its limits");
  DUMAS_FUZZ_CHECK(draft->incident_time <= now + absl::Minutes(5),
                   "an incident in the future was accepted");

  FieldViolations again;
  const std::optional<ComplaintDraft> revalidated = Validate(SubmissionOf(*draft), now, again);
  DUMAS_FUZZ_CHECK(revalidated.has_value() && again.empty(),
                   "an accepted draft does not validate again");
  DUMAS_FUZZ_CHECK(SameDraft(*draft, *revalidated), "validating a draft again changed it");
}

}  // namespace
}  // namespace dumas

// The input: a control byte (bits 0-3 the channel, 4 the subject given, 5
// the complainant given, 6-7 the two consents), four bytes of the incident's
// age in seconds (signed: negative is in the future), then the text fields
// separated by NUL bytes in the order of ComplaintSubmission.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  dumas::ComplaintSubmission s;
  s.channel = data[0] & 0x0F;
  s.has_subject = (data[0] & 0x10) != 0;
  s.has_complainant = (data[0] & 0x20) != 0;
  s.confidential = (data[0] & 0x40) != 0;
  s.share_identity_with_kompolnas = (data[0] & 0x80) != 0;
  const auto age = static_cast<int32_t>(uint32_t{data[1]} << 24 | uint32_t{data[2]} << 16 |
                                        uint32_t{data[3]} << 8 | uint32_t{data[4]});
  const absl::Time now = absl::FromUnixSeconds(1773100800);  // 2026-03-10T00:00:00Z
  // A zero age leaves the incident time out.
  if (age != 0) s.incident_time = now - absl::Seconds(age);
  const std::vector<std::string_view> f =
      dumas::fuzz::Fields(dumas::fuzz::Bytes(data + 5, size - 5), 13);
  std::string* texts[] = {&s.description, &s.incident_location, &s.category,
                          &s.reply_address, &s.subject_unit, &s.officer_name,
                          &s.officer_description, &s.full_name, &s.nik,
                          &s.phone, &s.email, &s.address};
  for (size_t i = 0; i < 12; ++i) texts[i]->assign(f[i]);
  dumas::Check(s, now);
  return 0;
}
