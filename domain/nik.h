// The NIK (Nomor Induk Kependudukan), Indonesia's 16-digit national identity
// number: PPRRDD DDMMYY SSSS.
#ifndef DUMAS_DOMAIN_NIK_H_
#define DUMAS_DOMAIN_NIK_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace dumas {

// The parts of a valid NIK.
struct Nik {
  int province = 0;  // 2 digits, a known province code (11 Aceh ... 96)
  int regency = 0;   // 2 digits, non-zero
  int district = 0;  // 2 digits, non-zero
  absl::CivilDay birth_date;
  bool female = false;  // the day was written with 40 added
  int sequence = 0;     // 4 digits, non-zero
};

// Parses a NIK of exactly 16 ASCII digits (no separators). The birth year's
// century is the one that puts the date at or before `today`.
// INVALID_ARGUMENT, with a message free of the value, when any part is wrong.
absl::StatusOr<Nik> ParseNik(std::string_view nik, absl::CivilDay today);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_NIK_H_
