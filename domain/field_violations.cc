#include "domain/field_violations.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/string_view_interop.h"

namespace dumas {
namespace {

void AppendChunk(std::string& out, std::string_view chunk) {
  const auto size = static_cast<uint32_t>(chunk.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  out.append(chunk);
}

// Reads one chunk of AppendChunk from the front of `in`; nullopt when `in` is
// too short.
std::optional<std::string> ReadChunk(std::string_view& in) {
  if (in.size() < 4) return std::nullopt;
  uint32_t size = 0;
  for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<unsigned char>(in[i]);
  in.remove_prefix(4);
  if (in.size() < size) return std::nullopt;
  std::string chunk(in.substr(0, size));
  in.remove_prefix(size);
  return chunk;
}

}  // namespace

void FieldViolations::Add(std::string field, std::string description) {
  violations_.push_back({std::move(field), std::move(description)});
}

absl::Status FieldViolations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  // The message names each field once (a field may have several violations);
  // the descriptions travel only in the payload, which clients render per field.
  std::vector<absl::string_view> fields;
  absl::flat_hash_set<absl::string_view> seen;
  for (const FieldViolation& violation : violations_) {
    if (seen.insert(violation.field).second) fields.push_back(violation.field);
  }
  absl::Status status(absl::StatusCode::kInvalidArgument,
                      absl::StrCat(fields.size() == 1 ? "invalid field: " : "invalid fields: ",
                                   absl::StrJoin(fields, ", ")));
  status.SetPayload(ToAbsl(kFieldViolationsPayload),
                    absl::Cord(EncodeFieldViolations(violations_)));
  return status;
}

absl::Status InvalidField(std::string field, std::string description) {
  FieldViolations violations;
  violations.Add(std::move(field), std::move(description));
  return violations.ToStatus();
}

std::optional<std::vector<FieldViolation>> FieldViolationsOf(const absl::Status& status) {
  const auto payload = status.GetPayload(ToAbsl(kFieldViolationsPayload));
  if (!payload.has_value()) return std::nullopt;
  return DecodeFieldViolations(std::string(*payload));
}

std::string EncodeFieldViolations(const std::vector<FieldViolation>& violations) {
  std::string out;
  for (const FieldViolation& violation : violations) {
    AppendChunk(out, violation.field);
    AppendChunk(out, violation.description);
  }
  return out;
}

std::optional<std::vector<FieldViolation>> DecodeFieldViolations(std::string_view bytes) {
  std::vector<FieldViolation> violations;
  while (!bytes.empty()) {
    std::optional<std::string> field = ReadChunk(bytes);
    if (!field.has_value()) return std::nullopt;
    std::optional<std::string> description = ReadChunk(bytes);
    if (!description.has_value()) return std::nullopt;
    violations.push_back({*std::move(field), *std::move(description)});
  }
  return violations;
}

}  // namespace dumas
