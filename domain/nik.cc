#include "domain/nik.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"

namespace dumas {
namespace {

// Province codes of Kemendagri (Permendagri 72/2019 and the Papua provinces of
// 2022): 11 Aceh ... 19 Bangka Belitung, 21 Kepulauan Riau, 31-36 Java,
// 51-53 Bali and Nusa Tenggara, 61-65 Kalimantan, 71-76 Sulawesi, 81-82
// Maluku, 91-96 Papua.
bool IsProvinceCode(int code) {
  return (code >= 11 && code <= 19) || code == 21 || (code >= 31 && code <= 36) ||
         (code >= 51 && code <= 53) || (code >= 61 && code <= 65) ||
         (code >= 71 && code <= 76) || code == 81 || code == 82 ||
         (code >= 91 && code <= 96);
}

// The value of the two digits at nik[i], nik[i+1]; the caller checked digits.
int TwoDigits(std::string_view nik, size_t i) {
  return (nik[i] - '0') * 10 + (nik[i + 1] - '0');
}

// Whether year-month-day names a real date (CivilDay normalises 31 Feb to
// 3 Mar, so a real date is one that survives normalisation unchanged).
bool IsRealDate(int year, int month, int day) {
  const absl::CivilDay date(year, month, day);
  return date.year() == year && date.month() == month && date.day() == day;
}

}  // namespace

absl::StatusOr<Nik> ParseNik(std::string_view nik, absl::CivilDay today) {
  if (nik.size() != 16) return absl::InvalidArgumentError("NIK must be exactly 16 digits");
  for (char c : nik) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("NIK must be exactly 16 digits");
    }
  }

  Nik parsed;
  parsed.province = TwoDigits(nik, 0);
  parsed.regency = TwoDigits(nik, 2);
  parsed.district = TwoDigits(nik, 4);
  if (!IsProvinceCode(parsed.province)) {
    return absl::InvalidArgumentError(
        "NIK province code (digits 1-2) is not an Indonesian province");
  }
  if (parsed.regency == 0) {
    return absl::InvalidArgumentError("NIK regency code (digits 3-4) must not be 00");
  }
  if (parsed.district == 0) {
    return absl::InvalidArgumentError("NIK district code (digits 5-6) must not be 00");
  }

  int day = TwoDigits(nik, 6);
  const int month = TwoDigits(nik, 8);
  const int yy = TwoDigits(nik, 10);
  if (day > 40) {
    parsed.female = true;
    day -= 40;
  }
  // Two-digit years: the latest century that does not put the birth in the
  // future. 2000 is a leap year and 1900 is not, so validity is per century.
  int year = 2000 + yy;
  if (!IsRealDate(year, month, day) || absl::CivilDay(year, month, day) > today) {
    year = 1900 + yy;
  }
  if (!IsRealDate(year, month, day)) {
    return absl::InvalidArgumentError(
        "NIK birth date (digits 7-12, DDMMYY with 40 added to the day for women) is not a "
        "real date");
  }
  parsed.birth_date = absl::CivilDay(year, month, day);
  if (parsed.birth_date > today) {
    return absl::InvalidArgumentError("NIK birth date (digits 7-12) is in the future");
  }

  parsed.sequence = TwoDigits(nik, 12) * 100 + TwoDigits(nik, 14);
  if (parsed.sequence == 0) {
    return absl::InvalidArgumentError("NIK sequence number (digits 13-16) must not be 0000");
  }
  return parsed;
}

}  // namespace dumas
