// Page tokens and their cursors (server/request_parsing.h). A token is read
// only under the scope it was made for: one made for other filters or
// another list, or forged, is refused or names nothing but a position. What
// parses re-encodes to a token that parses to the same; cursors parse
// exactly what their writers write.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "domain/field_violations.h"
#include "fuzz/fuzz_support.h"
#include "server/request_parsing.h"

namespace dumas {
namespace {

constexpr PageLimits kLimits{.default_size = 50, .max_size = 200};

// The scopes the handlers use (none holds '|').
const std::vector<std::string>& Scopes() {
  static const auto* scopes = new std::vector<std::string>{
      "categories", "units", "principals", "undeliverable", "events:K7QM-4R9X-2HTZ",
      "events:K7QM-4R9X-2HTA", "complaints:0123456789abcdef", "complaints:0123456789abcdee"};
  return *scopes;
}

void CheckPage(absl::string_view scope, int32_t page_size, absl::string_view token) {
  FieldViolations violations;
  const std::optional<PageRequest> page = ParsePage(scope, page_size, token, kLimits, violations);
  DUMAS_FUZZ_CHECK(page.has_value() == violations.empty(),
                   "a page came back with violations, or none without");
  for (const FieldViolation& v : violations.violations()) {
    DUMAS_FUZZ_CHECK(v.field == "page_size" || v.field == "page_token",
                     "a paging violation names another field");
    DUMAS_FUZZ_CHECK(!fuzz::Repeats(v.description, token),
                     "a paging violation repeats the token");
  }
  if (!page.has_value()) return;
  DUMAS_FUZZ_CHECK(page->size >= 1 && page->size <= kLimits.max_size,
                   "a page size outside 1 to the maximum");
  DUMAS_FUZZ_CHECK(!token.empty() || page->after.empty(), "the first page starts after a row");
  if (token.empty()) return;

  // The token names `after` within `scope`, and within no other scope.
  std::string decoded;
  DUMAS_FUZZ_CHECK(absl::WebSafeBase64Unescape(token, &decoded) &&
                       decoded == std::string(scope) + "|" + page->after,
                   "an accepted token is not its scope and cursor");
  const std::string again = EncodePageToken(scope, page->after);
  for (const std::string& other : Scopes()) {
    FieldViolations ignored;
    const std::optional<PageRequest> reread = ParsePage(other, 0, again, kLimits, ignored);
    if (other == scope) {
      DUMAS_FUZZ_CHECK(reread.has_value() && reread->after == page->after,
                       "a re-encoded token reads differently in its own scope");
    } else {
      DUMAS_FUZZ_CHECK(!reread.has_value(), "a token was accepted in another scope");
      DUMAS_FUZZ_CHECK(!ParsePage(other, 0, token, kLimits, ignored).has_value(),
                       "a token was accepted in another scope");
    }
  }

  // Whatever the cursor says, it is read back only as a position.
  if (const std::optional<int64_t> id = ParseIdCursor(page->after)) {
    DUMAS_FUZZ_CHECK(IdCursor(*id) == page->after, "an id cursor is not written in one way");
  }
  if (const std::optional<ComplaintCursor> cursor = ParseComplaintCursor(page->after)) {
    DUMAS_FUZZ_CHECK(ComplaintCursorText(*cursor) == page->after,
                     "a complaint cursor is not written in one way");
  }
}

}  // namespace
}  // namespace dumas

// The input: a byte choosing the scope, four bytes of page_size (big-endian,
// signed), then the token.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const std::vector<std::string>& scopes = dumas::Scopes();
  const std::string& scope = scopes[data[0] % scopes.size()];
  const auto page_size = static_cast<int32_t>(uint32_t{data[1]} << 24 | uint32_t{data[2]} << 16 |
                                              uint32_t{data[3]} << 8 | uint32_t{data[4]});
  const std::string_view bytes = dumas::fuzz::Bytes(data + 5, size - 5);
  const absl::string_view rest(bytes.data(), bytes.size());
  dumas::CheckPage(scope, page_size, rest);
  // The same bytes as a cursor inside a well-formed token of this scope.
  dumas::CheckPage(scope, page_size, dumas::EncodePageToken(scope, rest));
  return 0;
}
