// Structured logs: one JSON object per line on stderr. Callers pass only
// operational facts (method names, codes, durations, counts): never personal
// data, request bodies or SQL.
#ifndef DUMAS_SERVER_LOG_H_
#define DUMAS_SERVER_LOG_H_

#include <cstdint>
#include <initializer_list>
#include "absl/strings/string_view.h"
#include <utility>
#include <variant>

namespace dumas {

enum class LogLevel { kInfo, kWarning, kError };

// A field's value: text or a number.
using LogValue = std::variant<absl::string_view, int64_t, double>;

// Writes {"ts":"<RFC 3339 UTC>","level":...,"event":...,<fields>} with one
// write(2), so lines of concurrent threads never interleave. Thread-safe.
void Log(LogLevel level, absl::string_view event,
         std::initializer_list<std::pair<absl::string_view, LogValue>> fields = {});

}  // namespace dumas

#endif  // DUMAS_SERVER_LOG_H_
