// The storage interfaces of Dumas. The MySQL implementation is
// storage/mysql_store.h; tests of pure logic may implement these in memory.
//
// Every method is thread-safe. Errors are canonical absl::Status codes:
// UNAVAILABLE when the database cannot be reached (safe to retry),
// ABORTED for a deadlock or lock-wait timeout that outlived the internal
// retries, INTERNAL for anything else. No message carries SQL or personal data.
#ifndef DUMAS_STORAGE_COMPLAINT_STORE_H_
#define DUMAS_STORAGE_COMPLAINT_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "domain/complaint.h"

namespace dumas {

// A validated complaint to store.
struct NewComplaint {
  ComplaintDraft draft;              // validated and normalised
  std::string tracking_code;         // canonical; stored only as a keyed hash
  absl::CivilDay sp3d_due_date;      // 20 working days after receipt
  bool sp3d_due_provisional = false;  // it reaches into a year not loaded
  int64_t submitted_by = 0;          // the principal's id
  std::string request_id;            // empty: the call is not idempotent
  std::string request_fingerprint;   // digest of the normalised request
  // An import from Kompolnas: its reference (unique) and receipt time. Empty
  // for a submission.
  std::string external_id;
  std::optional<absl::Time> external_receive_time;
  // When set, a RECEIPT notification with this text (given the reference
  // number drawn) is queued in the same transaction.
  std::function<std::string(const std::string& reference_number)> receipt_text;
};

// What a reader may see of a complaint (ComplaintStore::Get).
enum class ReadAccess {
  kNone,          // nothing: NOT_FOUND
  kBasic,         // everything but the identity and the reply address
  kWithIdentity,  // also the identity and the reply address (recorded)
};

// The outcome of ComplaintStore::Submit.
struct SubmittedComplaint {
  Complaint complaint;        // without identity
  std::string tracking_code;  // canonical; the first call's code on a replay
  bool replayed = false;      // true when request_id matched an earlier call
};

// Complaints and their events.
class ComplaintStore {
 public:
  virtual ~ComplaintStore() = default;

  // Stores a complaint in state RECEIVED with its first event, and the
  // idempotency record when request_id is set, in one transaction; returns
  // only after COMMIT. Reference numbers come from `next_reference` until one
  // is unused.
  //
  // When (submitted_by, request_id) was stored before with the same
  // fingerprint, returns that complaint and tracking code with replayed=true
  // and stores nothing (for 24 hours after the first call; later the record
  // is gone and the call is new). With another fingerprint: ALREADY_EXISTS.
  //
  // An import (external_id set) is done once per external id, forever: when
  // a complaint with that external id exists and everything imported equals
  // it, returns it with replayed=true and no tracking code (only its hash is
  // kept); when something differs, ALREADY_EXISTS whose field violations
  // (domain/field_violations.h) name the first field that differs, such as
  // "complaint.description".
  virtual absl::StatusOr<SubmittedComplaint> Submit(
      const NewComplaint& complaint,
      absl::FunctionRef<std::string()> next_reference) = 0;

  // The complainant's view of the complaint with this canonical reference
  // number, if `tracking_code` (canonical) is its code. NOT_FOUND for an
  // unknown reference and for a wrong code alike, after the same work.
  virtual absl::StatusOr<TrackedComplaint> Track(
      std::string_view reference_number, std::string_view tracking_code) = 0;

  // The complaint with this canonical reference number, as `reader` may see
  // it: read once, and `access` decides on that read (the complaint without
  // identity or reply address). kNone answers NOT_FOUND, as a missing
  // complaint does. kWithIdentity, honoured only with `want_identity`,
  // decrypts the identity and the reply address and appends an IDENTITY_READ
  // event naming `reader`, in the transaction of the read.
  virtual absl::StatusOr<Complaint> Get(std::string_view reference_number,
                                        const Principal& reader, bool want_identity,
                                        absl::FunctionRef<ReadAccess(const Complaint&)> access) = 0;

  // Deletes up to `limit` idempotency records that expired at or before
  // `now` (with them the encrypted tracking codes they keep for retries);
  // returns how many.
  virtual absl::StatusOr<int64_t> PurgeExpiredIdempotencyKeys(absl::Time now, int limit) = 0;
};

// Principals and their bearer tokens.
class PrincipalStore {
 public:
  virtual ~PrincipalStore() = default;

  // The active principal whose token this is. NOT_FOUND for an unknown or
  // revoked token.
  virtual absl::StatusOr<Principal> Authenticate(std::string_view token) = 0;

  // Creates a principal and returns its new bearer token (43 characters of
  // URL-safe base64, 256 random bits; stored only as a SHA-256 digest).
  // INVALID_ARGUMENT for an unknown role or unit, a GATEWAY without channels
  // or another role with some; ALREADY_EXISTS when a principal of that name
  // exists.
  virtual absl::StatusOr<std::string> CreatePrincipal(std::string_view name, Role role,
                                                      std::string_view unit_id,
                                                      ChannelSet channels = {}) = 0;

  // The principals bound to any of `identities` (the canonical identities of
  // a client certificate, domain/certificate_identity.h), the active ones
  // first, then revoked ones; at most 20. Empty when none is bound.
  // INVALID_ARGUMENT for more than 64 identities.
  virtual absl::StatusOr<std::vector<Principal>> PrincipalsByCertificate(
      const std::vector<std::string>& identities) = 0;

  // A value that changes whenever a principal is revoked (by any server on
  // the database), so that servers can drop their cached tokens.
  virtual absl::StatusOr<std::string> RevocationMark() = 0;
};

// Categories, units and the holiday calendar.
class ReferenceDataStore {
 public:
  virtual ~ReferenceDataStore() = default;

  // Up to `limit` categories with ids greater than `after_id`, by id.
  virtual absl::StatusOr<std::vector<Category>> ListCategories(
      std::string_view after_id, int limit) = 0;
  // Up to `limit` units with ids greater than `after_id`, by id.
  virtual absl::StatusOr<std::vector<Unit>> ListUnits(std::string_view after_id,
                                                      int limit) = 0;
  // Every holiday (non-working day that is not a weekend) in the calendar.
  virtual absl::StatusOr<std::vector<absl::CivilDay>> ListHolidays() = 0;
  // OK when the database answers.
  virtual absl::Status Ping() = 0;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_COMPLAINT_STORE_H_
