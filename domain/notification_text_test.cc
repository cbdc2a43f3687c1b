#include "domain/notification_text.h"

#include <string>

#include "gtest/gtest.h"

namespace dumas {
namespace {

using absl::CivilDay;

constexpr char kSignature[] = "Polres Palu — Layanan Pengaduan Masyarakat (Dumas)";
constexpr char kReference[] = "7KQ3-M9PX-R2TD";
constexpr char kTrackingCode[] = "H4WN-8FJC-XVP2-6TQ9";

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Every fact set, so each kind must pick what it tells.
NotificationFacts AllFacts() {
  NotificationFacts facts;
  facts.reference_number = kReference;
  facts.tracking_code = kTrackingCode;
  facts.due_date = CivilDay(2026, 1, 20);
  facts.unit_name = "Sat Reskrim";
  facts.text = "Mohon sebutkan jam kejadian.";
  return facts;
}

TEST(IndonesianDateTest, EveryMonth) {
  const struct {
    CivilDay day;
    const char* text;
  } cases[] = {
      {CivilDay(2026, 1, 20), "20 Januari 2026"},   {CivilDay(2027, 2, 1), "1 Februari 2027"},
      {CivilDay(2026, 3, 31), "31 Maret 2026"},     {CivilDay(2026, 4, 9), "9 April 2026"},
      {CivilDay(2026, 5, 14), "14 Mei 2026"},       {CivilDay(2026, 6, 1), "1 Juni 2026"},
      {CivilDay(2026, 7, 17), "17 Juli 2026"},      {CivilDay(2026, 8, 17), "17 Agustus 2026"},
      {CivilDay(2026, 9, 30), "30 September 2026"}, {CivilDay(2026, 10, 5), "5 Oktober 2026"},
      {CivilDay(2024, 11, 11), "11 November 2024"}, {CivilDay(2025, 12, 31), "31 Desember 2025"},
      {CivilDay(2028, 2, 29), "29 Februari 2028"},
  };
  for (const auto& c : cases) EXPECT_EQ(IndonesianDate(c.day), c.text) << c.day;
}

TEST(NotificationTextTest, ReceiptHasCodeSecrecyAndSp3dDueDate) {
  const std::string text = NotificationText(NotificationKind::kReceipt, AllFacts());
  EXPECT_EQ(text.rfind("Yth. ", 0), 0u) << text;
  EXPECT_TRUE(Contains(text, kReference)) << text;
  EXPECT_TRUE(Contains(text, std::string("Kode pelacakan: ") + kTrackingCode)) << text;
  EXPECT_TRUE(Contains(text, "Rahasiakan kode pelacakan")) << text;
  EXPECT_TRUE(Contains(text, "SP3D")) << text;
  EXPECT_TRUE(Contains(text, "paling lambat 20 Januari 2026")) << text;
  EXPECT_FALSE(Contains(text, "Sat Reskrim")) << text;
}

TEST(NotificationTextTest, Sp3dNamesUnitAndResultDueDate) {
  NotificationFacts facts = AllFacts();
  facts.due_date = CivilDay(2026, 3, 17);
  const std::string text = NotificationText(NotificationKind::kSp3d, facts);
  EXPECT_TRUE(Contains(text, "didisposisikan kepada Sat Reskrim")) << text;
  EXPECT_TRUE(Contains(text, "(SP3D)")) << text;
  EXPECT_TRUE(Contains(text, "paling lambat 17 Maret 2026")) << text;

  facts.unit_name.clear();
  EXPECT_TRUE(Contains(NotificationText(NotificationKind::kSp3d, facts),
                       "kepada satuan kerja yang berwenang"));
}

TEST(NotificationTextTest, TextKindsCarryTheirText) {
  const struct {
    NotificationKind kind;
    const char* says;
  } cases[] = {
      {NotificationKind::kClarificationRequest, "keterangan tambahan"},
      {NotificationKind::kArchived, "kami arsipkan"},
      {NotificationKind::kRejected, "tidak dapat kami tindak lanjuti"},
      {NotificationKind::kAnswer, "jawaban resmi"},
  };
  for (const auto& c : cases) {
    NotificationFacts facts = AllFacts();
    facts.text = "Teks khusus untuk kasus ini.";
    const std::string text = NotificationText(c.kind, facts);
    EXPECT_TRUE(Contains(text, c.says)) << text;
    EXPECT_TRUE(Contains(text, ":\n\nTeks khusus untuk kasus ini.\n\n")) << text;

    // Without a text the sentence still ends properly.
    facts.text.clear();
    const std::string bare = NotificationText(c.kind, facts);
    EXPECT_FALSE(Contains(bare, ":\n\n")) << bare;
  }
}

TEST(NotificationTextTest, AnswerTellsHowToDisputeAndRate) {
  const std::string text = NotificationText(NotificationKind::kAnswer, AllFacts());
  EXPECT_TRUE(Contains(text, "keberatan")) << text;
  EXPECT_TRUE(Contains(text, "penilaian")) << text;
}

TEST(NotificationTextTest, EveryKindGreetsNamesReferenceAndSigns) {
  for (int k = 0; k <= 7; ++k) {
    const auto kind = static_cast<NotificationKind>(k);
    SCOPED_TRACE(k);
    const std::string text = NotificationText(kind, AllFacts());
    EXPECT_EQ(text.rfind("Yth. Bapak/Ibu Pelapor,\n\n", 0), 0u) << text;
    EXPECT_TRUE(Contains(text, kReference)) << text;
    const std::string ending = std::string("Hormat kami,\n") + kSignature;
    ASSERT_GE(text.size(), ending.size());
    EXPECT_EQ(text.substr(text.size() - ending.size()), ending) << text;
    // The tracking code is a credential: only the receipt carries it.
    EXPECT_EQ(Contains(text, kTrackingCode), kind == NotificationKind::kReceipt) << text;
  }
}

TEST(NotificationTextTest, KindsReadDifferently) {
  std::string previous;
  for (int k = 0; k <= 7; ++k) {
    const std::string text = NotificationText(static_cast<NotificationKind>(k), AllFacts());
    EXPECT_NE(text, previous);
    previous = text;
  }
}

}  // namespace
}  // namespace dumas
