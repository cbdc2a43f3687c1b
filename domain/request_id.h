// Request ids (AIP-155): the UUID a client sends to make a call idempotent.
#ifndef DUMAS_DOMAIN_REQUEST_ID_H_
#define DUMAS_DOMAIN_REQUEST_ID_H_

#include <optional>
#include <string>
#include <string_view>

namespace dumas {

// Whether `id` is a UUID in its 8-4-4-4-12 hexadecimal form.
bool IsUuid(std::string_view id);

// The canonical form of a request id, the same for every method: "" for an
// empty one (the call is not idempotent), the UUID in lower case, or nullopt
// when it is not a UUID.
std::optional<std::string> CanonicalRequestId(std::string_view id);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_REQUEST_ID_H_
