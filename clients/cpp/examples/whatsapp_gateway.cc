// whatsapp_gateway: a channel gateway on the C++ SDK. It submits a complaint
// that came in over WhatsApp, then delivers what Dumas owes the WhatsApp
// complainants (the receipt first) and acknowledges each delivery.
//
//   export DUMAS_ADDRESS=127.0.0.1:50051
//   DUMAS_TOKEN_FILE=.local/tokens/gateway-whatsapp dumas_whatsapp_gateway_example
//
// Settings come from the environment (dumas::client::ChannelOptions::
// FromEnvironment), never from the command line. "Delivery" here prints the
// notification's name and kind; a real gateway sends its text to its reply
// address over WhatsApp, then acknowledges. The sample complainant is
// fictional. Exit status: 0 when the receipt was delivered, 1 on a failed
// call, 2 on bad settings.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "dumas/client.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "dumas/v1/notification_service.grpc.pb.h"

namespace {

using dumas::client::Connection;

int Failed(const char* what, const grpc::Status& status) {
  std::fprintf(stderr, "%s failed: %d %s\n", what, static_cast<int>(status.error_code()),
               status.error_message().c_str());
  for (const auto& v : dumas::client::FieldViolations(status)) {
    std::fprintf(stderr, "  field %s: %s\n", v.field.c_str(), v.description.c_str());
  }
  return 1;
}

dumas::v1::SubmitComplaintRequest SampleComplaint() {
  dumas::v1::SubmitComplaintRequest request;
  dumas::v1::Complaint& c = *request.mutable_complaint();
  c.set_description(
      "Saat razia di simpang Jl. Diponegoro, petugas meminta uang agar SIM saya tidak "
      "ditahan, tanpa surat tilang.");
  c.mutable_incident_time()->set_seconds(
      std::chrono::duration_cast<std::chrono::seconds>(
          (std::chrono::system_clock::now() - std::chrono::hours(48)).time_since_epoch())
          .count());
  c.set_incident_location("Simpang Jl. Diponegoro - Jl. Gajah Mada, Palu Barat");
  c.set_category("categories/penyalahgunaan-wewenang");
  c.set_channel(dumas::v1::CHANNEL_WHATSAPP);
  c.set_reply_address("+6281200000001");
  c.mutable_subject()->set_unit("units/sat-lantas");
  dumas::v1::Complainant& who = *c.mutable_complainant();
  who.set_full_name("Contoh Pengadu");
  who.set_nik("7271015208900001");
  who.set_phone("+6281200000001");
  return request;
}

}  // namespace

int main() {
  std::string error;
  std::optional<dumas::client::ChannelOptions> options =
      dumas::client::ChannelOptions::FromEnvironment(&error);
  if (!options) {
    std::fprintf(stderr, "settings: %s\n", error.c_str());
    return 2;
  }
  const Connection dumas(*options);
  dumas::v1::ComplaintService::Stub complaints(dumas.channel());
  dumas::v1::NotificationService::Stub notifications(dumas.channel());

  // The request_id is filled by Call and kept for its retries: a retry after
  // a lost answer returns the same reference number, and stores nothing new.
  dumas::v1::SubmitComplaintRequest submit = SampleComplaint();
  dumas::v1::SubmitComplaintResponse submitted;
  if (grpc::Status s = dumas.Call(&dumas::v1::ComplaintService::Stub::SubmitComplaint, complaints,
                                  submit, &submitted);
      !s.ok()) {
    return Failed("SubmitComplaint", s);
  }
  std::printf("submitted %s\n", submitted.complaint().name().c_str());

  // Deliver until this complaint's receipt went out (at most 30 s).
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool receipt_delivered = false;
  while (!receipt_delivered && std::chrono::steady_clock::now() < give_up) {
    dumas::v1::FetchNotificationsRequest fetch;
    fetch.set_max_notifications(20);
    dumas::v1::FetchNotificationsResponse leased;
    // Not retried: a lost answer leaves the lease to expire, and the
    // notifications come back on a later fetch.
    if (grpc::Status s = dumas.Call(&dumas::v1::NotificationService::Stub::FetchNotifications,
                                    notifications, fetch, &leased);
        !s.ok()) {
      return Failed("FetchNotifications", s);
    }
    if (leased.notifications().empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    dumas::v1::AcknowledgeNotificationsRequest ack;
    for (const dumas::v1::Notification& n : leased.notifications()) {
      // Here a real gateway sends n.text() to n.reply_address().
      std::printf("delivered %s %s for %s\n", n.name().c_str(),
                  dumas::v1::NotificationKind_Name(n.kind()).c_str(), n.complaint().c_str());
      ack.add_names(n.name());
      if (n.complaint() == submitted.complaint().name() &&
          n.kind() == dumas::v1::NOTIFICATION_KIND_RECEIPT) {
        receipt_delivered = true;
      }
    }
    dumas::v1::AcknowledgeNotificationsResponse acked;
    if (grpc::Status s = dumas.Call(
            &dumas::v1::NotificationService::Stub::AcknowledgeNotifications, notifications, ack,
            &acked);
        !s.ok()) {
      return Failed("AcknowledgeNotifications", s);
    }
  }
  if (!receipt_delivered) {
    std::fprintf(stderr, "the receipt of %s did not come within 30 s\n",
                 submitted.complaint().name().c_str());
    return 1;
  }
  return 0;
}
