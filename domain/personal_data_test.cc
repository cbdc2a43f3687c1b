#include "domain/personal_data.h"

#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/complaint_validation.h"
#include "domain/field_violations.h"
#include "domain/working_day_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Time Wita(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), PaluTimeZone());
}

PersonalDataFacts SampleFacts() {
  PersonalDataFacts f;
  f.reference_number = "K7QM-4R9X-2HTZ";
  f.identity = {"Siti Rahmawati", "7271015208900001", "+6281245678901",
                "siti.rahmawati@example.co.id", "Jl. Sam Ratulangi No. 17, Palu"};
  f.reply_address = "+6281245678901";
  f.channel = Channel::kWhatsapp;
  f.create_time = Wita(2026, 3, 2, 10, 15);
  f.state = ComplaintState::kAssigned;
  f.description = "Petugas meminta uang agar SIM tidak ditahan.";
  f.incident_time = Wita(2026, 3, 2, 8, 30);
  f.incident_location = "Simpang Jl. Diponegoro, Palu Barat";
  f.category_name = "Penyalahgunaan wewenang";
  f.subject_unit_name = "Sat Lantas";
  f.officer_name = "Bripka S.";
  f.share_identity_with_kompolnas = true;
  f.identity_reads = {{Wita(2026, 3, 3, 9, 5), Role::kSupervisor, "Si Propam"},
                      {Wita(2026, 3, 4, 14, 40), Role::kOversight, ""}};
  return f;
}

TEST(PersonalDataCopyTextTest, HoldsTheIdentityTheComplaintAndEveryRead) {
  const std::string text = PersonalDataCopyText(SampleFacts());
  for (const char* expected :
       {"K7QM-4R9X-2HTZ", "Nama lengkap: Siti Rahmawati", "NIK: 7271015208900001",
        "Nomor telepon: +6281245678901", "Email: siti.rahmawati@example.co.id",
        "Alamat: Jl. Sam Ratulangi No. 17, Palu", "Alamat balasan (WhatsApp): +6281245678901",
        "Persetujuan berbagi identitas dengan Kompolnas: ya",
        "Diterima: 2 Maret 2026 pukul 10.15 WITA", "Kategori: Penyalahgunaan wewenang",
        "Satuan kerja yang diadukan: Sat Lantas", "Petugas meminta uang",
        "Identitas Anda telah dibaca 2 kali",
        "- 3 Maret 2026 pukul 09.05 WITA: pimpinan atau pengawas Polres, Si Propam",
        "- 4 Maret 2026 pukul 14.40 WITA: Kompolnas (Komisi Kepolisian Nasional)\n",
        "Undang-Undang Nomor 27 Tahun 2022", "Hormat kami,\nPolres Palu"}) {
    EXPECT_THAT(text, HasSubstr(expected));
  }
}

TEST(PersonalDataCopyTextTest, SaysWhenNobodyReadTheIdentityAndMarksMissingValues) {
  PersonalDataFacts f = SampleFacts();
  f.identity_reads.clear();
  f.identity.email.clear();
  const std::string text = PersonalDataCopyText(f);
  EXPECT_THAT(text, HasSubstr("Belum ada yang membaca identitas Anda."));
  EXPECT_THAT(text, HasSubstr("Email: -\n"));
}

TEST(PersonalDataCopyTextTest, ListsTheNewestReadsAndCountsTheRest) {
  PersonalDataFacts f = SampleFacts();
  f.identity_reads.clear();
  for (size_t i = 0; i < kMaxListedIdentityReads + 3; ++i) {
    f.identity_reads.push_back(
        {Wita(2026, 3, 3, 9, 0) + absl::Minutes(static_cast<int64_t>(i)), Role::kIntake, "SPKT"});
  }
  const std::string text = PersonalDataCopyText(f);
  EXPECT_THAT(text, HasSubstr("telah dibaca 503 kali"));
  EXPECT_THAT(text, HasSubstr("- 3 kali sebelum 3 Maret 2026 pukul 09.03 WITA"));
  EXPECT_THAT(text, Not(HasSubstr("pukul 09.02 WITA: ")));
  EXPECT_THAT(text, HasSubstr("pukul 09.03 WITA: petugas penerimaan pengaduan (SPKT/Humas), SPKT"));
}

TEST(ContactCorrectedNoteTest, NamesTheDetailsNeverTheirValues) {
  ContactDetails changed;
  changed.phone = "+6281299998888";
  changed.reply_address = "+6281299998888";
  const std::string note = ContactCorrectedNote(changed);
  EXPECT_EQ(note, "Diperbarui: nomor telepon, alamat balasan.");
  EXPECT_THAT(note, Not(HasSubstr("8888")));
}

TEST(RoleDescriptionTest, EveryRoleHasOne) {
  for (int r = 1; r <= kMaxRole; ++r) {
    EXPECT_NE(RoleDescription(static_cast<Role>(r)), "petugas") << r;
  }
}

// Contact details with the fields named "phone", "email", "address" or
// "reply_address" set.
ContactDetails Contact(std::initializer_list<std::pair<std::string, std::string>> fields) {
  ContactDetails c;
  for (const auto& [name, value] : fields) {
    if (name == "phone") c.phone = value;
    if (name == "email") c.email = value;
    if (name == "address") c.address = value;
    if (name == "reply_address") c.reply_address = value;
  }
  return c;
}

// ValidateContactCorrection checks as ValidateSubmission does.
struct CorrectionCase {
  const char* name;
  Channel channel;
  ContactDetails given;
  std::vector<std::string> bad_fields;  // empty: valid
};

TEST(ValidateContactCorrectionTest, ChecksEachFieldAsOnSubmission) {
  const CorrectionCase cases[] = {
      {"phone normalised", Channel::kWhatsapp, Contact({{"phone", "0812-4567-8901"}}), {}},
      {"phone cleared", Channel::kWhatsapp, Contact({{"phone", ""}}), {}},
      {"phone foreign", Channel::kWhatsapp, Contact({{"phone", "+1 415 555 0100"}}), {"contact.phone"}},
      {"email", Channel::kEmail, Contact({{"email", "Siti@Example.CO.ID"}}), {}},
      {"email invalid", Channel::kEmail, Contact({{"email", "siti@"}}), {"contact.email"}},
      {"address too long", Channel::kEmail, Contact({{"address", std::string(501, 'a')}}),
       {"contact.address"}},
      {"reply for whatsapp", Channel::kWhatsapp, Contact({{"reply_address", "+62 812 4567 8901"}}), {}},
      {"reply of another channel", Channel::kWhatsapp, Contact({{"reply_address", "siti@example.id"}}),
       {"contact.reply_address"}},
      {"reply cleared", Channel::kEmail, Contact({{"reply_address", ""}}), {"contact.reply_address"}},
      {"several", Channel::kTwitter,
       Contact({{"phone", "12"}, {"reply_address", "not a handle!"}}),
       {"contact.phone", "contact.reply_address"}},
  };
  for (const CorrectionCase& c : cases) {
    FieldViolations violations;
    const std::optional<ContactDetails> checked =
        ValidateContactCorrection(c.given, c.channel, "contact.", violations);
    std::vector<std::string> fields;
    for (const auto& v : violations.violations()) fields.push_back(v.field);
    EXPECT_EQ(fields, c.bad_fields) << c.name;
    EXPECT_EQ(checked.has_value(), c.bad_fields.empty()) << c.name;
  }
}

TEST(ValidateContactCorrectionTest, NormalisesAndLeavesUnnamedDetailsUnset) {
  FieldViolations violations;
  const std::optional<ContactDetails> checked = ValidateContactCorrection(
      Contact({{"phone", "0812-4567-8901"}, {"email", "Siti@Example.CO.ID"}}), Channel::kWeb, "contact.",
      violations);
  ASSERT_TRUE(checked.has_value());
  EXPECT_EQ(checked->phone, "+6281245678901");
  EXPECT_EQ(checked->email, "Siti@example.co.id");
  EXPECT_FALSE(checked->address.has_value());
  EXPECT_FALSE(checked->reply_address.has_value());
  EXPECT_THAT(violations.violations(), ElementsAre());
}

}  // namespace
}  // namespace dumas
