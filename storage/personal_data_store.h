// The complainant's rights over their personal data (domain/personal_data.h):
// a copy queued to them, the correction of their contact details, and the
// destruction of identities whose retention period ended. Errors as in
// storage/complaint_store.h. Thread-safe.
#ifndef DUMAS_STORAGE_PERSONAL_DATA_STORE_H_
#define DUMAS_STORAGE_PERSONAL_DATA_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/complaint_validation.h"
#include "storage/case_store.h"

namespace dumas {

// A recorded read of the identity (an IDENTITY_READ event): when, and the
// reader's role and unit (never the reader's name).
struct IdentityRead {
  absl::Time time;
  Role role = Role::kUnspecified;
  std::string unit_id;  // empty when the reader has none
};

// What Dumas holds about the complainant of one complaint.
struct PersonalDataRecord {
  Complaint complaint;  // with identity and reply address
  std::vector<IdentityRead> identity_reads;  // oldest first
};

// The outcome of one batch of PurgeIdentities.
struct PurgeBatch {
  int64_t complaints = 0;     // identities destroyed
  int64_t notifications = 0;  // undelivered notifications dropped with them
  bool done = false;          // no complaint due for it is left after the cursor
};

class PersonalDataStore {
 public:
  virtual ~PersonalDataStore() = default;

  // Queues to the complaint's channel, for its reply address, a
  // notification (kind kPersonalData) whose text `render` writes from what
  // is held (read with the complaint locked), and records a public
  // PERSONAL_DATA_REQUESTED event by the complainant; one transaction. The
  // text is stored encrypted like every notification. With a request_id, a
  // retry (same request_id and fingerprint, ChangeRequest) writes nothing
  // more; another fingerprint is ALREADY_EXISTS. NOT_FOUND when there is no
  // such complaint; FAILED_PRECONDITION when its identity was purged (nothing
  // personal is held, and there is nowhere to send it); RESOURCE_EXHAUSTED
  // when a copy was queued less than `min_interval` ago.
  virtual absl::Status QueuePersonalDataCopy(
      std::string_view reference_number, const ChangeRequest& request,
      absl::Duration min_interval,
      absl::FunctionRef<std::string(const PersonalDataRecord&)> render) = 0;

  // Corrects the contact details of the complaint: `decide` gets the
  // complaint (locked, without identity) and returns the checked, normalised
  // correction, or a status that ends the call with nothing changed. The
  // identity is re-encrypted whole under the current key with a new salt,
  // and a public CONTACT_CORRECTED event by the complainant records which
  // details changed (their names only; its details carry the commitment to
  // the corrected identity); one transaction. Returns whether anything
  // changed (a correction to the values already held records nothing).
  // Request ids as QueuePersonalDataCopy. NOT_FOUND when there is no such
  // complaint; FAILED_PRECONDITION when its identity was purged.
  virtual absl::StatusOr<bool> CorrectContactDetails(
      std::string_view reference_number, const ChangeRequest& request,
      absl::FunctionRef<absl::StatusOr<ContactDetails>(const Complaint&)> decide) = 0;

  // Destroys the identities of up to `limit` complaints, by id after
  // *after_id (which it advances), that are closed for retention
  // (ClosedForRetention of their state) since before `closed_before`: the
  // time of their last change of state. Their identity, reply address,
  // identity salt and blind index become NULL, their undelivered
  // notifications lose their text and are set aside (failure
  // IDENTITY_PURGED), their idempotency records and the complainant's
  // request records go, and an IDENTITY_PURGED event records each, by the
  // retention principal; one transaction per batch. The complaint, its
  // events and the log stay; tracking keeps working. Idempotent: a purged
  // identity is not found again. INVALID_ARGUMENT for a limit outside
  // 1-1000.
  virtual absl::StatusOr<PurgeBatch> PurgeIdentities(absl::Time closed_before,
                                                     int64_t* after_id, int limit) = 0;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_PERSONAL_DATA_STORE_H_
