// NIK parsing (domain/nik.h): what parses is exactly its parts written back,
// never born after `today`; an error message never repeats the number.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "domain/nik.h"
#include "fuzz/fuzz_support.h"

namespace dumas {
namespace {

// Whether `text` holds five or more digits in a row: part of a NIK, where
// the fixed messages hold at most four ("0000").
bool HasDigitRun(absl::string_view text) {
  int run = 0;
  for (char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 5) return true;
  }
  return false;
}

void Check(std::string_view nik, absl::CivilDay today) {
  const absl::StatusOr<Nik> parsed = ParseNik(nik, today);
  if (!parsed.ok()) {
    DUMAS_FUZZ_CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument,
                     "a bad NIK is INVALID_ARGUMENT");
    DUMAS_FUZZ_CHECK(!HasDigitRun(parsed.status().message()),
                     "an error message repeats digits of the NIK");
    return;
  }
  const Nik& n = *parsed;
  const std::string written = absl::StrFormat(
      "%02d%02d%02d%02d%02d%02d%04d", n.province, n.regency, n.district,
      n.birth_date.day() + (n.female ? 40 : 0), n.birth_date.month(), n.birth_date.year() % 100,
      n.sequence);
  DUMAS_FUZZ_CHECK(written == nik, "the parts of a NIK do not write back to it");
  DUMAS_FUZZ_CHECK(n.birth_date <= today, "a NIK's birth date is after today");
  DUMAS_FUZZ_CHECK(n.birth_date > today - 365 * 101, "a NIK's century was not the latest one");
  DUMAS_FUZZ_CHECK(n.regency != 0 && n.district != 0 && n.sequence != 0,
                   "a NIK with a zero part parsed");
}

}  // namespace
}  // namespace dumas

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The first two bytes move "today" within 2000-2099; the rest is the NIK.
  if (size < 2) return 0;
  const int offset = (data[0] << 8 | data[1]) % (100 * 366);
  const absl::CivilDay today = absl::CivilDay(2000, 1, 1) + offset;
  dumas::Check(dumas::fuzz::Bytes(data + 2, size - 2), today);
  return 0;
}
