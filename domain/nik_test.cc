#include "domain/nik.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::CivilDay kToday(2026, 3, 10);

struct ValidCase {
  const char* nik;
  absl::CivilDay birth_date;
  bool female;
};

TEST(ParseNikTest, ParsesValidNumbers) {
  const ValidCase cases[] = {
      // 72 Sulawesi Tengah, 71 Kota Palu, 01 district.
      {"7271011505900001", absl::CivilDay(1990, 5, 15), false},
      {"7271015505900002", absl::CivilDay(1990, 5, 15), true},  // day + 40
      {"7271010101150001", absl::CivilDay(2015, 1, 1), false},  // 20YY when not future
      {"7271010101300001", absl::CivilDay(1930, 1, 1), false},  // else 19YY
      {"7271011003260001", absl::CivilDay(2026, 3, 10), false},  // born today
      {"7271011103260001", absl::CivilDay(1926, 3, 11), false},  // tomorrow -> 1926
      {"7271012902000001", absl::CivilDay(2000, 2, 29), false},  // 2000 is a leap year
      {"7271016902000001", absl::CivilDay(2000, 2, 29), true},
      {"7271012902040001", absl::CivilDay(2004, 2, 29), false},
      {"7271012902960001", absl::CivilDay(1996, 2, 29), false},
      {"7271013112990001", absl::CivilDay(1999, 12, 31), false},
      {"7271017112990001", absl::CivilDay(1999, 12, 31), true},  // 31 + 40
      {"1101010101009999", absl::CivilDay(2000, 1, 1), false},  // highest sequence
      {"9699990101009999", absl::CivilDay(2000, 1, 1), false},  // 99 regency/district
  };
  for (const ValidCase& c : cases) {
    SCOPED_TRACE(c.nik);
    absl::StatusOr<Nik> nik = ParseNik(c.nik, kToday);
    ASSERT_TRUE(nik.ok()) << nik.status();
    EXPECT_EQ(nik->birth_date, c.birth_date);
    EXPECT_EQ(nik->female, c.female);
  }
}

TEST(ParseNikTest, SplitsTheParts) {
  absl::StatusOr<Nik> nik = ParseNik("7271025505901234", kToday);
  ASSERT_TRUE(nik.ok()) << nik.status();
  EXPECT_EQ(nik->province, 72);
  EXPECT_EQ(nik->regency, 71);
  EXPECT_EQ(nik->district, 2);
  EXPECT_EQ(nik->birth_date, absl::CivilDay(1990, 5, 15));
  EXPECT_TRUE(nik->female);
  EXPECT_EQ(nik->sequence, 1234);
}

struct InvalidCase {
  std::string nik;
  const char* part;  // what the message must mention
};

TEST(ParseNikTest, RejectsInvalidNumbers) {
  const InvalidCase cases[] = {
      {"", "16 digits"},
      {"727101150590000", "16 digits"},
      {"72710115059000011", "16 digits"},
      {"7271 0115 0590 0001", "16 digits"},
      {"72710115059O0001", "16 digits"},
      {"７２７１０１１５０５９００００１", "16 digits"},  // full-width digits
      {std::string("727101150590000\0", 16), "16 digits"},
      {"0071011505900001", "province"},
      {"1071011505900001", "province"},
      {"2071011505900001", "province"},
      {"3771011505900001", "province"},
      {"9771011505900001", "province"},
      {"7200011505900001", "regency"},
      {"7271001505900001", "district"},
      {"7271010005900001", "birth date"},  // day 00
      {"7271013205900001", "birth date"},  // day 32
      {"7271014005900001", "birth date"},  // 40: neither a man's nor a woman's day
      {"7271017205900001", "birth date"},  // 72 - 40 = 32
      {"7271011500900001", "birth date"},  // month 00
      {"7271011513900001", "birth date"},  // month 13
      {"7271013002900001", "birth date"},  // 30 Feb
      {"7271012902010001", "birth date"},  // 29 Feb 2001 / 1901
      {"7271012902970001", "birth date"},  // 29 Feb 1997
      {"7271013104900001", "birth date"},  // 31 Apr
      {"7271011505900000", "sequence"},
  };
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.nik);
    absl::StatusOr<Nik> nik = ParseNik(c.nik, kToday);
    ASSERT_FALSE(nik.ok());
    EXPECT_EQ(nik.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(nik.status().message());
    EXPECT_THAT(message, HasSubstr(c.part));
    // The message never echoes the number or its date part.
    if (c.nik.size() == 16) {
      EXPECT_THAT(message, Not(HasSubstr(c.nik)));
      EXPECT_THAT(message, Not(HasSubstr(c.nik.substr(6, 6))));
    }
  }
}

TEST(ParseNikTest, BirthDateMayNotBeAfterToday) {
  // With `today` before 1926 no century puts 11 Mar (19)26 in the past.
  absl::StatusOr<Nik> nik = ParseNik("7271011103260001", absl::CivilDay(1920, 1, 1));
  EXPECT_EQ(nik.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(nik.status().message()), HasSubstr("future"));
}

TEST(ParseNikTest, AcceptsExactlyTheProvinceCodes) {
  const std::set<int> provinces = {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34,
                                   35, 36, 51, 52, 53, 61, 62, 63, 64, 65, 71, 72, 73, 74,
                                   75, 76, 81, 82, 91, 92, 93, 94, 95, 96};
  for (int code = 0; code < 100; ++code) {
    const std::string nik = absl::StrCat(code / 10, code % 10, "71011505900001");
    absl::StatusOr<Nik> parsed = ParseNik(nik, kToday);
    EXPECT_EQ(parsed.ok(), provinces.contains(code)) << code;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace dumas
