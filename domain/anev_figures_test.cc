#include "domain/anev_figures.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

AnevFigures Sample() {
  AnevFigures figures;
  figures.month = absl::CivilMonth(2026, 3);
  figures.scope = "resort";
  figures.as_of = absl::FromUnixSeconds(1774972800);  // 2026-04-01T00:00:00+08:00
  figures.tables.push_back({"summary", {"count"}, {{"received", {12}}, {"answered", {0}}}});
  figures.tables.push_back(
      {"sp3d_deadlines",
       {"met", "missed", "pending", "overdue"},
       {{"", {0, 0, 1, 2}}, {"units/propam", {3, 1, 0, 0}}}});
  figures.tables.push_back({"ratings", {"ratings"}, {{"1", {std::nullopt}}, {"5", {7}}}});
  figures.tables.push_back({"corrections", {"frozen", "now"}, {}});
  return figures;
}

TEST(AnevFiguresTest, RowsTextIsTabSeparatedWithSuppressedValuesAsStars) {
  const AnevFigures figures = Sample();
  EXPECT_EQ(AnevRowsText(figures.tables[1]), "\t0\t0\t1\t2\nunits/propam\t3\t1\t0\t0\n");
  EXPECT_EQ(AnevRowsText(figures.tables[2]), "1\t*\n5\t7\n");
  EXPECT_EQ(AnevRowsText(figures.tables[3]), "");
}

TEST(AnevFiguresTest, CanonicalTextMatchesTheDocumentedForm) {
  const AnevFigures figures = Sample();
  EXPECT_EQ(AnevCanonicalText(figures),
            "dumas-anev/v1\n"
            "month\t2026-03\n"
            "scope\tresort\n"
            "as_of\t1774972800000000\n"
            "table\tsummary\tcount\t" +
                Sha256Hex("received\t12\nanswered\t0\n") +
                "\n"
                "table\tsp3d_deadlines\tmet,missed,pending,overdue\t" +
                Sha256Hex("\t0\t0\t1\t2\nunits/propam\t3\t1\t0\t0\n") +
                "\n"
                "table\tratings\tratings\t" + Sha256Hex("1\t*\n5\t7\n") +
                "\n"
                "table\tcorrections\tfrozen,now\t" + Sha256Hex("") + "\n");
  EXPECT_EQ(AnevDigest(figures), Sha256Hex(AnevCanonicalText(figures)));
}

TEST(AnevFiguresTest, Sha256HexIsTheStandardDigest) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AnevFiguresTest, AnyChangeChangesTheDigest) {
  const AnevFigures figures = Sample();
  AnevFigures value = figures;
  value.tables[0].rows[0].values[0] = 13;
  AnevFigures suppressed = figures;
  suppressed.tables[2].rows[1].values[0].reset();
  AnevFigures key = figures;
  key.tables[1].rows[0].key = "units/siwas";
  AnevFigures scope = figures;
  scope.scope = "public";
  for (const AnevFigures* other : {&value, &suppressed, &key, &scope}) {
    EXPECT_NE(AnevDigest(*other), AnevDigest(figures));
  }
}

TEST(AnevFiguresTest, StoredFormRoundTrips) {
  const AnevFigures figures = Sample();
  const std::string stored = AnevStoredForm(figures);
  EXPECT_EQ(stored.substr(0, AnevCanonicalText(figures).size()), AnevCanonicalText(figures));
  absl::StatusOr<AnevFigures> parsed = ParseAnevStoredForm(stored);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, figures);
}

TEST(AnevFiguresTest, StoredFormWithAlteredRowsIsDataLoss) {
  std::string stored = AnevStoredForm(Sample());
  const size_t at = stored.find("units/propam\t3");
  ASSERT_NE(at, std::string::npos);
  stored[at + 13] = '4';
  EXPECT_EQ(ParseAnevStoredForm(stored).status().code(), absl::StatusCode::kDataLoss);
}

TEST(AnevFiguresTest, MalformedStoredFormsAreRefused) {
  const std::string stored = AnevStoredForm(Sample());
  for (const std::string& bad :
       {std::string(), std::string("dumas-anev/v2\n") + stored.substr(stored.find('\n') + 1),
        stored.substr(0, stored.size() - 1), stored + "extra\n",
        stored.substr(0, stored.find("rows\t"))}) {
    EXPECT_EQ(ParseAnevStoredForm(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(AnevFiguresTest, MonthTextAndParse) {
  EXPECT_EQ(AnevMonthText(absl::CivilMonth(2026, 3)), "2026-03");
  EXPECT_EQ(ParseAnevMonth("2026-03"), absl::CivilMonth(2026, 3));
  EXPECT_EQ(ParseAnevMonth("2026-13"), std::nullopt);
  EXPECT_EQ(ParseAnevMonth("2026-3"), std::nullopt);
  EXPECT_EQ(ParseAnevMonth("20x6-03"), std::nullopt);
}

TEST(AnevFiguresTest, MonthDigestSortsScopes) {
  const std::string a = AnevMonthDigest(absl::CivilMonth(2026, 3), {{"resort", "aa"}, {"public", "bb"}});
  const std::string b = AnevMonthDigest(absl::CivilMonth(2026, 3), {{"public", "bb"}, {"resort", "aa"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, Sha256Hex("dumas-anev-month/v1\nmonth\t2026-03\npublic\tbb\nresort\taa\n"));
}

}  // namespace
}  // namespace dumas
