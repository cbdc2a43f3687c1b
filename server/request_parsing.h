// The parsers of request fields that the gRPC handlers share: page tokens
// and their cursors (AIP-158), resource names, and the filters of
// ListComplaints. Plain C++ on the domain and the store's types: no gRPC,
// no protobuf, so that each can be tested (and fuzzed) alone. The handlers
// copy proto fields in and report the violations these add.
#ifndef DUMAS_SERVER_REQUEST_PARSING_H_
#define DUMAS_SERVER_REQUEST_PARSING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/field_violations.h"
#include "storage/case_store.h"

namespace dumas {

// --- Paging ------------------------------------------------------------------

// Paging of a list method: its default and largest page size.
struct PageLimits {
  int default_size = 50;
  int max_size = 100;
};

// A page as a request asks for it: its size, and the position after which it
// starts ("" for the first page), as the method's last page left it.
struct PageRequest {
  int size = 0;
  std::string after;
};

// The page that `page_size` and `page_token` ask for. A page token is bound
// to `scope` (the collection and any filters it is valid for; never holding
// '|'). Adds violations of "page_size" (negative) and "page_token" (not one
// this method returned for this scope) and returns nullopt for them.
//
// A token is not secret and not signed: it names only a position in the
// list. Whoever sends it still sees only what their own query allows, so a
// token made up or taken from another caller shows nothing more.
std::optional<PageRequest> ParsePage(absl::string_view scope, int32_t page_size,
                                     absl::string_view page_token, PageLimits limits,
                                     FieldViolations& violations);

// The token of the page after `cursor`, bound to `scope` (URL-safe base64).
std::string EncodePageToken(absl::string_view scope, absl::string_view cursor);

// The cursor of lists ordered by a row id: the id in decimal, as
// IdCursor writes it. nullopt for anything else.
std::optional<int64_t> ParseIdCursor(absl::string_view cursor);
std::string IdCursor(int64_t id);

// The cursor of ListComplaints: "<create time in Unix microseconds>:<id>",
// as ComplaintCursorText writes it. nullopt for anything else.
std::optional<ComplaintCursor> ParseComplaintCursor(absl::string_view cursor);
std::string ComplaintCursorText(const ComplaintCursor& cursor);

// --- Resource names ------------------------------------------------------------

// The canonical reference number in `name` ("complaints/{reference_number}"),
// or INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> ComplaintReference(absl::string_view field, absl::string_view name);

// The id of "{collection}/{id}" where id is a positive decimal without sign
// or leading zeros (such as "principals/12"); nullopt otherwise.
std::optional<int64_t> NumberedResourceId(absl::string_view collection, absl::string_view name);

// --- ListComplaints filters -----------------------------------------------------

// The filters of a ListComplaints request as they arrive at the edge: the
// handler copies the proto fields here one to one.
struct ComplaintListQuery {
  std::vector<int> states;     // raw ComplaintState values
  std::string category;        // "categories/{id}" or empty
  int channel = 0;             // the raw Channel value, 0 for any
  std::string handling_unit;   // "units/{id}" or empty
  std::string subject_unit;    // "units/{id}" or empty
  // Set when given; absl::InfinitePast() for a timestamp that is not valid.
  std::optional<absl::Time> received_after;
  std::optional<absl::Time> received_before;
  bool overdue = false;
};

// The store's filter for `query` (without the caller's scope, which the
// handler adds from the principal), with `today` (WITA) for overdue. Adds a
// violation for each invalid field (states[i], category, channel,
// handling_unit, subject_unit, received_after, received_before), never
// repeating the value, and returns nullopt when there is any.
std::optional<ComplaintFilter> ParseComplaintFilter(const ComplaintListQuery& query,
                                                    absl::CivilDay today,
                                                    FieldViolations& violations);

}  // namespace dumas

#endif  // DUMAS_SERVER_REQUEST_PARSING_H_
