// Calls a server that is not there through the installed SDK: the safe call
// is tried max_attempts times with the same request, then fails UNAVAILABLE.
#include <cstdio>
#include <fstream>

#include "dumas/client.h"
#include "dumas/v1/complaint_service.grpc.pb.h"

int main() {
  dumas::client::ChannelOptions options;
  options.target = "127.0.0.1:1";
  dumas::client::CallPolicy policy;
  policy.max_attempts = 3;
  policy.initial_backoff = std::chrono::milliseconds(10);
  policy.attempt_timeout = std::chrono::milliseconds(500);
  const dumas::client::Connection dumas(options, policy);
  dumas::v1::ComplaintService::Stub stub(dumas.channel());
  dumas::v1::ListCategoriesRequest request;
  dumas::v1::ListCategoriesResponse response;
  const grpc::Status status =
      dumas.Call(&dumas::v1::ComplaintService::Stub::ListCategories, stub, request, &response);
  const bool protoset = std::ifstream(DUMAS_PROTOSET).good();
  std::printf("status=%d safe=%d protoset=%d\n", static_cast<int>(status.error_code()),
              dumas::client::SafeToRetry(request), protoset);
  return status.error_code() == grpc::StatusCode::UNAVAILABLE && protoset ? 0 : 1;
}
