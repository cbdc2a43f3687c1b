// The leaves of the transparency log: the canonical encoding of a complaint's
// events and of the details they set, and the commitment to a complainant's
// identity, exactly as docs/transparency-log.md defines them. Another
// implementation recomputes these bytes from the change feed, so they never
// change: a new encoding is a new version ("dumas-log-entry/v2").
#ifndef DUMAS_DOMAIN_LOG_ENTRY_H_
#define DUMAS_DOMAIN_LOG_ENTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/merkle_tree.h"

namespace dumas {

// What an event set on a complaint (dumas.v1.ComplaintDetails): an unset
// field was not changed by the event. The comment of each field is its tag.
// Times are encoded as whole microseconds since the Unix epoch, rounded
// down; dates as days since 1970-01-01.
struct ComplaintDetails {
  // Set by RECEIVED: the complaint as registered.
  std::optional<std::string> description;             // 1
  std::optional<absl::Time> incident_time;            // 2
  std::optional<std::string> incident_location;       // 3
  std::optional<std::string> category_id;             // 4: "korupsi", not "categories/korupsi"
  std::optional<int64_t> channel;                     // 5: dumas.v1.Channel
  std::optional<std::string> subject_unit_id;         // 6: "" when no unit is named
  std::optional<std::string> officer_name;            // 7
  std::optional<std::string> officer_description;     // 8
  std::optional<bool> confidential;                   // 9
  std::optional<bool> share_identity_with_kompolnas;  // 10
  std::optional<std::string> external_id;             // 11: Kompolnas' reference
  std::optional<absl::Time> external_receive_time;    // 12
  std::optional<std::string> identity_commitment;     // 13: 32 bytes, IdentityCommitment
  std::optional<absl::CivilDay> sp3d_due_date;        // 14: a WITA civil date
  // Set by later events, as they change.
  std::optional<int64_t> state;                       // 20: dumas.v1.ComplaintState after
  std::optional<std::string> handling_unit_id;        // 21
  std::optional<absl::Time> sp3d_time;                // 22
  std::optional<absl::CivilDay> result_due_date;      // 23
  std::optional<absl::Time> answer_time;              // 24
  std::optional<std::string> answer_text;             // 25
  std::optional<int64_t> outcome;                     // 26: dumas.v1.Outcome
  std::optional<bool> clarification_pending;          // 27
  std::optional<std::string> clarification_question;  // 28
  std::optional<int64_t> satisfaction_rating;         // 29: 1-5
  std::optional<int64_t> version;                     // 30: the complaint's version after
  // 31: the official answer was withdrawn (answer_text and answer_time
  // cleared before any answer of the same event). Encoded only when true, as
  // the byte 1: a plain bool, since "set to false" has no encoding.
  bool answer_cleared = false;

  // Whether no field is set (an event such as IDENTITY_READ).
  bool empty() const;

  bool operator==(const ComplaintDetails&) const = default;
};

// Whether every set field is within what the encoding allows, so that
// DecodeDetails accepts EncodeDetails of it. INVALID_ARGUMENT naming the
// first field that is not:
//   strings       UTF-8, shorter than 2^32 bytes;
//   times         within google.protobuf.Timestamp's range, years 1-9999 UTC;
//   dates         years 1-9999;
//   channel       a dumas.v1.Channel other than UNSPECIFIED (1-kMaxChannel);
//   state         a dumas.v1.ComplaintState other than UNSPECIFIED;
//   outcome       a dumas.v1.Outcome other than UNSPECIFIED;
//   satisfaction_rating  1-5;
//   version       1 or more;
//   identity_commitment  exactly 32 bytes.
absl::Status ValidateDetails(const ComplaintDetails& details);

// The canonical encoding of `details`: each set field in tag order, a tag
// byte and its value. "" when none is set. Does not validate: the caller
// checks with ValidateDetails what did not come from DecodeDetails.
std::string EncodeDetails(const ComplaintDetails& details);

// The details of a canonical encoding. Strict, so that
// EncodeDetails(*DecodeDetails(x)) == x for every x it accepts:
// INVALID_ARGUMENT for a tag out of order, repeated or unknown, a value cut
// short, a byte after the last field, a boolean other than 0 or 1,
// answer_cleared other than 1, or a value ValidateDetails refuses.
absl::StatusOr<ComplaintDetails> DecodeDetails(std::string_view encoded);

// One event of a complaint, as the log records it (docs/transparency-log.md,
// "Canonical encoding of an event").
struct LogEntry {
  std::string reference_number;  // canonical, "K7QM-4R9X-2HTZ"
  std::string type;              // "RECEIVED", "VERIFIED", "IDENTITY_READ", ...
  absl::Time time;               // encoded in whole microseconds, rounded down
  int64_t actor = 0;             // the principal's id; 0 for the complainant
  int from_state = 0;            // dumas.v1.ComplaintState, 0-255; 0 when the
  int to_state = 0;              // event changes no state
  bool is_public = false;        // the complainant sees the event
  std::string public_message;    // "" if none
  std::string internal_note;     // "" if none
  std::string details;           // EncodeDetails of what it set; "" if nothing

  bool operator==(const LogEntry&) const = default;
};

// "dumas-log-entry/v1\n" (19 bytes), then the fields in the order above:
// strings and details as a 4-byte big-endian length and the bytes, the time
// and the actor as 8-byte big-endian two's complement, the states and
// is_public as one byte each.
std::string EncodeEntry(const LogEntry& entry);

// The entry's leaf hash: LeafHash(EncodeEntry(entry)).
Hash EntryLeafHash(const LogEntry& entry);

// A record of the resort itself, not of one complaint, that the log keeps
// beside the events (docs/transparency-log.md, "Log records"): such as the
// digest of a frozen monthly report, so that nobody can swap it later.
struct LogRecord {
  std::string kind;    // "ANEV_REPORT", ...: A-Z, 0-9 and '_', 1-32 bytes
  std::string name;    // what it is about, such as "reports/2026-10"; UTF-8, 1-255 bytes
  absl::Time time;     // when it was made, encoded in whole microseconds
  std::string digest;  // 32 bytes: SHA-256 of the thing recorded

  bool operator==(const LogRecord&) const = default;
};

// Whether `record` can be logged: INVALID_ARGUMENT naming the first field
// out of range (kind, name, time within years 1-9999, digest of 32 bytes).
absl::Status ValidateRecord(const LogRecord& record);

// "dumas-log-record/v1\n" (20 bytes), then the kind, the name and the digest
// as 4-byte big-endian lengths and bytes, and the time (between name and
// digest) as 8-byte big-endian microseconds.
std::string EncodeRecord(const LogRecord& record);

// The record's leaf hash: LeafHash(EncodeRecord(record)).
Hash RecordLeafHash(const LogRecord& record);

// SHA-256("dumas-identity/v1\n" || salt || str full_name || str nik ||
// str phone || str email || str address), 32 bytes, with each str a 4-byte
// big-endian length and the bytes. `salt32` is the complaint's random
// 32-byte salt; the commitment hides the identity only with such a salt.
std::string IdentityCommitment(std::string_view salt32, const Identity& identity);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_LOG_ENTRY_H_
