#include "server/integration_service.h"

#include <algorithm>
#include <future>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/reference_number.h"
#include "server/log.h"
#include "server/proto_convert.h"
#include "server/registration.h"
#include "server/rpc_support.h"

namespace dumas {
namespace {

constexpr int kDefaultChangePage = 500;
constexpr int kMaxChangePage = 1000;
constexpr size_t kMaxExternalIdChars = 128;
// Clocks drift: a receipt "in the future" by less than this is taken as now.
constexpr absl::Duration kClockSkew = absl::Minutes(5);
// A watching stream checks for shutdown and revocation at least this often.
constexpr absl::Duration kWatchSlice = absl::Milliseconds(500);

bool IsPrintableAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

// The feed's form of a change.
absl::Status ToProto(const ChangeRecord& change, v1::Change* out) {
  out->set_revision(change.revision);
  out->set_leaf_hash(change.leaf_hash);
  if (change.record.has_value()) {
    v1::LogRecord* record = out->mutable_record();
    record->set_kind(change.record->kind);
    record->set_name(change.record->name);
    dumas::ToProto(change.record->time, record->mutable_record_time());
    record->set_digest(change.record->digest);
    return absl::OkStatus();
  }
  out->set_complaint(absl::StrCat("complaints/", change.reference_number));
  dumas::ToProto(change.event, change.reference_number, out->mutable_event());
  if (absl::Status status = DetailsToProto(change.details, out->mutable_details());
      !status.ok()) {
    return status;
  }
  if (change.identity.has_value()) {
    v1::Complainant* who = out->mutable_complainant();
    who->set_full_name(change.identity->full_name);
    who->set_nik(change.identity->nik);
    who->set_phone(change.identity->phone);
    who->set_email(change.identity->email);
    who->set_address(change.identity->address);
    out->set_identity_salt(change.identity_salt);
    out->set_reply_address(change.reply_address);
  }
  return absl::OkStatus();
}

// Lists the changes after `after` into `add`, noting a gap (an event removed
// from the database after it was logged: the verifiers will name it) in the
// log for the operators.
// Passes each of `records` (the changes after `after`) to `add`, as the feed
// shows it, until `add` returns false; returns the last revision passed.
absl::StatusOr<int64_t> AddEach(const std::vector<ChangeRecord>& records, int64_t after,
                                const std::function<bool(const v1::Change&)>& add) {
  int64_t last = after;
  for (const ChangeRecord& record : records) {
    if (record.revision != last + 1) {
      Log(LogLevel::kError, "log_gap", {{"after_revision", last}, {"next_revision", record.revision}});
    }
    v1::Change change;
    if (absl::Status status = ToProto(record, &change); !status.ok()) {
      Log(LogLevel::kError, "log_details_undecodable", {{"revision", record.revision}});
      return status;
    }
    if (!add(change)) return last;
    last = record.revision;
  }
  return last;
}

absl::StatusOr<int64_t> ListInto(ChangeLog& log, int64_t after, int limit,
                                 const Principal& reader,
                                 const std::function<bool(const v1::Change&)>& add) {
  absl::StatusOr<std::vector<ChangeRecord>> changes = log.ListChanges(after, limit, reader);
  if (!changes.ok()) return changes.status();
  return AddEach(*changes, after, add);
}

}  // namespace

grpc::Status IntegrationServiceImpl::ListChanges(grpc::ServerContext* context,
                                                 const v1::ListChangesRequest* request,
                                                 v1::ListChangesResponse* response) {
  const CallLog call(Method::kListChanges, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<Principal> reader = authenticator_.Authorize(*context, Method::kListChanges);
  if (!reader.ok()) return call.Finish(reader.status());
  FieldViolations violations;
  if (request->after_revision() < 0) violations.Add("after_revision", "must not be negative");
  if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
  if (!violations.empty()) return call.Finish(violations.ToStatus());
  const int limit = request->page_size() == 0 ? kDefaultChangePage
                                              : std::min(request->page_size(), kMaxChangePage);
  absl::StatusOr<int64_t> last =
      ListInto(log_, request->after_revision(), limit, *reader, [&](const v1::Change& change) {
        *response->add_changes() = change;
        return true;
      });
  if (!last.ok()) return call.Finish(last.status());
  response->set_head_revision(std::max(log_.HeadRevision(), *last));
  return call.Finish(absl::OkStatus());
}

grpc::Status IntegrationServiceImpl::WatchChanges(
    grpc::ServerContext* context, const v1::WatchChangesRequest* request,
    grpc::ServerWriter<v1::WatchChangesResponse>* writer) {
  const CallLog call(Method::kWatchChanges, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<Principal> reader = authenticator_.Authorize(*context, Method::kWatchChanges);
  if (!reader.ok()) return call.Finish(reader.status());
  if (request->after_revision() < 0) {
    return call.Finish(InvalidField("after_revision", "must not be negative"));
  }
  int64_t after = request->after_revision();
  absl::Time next_heartbeat = absl::Now() + heartbeat_interval_;
  // While a consumer catches up, the next full page is read while this one is
  // written, so that it waits for the slower of the two rather than both.
  // Declared after `reader`, which it reads: destroyed (joined) first.
  std::future<absl::StatusOr<std::vector<ChangeRecord>>> next_page;
  int64_t next_page_after = -1;
  while (!context->IsCancelled() && !stopping_.HasBeenNotified()) {
    // The token again, every round: a revoked reader's stream ends.
    absl::StatusOr<Principal> still = authenticator_.Authorize(*context, Method::kWatchChanges);
    if (!still.ok()) return call.Finish(still.status());
    absl::StatusOr<std::vector<ChangeRecord>> page =
        next_page.valid() && next_page_after == after
            ? next_page.get()
            : log_.ListChanges(after, kMaxChangePage, *reader);
    if (next_page.valid()) (void)next_page.get();  // read for another revision: dropped
    if (!page.ok()) return call.Finish(page.status());
    if (page->size() == static_cast<size_t>(kMaxChangePage)) {
      next_page_after = page->back().revision;
      next_page = std::async(std::launch::async, [this, from = next_page_after, &reader] {
        return log_.ListChanges(from, kMaxChangePage, *reader);
      });
    }
    bool written = true;
    absl::StatusOr<int64_t> last = AddEach(*page, after, [&](const v1::Change& change) {
      v1::WatchChangesResponse message;
      *message.mutable_change() = change;
      written = writer->Write(message);
      return written;
    });
    if (!last.ok()) return call.Finish(last.status());
    if (!written) return call.Finish(absl::CancelledError("the consumer went away"));
    const bool caught_up = *last - after < kMaxChangePage;
    if (*last > after) next_heartbeat = absl::Now() + heartbeat_interval_;
    after = *last;
    if (!caught_up) continue;
    const absl::Time now = absl::Now();
    if (now >= next_heartbeat) {
      v1::WatchChangesResponse message;
      message.mutable_heartbeat()->set_head_revision(std::max(log_.HeadRevision(), after));
      dumas::ToProto(now, message.mutable_heartbeat()->mutable_time());
      if (!writer->Write(message)) {
        return call.Finish(absl::CancelledError("the consumer went away"));
      }
      next_heartbeat = now + heartbeat_interval_;
    }
    log_.AwaitRevisionAbove(after, std::min(next_heartbeat, now + kWatchSlice));
  }
  return call.Finish(context->IsCancelled()
                         ? absl::CancelledError("the consumer cancelled the stream")
                         : absl::UnavailableError(
                               "the server is stopping; resume from the last revision processed"));
}

grpc::Status IntegrationServiceImpl::ImportComplaint(grpc::ServerContext* context,
                                                     const v1::ImportComplaintRequest* request,
                                                     v1::ImportComplaintResponse* response) {
  const CallLog call(Method::kImportComplaint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(Import(*context, *request, *response));
}

absl::Status IntegrationServiceImpl::Import(grpc::ServerContext& context,
                                            const v1::ImportComplaintRequest& request,
                                            v1::ImportComplaintResponse& response) {
  absl::StatusOr<Principal> gateway = authenticator_.Authorize(context, Method::kImportComplaint);
  if (!gateway.ok()) return gateway.status();
  if (!gateway->channels.contains(Channel::kKompolnas)) {
    return absl::PermissionDeniedError(
        "only the Kompolnas gateway (a GATEWAY serving CHANNEL_KOMPOLNAS) imports complaints");
  }
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference = cache_.Current();
  if (!reference.ok()) return reference.status();

  const absl::Time now = absl::Now();
  FieldViolations violations;
  if (request.external_id().empty()) {
    violations.Add("external_id", "is required: Kompolnas' reference of the complaint");
  } else if (request.external_id().size() > kMaxExternalIdChars ||
             !IsPrintableAscii(request.external_id())) {
    violations.Add("external_id", "must be 1 to 128 printable ASCII characters without spaces");
  }
  absl::Time receive_time;
  if (!request.has_receive_time()) {
    violations.Add("receive_time", "is required: when Kompolnas received the complaint");
  } else {
    receive_time = FromProto(request.receive_time());
    if (receive_time == absl::InfinitePast()) {
      violations.Add("receive_time", "is not a valid timestamp");
    } else if (receive_time > now + kClockSkew) {
      violations.Add("receive_time", "must not be in the future");
    } else if (receive_time < absl::FromCivil(absl::CivilSecond(2000, 1, 1), absl::UTCTimeZone())) {
      violations.Add("receive_time", "must not be before 2000-01-01");
    }
  }
  v1::Complaint complaint = request.complaint();
  if (complaint.channel() != v1::CHANNEL_UNSPECIFIED &&
      complaint.channel() != v1::CHANNEL_KOMPOLNAS) {
    violations.Add("complaint.channel", "must be CHANNEL_KOMPOLNAS (or left unspecified)");
  }
  complaint.set_channel(v1::CHANNEL_KOMPOLNAS);
  std::optional<ComplaintDraft> draft =
      ValidateComplaint(request.has_complaint() ? &complaint : nullptr, "complaint.",
                        **reference, now, violations);
  if (!violations.empty()) return violations.ToStatus();

  NewComplaint registration = NewRegistration(*std::move(draft), **reference, now, gateway->id);
  registration.external_id = request.external_id();
  registration.external_receive_time = receive_time;
  absl::StatusOr<SubmittedComplaint> imported =
      complaints_.Submit(registration, [] { return ReferenceNumber::Generate(); });
  if (!imported.ok()) return imported.status();
  response.set_reference_number(imported->complaint.reference_number);
  response.set_tracking_code(imported->tracking_code);
  response.set_already_imported(imported->replayed);
  dumas::ToProto(imported->complaint, absl::ToCivilDay(now, PaluTimeZone()),
                 response.mutable_complaint());
  return absl::OkStatus();
}

grpc::Status IntegrationServiceImpl::GetCheckpoint(grpc::ServerContext* context,
                                                   const v1::GetCheckpointRequest* /*request*/,
                                                   v1::GetCheckpointResponse* response) {
  const CallLog call(Method::kGetCheckpoint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<SignedCheckpoint> checkpoint = log_.LatestCheckpoint();
  if (absl::IsNotFound(checkpoint.status())) {
    return call.Finish(absl::NotFoundError("the log has signed no checkpoint yet"));
  }
  if (!checkpoint.ok()) return call.Finish(checkpoint.status());
  response->set_checkpoint(checkpoint->note);
  response->set_tree_size(checkpoint->tree_size);
  response->set_root_hash(checkpoint->root_hash);
  response->set_verifier_key(log_.verifier_key());
  response->set_origin(log_.origin());
  return call.Finish(absl::OkStatus());
}

grpc::Status IntegrationServiceImpl::CreateCheckpoint(
    grpc::ServerContext* context, const v1::CreateCheckpointRequest* /*request*/,
    v1::CreateCheckpointResponse* response) {
  const CallLog call(Method::kCreateCheckpoint, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<Principal> caller = authenticator_.Authorize(*context, Method::kCreateCheckpoint);
  if (!caller.ok()) return call.Finish(caller.status());
  absl::StatusOr<SignedCheckpoint> checkpoint = log_.CreateCheckpoint();
  if (!checkpoint.ok()) return call.Finish(checkpoint.status());
  response->set_checkpoint(checkpoint->note);
  response->set_tree_size(checkpoint->tree_size);
  response->set_root_hash(checkpoint->root_hash);
  return call.Finish(absl::OkStatus());
}

grpc::Status IntegrationServiceImpl::GetInclusionProof(
    grpc::ServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::GetInclusionProofResponse* response) {
  const CallLog call(Method::kGetInclusionProof, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  if (request->tree_size() < 1) violations.Add("tree_size", "must be at least 1");
  if (request->revision() < 1 || request->revision() > request->tree_size()) {
    violations.Add("revision", "must be 1 to tree_size");
  }
  if (!violations.empty()) return call.Finish(violations.ToStatus());
  absl::StatusOr<InclusionProofOf> proof =
      log_.InclusionProof(request->revision(), request->tree_size());
  if (!proof.ok()) return call.Finish(proof.status());
  response->set_leaf_index(proof->revision - 1);
  response->set_tree_size(proof->tree_size);
  response->set_leaf_hash(proof->leaf_hash);
  for (const std::string& hash : proof->hashes) response->add_hashes(hash);
  return call.Finish(absl::OkStatus());
}

grpc::Status IntegrationServiceImpl::GetConsistencyProof(
    grpc::ServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::GetConsistencyProofResponse* response) {
  const CallLog call(Method::kGetConsistencyProof, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  FieldViolations violations;
  if (request->first_tree_size() < 1) violations.Add("first_tree_size", "must be at least 1");
  if (request->second_tree_size() < request->first_tree_size()) {
    violations.Add("second_tree_size", "must be at least first_tree_size");
  }
  if (!violations.empty()) return call.Finish(violations.ToStatus());
  absl::StatusOr<std::vector<std::string>> proof =
      log_.ConsistencyProof(request->first_tree_size(), request->second_tree_size());
  if (!proof.ok()) return call.Finish(proof.status());
  response->set_first_tree_size(request->first_tree_size());
  response->set_second_tree_size(request->second_tree_size());
  for (const std::string& hash : *proof) response->add_hashes(hash);
  return call.Finish(absl::OkStatus());
}

grpc::Status IntegrationServiceImpl::AddCosignature(grpc::ServerContext* context,
                                                    const v1::AddCosignatureRequest* request,
                                                    v1::AddCosignatureResponse* response) {
  const CallLog call(Method::kAddCosignature, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<Principal> witness = authenticator_.Authorize(*context, Method::kAddCosignature);
  if (!witness.ok()) return call.Finish(witness.status());
  FieldViolations violations;
  if (request->checkpoint_body().empty()) violations.Add("checkpoint_body", "is required");
  if (request->signature_line().empty()) violations.Add("signature_line", "is required");
  if (request->verifier_key().empty()) violations.Add("verifier_key", "is required");
  if (!violations.empty()) return call.Finish(violations.ToStatus());
  absl::StatusOr<SignedCheckpoint> cosigned =
      log_.AddCosignature(request->checkpoint_body(), request->signature_line(),
                          request->verifier_key(), witness->id);
  if (!cosigned.ok()) return call.Finish(cosigned.status());
  response->set_checkpoint(cosigned->note);
  return call.Finish(absl::OkStatus());
}

}  // namespace dumas
