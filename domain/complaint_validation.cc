#include "domain/complaint_validation.h"

#include <limits>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "domain/contact.h"
#include "domain/nik.h"
#include "domain/string_view_interop.h"
#include "domain/working_day_calendar.h"

namespace dumas {
namespace {

constexpr size_t kMaxResourceIdChars = 64;
constexpr int kMinFullNameChars = 2;
constexpr int kMinFacebookChars = 2;
constexpr int kMaxFacebookChars = 200;
constexpr int kMaxKompolnasReferenceChars = 200;
// For text whose own parser (NIK, phone, email, resource name) bounds it and
// says better what is wrong.
constexpr int kParserBounded = std::numeric_limits<int>::max();
// Clocks of gateways drift; an incident "in the future" by less than this is
// taken as now.
constexpr absl::Duration kClockSkew = absl::Minutes(5);

absl::Time EarliestIncidentTime() {
  return absl::FromCivil(absl::CivilSecond(2000, 1, 1, 0, 0, 0), absl::UTCTimeZone());
}

// Calls `visit` with each code point of `text`. False when `text` is not
// UTF-8, overlong forms, surrogates and values above U+10FFFF included.
template <typename Visit>
bool ForEachCodePoint(std::string_view text, Visit visit) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    char32_t code_point;
    char32_t smallest;  // below this the encoding is overlong
    size_t length;
    if (lead < 0x80) {
      code_point = lead;
      smallest = 0;
      length = 1;
    } else if ((lead & 0xE0) == 0xC0) {
      code_point = lead & 0x1F;
      smallest = 0x80;
      length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      code_point = lead & 0x0F;
      smallest = 0x800;
      length = 3;
    } else if ((lead & 0xF8) == 0xF0) {
      code_point = lead & 0x07;
      smallest = 0x10000;
      length = 4;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < smallest || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    visit(code_point);
    i += length;
  }
  return true;
}

// C0 and C1 control characters and DEL.
bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

enum class Lines { kSingle, kMulti };

// How a text field is checked: lengths in code points, applied when the
// text is not empty; an empty text is valid unless required.
struct TextRule {
  bool required = false;
  int min_chars = 0;
  int max_chars = 0;
  Lines lines = Lines::kSingle;
};

std::string LengthRequirement(const TextRule& rule) {
  if (rule.min_chars > 1) {
    return absl::StrCat("must be ", rule.min_chars, " to ", rule.max_chars, " characters long");
  }
  return absl::StrCat("must be at most ", rule.max_chars, " characters long");
}

// Records violations under `prefix`; every description is fixed text, as the
// values may be personal data.
class Checker {
 public:
  Checker(std::string_view prefix, FieldViolations& violations)
      : prefix_(prefix), violations_(violations) {}

  void Add(std::string_view field, std::string description) {
    violations_.Add(absl::StrCat(ToAbsl(prefix_), ToAbsl(field)), std::move(description));
  }

  // The text of `field` trimmed of surrounding white space, with CRLF line
  // breaks as LF in multi-line text; nullopt after recording a violation.
  std::optional<std::string> Text(std::string_view field, std::string_view raw,
                                  const TextRule& rule) {
    std::string text(absl::StripAsciiWhitespace(ToAbsl(raw)));
    // HTML forms send line breaks as CRLF.
    if (rule.lines == Lines::kMulti) text = absl::StrReplaceAll(text, {{"\r\n", "\n"}});
    int chars = 0;
    bool control = false;
    const bool utf8 = ForEachCodePoint(text, [&](char32_t c) {
      ++chars;
      if (IsControl(c) && !(rule.lines == Lines::kMulti && (c == '\n' || c == '\t'))) {
        control = true;
      }
    });
    if (!utf8) {
      Add(field, "must be valid UTF-8");
      return std::nullopt;
    }
    if (control) {
      Add(field, rule.lines == Lines::kMulti
                     ? "must not contain control characters other than line breaks and tabs"
                     : "must not contain control characters or line breaks");
      return std::nullopt;
    }
    if (text.empty()) {
      if (!rule.required) return text;
      Add(field, "is required");
      return std::nullopt;
    }
    if (chars < rule.min_chars || chars > rule.max_chars) {
      Add(field, LengthRequirement(rule));
      return std::nullopt;
    }
    return text;
  }

  // The id of the resource `raw` names in `collection`, if it is one of
  // `known` (nullptr: none is); nullopt after recording a violation.
  std::optional<std::string> Reference(std::string_view field, std::string_view raw,
                                       std::string_view collection, bool required,
                                       const absl::flat_hash_set<std::string>* known,
                                       std::string_view list_method) {
    std::optional<std::string> text =
        Text(field, raw, {.required = required, .min_chars = 1, .max_chars = kParserBounded});
    if (!text.has_value() || text->empty()) return text;
    std::optional<std::string> id = ResourceId(collection, *text);
    if (!id.has_value()) {
      Add(field, absl::StrCat("must be a resource name of the form ", ToAbsl(collection), "/{id}"));
      return std::nullopt;
    }
    if (known == nullptr || !known->contains(*id)) {
      Add(field, absl::StrCat("must name an existing resource; see ", ToAbsl(list_method)));
      return std::nullopt;
    }
    return id;
  }

 private:
  const std::string_view prefix_;
  FieldViolations& violations_;
};

constexpr std::string_view kPhoneRequirement =
    "must be an Indonesian phone number, such as +62 812-3456-7890, 0812 3456 7890 or "
    "(0451) 421234";
constexpr std::string_view kEmailRequirement = "must be an email address, such as nama@contoh.id";

// The reply address in the form its channel needs.
std::optional<std::string> CheckReplyAddress(Checker& check, std::string_view raw,
                                             Channel channel, bool channel_valid) {
  constexpr std::string_view kField = "reply_address";
  const Lines lines = channel == Channel::kWalkIn ? Lines::kMulti : Lines::kSingle;
  std::optional<std::string> text = check.Text(
      kField, raw, {.required = true, .min_chars = 1, .max_chars = kMaxReplyAddressChars,
                    .lines = lines});
  // Without a valid channel there is no form to check against.
  if (!text.has_value() || !channel_valid) return text;

  std::optional<std::string> address;
  std::string_view requirement;
  switch (channel) {
    case Channel::kWeb:
    case Channel::kEmail:
      address = NormalizeEmail(*text);
      requirement = "must be an email address for the WEB and EMAIL channels";
      break;
    case Channel::kWhatsapp:
    case Channel::kPhone:
      address = NormalizeIndonesianPhone(*text);
      requirement =
          "must be an Indonesian phone number (+62..., 62... or 0...) for the WHATSAPP and "
          "PHONE channels";
      break;
    case Channel::kTwitter:
      address = NormalizeTwitterHandle(*text);
      requirement = "must be a Twitter handle of 1 to 15 letters, digits or underscores";
      break;
    case Channel::kFacebook:
      return check.Text(kField, *text,
                        {.required = true, .min_chars = kMinFacebookChars,
                         .max_chars = kMaxFacebookChars});
    case Channel::kWalkIn:
      // A phone number or an email address if it is one, else a postal address.
      address = NormalizeIndonesianPhone(*text);
      if (!address.has_value()) address = NormalizeEmail(*text);
      if (!address.has_value()) address = std::move(text);
      break;
    case Channel::kKompolnas:
      return check.Text(kField, *text,
                        {.required = true, .min_chars = 1,
                         .max_chars = kMaxKompolnasReferenceChars});
    case Channel::kUnspecified:
      break;
  }
  if (!address.has_value()) check.Add(kField, std::string(requirement));
  return address;
}

// An optional phone number in E.164 ("" when not given).
std::optional<std::string> CheckPhone(Checker& check, std::string_view field,
                                      std::string_view raw) {
  std::optional<std::string> phone =
      check.Text(field, raw, {.min_chars = 1, .max_chars = kParserBounded});
  if (!phone.has_value() || phone->empty()) return phone;
  std::optional<std::string> e164 = NormalizeIndonesianPhone(*phone);
  if (!e164.has_value()) check.Add(field, std::string(kPhoneRequirement));
  return e164;
}

// An optional email address with its domain lower-cased ("" when not given).
std::optional<std::string> CheckEmail(Checker& check, std::string_view field,
                                      std::string_view raw) {
  std::optional<std::string> email =
      check.Text(field, raw, {.min_chars = 1, .max_chars = kParserBounded});
  if (!email.has_value() || email->empty()) return email;
  std::optional<std::string> normalized = NormalizeEmail(*email);
  if (!normalized.has_value()) check.Add(field, std::string(kEmailRequirement));
  return normalized;
}

// An optional postal address ("" when not given).
std::optional<std::string> CheckAddress(Checker& check, std::string_view field,
                                        std::string_view raw) {
  return check.Text(field, raw,
                    {.min_chars = 1, .max_chars = kMaxAddressChars, .lines = Lines::kMulti});
}

}  // namespace

std::optional<std::string> ResourceId(std::string_view collection, std::string_view name) {
  if (!name.starts_with(collection)) return std::nullopt;
  name.remove_prefix(collection.size());
  if (!name.starts_with('/')) return std::nullopt;
  name.remove_prefix(1);
  if (name.empty() || name.size() > kMaxResourceIdChars) return std::nullopt;
  for (char c : name) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-') {
      return std::nullopt;
    }
  }
  return std::string(name);
}

std::optional<std::string> CheckText(std::string_view field, std::string_view raw,
                                     const TextLimits& limits, FieldViolations& violations) {
  Checker check("", violations);
  return check.Text(field, raw,
                    {.required = limits.required,
                     .min_chars = limits.min_chars,
                     .max_chars = limits.max_chars,
                     .lines = limits.multi_line ? Lines::kMulti : Lines::kSingle});
}

std::optional<ComplaintDraft> ValidateSubmission(const ComplaintSubmission& submission,
                                                 std::string_view prefix, absl::Time now,
                                                 const KnownIds& known,
                                                 FieldViolations& violations) {
  // The caller may have recorded violations of its own; only ours count here.
  const size_t violations_before = violations.violations().size();
  Checker check(prefix, violations);
  ComplaintDraft draft;

  // Each check records its own violation; the draft takes the values that
  // pass, and is returned only if all do.
  auto take = [](std::optional<std::string> value, std::string& into) {
    if (value.has_value()) into = *std::move(value);
  };

  take(check.Text("description", submission.description,
                  {.required = true, .min_chars = kMinDescriptionChars,
                   .max_chars = kMaxDescriptionChars, .lines = Lines::kMulti}),
       draft.description);

  if (!submission.incident_time.has_value()) {
    check.Add("incident_time", "is required");
  } else if (*submission.incident_time > now + kClockSkew) {
    check.Add("incident_time", "must not be in the future");
  } else if (*submission.incident_time < EarliestIncidentTime()) {
    check.Add("incident_time", "must not be before 2000-01-01");
  } else {
    draft.incident_time = *submission.incident_time;
  }

  take(check.Text("incident_location", submission.incident_location,
                  {.required = true, .min_chars = 1, .max_chars = kMaxLocationChars,
                   .lines = Lines::kMulti}),
       draft.incident_location);

  take(check.Reference("category", submission.category, "categories", /*required=*/true,
                       known.category_ids, "ListCategories"),
       draft.category_id);

  const bool channel_valid = submission.channel >= 1 && submission.channel <= kMaxChannel;
  if (channel_valid) {
    draft.channel = static_cast<Channel>(submission.channel);
  } else {
    check.Add("channel",
              "must be one of CHANNEL_WEB, CHANNEL_FACEBOOK, CHANNEL_EMAIL, CHANNEL_TWITTER, "
              "CHANNEL_WHATSAPP, CHANNEL_PHONE, CHANNEL_WALK_IN or CHANNEL_KOMPOLNAS");
  }
  take(CheckReplyAddress(check, submission.reply_address, draft.channel, channel_valid),
       draft.reply_address);

  if (!submission.has_subject) {
    check.Add("subject", "is required");
  } else {
    take(check.Reference("subject.unit", submission.subject_unit, "units", /*required=*/false,
                         known.unit_ids, "ListUnits"),
         draft.subject.unit_id);
    take(check.Text("subject.officer_name", submission.officer_name,
                    {.min_chars = 1, .max_chars = kMaxNameChars}),
         draft.subject.officer_name);
    take(check.Text("subject.officer_description", submission.officer_description,
                    {.min_chars = 1, .max_chars = kMaxOfficerDescriptionChars,
                     .lines = Lines::kMulti}),
         draft.subject.officer_description);
    // Judged on the input, so that an invalid unit is reported once, as itself.
    if (absl::StripAsciiWhitespace(submission.subject_unit).empty() &&
        absl::StripAsciiWhitespace(submission.officer_name).empty()) {
      check.Add("subject", "must name the unit or the officer complained about, or both");
    }
  }

  if (!submission.has_complainant) {
    check.Add("complainant", "is required");
  } else {
    Identity& identity = draft.identity;
    take(check.Text("complainant.full_name", submission.full_name,
                    {.required = true, .min_chars = kMinFullNameChars,
                     .max_chars = kMaxNameChars}),
         identity.full_name);

    if (std::optional<std::string> nik =
            check.Text("complainant.nik", submission.nik,
                       {.required = true, .min_chars = 1, .max_chars = kParserBounded});
        nik.has_value()) {
      // The birth date may not be after today where the complainant lives.
      const absl::CivilDay today = absl::ToCivilDay(now, PaluTimeZone());
      if (absl::StatusOr<Nik> parsed = ParseNik(*nik, today); parsed.ok()) {
        identity.nik = *std::move(nik);
      } else {
        check.Add("complainant.nik", std::string(parsed.status().message()));
      }
    }

    take(CheckPhone(check, "complainant.phone", submission.phone), identity.phone);
    take(CheckEmail(check, "complainant.email", submission.email), identity.email);
    take(CheckAddress(check, "complainant.address", submission.address), identity.address);
  }

  draft.confidential = submission.confidential;
  draft.share_identity_with_kompolnas = submission.share_identity_with_kompolnas;
  if (violations.violations().size() != violations_before) return std::nullopt;
  return draft;
}

}  // namespace dumas

namespace dumas {

std::optional<ContactDetails> ValidateContactCorrection(const ContactDetails& correction,
                                                        Channel channel, std::string_view prefix,
                                                        FieldViolations& violations) {
  const size_t violations_before = violations.violations().size();
  Checker check(prefix, violations);
  ContactDetails normalized;
  if (correction.phone.has_value()) {
    normalized.phone = CheckPhone(check, "phone", *correction.phone);
  }
  if (correction.email.has_value()) {
    normalized.email = CheckEmail(check, "email", *correction.email);
  }
  if (correction.address.has_value()) {
    normalized.address = CheckAddress(check, "address", *correction.address);
  }
  if (correction.reply_address.has_value()) {
    const bool channel_valid =
        static_cast<int>(channel) >= 1 && static_cast<int>(channel) <= kMaxChannel;
    normalized.reply_address =
        CheckReplyAddress(check, *correction.reply_address, channel, channel_valid);
  }
  if (violations.violations().size() != violations_before) return std::nullopt;
  return normalized;
}

}  // namespace dumas
