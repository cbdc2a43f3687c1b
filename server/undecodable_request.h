// Requests that do not decode as their method's message: a proto3 string
// that is not UTF-8, or bytes that are not a protocol buffer at all. gRPC
// refuses them before any handler runs, with a bare INTERNAL, as if the
// server had failed; this interceptor answers INVALID_ARGUMENT instead, so
// that the caller knows the request is at fault.
#ifndef DUMAS_SERVER_UNDECODABLE_REQUEST_H_
#define DUMAS_SERVER_UNDECODABLE_REQUEST_H_

#include "grpcpp/support/server_interceptor.h"

namespace dumas {

// Creates one interceptor per call (ServerBuilder::experimental()
// .SetInterceptorCreators). Thread-safe: keeps no state between calls.
class UndecodableRequestInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace dumas

#endif  // DUMAS_SERVER_UNDECODABLE_REQUEST_H_
