#include "server/domain/field_violations.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"
#include "server/domain/string_view_interop.h"

namespace dumas {

void FieldViolations::Add(std::string field, std::string description) {
  violations_.emplace_back(std::move(field), std::move(description));
}

absl::Status FieldViolations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();

  google::rpc::BadRequest bad_request;
  // The message names each field once (a field may have several violations);
  // the descriptions travel only in the payload, which clients render per field.
  std::vector<absl::string_view> fields;
  absl::flat_hash_set<absl::string_view> seen;
  for (const auto& [field, description] : violations_) {
    auto* violation = bad_request.add_field_violations();
    violation->set_field(field);
    violation->set_description(description);
    if (seen.insert(field).second) fields.push_back(field);
  }
  absl::Status status(absl::StatusCode::kInvalidArgument,
                      absl::StrCat(fields.size() == 1 ? "invalid field: " : "invalid fields: ",
                                   absl::StrJoin(fields, ", ")));
  status.SetPayload(ToAbsl(kBadRequestPayloadUrl), absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status InvalidField(std::string field, std::string description) {
  FieldViolations violations;
  violations.Add(std::move(field), std::move(description));
  return violations.ToStatus();
}

}  // namespace dumas
