// The complainant's rights over their personal data through gRPC against a
// real MariaDB: the copy of what Dumas holds and who read it, queued to the
// complainant's channel and encrypted at rest; the correction of contact
// details, validated as on submission, recorded without the values, and
// committed to anew for Kompolnas; and the destruction of identities once
// their retention period after closure ends, with tracking still working.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/log_entry.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "dumas/v1/personal_data_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/identity_retention.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

// Events and records the log's sequencer has not numbered yet.
constexpr char kQueued[] =
    "SELECT (SELECT COUNT(*) FROM complaint_events WHERE log_pending = TRUE) +"
    " (SELECT COUNT(*) FROM log_records WHERE log_pending = TRUE)";

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// The fields a google.rpc.BadRequest of `status` names.
std::vector<std::string> BadFields(const grpc::Status& status) {
  google::rpc::Status details;
  std::vector<std::string> fields;
  if (!details.ParseFromString(status.error_details())) return fields;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

class PersonalDataServiceTest : public ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    personal_data_ = v1::PersonalDataService::NewStub(channel());
    integration_ = v1::IntegrationService::NewStub(channel());
  }

  struct Complainant {
    v1::SubmitComplaintRequest request;
    std::string reference;
    std::string code;
    std::string name;  // complaints/{reference}
    std::string etag;
  };

  Complainant NewComplaint(bool share_identity = false) {
    Complainant c;
    c.request = ValidRequest();
    c.request.mutable_complaint()->set_share_identity_with_kompolnas(share_identity);
    v1::SubmitComplaintResponse submitted;
    const grpc::Status status = Submit(c.request, &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    c.reference = submitted.reference_number();
    c.code = submitted.tracking_code();
    c.name = submitted.complaint().name();
    c.etag = submitted.complaint().etag();
    return c;
  }

  grpc::Status RequestCopy(const Complainant& c, const std::string& request_id = "",
                           const std::string& code = "") {
    v1::RequestPersonalDataRequest request;
    request.set_reference_number(c.reference);
    request.set_tracking_code(code.empty() ? c.code : code);
    request.set_request_id(request_id);
    v1::RequestPersonalDataResponse response;
    grpc::ClientContext context;
    return personal_data_->RequestPersonalData(&context, request, &response);
  }

  grpc::Status Correct(const Complainant& c, const v1::ContactDetails& contact,
                       const std::vector<std::string>& paths,
                       v1::CorrectContactDetailsResponse* response) {
    v1::CorrectContactDetailsRequest request;
    request.set_reference_number(c.reference);
    request.set_tracking_code(c.code);
    *request.mutable_contact() = contact;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    grpc::ClientContext context;
    return personal_data_->CorrectContactDetails(&context, request, response);
  }

  v1::Complaint ReadFull(const Complainant& c) {
    v1::GetComplaintResponse got;
    const grpc::Status status =
        Get(c.name, v1::COMPLAINT_VIEW_FULL, token(Role::kSupervisor), &got);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return got.complaint();
  }

  std::vector<v1::ComplaintEvent> Events(const Complainant& c) {
    v1::ListComplaintEventsRequest request;
    request.set_parent(c.name);
    request.set_page_size(500);
    v1::ListComplaintEventsResponse response;
    grpc::ClientContext context;
    Authorize(context, token(Role::kSupervisor));
    EXPECT_TRUE(stub().ListComplaintEvents(&context, request, &response).ok());
    return {response.events().begin(), response.events().end()};
  }

  // Every notification the gateway can fetch now, leased.
  std::vector<v1::Notification> FetchAll() {
    std::vector<v1::Notification> all;
    while (true) {
      v1::FetchNotificationsRequest request;
      request.set_max_notifications(100);
      v1::FetchNotificationsResponse response;
      grpc::ClientContext context;
      Authorize(context, token(Role::kGateway));
      EXPECT_TRUE(notifications().FetchNotifications(&context, request, &response).ok());
      if (response.notifications().empty()) break;
      all.insert(all.end(), response.notifications().begin(), response.notifications().end());
    }
    return all;
  }

  std::vector<v1::Change> AllChanges() {
    std::vector<v1::Change> all;
    int64_t after = 0;
    while (true) {
      v1::ListChangesRequest request;
      request.set_after_revision(after);
      request.set_page_size(100);
      v1::ListChangesResponse response;
      grpc::ClientContext context;
      Authorize(context, token(Role::kOversight));
      EXPECT_TRUE(integration_->ListChanges(&context, request, &response).ok());
      if (response.changes().empty()) break;
      all.insert(all.end(), response.changes().begin(), response.changes().end());
      after = all.back().revision();
    }
    return all;
  }

  // Waits until every event is in the log.
  void AwaitLogged() {
    for (int i = 0; i < 400; ++i) {
      if (*database().QueryInt(kQueued) == 0) return;
      absl::SleepFor(absl::Milliseconds(25));
    }
    ADD_FAILURE() << "the sequencer did not number every event";
  }

  grpc::Status Archive(Complainant& c) {
    v1::ArchiveComplaintRequest request;
    request.set_name(c.name);
    request.set_etag(c.etag);
    request.set_public_reason("Bukan merupakan pelanggaran oleh anggota Polri.");
    v1::ArchiveComplaintResponse response;
    grpc::ClientContext context;
    Authorize(context, token(Role::kIntake));
    const grpc::Status status = stub().ArchiveComplaint(&context, request, &response);
    c.etag = response.complaint().etag();
    return status;
  }

  grpc::Status Close(Complainant& c) {
    v1::CloseComplaintRequest request;
    request.set_name(c.name);
    request.set_etag(c.etag);
    v1::CloseComplaintResponse response;
    grpc::ClientContext context;
    Authorize(context, token(Role::kSupervisor));
    const grpc::Status status = stub().CloseComplaint(&context, request, &response);
    c.etag = response.complaint().etag();
    return status;
  }

  grpc::Status Reject(Complainant& c) {
    v1::RejectComplaintRequest request;
    request.set_name(c.name);
    request.set_etag(c.etag);
    request.set_reason(v1::REJECTION_REASON_DUPLICATE);
    request.set_public_reason("Pengaduan yang sama sudah terdaftar sebelumnya.");
    v1::RejectComplaintResponse response;
    grpc::ClientContext context;
    Authorize(context, token(Role::kIntake));
    const grpc::Status status = stub().RejectComplaint(&context, request, &response);
    c.etag = response.complaint().etag();
    return status;
  }

  std::unique_ptr<v1::PersonalDataService::Stub> personal_data_;
  std::unique_ptr<v1::IntegrationService::Stub> integration_;
};

constexpr char kNewUuid1[] = "6a1f8c3e-2b4d-4e5f-9a7b-1c2d3e4f5a6b";

TEST_F(PersonalDataServiceTest, TheCopyGoesToTheChannelWithEveryReadOfTheIdentity) {
  const Complainant c = NewComplaint();
  ReadFull(c);  // a supervisor reads the identity
  FetchAll();   // the receipt, out of the way

  v1::RequestPersonalDataRequest request;
  request.set_reference_number(c.reference);
  request.set_tracking_code(c.code);
  v1::RequestPersonalDataResponse response;
  {
    grpc::ClientContext context;
    const grpc::Status status = personal_data_->RequestPersonalData(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  // The complainant's timeline shows the request; the call returns no data.
  ASSERT_FALSE(response.complaint().timeline().empty());
  EXPECT_THAT(response.complaint().timeline().rbegin()->message(),
              HasSubstr("salinan data pribadi"));
  EXPECT_THAT(response.DebugString(), Not(HasSubstr(c.request.complaint().complainant().nik())));

  const std::vector<v1::Notification> sent = FetchAll();
  ASSERT_EQ(sent.size(), 1u);
  const v1::Notification& copy = sent[0];
  EXPECT_EQ(copy.kind(), v1::NOTIFICATION_KIND_PERSONAL_DATA);
  EXPECT_EQ(copy.channel(), v1::CHANNEL_WHATSAPP);
  EXPECT_EQ(copy.reply_address(), "+6281234567890");
  const v1::Complainant& who = c.request.complaint().complainant();
  for (const std::string& held :
       {who.full_name(), who.nik(), std::string("+6281234567890"), who.email(), who.address(),
        c.request.complaint().description(), std::string("Penyalahgunaan wewenang"),
        std::string("Identitas Anda telah dibaca 1 kali"),
        std::string("pimpinan atau pengawas Polres")}) {
    EXPECT_THAT(copy.text(), HasSubstr(held));
  }
  // Who read it by role and unit, never by name.
  EXPECT_THAT(copy.text(), Not(HasSubstr("test-SUPERVISOR")));
  // At rest the copy is encrypted like every notification.
  auto raw = database().Query(absl::StrCat(
      "SELECT n.text_ct, n.key_id FROM notifications n WHERE n.kind = 8"));
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 1u);
  EXPECT_THAT(raw->at(0).at(0), Not(HasSubstr(who.nik())));
  EXPECT_EQ(raw->at(0).at(1), store().keyring()->active_key_id());
  // The request is a public event by the complainant with nothing personal.
  const std::vector<v1::ComplaintEvent> events = Events(c);
  const v1::ComplaintEvent& last = events.back();
  EXPECT_EQ(last.type(), "PERSONAL_DATA_REQUESTED");
  EXPECT_EQ(last.actor(), "complainant");
  EXPECT_TRUE(last.public_());
  EXPECT_THAT(last.public_message(), Not(HasSubstr(who.nik())));

  // One copy an hour.
  EXPECT_EQ(RequestCopy(c).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(FetchAll(), IsEmpty());
}

TEST_F(PersonalDataServiceTest, ARetryWithTheSameRequestIdQueuesNoSecondCopy) {
  const Complainant c = NewComplaint();
  ASSERT_TRUE(RequestCopy(c, kNewUuid1).ok());
  ASSERT_TRUE(RequestCopy(c, kNewUuid1).ok());
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM notifications WHERE kind = 8"), 1);
}

TEST_F(PersonalDataServiceTest, AWrongPairIsNotFoundAndThrottledLikeTracking) {
  const Complainant c = NewComplaint();
  const std::string wrong = std::string(1, c.code[0] == '3' ? '4' : '3') + c.code.substr(1);
  EXPECT_EQ(RequestCopy(c, "", wrong).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(*database().QueryInt("SELECT SUM(failures) FROM track_failures"), 1);
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM notifications WHERE kind = 8"), 0);
  // A malformed code is a field error, and spends nothing.
  const grpc::Status malformed = RequestCopy(c, "", "not-a-code");
  EXPECT_EQ(malformed.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(malformed), ElementsAre("tracking_code"));
}

TEST_F(PersonalDataServiceTest, ContactDetailsAreCorrectedAsValidatedOnSubmission) {
  const Complainant c = NewComplaint();
  v1::CorrectContactDetailsResponse response;

  // Invalid values: field errors, nothing changed.
  v1::ContactDetails bad;
  bad.set_phone("+1 415 555 0100");
  bad.set_reply_address("siti@example.id");  // not a phone number, for WhatsApp
  const grpc::Status invalid = Correct(c, bad, {"phone", "reply_address"}, &response);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadFields(invalid), ElementsAre("contact.phone", "contact.reply_address"));
  EXPECT_THAT(invalid.error_message(), Not(HasSubstr("415")));
  const grpc::Status no_mask = Correct(c, bad, {}, &response);
  EXPECT_THAT(BadFields(no_mask), ElementsAre("update_mask"));
  const grpc::Status other_field = Correct(c, bad, {"nik"}, &response);
  EXPECT_THAT(BadFields(other_field), ElementsAre("update_mask"));
  EXPECT_EQ(ReadFull(c).complainant().phone(), "+6281234567890");
  const size_t events_before = Events(c).size();  // the FULL read above included

  // A valid correction.
  v1::ContactDetails fixed;
  fixed.set_phone("0813-9876-5432");
  fixed.set_email("");  // cleared
  fixed.set_reply_address("0813 9876 5432");
  fixed.set_address("ignored: not in the mask");
  const grpc::Status corrected = Correct(c, fixed, {"phone", "email", "reply_address"}, &response);
  ASSERT_TRUE(corrected.ok()) << corrected.error_message();
  EXPECT_TRUE(response.changed());
  const v1::Complaint after = ReadFull(c);
  EXPECT_EQ(after.complainant().phone(), "+6281398765432");
  EXPECT_EQ(after.complainant().email(), "");
  EXPECT_EQ(after.complainant().address(), c.request.complaint().complainant().address());
  EXPECT_EQ(after.complainant().nik(), c.request.complaint().complainant().nik());
  EXPECT_EQ(after.reply_address(), "+6281398765432");
  // The case's etag stays: a contact correction is not a change of the case.
  EXPECT_EQ(after.etag(), c.etag);

  // Recorded: which details, never their values.
  std::vector<v1::ComplaintEvent> events = Events(c);
  ASSERT_EQ(events.size(), events_before + 2);  // the correction, and the FULL read
  const v1::ComplaintEvent& correction = events[events_before];
  EXPECT_EQ(correction.type(), "CONTACT_CORRECTED");
  EXPECT_EQ(correction.actor(), "complainant");
  EXPECT_TRUE(correction.public_());
  EXPECT_EQ(correction.internal_note(), "Diperbarui: nomor telepon, email, alamat balasan.");
  for (const v1::Change& change : AllChanges()) {
    EXPECT_THAT(change.DebugString(), Not(HasSubstr("98765432")));
  }

  // What is not yet delivered goes to the new address.
  const std::vector<v1::Notification> pending = FetchAll();
  ASSERT_EQ(pending.size(), 1u);  // the receipt
  EXPECT_EQ(pending[0].reply_address(), "+6281398765432");

  // The same values again change and record nothing; tracking goes on.
  ASSERT_TRUE(Correct(c, fixed, {"phone"}, &response).ok());
  EXPECT_FALSE(response.changed());
  EXPECT_EQ(Events(c).size(), events_before + 2);  // nothing more
  v1::TrackComplaintResponse tracked;
  EXPECT_TRUE(Track(c.reference, c.code, &tracked).ok());
  AwaitLogged();
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM log_rejected"), 0);
}

TEST_F(PersonalDataServiceTest, KompolnasGetsTheCorrectedIdentityWithItsNewCommitment) {
  const Complainant c = NewComplaint(/*share_identity=*/true);
  v1::ContactDetails fixed;
  fixed.set_email("siti.baru@example.id");
  v1::CorrectContactDetailsResponse response;
  ASSERT_TRUE(Correct(c, fixed, {"email"}, &response).ok());
  AwaitLogged();

  std::vector<v1::Change> carrying;
  for (const v1::Change& change : AllChanges()) {
    if (change.has_complainant()) carrying.push_back(change);
  }
  // Only the correction carries the identity now, committed to anew.
  ASSERT_EQ(carrying.size(), 1u);
  const v1::Change& change = carrying[0];
  EXPECT_EQ(change.event().type(), "CONTACT_CORRECTED");
  EXPECT_EQ(change.complainant().email(), "siti.baru@example.id");
  const v1::Complainant& who = change.complainant();
  EXPECT_EQ(IdentityCommitment(change.identity_salt(),
                               Identity{who.full_name(), who.nik(), who.phone(), who.email(),
                                        who.address()}),
            change.details().identity_commitment());
  // The delivery was recorded as a read of the identity.
  EXPECT_EQ(Events(c).back().type(), "IDENTITY_READ");
}

TEST_F(PersonalDataServiceTest, IdentitiesAreDestroyedAfterRetentionAndTrackingGoesOn) {
  Complainant archived = NewComplaint();
  Complainant rejected = NewComplaint();
  Complainant closed = NewComplaint();
  const Complainant open = NewComplaint();
  ASSERT_TRUE(Archive(archived).ok());
  ASSERT_TRUE(Reject(rejected).ok());
  ASSERT_TRUE(Archive(closed).ok());
  ASSERT_TRUE(Close(closed).ok());
  const size_t events_before = Events(archived).size();

  // Not yet: closed for less than the retention period.
  absl::StatusOr<RetentionReport> early = PurgeExpiredIdentities(
      store(), absl::Hours(24 * 365 * 7), absl::Now() + absl::Hours(24 * 365 * 6), 2);
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->complaints, 0);

  // Six years later, with five years of retention: the three closed ones, in
  // batches of two; the open one stays.
  absl::StatusOr<RetentionReport> report = PurgeExpiredIdentities(
      store(), kDefaultIdentityRetention, absl::Now() + absl::Hours(24 * 365 * 6), 2);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->complaints, 3);
  // Their undelivered notifications: three receipts, two archivings, a
  // rejection, a closure.
  EXPECT_EQ(report->notifications, 7);
  // Idempotent.
  absl::StatusOr<RetentionReport> again = PurgeExpiredIdentities(
      store(), kDefaultIdentityRetention, absl::Now() + absl::Hours(24 * 365 * 6), 2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->complaints, 0);

  for (const Complainant* c : {&archived, &rejected, &closed}) {
    // Nothing personal is left in the row.
    auto row = database().Query(absl::StrCat(
        "SELECT full_name_ct IS NULL, nik_ct IS NULL, phone_ct IS NULL, email_ct IS NULL,"
        " address_ct IS NULL, reply_address_ct IS NULL, identity_salt_ct IS NULL,"
        " nik_blind_index IS NULL, key_id, identity_purged_at IS NOT NULL"
        " FROM complaints WHERE reference_number = '",
        c->reference, "'"));
    ASSERT_TRUE(row.ok());
    EXPECT_THAT(row->at(0), ElementsAre("1", "1", "1", "1", "1", "1", "1", "1", "", "1"));
    // Tracking works, and shows the destruction.
    v1::TrackComplaintResponse tracked;
    ASSERT_TRUE(Track(c->reference, c->code, &tracked).ok());
    EXPECT_THAT(tracked.complaint().timeline().rbegin()->message(), HasSubstr("dimusnahkan"));
    // Staff read the complaint without an identity, and no read is recorded.
    const size_t events = Events(*c).size();
    const v1::Complaint full = ReadFull(*c);
    EXPECT_FALSE(full.has_complainant());
    EXPECT_EQ(full.reply_address(), "");
    EXPECT_EQ(Events(*c).size(), events);
    // The rights have nothing left to act on.
    EXPECT_EQ(RequestCopy(*c).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    v1::ContactDetails contact;
    contact.set_phone("0813-9876-5432");
    v1::CorrectContactDetailsResponse corrected;
    EXPECT_EQ(Correct(*c, contact, {"phone"}, &corrected).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
  // The events remain, one more each, by the retention principal.
  const std::vector<v1::ComplaintEvent> events = Events(archived);
  EXPECT_EQ(events.size(), events_before + 1);
  EXPECT_EQ(events.back().type(), "IDENTITY_PURGED");
  EXPECT_NE(events.back().actor(), "complainant");
  // The open complaint keeps its identity.
  EXPECT_EQ(ReadFull(open).complainant().nik(), open.request.complaint().complainant().nik());
  // Undelivered notifications of the purged lost their text and wait for an
  // operator; the open complaint's receipt still goes out.
  EXPECT_EQ(*database().QueryInt(
                "SELECT COUNT(*) FROM notifications WHERE failure = 'IDENTITY_PURGED'"
                " AND text_ct = ''"),
            7);
  const std::vector<v1::Notification> deliverable = FetchAll();
  ASSERT_EQ(deliverable.size(), 1u);
  EXPECT_EQ(deliverable[0].complaint(), open.name);
  AwaitLogged();
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM log_rejected"), 0);
}

}  // namespace
}  // namespace dumas
