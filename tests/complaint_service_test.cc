// dumas.v1.ComplaintService through gRPC, as a client calls it, against a
// real MariaDB (a fresh database per test, migrated by the server's code).
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "domain/working_day_calendar.h"
#include "server/dumas_server.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

constexpr char kAlphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

// The field paths of the BadRequest in a failed call's details.
std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return fields;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (!any.UnpackTo(&bad_request)) continue;
    for (const auto& violation : bad_request.field_violations()) {
      fields.push_back(violation.field());
    }
  }
  return fields;
}

// Whether `code` has the shape "XXXX-XXXX-XXXX" (groups of four) over the
// code alphabet, with `symbols` symbols in all.
bool HasCodeShape(const std::string& code, size_t symbols) {
  size_t count = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    if ((i + 1) % 5 == 0) {
      if (code[i] != '-') return false;
    } else if (std::string_view(kAlphabet).find(code[i]) == std::string_view::npos) {
      return false;
    } else {
      ++count;
    }
  }
  return count == symbols;
}

class ComplaintServiceTest : public ServiceFixture {};

TEST_F(ComplaintServiceTest, ListsTheSixCategoriesInPages) {
  v1::ListCategoriesRequest request;
  request.set_page_size(4);
  v1::ListCategoriesResponse first;
  grpc::ClientContext c1;
  ASSERT_TRUE(stub().ListCategories(&c1, request, &first).ok());
  ASSERT_EQ(first.categories_size(), 4);
  ASSERT_FALSE(first.next_page_token().empty());

  request.set_page_token(first.next_page_token());
  v1::ListCategoriesResponse second;
  grpc::ClientContext c2;
  ASSERT_TRUE(stub().ListCategories(&c2, request, &second).ok());
  EXPECT_EQ(second.categories_size(), 2);
  EXPECT_THAT(second.next_page_token(), IsEmpty());

  std::vector<std::string> names;
  for (const auto* page : {&first, &second}) {
    for (const auto& category : page->categories()) {
      names.push_back(category.name());
      EXPECT_THAT(category.indonesian_name(), Not(IsEmpty()));
      EXPECT_THAT(category.english_name(), Not(IsEmpty()));
    }
  }
  EXPECT_THAT(names, UnorderedElementsAreArray(
                         {"categories/diskriminasi", "categories/kekeliruan-diskresi",
                          "categories/korupsi", "categories/pelanggaran-ham",
                          "categories/pelayanan-buruk", "categories/penyalahgunaan-wewenang"}));
}

TEST_F(ComplaintServiceTest, ListRejectsBadPagingFields) {
  v1::ListCategoriesRequest request;
  request.set_page_token("not-a-token");
  v1::ListCategoriesResponse response;
  grpc::ClientContext c1;
  grpc::Status status = stub().ListCategories(&c1, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_token"));

  v1::ListUnitsRequest units;
  units.set_page_size(-1);
  v1::ListUnitsResponse units_response;
  grpc::ClientContext c2;
  status = stub().ListUnits(&c2, units, &units_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("page_size"));
}

TEST_F(ComplaintServiceTest, ListsUnitsIncludingPropamAndSatLantas) {
  std::vector<std::string> names;
  v1::ListUnitsRequest request;
  do {
    v1::ListUnitsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(stub().ListUnits(&context, request, &response).ok());
    for (const auto& unit : response.units()) names.push_back(unit.name());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  EXPECT_THAT(names, ::testing::IsSupersetOf({"units/propam", "units/sat-lantas", "units/spkt"}));
}

TEST_F(ComplaintServiceTest, SubmitThenTrackShowsOnlyWhatTheComplainantMaySee) {
  const v1::SubmitComplaintRequest request = ValidRequest();
  v1::SubmitComplaintResponse submitted;
  ASSERT_TRUE(Submit(request, &submitted).ok());
  EXPECT_TRUE(HasCodeShape(submitted.reference_number(), 12)) << submitted.reference_number();
  EXPECT_TRUE(HasCodeShape(submitted.tracking_code(), 14)) << submitted.tracking_code();
  EXPECT_EQ(submitted.complaint().name(),
            absl::StrCat("complaints/", submitted.reference_number()));
  EXPECT_EQ(submitted.complaint().state(), v1::COMPLAINT_STATE_RECEIVED);
  EXPECT_FALSE(submitted.complaint().has_complainant());
  EXPECT_THAT(submitted.complaint().reply_address(), IsEmpty());  // personal data

  v1::TrackComplaintResponse tracked;
  ASSERT_TRUE(Track(submitted.reference_number(), submitted.tracking_code(), &tracked).ok());
  const v1::TrackedComplaint& view = tracked.complaint();
  EXPECT_EQ(view.reference_number(), submitted.reference_number());
  EXPECT_EQ(view.state(), v1::COMPLAINT_STATE_RECEIVED);
  EXPECT_EQ(view.category(), "categories/penyalahgunaan-wewenang");
  ASSERT_EQ(view.timeline_size(), 1);
  EXPECT_EQ(view.timeline(0).state(), v1::COMPLAINT_STATE_RECEIVED);
  EXPECT_THAT(view.timeline(0).message(), Not(IsEmpty()));
  EXPECT_FALSE(view.sp3d_sent());
  EXPECT_FALSE(view.has_answer());

  // The SP3D is due 20 working days after receipt (WITA).
  const absl::CivilDay received = absl::ToCivilDay(
      absl::FromUnixSeconds(view.create_time().seconds()), PaluTimeZone());
  const absl::CivilDay due(view.sp3d_due_date().year(), view.sp3d_due_date().month(),
                           view.sp3d_due_date().day());
  EXPECT_GE(due - received, 28);  // at least four weeks of weekdays
  EXPECT_LE(due - received, 60);

  // No identity in the complainant's view, in any field.
  const std::string bytes = tracked.SerializeAsString();
  const v1::Complainant& who = request.complaint().complainant();
  for (const std::string& secret :
       {who.full_name(), who.nik(), who.email(), std::string("81234567890"), who.address()}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos);
  }
}

TEST_F(ComplaintServiceTest, TrackingAcceptsLowerCaseAndMissingHyphens) {
  v1::SubmitComplaintResponse submitted;
  ASSERT_TRUE(Submit(ValidRequest(), &submitted).ok());
  std::string reference = submitted.reference_number();
  std::string code = submitted.tracking_code();
  absl::AsciiStrToLower(&code);
  reference.erase(std::remove(reference.begin(), reference.end(), '-'), reference.end());
  v1::TrackComplaintResponse tracked;
  EXPECT_TRUE(Track(reference, absl::StrCat(" ", code, " "), &tracked).ok());
  EXPECT_EQ(tracked.complaint().reference_number(), submitted.reference_number());
}

TEST_F(ComplaintServiceTest, WrongCodeAnswersExactlyAsAnUnknownReference) {
  v1::SubmitComplaintResponse submitted;
  ASSERT_TRUE(Submit(ValidRequest(), &submitted).ok());
  v1::SubmitComplaintResponse other;
  ASSERT_TRUE(Submit(ValidRequest(), &other).ok());

  v1::TrackComplaintResponse response;
  const grpc::Status wrong_code =
      Track(submitted.reference_number(), other.tracking_code(), &response);
  // A well-formed reference number that no complaint has.
  std::string unknown = submitted.reference_number();
  unknown[0] = unknown[0] == '2' ? '3' : '2';
  unknown[13] = '2';
  for (char c : std::string(kAlphabet)) {
    unknown[13] = c;
    v1::TrackComplaintResponse probe;
    const grpc::Status s = Track(unknown, other.tracking_code(), &probe);
    if (s.error_code() != grpc::StatusCode::INVALID_ARGUMENT) break;
  }
  const grpc::Status unknown_reference = Track(unknown, other.tracking_code(), &response);
  EXPECT_EQ(wrong_code.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown_reference.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(wrong_code.error_message(), unknown_reference.error_message());
  EXPECT_EQ(wrong_code.error_details(), unknown_reference.error_details());
}

TEST_F(ComplaintServiceTest, MalformedTrackingInputIsInvalidArgument) {
  v1::SubmitComplaintResponse submitted;
  ASSERT_TRUE(Submit(ValidRequest(), &submitted).ok());
  std::string typo = submitted.reference_number();
  typo[2] = typo[2] == 'A' ? 'B' : 'A';  // a single substitution: the check symbol catches it
  v1::TrackComplaintResponse response;
  grpc::Status status = Track(typo, submitted.tracking_code(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("reference_number"));

  status = Track("", "O0O0-1111-IIII-LL", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(status), ElementsAre("reference_number", "tracking_code"));
}

TEST_F(ComplaintServiceTest, RetryWithTheSameRequestIdIsNotDuplicated) {
  const v1::SubmitComplaintRequest request = ValidRequest();
  v1::SubmitComplaintResponse first;
  ASSERT_TRUE(Submit(request, &first).ok());
  const int64_t stored = CountComplaints();
  v1::SubmitComplaintResponse again;
  ASSERT_TRUE(Submit(request, &again).ok());
  EXPECT_EQ(again.reference_number(), first.reference_number());
  EXPECT_EQ(again.tracking_code(), first.tracking_code());
  EXPECT_EQ(CountComplaints(), stored);

  v1::SubmitComplaintRequest changed = request;
  changed.mutable_complaint()->set_description("Sesuatu yang lain sama sekali terjadi.");
  v1::SubmitComplaintResponse conflict;
  const grpc::Status status = Submit(changed, &conflict);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(CountComplaints(), stored);
}

TEST_F(ComplaintServiceTest, SameRequestIdFromAnotherGatewayIsAnotherComplaint) {
  const v1::SubmitComplaintRequest request = ValidRequest();
  v1::SubmitComplaintResponse first;
  ASSERT_TRUE(Submit(request, &first).ok());
  v1::SubmitComplaintResponse second;
  ASSERT_TRUE(Submit(request, &second, token(Role::kIntake)).ok());
  EXPECT_NE(first.reference_number(), second.reference_number());
}

TEST_F(ComplaintServiceTest, EveryInvalidFieldIsNamedAndNothingIsStored) {
  const struct {
    std::string_view what;
    std::function<void(v1::SubmitComplaintRequest&)> spoil;
    std::vector<std::string> fields;
  } cases[] = {
      {"no complaint", [](auto& r) { r.clear_complaint(); }, {"complaint"}},
      {"request_id not a UUID", [](auto& r) { r.set_request_id("retry-1"); }, {"request_id"}},
      {"empty description",
       [](auto& r) { r.mutable_complaint()->set_description("   "); },
       {"complaint.description"}},
      {"incident in the future",
       [](auto& r) {
         r.mutable_complaint()->mutable_incident_time()->set_seconds(absl::ToUnixSeconds(
             absl::Now() + absl::Hours(48)));
       },
       {"complaint.incident_time"}},
      {"no incident time",
       [](auto& r) { r.mutable_complaint()->clear_incident_time(); },
       {"complaint.incident_time"}},
      {"unknown category",
       [](auto& r) { r.mutable_complaint()->set_category("categories/tilang"); },
       {"complaint.category"}},
      {"channel unspecified",
       [](auto& r) { r.mutable_complaint()->set_channel(v1::CHANNEL_UNSPECIFIED); },
       {"complaint.channel"}},
      {"reply address not a phone for WhatsApp",
       [](auto& r) { r.mutable_complaint()->set_reply_address("warga@example.id"); },
       {"complaint.reply_address"}},
      {"unknown subject unit",
       [](auto& r) { r.mutable_complaint()->mutable_subject()->set_unit("units/sat-xyz"); },
       {"complaint.subject.unit"}},
      {"bad NIK date",
       [](auto& r) {
         r.mutable_complaint()->mutable_complainant()->set_nik("7271013213900001");
       },
       {"complaint.complainant.nik"}},
      {"NIK too short",
       [](auto& r) { r.mutable_complaint()->mutable_complainant()->set_nik("72710145099"); },
       {"complaint.complainant.nik"}},
      {"foreign phone",
       [](auto& r) {
         r.mutable_complaint()->mutable_complainant()->set_phone("+1 202 555 0100");
       },
       {"complaint.complainant.phone"}},
      {"bad email",
       [](auto& r) { r.mutable_complaint()->mutable_complainant()->set_email("warga@@x"); },
       {"complaint.complainant.email"}},
      {"several at once",
       [](auto& r) {
         r.mutable_complaint()->set_description("");
         r.mutable_complaint()->mutable_complainant()->set_nik("0000000000000000");
         r.mutable_complaint()->set_category("korupsi");
       },
       {"complaint.description", "complaint.category", "complaint.complainant.nik"}},
  };
  const int64_t before = CountComplaints();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    v1::SubmitComplaintRequest request = ValidRequest();
    c.spoil(request);
    v1::SubmitComplaintResponse response;
    const grpc::Status status = Submit(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(ViolatedFields(status), UnorderedElementsAreArray(c.fields));
    // Neither the message nor the details repeat personal data.
    const v1::Complainant& who = request.complaint().complainant();
    for (const std::string& secret : {who.full_name(), who.nik(), who.email()}) {
      if (secret.empty()) continue;
      EXPECT_THAT(status.error_message(), Not(HasSubstr(secret)));
      EXPECT_EQ(status.error_details().find(secret), std::string::npos);
    }
  }
  EXPECT_EQ(CountComplaints(), before);
}

TEST_F(ComplaintServiceTest, SubmitNeedsAGatewayOrIntakeToken) {
  v1::SubmitComplaintResponse response;
  EXPECT_EQ(Submit(ValidRequest(), &response, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Submit(ValidRequest(), &response, "not-a-token").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  for (Role role : {Role::kUnit, Role::kSupervisor, Role::kOversight, Role::kAdmin}) {
    SCOPED_TRACE(RoleName(role));
    EXPECT_EQ(Submit(ValidRequest(), &response, token(role)).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_TRUE(Submit(ValidRequest(), &response, token(Role::kIntake)).ok());
}

TEST_F(ComplaintServiceTest, GetComplaintShowsIdentityOnlyToRolesThatMaySeeIt) {
  const v1::SubmitComplaintRequest request = ValidRequest();
  v1::SubmitComplaintResponse submitted;
  ASSERT_TRUE(Submit(request, &submitted).ok());
  const std::string name = submitted.complaint().name();

  v1::GetComplaintResponse full;
  ASSERT_TRUE(Get(name, v1::COMPLAINT_VIEW_FULL, token(Role::kSupervisor), &full).ok());
  EXPECT_EQ(full.complaint().complainant().nik(), request.complaint().complainant().nik());
  EXPECT_EQ(full.complaint().complainant().phone(), "+6281234567890");
  EXPECT_EQ(full.complaint().reply_address(), "+6281234567890");
  EXPECT_EQ(full.complaint().description(), request.complaint().description());

  v1::GetComplaintResponse basic;
  ASSERT_TRUE(Get(name, v1::COMPLAINT_VIEW_BASIC, token(Role::kIntake), &basic).ok());
  EXPECT_FALSE(basic.complaint().has_complainant());
  EXPECT_THAT(basic.complaint().reply_address(), IsEmpty());

  v1::GetComplaintResponse oversight;
  ASSERT_TRUE(Get(name, v1::COMPLAINT_VIEW_FULL, token(Role::kOversight), &oversight).ok());
  EXPECT_FALSE(oversight.complaint().has_complainant());

  v1::GetComplaintResponse denied;
  EXPECT_EQ(Get(name, v1::COMPLAINT_VIEW_BASIC, token(Role::kGateway), &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Nothing is assigned to any unit yet: a unit sees nothing. (Propam, not
  // the unit complained about: the conflict-of-interest rule is another one.)
  const std::string propam = NewToken("unit-propam", Role::kUnit, "propam");
  EXPECT_EQ(Get(name, v1::COMPLAINT_VIEW_BASIC, propam, &denied).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Once assigned to Propam, Propam sees it; the subject unit never does.
  {
    grpc::ClientContext verify_context;
    Authorize(verify_context, token(Role::kSupervisor));
    v1::VerifyComplaintRequest verify;
    verify.set_name(name);
    verify.set_etag(full.complaint().etag());
    v1::VerifyComplaintResponse verified;
    ASSERT_TRUE(stub().VerifyComplaint(&verify_context, verify, &verified).ok());
    grpc::ClientContext assign_context;
    Authorize(assign_context, token(Role::kSupervisor));
    v1::AssignComplaintRequest assign;
    assign.set_name(name);
    assign.set_etag(verified.complaint().etag());
    assign.set_handling_unit("units/propam");
    v1::AssignComplaintResponse assigned;
    ASSERT_TRUE(stub().AssignComplaint(&assign_context, assign, &assigned).ok());
  }
  v1::GetComplaintResponse as_propam;
  EXPECT_TRUE(Get(name, v1::COMPLAINT_VIEW_BASIC, propam, &as_propam).ok());
  EXPECT_EQ(Get(name, v1::COMPLAINT_VIEW_BASIC, token(Role::kUnit), &denied).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("complaints/2222-2222-2223", v1::COMPLAINT_VIEW_BASIC,
                token(Role::kSupervisor), &denied)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Get("complaints/K7QM", v1::COMPLAINT_VIEW_BASIC, token(Role::kSupervisor), &denied)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Get(name, v1::COMPLAINT_VIEW_FULL, "", &denied).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ComplaintServiceTest, ConcurrentSubmissionsAllGetDistinctReferenceNumbers) {
  constexpr int kThreads = 64;
  std::vector<std::string> references(kThreads);
  std::vector<std::string> codes(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      v1::SubmitComplaintResponse response;
      if (!Submit(ValidRequest(), &response).ok()) {
        ++failures;
        return;
      }
      references[i] = response.reference_number();
      codes[i] = response.tracking_code();
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(std::set<std::string>(references.begin(), references.end()).size(), kThreads);
  for (int i = 0; i < kThreads; ++i) {
    v1::TrackComplaintResponse tracked;
    EXPECT_TRUE(Track(references[i], codes[i], &tracked).ok()) << i;
  }
}

TEST_F(ComplaintServiceTest, HealthServesOnceTheDatabaseAnswers) {
  auto health = grpc::health::v1::Health::NewStub(channel());
  for (const std::string service : {"", DumasServer::kServiceName}) {
    grpc::health::v1::HealthCheckResponse response;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    bool serving = false;
    for (int i = 0; i < 50 && !serving; ++i) {
      grpc::ClientContext context;
      serving = health->Check(&context, request, &response).ok() &&
                response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
      if (!serving) absl::SleepFor(absl::Milliseconds(100));
    }
    EXPECT_TRUE(serving) << "service '" << service << "'";
  }
}

}  // namespace
}  // namespace dumas
