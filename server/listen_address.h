// Where a server may listen without TLS.
#ifndef DUMAS_SERVER_LISTEN_ADDRESS_H_
#define DUMAS_SERVER_LISTEN_ADDRESS_H_

#include "absl/strings/string_view.h"

namespace dumas {

// Whether a gRPC listening address reaches only this machine: an IPv4
// address in 127.0.0.0/8, the IPv6 loopback ::1 (also as ::ffff:127.x.y.z),
// the name "localhost", or a Unix socket ("unix:" and "unix-abstract:").
// Everything else (0.0.0.0, [::], other names, other addresses) is not:
// a name may resolve anywhere. "host:port" and "[v6]:port" forms; a port is
// required for the network forms.
bool IsLoopbackListenAddress(absl::string_view address);

}  // namespace dumas

#endif  // DUMAS_SERVER_LISTEN_ADDRESS_H_
