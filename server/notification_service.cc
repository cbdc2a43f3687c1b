#include "server/notification_service.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
#include "domain/field_violations.h"
#include "server/proto_convert.h"
#include "server/rpc_support.h"

namespace dumas {
namespace {

constexpr int kDefaultBatch = 10;
constexpr int kMaxBatch = 100;
constexpr absl::Duration kDefaultLease = absl::Seconds(60);
constexpr absl::Duration kMinLease = absl::Seconds(5);
constexpr absl::Duration kMaxLease = absl::Hours(1);

absl::StatusOr<absl::Duration> Lease(bool has, const google::protobuf::Duration& lease) {
  if (!has) return kDefaultLease;
  const absl::Duration d = absl::Seconds(lease.seconds()) + absl::Nanoseconds(lease.nanos());
  if (d < kMinLease || d > kMaxLease) {
    return InvalidField("lease_duration", "must be 5 seconds to 1 hour");
  }
  return d;
}

// A gateway created before gateways named their channels serves none.
absl::Status ServesAChannel(const Principal& gateway) {
  if (!gateway.channels.empty()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      "this gateway serves no channel; an ADMIN creates a new gateway principal naming its "
      "channels");
}

void ToProto(const Notification& n, v1::Notification* out) {
  out->set_name(absl::StrCat("notifications/", n.id));
  out->set_complaint(absl::StrCat("complaints/", n.reference_number));
  out->set_kind(static_cast<v1::NotificationKind>(n.kind));
  out->set_channel(static_cast<v1::Channel>(n.channel));
  out->set_reply_address(n.reply_address);
  out->set_text(n.text);
  dumas::ToProto(n.create_time, out->mutable_create_time());
  out->set_delivery_attempt(n.delivery_attempt);
  dumas::ToProto(n.lease_expire_time, out->mutable_lease_expire_time());
}

}  // namespace

grpc::Status NotificationServiceImpl::FetchNotifications(
    grpc::ServerContext* context, const v1::FetchNotificationsRequest* request,
    v1::FetchNotificationsResponse* response) {
  const CallLog call(Method::kFetchNotifications, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<Principal> principal =
      authenticator_.Authorize(*context, Method::kFetchNotifications);
  if (!principal.ok()) return call.Finish(principal.status());
  if (absl::Status serves = ServesAChannel(*principal); !serves.ok()) return call.Finish(serves);
  if (request->max_notifications() < 0) {
    return call.Finish(InvalidField("max_notifications", "must not be negative"));
  }
  const int batch = request->max_notifications() == 0
                        ? kDefaultBatch
                        : std::min(request->max_notifications(), kMaxBatch);
  absl::StatusOr<absl::Duration> lease =
      Lease(request->has_lease_duration(), request->lease_duration());
  if (!lease.ok()) return call.Finish(lease.status());
  auto leased = notifications_.LeaseNotifications(*principal, batch, *lease);
  if (!leased.ok()) return call.Finish(leased.status());
  for (const Notification& n : *leased) ToProto(n, response->add_notifications());
  return call.Finish(absl::OkStatus());
}

grpc::Status NotificationServiceImpl::StreamNotifications(
    grpc::ServerContext* context, const v1::StreamNotificationsRequest* request,
    grpc::ServerWriter<v1::StreamNotificationsResponse>* writer) {
  const CallLog call(Method::kStreamNotifications, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<Principal> principal =
      authenticator_.Authorize(*context, Method::kStreamNotifications);
  if (!principal.ok()) return call.Finish(principal.status());
  if (absl::Status serves = ServesAChannel(*principal); !serves.ok()) return call.Finish(serves);
  absl::StatusOr<absl::Duration> lease =
      Lease(request->has_lease_duration(), request->lease_duration());
  if (!lease.ok()) return call.Finish(lease.status());
  while (!context->IsCancelled() && !stopping_.HasBeenNotified()) {
    // The token again, every round: a revocation (seen through the cache,
    // which every server drops when a principal is revoked) ends the stream.
    // The lease itself refuses a revoked principal in its transaction.
    absl::StatusOr<Principal> still =
        authenticator_.Authorize(*context, Method::kStreamNotifications);
    if (!still.ok()) return call.Finish(still.status());
    auto leased = notifications_.LeaseNotifications(*principal, kDefaultBatch, *lease);
    if (!leased.ok()) return call.Finish(leased.status());
    for (const Notification& n : *leased) {
      v1::StreamNotificationsResponse message;
      ToProto(n, message.mutable_notification());
      // A failed write means the caller went away; the lease brings the
      // notification back later.
      if (!writer->Write(message)) return call.Finish(absl::CancelledError("stream closed"));
    }
    if (leased->empty()) stopping_.WaitForNotificationWithTimeout(kStreamPollInterval);
  }
  return call.Finish(context->IsCancelled() ? absl::CancelledError("stream cancelled")
                                            : absl::UnavailableError("the server is stopping"));
}

grpc::Status NotificationServiceImpl::AcknowledgeNotifications(
    grpc::ServerContext* context, const v1::AcknowledgeNotificationsRequest* request,
    v1::AcknowledgeNotificationsResponse*) {
  const CallLog call(Method::kAcknowledgeNotifications, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<Principal> principal =
      authenticator_.Authorize(*context, Method::kAcknowledgeNotifications);
  if (!principal.ok()) return call.Finish(principal.status());
  if (absl::Status serves = ServesAChannel(*principal); !serves.ok()) return call.Finish(serves);
  FieldViolations violations;
  if (request->names_size() == 0 || request->names_size() > kMaxBatch) {
    violations.Add("names", "must hold 1 to 100 notification names");
  }
  std::vector<int64_t> ids;
  for (int i = 0; i < request->names_size() && i < kMaxBatch; ++i) {
    const std::optional<int64_t> id = NumberedResourceId("notifications", request->names(i));
    if (!id.has_value()) {
      violations.Add(absl::StrCat("names[", i, "]"), "must be notifications/{notification_id}");
      continue;
    }
    ids.push_back(*id);
  }
  if (!violations.empty()) return call.Finish(violations.ToStatus());
  absl::Status status = notifications_.AcknowledgeNotifications(*principal, ids);
  if (absl::IsNotFound(status)) {
    status = absl::NotFoundError("a named notification does not exist for this gateway");
  }
  return call.Finish(status);
}

}  // namespace dumas
