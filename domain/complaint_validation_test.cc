#include "domain/complaint_validation.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

// 2026-03-10 09:30 in Palu.
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 3, 10, 1, 30, 0), absl::UTCTimeZone());

const absl::flat_hash_set<std::string> kCategories = {"pelayanan-buruk", "korupsi"};
const absl::flat_hash_set<std::string> kUnits = {"sat-lantas", "propam"};
const KnownIds kKnown = {.category_ids = &kCategories, .unit_ids = &kUnits};

ComplaintSubmission ValidSubmission() {
  ComplaintSubmission s;
  s.description = "  Saya dimintai uang damai saat razia di Jalan Sam Ratulangi.\n";
  s.incident_time = kNow - absl::Hours(48);
  s.incident_location = "Jalan Sam Ratulangi, Palu";
  s.category = "categories/korupsi";
  s.channel = static_cast<int>(Channel::kWhatsapp);
  s.reply_address = "0812-3456-7890";
  s.subject_unit = "units/sat-lantas";
  s.officer_name = "Brigpol A";
  s.officer_description = "Berseragam lengkap, motor patroli";
  s.full_name = " Siti Aminah ";
  s.nik = "7271015505900001";
  s.phone = "+62 812 3456 7890";
  s.email = "Siti@Example.CO.ID";
  s.address = "Jl. Moh. Hatta No. 1\nPalu";
  s.confidential = true;
  s.has_subject = true;
  s.has_complainant = true;
  return s;
}

// The field paths of the violations.
std::vector<std::string> Fields(const FieldViolations& violations) {
  std::vector<std::string> fields;
  for (const auto& [field, description] : violations.violations()) fields.push_back(field);
  return fields;
}

std::optional<ComplaintDraft> Validate(const ComplaintSubmission& s, FieldViolations& v) {
  return ValidateSubmission(s, "complaint.", kNow, kKnown, v);
}

TEST(ResourceIdTest, Table) {
  const struct {
    std::string_view collection;
    std::string name;
    std::optional<std::string> id;
  } cases[] = {
      {"categories", "categories/korupsi", "korupsi"},
      {"categories", "categories/pelanggaran-ham", "pelanggaran-ham"},
      {"units", "units/polsek-palu-timur-2", "polsek-palu-timur-2"},
      {"units", "units/", std::nullopt},
      {"units", "units/" + std::string(64, 'a'), std::string(64, 'a')},
      {"units", "units/" + std::string(65, 'a'), std::nullopt},
      {"units", "units", std::nullopt},
      {"units", "unitsx/propam", std::nullopt},
      {"units", "categories/propam", std::nullopt},
      {"units", "propam", std::nullopt},
      {"units", "units/Propam", std::nullopt},
      {"units", "units/sat_lantas", std::nullopt},
      {"units", "units/sat lantas", std::nullopt},
      {"units", "units/propam/x", std::nullopt},
      {"units", "/units/propam", std::nullopt},
      {"units", "units//propam", std::nullopt},
      {"units", std::string("units/pro\0pam", 13), std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ResourceId(c.collection, c.name), c.id) << c.name;
  }
}

TEST(ValidateSubmissionTest, NormalisesAValidSubmission) {
  FieldViolations violations;
  std::optional<ComplaintDraft> draft = Validate(ValidSubmission(), violations);
  ASSERT_TRUE(draft.has_value()) << violations.ToStatus();
  EXPECT_TRUE(violations.empty());
  EXPECT_EQ(draft->description, "Saya dimintai uang damai saat razia di Jalan Sam Ratulangi.");
  EXPECT_EQ(draft->incident_time, kNow - absl::Hours(48));
  EXPECT_EQ(draft->incident_location, "Jalan Sam Ratulangi, Palu");
  EXPECT_EQ(draft->category_id, "korupsi");
  EXPECT_EQ(draft->channel, Channel::kWhatsapp);
  EXPECT_EQ(draft->reply_address, "+6281234567890");
  EXPECT_EQ(draft->subject.unit_id, "sat-lantas");
  EXPECT_EQ(draft->subject.officer_name, "Brigpol A");
  EXPECT_EQ(draft->subject.officer_description, "Berseragam lengkap, motor patroli");
  EXPECT_EQ(draft->identity.full_name, "Siti Aminah");
  EXPECT_EQ(draft->identity.nik, "7271015505900001");
  EXPECT_EQ(draft->identity.phone, "+6281234567890");
  EXPECT_EQ(draft->identity.email, "Siti@example.co.id");
  EXPECT_EQ(draft->identity.address, "Jl. Moh. Hatta No. 1\nPalu");
  EXPECT_TRUE(draft->confidential);
}

TEST(ValidateSubmissionTest, AcceptsOptionalFieldsLeftEmpty) {
  ComplaintSubmission s = ValidSubmission();
  s.subject_unit.clear();
  s.officer_description.clear();
  s.phone.clear();
  s.email = "   ";
  s.address.clear();
  FieldViolations violations;
  std::optional<ComplaintDraft> draft = Validate(s, violations);
  ASSERT_TRUE(draft.has_value()) << violations.ToStatus();
  EXPECT_EQ(draft->subject.unit_id, "");
  EXPECT_EQ(draft->identity.phone, "");
  EXPECT_EQ(draft->identity.email, "");

  s = ValidSubmission();
  s.officer_name.clear();  // the unit alone names the subject
  EXPECT_TRUE(Validate(s, violations).has_value()) << violations.ToStatus();
}

struct BadFieldCase {
  const char* name;
  std::function<void(ComplaintSubmission&)> mutate;
  const char* field;  // the one violation expected
};

// Each case breaks one field of a valid submission; exactly that field must
// be reported, and the description must not repeat what was submitted.
TEST(ValidateSubmissionTest, ReportsEachBadField) {
  const std::string kLong201(201, 'x');
  const BadFieldCase cases[] = {
      {"description missing", [](auto& s) { s.description = ""; }, "complaint.description"},
      {"description blank", [](auto& s) { s.description = " \n\t "; }, "complaint.description"},
      {"description 9 chars", [](auto& s) { s.description = "  123456789  "; },
       "complaint.description"},
      {"description 9 code points in 18 bytes",
       [](auto& s) { s.description = "ééééééééé"; }, "complaint.description"},
      {"description too long",
       [](auto& s) { s.description = std::string(kMaxDescriptionChars + 1, 'a'); },
       "complaint.description"},
      {"description NUL",
       [](auto& s) { s.description = std::string("Saya ditil\0ang polisi", 21); },
       "complaint.description"},
      {"description escape", [](auto& s) { s.description = "Saya ditilang \x1b[31m polisi"; },
       "complaint.description"},
      {"description C1 control",
       [](auto& s) { s.description = "Saya ditilang \xC2\x85 polisi"; }, "complaint.description"},
      {"description lone CR", [](auto& s) { s.description = "Saya ditilang\rpolisi"; },
       "complaint.description"},
      {"description invalid UTF-8", [](auto& s) { s.description = "Saya ditilang \xff polisi"; },
       "complaint.description"},
      {"description overlong UTF-8",
       [](auto& s) { s.description = "Saya ditilang \xC0\xAF polisi"; }, "complaint.description"},
      {"description surrogate",
       [](auto& s) { s.description = "Saya ditilang \xED\xA0\x80 polisi"; },
       "complaint.description"},
      {"description truncated UTF-8", [](auto& s) { s.description = "Saya ditilang polisi\xE2\x82"; },
       "complaint.description"},
      {"description beyond U+10FFFF",
       [](auto& s) { s.description = "Saya ditilang \xF4\x90\x80\x80 polisi"; },
       "complaint.description"},
      {"incident time missing", [](auto& s) { s.incident_time.reset(); },
       "complaint.incident_time"},
      {"incident time in the future",
       [](auto& s) { s.incident_time = kNow + absl::Minutes(5) + absl::Seconds(1); },
       "complaint.incident_time"},
      {"incident time infinite", [](auto& s) { s.incident_time = absl::InfiniteFuture(); },
       "complaint.incident_time"},
      {"incident time before 2000",
       [](auto& s) {
         s.incident_time = absl::FromCivil(absl::CivilSecond(1999, 12, 31, 23, 59, 59),
                                           absl::UTCTimeZone());
       },
       "complaint.incident_time"},
      {"location missing", [](auto& s) { s.incident_location = " "; },
       "complaint.incident_location"},
      {"location too long",
       [](auto& s) { s.incident_location = std::string(kMaxLocationChars + 1, 'x'); },
       "complaint.incident_location"},
      {"category missing", [](auto& s) { s.category = ""; }, "complaint.category"},
      {"category bare id", [](auto& s) { s.category = "korupsi"; }, "complaint.category"},
      {"category unknown", [](auto& s) { s.category = "categories/pencurian"; },
       "complaint.category"},
      {"category of another collection", [](auto& s) { s.category = "units/korupsi"; },
       "complaint.category"},
      {"channel unspecified", [](auto& s) { s.channel = 0; }, "complaint.channel"},
      {"channel out of range", [](auto& s) { s.channel = kMaxChannel + 1; }, "complaint.channel"},
      {"channel negative", [](auto& s) { s.channel = -1; }, "complaint.channel"},
      {"reply address missing", [](auto& s) { s.reply_address = ""; },
       "complaint.reply_address"},
      {"reply address not a phone", [](auto& s) { s.reply_address = "+1 650 253 0000"; },
       "complaint.reply_address"},
      {"subject missing", [](auto& s) {
         s.has_subject = false;
         s.subject_unit.clear();
         s.officer_name.clear();
         s.officer_description.clear();
       },
       "complaint.subject"},
      {"subject names nobody", [](auto& s) {
         s.subject_unit = " ";
         s.officer_name = "";
       },
       "complaint.subject"},
      {"unit bare id", [](auto& s) { s.subject_unit = "propam"; }, "complaint.subject.unit"},
      {"unit unknown", [](auto& s) { s.subject_unit = "units/sat-reskrim"; },
       "complaint.subject.unit"},
      {"unit unknown, no officer", [](auto& s) {
         s.subject_unit = "units/sat-reskrim";
         s.officer_name.clear();
       },
       "complaint.subject.unit"},
      {"officer name too long", [&](auto& s) { s.officer_name = kLong201; },
       "complaint.subject.officer_name"},
      {"officer name with a line break", [](auto& s) { s.officer_name = "Brigpol\nA"; },
       "complaint.subject.officer_name"},
      {"officer description too long",
       [](auto& s) { s.officer_description = std::string(kMaxOfficerDescriptionChars + 1, 'x'); },
       "complaint.subject.officer_description"},
      {"complainant missing", [](auto& s) {
         s.has_complainant = false;
         s.full_name.clear();
         s.nik.clear();
         s.phone.clear();
         s.email.clear();
         s.address.clear();
       },
       "complaint.complainant"},
      {"full name missing", [](auto& s) { s.full_name = ""; }, "complaint.complainant.full_name"},
      {"full name of one letter", [](auto& s) { s.full_name = " A "; },
       "complaint.complainant.full_name"},
      {"full name too long", [&](auto& s) { s.full_name = kLong201; },
       "complaint.complainant.full_name"},
      {"full name with a tab", [](auto& s) { s.full_name = "Siti\tAminah"; },
       "complaint.complainant.full_name"},
      {"full name with NUL", [](auto& s) { s.full_name = std::string("Siti\0Aminah", 11); },
       "complaint.complainant.full_name"},
      {"full name invalid UTF-8", [](auto& s) { s.full_name = "Siti \xe9 Aminah"; },
       "complaint.complainant.full_name"},
      {"NIK missing", [](auto& s) { s.nik = ""; }, "complaint.complainant.nik"},
      {"NIK with separators", [](auto& s) { s.nik = "7271 0155 0590 0001"; },
       "complaint.complainant.nik"},
      {"NIK bad date", [](auto& s) { s.nik = "7271013002900001"; }, "complaint.complainant.nik"},
      {"NIK bad province", [](auto& s) { s.nik = "9971015505900001"; },
       "complaint.complainant.nik"},
      {"phone foreign", [](auto& s) { s.phone = "+44 20 7946 0958"; },
       "complaint.complainant.phone"},
      {"phone letters", [](auto& s) { s.phone = "0812-CALL-ME"; }, "complaint.complainant.phone"},
      {"email without domain", [](auto& s) { s.email = "siti@"; }, "complaint.complainant.email"},
      {"address too long", [](auto& s) { s.address = std::string(kMaxAddressChars + 1, 'x'); },
       "complaint.complainant.address"},
      {"address with NUL", [](auto& s) { s.address = std::string("Jl. A\0 Palu", 11); },
       "complaint.complainant.address"},
  };
  for (const BadFieldCase& c : cases) {
    SCOPED_TRACE(c.name);
    ComplaintSubmission s = ValidSubmission();
    c.mutate(s);
    FieldViolations violations;
    EXPECT_EQ(Validate(s, violations), std::nullopt);
    EXPECT_THAT(Fields(violations), ElementsAre(c.field));
    EXPECT_EQ(violations.ToStatus().code(), absl::StatusCode::kInvalidArgument);
    for (const auto& [field, description] : violations.violations()) {
      EXPECT_FALSE(description.empty());
      for (const std::string* value :
           {&s.description, &s.incident_location, &s.reply_address, &s.officer_name,
            &s.officer_description, &s.full_name, &s.nik, &s.phone, &s.email, &s.address}) {
        if (value->size() >= 4) {
          EXPECT_THAT(description, Not(HasSubstr(*value)));
        }
      }
    }
  }
}

TEST(ValidateSubmissionTest, ReportsEveryBadFieldAtOnce) {
  ComplaintSubmission s;
  s.description = "pendek";
  s.incident_time = kNow + absl::Hours(1);
  s.incident_location = std::string("Jl.\0", 4);
  s.category = "categories/tidak-ada";
  s.channel = 99;
  s.reply_address = "";
  s.has_subject = true;
  s.subject_unit = "units/TIDAK";
  s.officer_name = std::string(300, 'x');
  s.officer_description = "\xff";
  s.has_complainant = true;
  s.full_name = "X";
  s.nik = "1234";
  s.phone = "123";
  s.email = "x@y";
  s.address = std::string(600, 'a');
  FieldViolations violations;
  EXPECT_EQ(Validate(s, violations), std::nullopt);
  EXPECT_THAT(Fields(violations),
              UnorderedElementsAreArray<std::string>(
                  {"complaint.description", "complaint.incident_time",
                   "complaint.incident_location", "complaint.category", "complaint.channel",
                   "complaint.reply_address", "complaint.subject.unit",
                   "complaint.subject.officer_name", "complaint.subject.officer_description",
                   "complaint.complainant.full_name", "complaint.complainant.nik",
                   "complaint.complainant.phone", "complaint.complainant.email",
                   "complaint.complainant.address"}));

  const absl::Status status = violations.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("complaint.complainant.nik"));
}

TEST(ValidateSubmissionTest, ReportsMissingMessagesOnce) {
  ComplaintSubmission s;  // nothing given
  FieldViolations violations;
  EXPECT_EQ(Validate(s, violations), std::nullopt);
  EXPECT_THAT(Fields(violations),
              UnorderedElementsAreArray<std::string>(
                  {"complaint.description", "complaint.incident_time",
                   "complaint.incident_location", "complaint.category", "complaint.channel",
                   "complaint.reply_address", "complaint.subject", "complaint.complainant"}));
}

TEST(ValidateSubmissionTest, ChecksTheReplyAddressByChannel) {
  const struct {
    Channel channel;
    std::string input;
    std::optional<std::string> expected;  // nullopt: invalid
  } cases[] = {
      {Channel::kWeb, "Warga@Mail.Example.com", "Warga@mail.example.com"},
      {Channel::kWeb, "0812-3456-7890", std::nullopt},
      {Channel::kEmail, " warga@example.id ", "warga@example.id"},
      {Channel::kEmail, "warga", std::nullopt},
      {Channel::kWhatsapp, "+62 812-3456-7890", "+6281234567890"},
      {Channel::kWhatsapp, "warga@example.id", std::nullopt},
      {Channel::kPhone, "(0451) 421234", "+62451421234"},
      {Channel::kPhone, "+1 650 253 0000", std::nullopt},
      {Channel::kTwitter, "warga_palu", "@warga_palu"},
      {Channel::kTwitter, "@warga palu", std::nullopt},
      {Channel::kFacebook, "Warga Palu Bersatu", "Warga Palu Bersatu"},
      {Channel::kFacebook, "https://facebook.com/warga.palu", "https://facebook.com/warga.palu"},
      {Channel::kFacebook, "W", std::nullopt},
      {Channel::kFacebook, std::string(201, 'w'), std::nullopt},
      {Channel::kFacebook, "Warga\nPalu", std::nullopt},
      {Channel::kWalkIn, "0812 3456 7890", "+6281234567890"},
      {Channel::kWalkIn, "Warga@Example.ID", "Warga@example.id"},
      {Channel::kWalkIn, "Jl. Moh. Hatta No. 1\r\nPalu 94111", "Jl. Moh. Hatta No. 1\nPalu 94111"},
      {Channel::kWalkIn, std::string(kMaxReplyAddressChars + 1, 'j'), std::nullopt},
      {Channel::kWalkIn, std::string("Jl. A\0", 6), std::nullopt},
      {Channel::kKompolnas, "KOMPOLNAS/2026/0042", "KOMPOLNAS/2026/0042"},
      {Channel::kKompolnas, std::string(201, 'k'), std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(absl::StrCat(ChannelName(c.channel), " ", c.input));
    ComplaintSubmission s = ValidSubmission();
    s.channel = static_cast<int>(c.channel);
    s.reply_address = c.input;
    FieldViolations violations;
    std::optional<ComplaintDraft> draft = Validate(s, violations);
    if (c.expected.has_value()) {
      ASSERT_TRUE(draft.has_value()) << violations.ToStatus();
      EXPECT_EQ(draft->reply_address, *c.expected);
      EXPECT_EQ(draft->channel, c.channel);
    } else {
      EXPECT_EQ(draft, std::nullopt);
      EXPECT_THAT(Fields(violations), ElementsAre("complaint.reply_address"));
    }
  }
}

TEST(ValidateSubmissionTest, CountsCodePointsNotBytes) {
  ComplaintSubmission s = ValidSubmission();
  s.description = "éééééééééé";  // 10 code points, 20 bytes
  FieldViolations violations;
  ASSERT_TRUE(Validate(s, violations).has_value()) << violations.ToStatus();

  // 10,000 four-byte code points: at the limit, though 40,000 bytes.
  std::string emoji;
  for (int i = 0; i < kMaxDescriptionChars; ++i) emoji += "\xF0\x9F\x9A\x93";  // U+1F693
  s.description = emoji;
  ASSERT_TRUE(Validate(s, violations).has_value()) << violations.ToStatus();
  s.description = emoji + "\xF0\x9F\x9A\x93";
  EXPECT_EQ(Validate(s, violations), std::nullopt);

  s = ValidSubmission();
  s.full_name = "Ñú";  // two code points
  violations = FieldViolations();
  EXPECT_TRUE(Validate(s, violations).has_value()) << violations.ToStatus();
}

TEST(ValidateSubmissionTest, KeepsLineBreaksAndTabsInLongText) {
  ComplaintSubmission s = ValidSubmission();
  s.description = "Kronologi:\r\n1.\tDihentikan\r\n2.\tDimintai uang";
  s.officer_description = "Pangkat Brigpol\nMotor patroli";
  FieldViolations violations;
  std::optional<ComplaintDraft> draft = Validate(s, violations);
  ASSERT_TRUE(draft.has_value()) << violations.ToStatus();
  EXPECT_EQ(draft->description, "Kronologi:\n1.\tDihentikan\n2.\tDimintai uang");
  EXPECT_EQ(draft->subject.officer_description, "Pangkat Brigpol\nMotor patroli");
}

TEST(ValidateSubmissionTest, IncidentTimeBounds) {
  const absl::Time y2k = absl::FromCivil(absl::CivilSecond(2000, 1, 1, 0, 0, 0),
                                         absl::UTCTimeZone());
  for (absl::Time t : {y2k, kNow, kNow + absl::Minutes(5)}) {
    ComplaintSubmission s = ValidSubmission();
    s.incident_time = t;
    FieldViolations violations;
    EXPECT_TRUE(Validate(s, violations).has_value()) << t;
  }
}

TEST(ValidateSubmissionTest, RespectsThePrefix) {
  ComplaintSubmission s = ValidSubmission();
  s.nik = "";
  s.subject_unit = "units/nope";
  FieldViolations violations;
  EXPECT_EQ(ValidateSubmission(s, "", kNow, kKnown, violations), std::nullopt);
  EXPECT_THAT(Fields(violations), ElementsAre("subject.unit", "complainant.nik"));
}

TEST(ValidateSubmissionTest, IgnoresViolationsRecordedBefore) {
  FieldViolations violations;
  violations.Add("request_id", "must be a UUID");
  EXPECT_TRUE(Validate(ValidSubmission(), violations).has_value());
  EXPECT_THAT(Fields(violations), ElementsAre("request_id"));
}

TEST(ValidateSubmissionTest, WithoutReferenceDataNothingIsKnown) {
  FieldViolations violations;
  EXPECT_EQ(ValidateSubmission(ValidSubmission(), "complaint.", kNow, KnownIds{}, violations),
            std::nullopt);
  EXPECT_THAT(Fields(violations), ElementsAre("complaint.category", "complaint.subject.unit"));
}

TEST(ValidateSubmissionTest, BirthDateIsJudgedOnThePaluCalendar) {
  // 2026-03-09 16:30 UTC is already 2026-03-10 in Palu: a child born that day
  // (NIK date 100326) is a 2026 birth there, and still valid.
  ComplaintSubmission s = ValidSubmission();
  s.nik = "7271011003260001";
  const absl::Time now =
      absl::FromCivil(absl::CivilSecond(2026, 3, 9, 16, 30, 0), absl::UTCTimeZone());
  s.incident_time = now - absl::Hours(1);
  FieldViolations violations;
  EXPECT_TRUE(ValidateSubmission(s, "complaint.", now, kKnown, violations).has_value())
      << violations.ToStatus();
}

}  // namespace
}  // namespace dumas
