#include "tools/log_verifier/log_verifier.h"

#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"

namespace dumas {
namespace {

constexpr int kPage = 1000;

// The id in a resource name "collection/id"; the whole name when it has no
// such prefix (a verifier reports what it sees).
std::string IdOf(const std::string& name, absl::string_view collection) {
  const std::string prefix = absl::StrCat(collection, "/");
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::CivilDay DayOf(const google::type::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

absl::StatusOr<Hash> HashOf(const std::string& bytes) {
  Hash hash;
  if (bytes.size() != hash.size()) return absl::DataLossError("a served hash is not 32 bytes");
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

void Authorize(grpc::ClientContext& context, const std::string& token) {
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

LogReport Bad(int64_t revision, std::string problem) {
  LogReport report;
  report.ok = false;
  report.first_bad_revision = revision;
  report.problem = std::move(problem);
  return report;
}

// A failed call. The server down or slow, or the token refused, say nothing
// about the log: the check could not be made (call_error). Any other refusal
// (such as no consistency proof between two signed sizes) is the log's.
LogReport CallFailed(const grpc::Status& status, std::string problem) {
  LogReport report = Bad(0, std::move(problem));
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      report.call_error =
          absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
      break;
    default:
      break;
  }
  return report;
}

}  // namespace

absl::StatusOr<LogRecord> RecordOfChange(const v1::Change& change) {
  const v1::LogRecord& r = change.record();
  LogRecord record{.kind = r.kind(),
                   .name = r.name(),
                   .time = TimeOf(r.record_time()),
                   .digest = r.digest()};
  if (absl::Status valid = ValidateRecord(record); !valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("revision ", change.revision(), ": ", valid.message()));
  }
  return record;
}

absl::StatusOr<Hash> LeafOfChange(const v1::Change& change) {
  if (change.has_record()) {
    absl::StatusOr<LogRecord> record = RecordOfChange(change);
    if (!record.ok()) return record.status();
    return RecordLeafHash(*record);
  }
  absl::StatusOr<LogEntry> entry = EntryOfChange(change);
  if (!entry.ok()) return entry.status();
  return EntryLeafHash(*entry);
}

absl::StatusOr<LogEntry> EntryOfChange(const v1::Change& change) {
  LogEntry entry;
  entry.reference_number = IdOf(change.complaint(), "complaints");
  const v1::ComplaintEvent& e = change.event();
  entry.type = e.type();
  entry.time = TimeOf(e.event_time());
  if (e.actor() == "complainant") {
    entry.actor = 0;
  } else if (!absl::SimpleAtoi(IdOf(e.actor(), "principals"), &entry.actor)) {
    return absl::InvalidArgumentError(absl::StrCat("revision ", change.revision(),
                                                   ": the actor is not principals/{id}"));
  }
  entry.from_state = static_cast<int>(e.from_state());
  entry.to_state = static_cast<int>(e.to_state());
  entry.is_public = e.public_();
  entry.public_message = e.public_message();
  entry.internal_note = e.internal_note();
  const v1::ComplaintDetails& p = change.details();
  ComplaintDetails d;
  if (p.has_description()) d.description = p.description();
  if (p.has_incident_time()) d.incident_time = TimeOf(p.incident_time());
  if (p.has_incident_location()) d.incident_location = p.incident_location();
  if (p.has_category()) d.category_id = IdOf(p.category(), "categories");
  if (p.has_channel()) d.channel = p.channel();
  if (p.has_subject_unit()) d.subject_unit_id = IdOf(p.subject_unit(), "units");
  if (p.has_officer_name()) d.officer_name = p.officer_name();
  if (p.has_officer_description()) d.officer_description = p.officer_description();
  if (p.has_confidential()) d.confidential = p.confidential();
  if (p.has_share_identity_with_kompolnas()) {
    d.share_identity_with_kompolnas = p.share_identity_with_kompolnas();
  }
  if (p.has_external_id()) d.external_id = p.external_id();
  if (p.has_external_receive_time()) d.external_receive_time = TimeOf(p.external_receive_time());
  if (p.has_identity_commitment()) d.identity_commitment = p.identity_commitment();
  if (p.has_sp3d_due_date()) d.sp3d_due_date = DayOf(p.sp3d_due_date());
  if (p.has_state()) d.state = p.state();
  if (p.has_handling_unit()) d.handling_unit_id = IdOf(p.handling_unit(), "units");
  if (p.has_sp3d_time()) d.sp3d_time = TimeOf(p.sp3d_time());
  if (p.has_result_due_date()) d.result_due_date = DayOf(p.result_due_date());
  if (p.has_answer_time()) d.answer_time = TimeOf(p.answer_time());
  if (p.has_answer_text()) d.answer_text = p.answer_text();
  if (p.has_outcome()) d.outcome = p.outcome();
  if (p.has_clarification_pending()) d.clarification_pending = p.clarification_pending();
  if (p.has_clarification_question()) d.clarification_question = p.clarification_question();
  if (p.has_satisfaction_rating()) d.satisfaction_rating = p.satisfaction_rating();
  if (p.has_version()) d.version = p.version();
  if (p.has_answer_cleared()) d.answer_cleared = p.answer_cleared();
  entry.details = EncodeDetails(d);
  return entry;
}

LogVerifier::LogVerifier(std::shared_ptr<grpc::Channel> channel, std::string token,
                         VerifierKey log_key)
    : stub_(v1::IntegrationService::NewStub(std::move(channel))),
      token_(std::move(token)),
      log_key_(std::move(log_key)) {}

absl::StatusOr<VerifiedCheckpoint> LogVerifier::FetchCheckpoint() {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetCheckpointRequest request;
  v1::GetCheckpointResponse response;
  const grpc::Status status = stub_->GetCheckpoint(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("GetCheckpoint: ", status.error_message()));
  }
  absl::StatusOr<SignedNote> note = SignedNote::Parse(response.checkpoint());
  if (!note.ok()) return absl::DataLossError("the checkpoint is not a signed note");
  if (!VerifyNoteSignature(*note, log_key_).ok()) {
    return absl::DataLossError("the checkpoint's signature does not verify with the log key");
  }
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::ParseBody(note->body);
  if (!checkpoint.ok()) return absl::DataLossError("the checkpoint's body is malformed");
  if (checkpoint->origin != log_key_.name) {
    return absl::DataLossError("the checkpoint names another origin than the log key");
  }
  return VerifiedCheckpoint{*std::move(checkpoint), response.checkpoint()};
}

LogReport LogVerifier::CheckConsistency(const Checkpoint& older, const Checkpoint& newer) {
  LogReport report;
  report.tree_size = static_cast<int64_t>(newer.tree_size);
  if (newer.tree_size < older.tree_size) {
    return Bad(static_cast<int64_t>(newer.tree_size) + 1,
               absl::StrCat("the log shrank: it has ", newer.tree_size, " leaves, but ",
                            older.tree_size, " were signed before"));
  }
  if (newer.tree_size == older.tree_size) {
    if (newer.root_hash != older.root_hash) {
      return Bad(0, absl::StrCat("split view: two roots were signed for tree size ",
                                 newer.tree_size));
    }
    return report;
  }
  if (older.tree_size == 0) return report;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::GetConsistencyProofRequest request;
  request.set_first_tree_size(static_cast<int64_t>(older.tree_size));
  request.set_second_tree_size(static_cast<int64_t>(newer.tree_size));
  v1::GetConsistencyProofResponse response;
  const grpc::Status status = stub_->GetConsistencyProof(&context, request, &response);
  if (!status.ok()) {
    return CallFailed(status, absl::StrCat("no consistency proof from ", older.tree_size, " to ",
                               newer.tree_size, ": ", status.error_message()));
  }
  std::vector<Hash> proof;
  for (const std::string& bytes : response.hashes()) {
    absl::StatusOr<Hash> hash = HashOf(bytes);
    if (!hash.ok()) return Bad(0, "a consistency proof hash is not 32 bytes");
    proof.push_back(*hash);
  }
  if (!VerifyConsistency(older.tree_size, newer.tree_size, older.root_hash, newer.root_hash,
                         proof)
           .ok()) {
    return Bad(0, absl::StrCat("the log of ", newer.tree_size,
                               " leaves does not extend the one of ", older.tree_size,
                               " signed before: history was rewritten"));
  }
  return report;
}

LogReport LogVerifier::RecomputeTree(const Checkpoint& checkpoint,
                                     const std::vector<Hash>* known_leaves,
                                     std::vector<Hash>* leaves_out) {
  const int64_t size = static_cast<int64_t>(checkpoint.tree_size);
  std::vector<Hash> served;  // as the log serves them
  served.reserve(static_cast<size_t>(size));
  LogReport report;
  report.tree_size = size;
  int64_t after = 0;
  while (after < size) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    Authorize(context, token_);
    v1::ListChangesRequest request;
    request.set_after_revision(after);
    request.set_page_size(kPage);
    v1::ListChangesResponse response;
    const grpc::Status status = stub_->ListChanges(&context, request, &response);
    if (!status.ok()) {
      return CallFailed(status,
                        absl::StrCat("ListChanges after ", after, ": ", status.error_message()));
    }
    if (response.changes().empty()) {
      return Bad(after + 1, absl::StrCat("the feed ends at revision ", after, ", but ", size,
                                         " were signed: revision ", after + 1,
                                         " and later are missing"));
    }
    for (const v1::Change& change : response.changes()) {
      if (change.revision() > size) break;
      if (change.revision() != after + 1) {
        return Bad(after + 1, absl::StrCat("revision ", after + 1,
                                           " is missing from the feed (an event was removed)"));
      }
      absl::StatusOr<Hash> leaf = HashOf(change.leaf_hash());
      if (!leaf.ok()) return Bad(change.revision(), "its leaf hash is not 32 bytes");
      absl::StatusOr<Hash> recomputed = LeafOfChange(change);
      if (!recomputed.ok()) {
        return Bad(change.revision(), std::string(recomputed.status().message()));
      }
      if (*recomputed != *leaf) {
        return Bad(change.revision(),
                   absl::StrCat("revision ", change.revision(),
                                " was altered after it was logged: its fields hash to "
                                "another leaf than the log recorded"));
      }
      if (known_leaves != nullptr && served.size() < known_leaves->size() &&
          (*known_leaves)[served.size()] != *leaf) {
        return Bad(change.revision(),
                   absl::StrCat("revision ", change.revision(),
                                " differs from the leaf this verifier recorded before"));
      }
      served.push_back(*leaf);
      after = change.revision();
      ++report.leaves_checked;
      if (after == size) break;
    }
  }
  MerkleTree tree;
  tree.AppendAll(served);
  if (tree.Root() != checkpoint.root_hash) {
    return Bad(0, absl::StrCat("the leaves of revisions 1 to ", size,
                               " do not give the checkpoint's root: the log was rewritten"));
  }
  if (leaves_out != nullptr) *leaves_out = std::move(served);
  return report;
}

absl::Status LogVerifier::Cosign(const VerifiedCheckpoint& checkpoint, const Cosigner& witness) {
  const NoteSignature signature =
      witness.Cosign(checkpoint.checkpoint.Body(),
                     static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now())));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  Authorize(context, token_);
  v1::AddCosignatureRequest request;
  request.set_checkpoint_body(checkpoint.checkpoint.Body());
  request.set_signature_line(SignatureLine(signature));
  request.set_verifier_key(witness.verifier_key().Text());
  v1::AddCosignatureResponse response;
  const grpc::Status status = stub_->AddCosignature(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return absl::OkStatus();
}

}  // namespace dumas
