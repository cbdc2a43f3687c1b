// The one place where absl::Status becomes grpc::Status (gRPC has no
// converter of its own).
#ifndef DUMAS_SERVER_STATUS_MAPPING_H_
#define DUMAS_SERVER_STATUS_MAPPING_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace dumas {

// Maps the code one to one. Field violations (domain/field_violations.h)
// become a google.rpc.BadRequest inside a google.rpc.Status in the
// grpc-status-details-bin trailer. INTERNAL, UNKNOWN and DATA_LOSS messages
// are replaced by a generic one, since they may describe internals (key ids,
// key-file problems); the call log keeps the original for the operator. Other
// messages are written to be shown (AIP-193) and pass unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace dumas

#endif  // DUMAS_SERVER_STATUS_MAPPING_H_
