#include "server/undecodable_request.h"

#include "absl/status/status.h"
#include "server/log.h"
#include "server/status_mapping.h"

namespace dumas {
namespace {

using grpc::experimental::InterceptionHookPoints;

class UndecodableRequestInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit UndecodableRequestInterceptor(const char* method) : method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    // The message is nullptr when gRPC could not decode the request; the
    // handler then never runs, and the status sent is gRPC's own.
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      undecodable_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        undecodable_ && methods->GetSendStatus().error_code() == grpc::StatusCode::INTERNAL) {
      Log(LogLevel::kInfo, "rpc",
          {{"method", method_ == nullptr ? "" : method_}, {"code", "INVALID_ARGUMENT"},
           {"reason", "undecodable_request"}});
      methods->ModifySendStatus(ToGrpcStatus(absl::InvalidArgumentError(
          "the request is not a valid message of this method: every string field must be "
          "valid UTF-8 (send binary data in bytes fields)")));
    }
    methods->Proceed();
  }

 private:
  const char* const method_;
  bool undecodable_ = false;
};

}  // namespace

grpc::experimental::Interceptor* UndecodableRequestInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new UndecodableRequestInterceptor(info->method());
}

}  // namespace dumas
