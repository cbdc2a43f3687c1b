// Case handling through gRPC against a real MariaDB: the transition table,
// the authorization matrix, concurrent conflicting changes, the notification
// outbox, deadlines, listings, the complainant's side and administration.
#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "domain/anev_report.h"
#include "domain/complaint.h"
#include "domain/working_day_calendar.h"
#include "storage/anev_store.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// What tests do to complaints; the staff steps and the complainant's.
enum class Step {
  kVerify, kArchive, kReject, kAssign, kStart, kClarify, kConclude, kAnswer, kClose,
  kReopen, kNote, kRespond, kDispute, kRate,
};
constexpr Step kAllSteps[] = {Step::kVerify,   Step::kArchive, Step::kReject,  Step::kAssign,
                              Step::kStart,    Step::kClarify, Step::kConclude, Step::kAnswer,
                              Step::kClose,    Step::kReopen,  Step::kNote,    Step::kRespond,
                              Step::kDispute,  Step::kRate};

const char* StepName(Step step) {
  static const char* const kNames[] = {"verify", "archive", "reject", "assign", "start",
                                       "clarify", "conclude", "answer", "close", "reopen",
                                       "note", "respond", "dispute", "rate"};
  return kNames[static_cast<int>(step)];
}

using State = v1::ComplaintState;
constexpr State kAllStates[] = {
    v1::COMPLAINT_STATE_RECEIVED,  v1::COMPLAINT_STATE_VERIFIED,
    v1::COMPLAINT_STATE_ARCHIVED,  v1::COMPLAINT_STATE_REJECTED,
    v1::COMPLAINT_STATE_ASSIGNED,  v1::COMPLAINT_STATE_UNDER_INVESTIGATION,
    v1::COMPLAINT_STATE_CONCLUDED, v1::COMPLAINT_STATE_ANSWERED,
    v1::COMPLAINT_STATE_CLOSED,    v1::COMPLAINT_STATE_REOPENED};

// A complaint under test: how to name it, track it, and its latest etag.
struct Handle {
  std::string name;
  std::string reference;
  std::string code;
  std::string etag;
  State state = v1::COMPLAINT_STATE_UNSPECIFIED;
};

class CaseHandlingTest : public ServiceFixture {
 protected:
  const std::string& supervisor() { return token(Role::kSupervisor); }

  Handle NewComplaint() {
    v1::SubmitComplaintResponse submitted;
    const grpc::Status status = Submit(ValidRequest(), &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return Handle{submitted.complaint().name(), submitted.reference_number(),
                  submitted.tracking_code(), submitted.complaint().etag(),
                  submitted.complaint().state()};
  }

  // Takes `step` as `token` (the complainant's steps need none); on success
  // the handle follows the complaint.
  grpc::Status Do(Step step, Handle& h, const std::string& token) {
    grpc::ClientContext context;
    Authorize(context, token);
    const std::string request_id;  // each call is a new change
    grpc::Status status;
    v1::Complaint after;
    auto staff = [&](auto rpc, auto& request, auto& response) {
      request.set_name(h.name);
      request.set_etag(h.etag);
      status = (stub().*rpc)(&context, request, &response);
      if (status.ok()) after = response.complaint();
    };
    switch (step) {
      case Step::kVerify: {
        v1::VerifyComplaintRequest r;
        v1::VerifyComplaintResponse p;
        staff(&v1::ComplaintService::Stub::VerifyComplaint, r, p);
        break;
      }
      case Step::kArchive: {
        v1::ArchiveComplaintRequest r;
        r.set_public_reason("Bukan merupakan pelanggaran oleh anggota Polri.");
        v1::ArchiveComplaintResponse p;
        staff(&v1::ComplaintService::Stub::ArchiveComplaint, r, p);
        break;
      }
      case Step::kReject: {
        v1::RejectComplaintRequest r;
        r.set_reason(v1::REJECTION_REASON_DUPLICATE);
        r.set_public_reason("Pengaduan yang sama sudah terdaftar sebelumnya.");
        v1::RejectComplaintResponse p;
        staff(&v1::ComplaintService::Stub::RejectComplaint, r, p);
        break;
      }
      case Step::kAssign: {
        v1::AssignComplaintRequest r;
        v1::AssignComplaintResponse p;
        staff(&v1::ComplaintService::Stub::AssignComplaint, r, p);
        break;
      }
      case Step::kStart: {
        v1::StartInvestigationRequest r;
        v1::StartInvestigationResponse p;
        staff(&v1::ComplaintService::Stub::StartInvestigation, r, p);
        break;
      }
      case Step::kClarify: {
        v1::RequestClarificationRequest r;
        r.set_question("Mohon sebutkan jam kejadian dan nomor kendaraan petugas.");
        v1::RequestClarificationResponse p;
        staff(&v1::ComplaintService::Stub::RequestClarification, r, p);
        break;
      }
      case Step::kConclude: {
        v1::ConcludeComplaintRequest r;
        r.set_outcome(v1::OUTCOME_SUBSTANTIATED);
        r.set_findings("Saksi dan rekaman CCTV membenarkan permintaan uang oleh petugas.");
        v1::ConcludeComplaintResponse p;
        staff(&v1::ComplaintService::Stub::ConcludeComplaint, r, p);
        break;
      }
      case Step::kAnswer: {
        v1::AnswerComplaintRequest r;
        r.set_answer("Pengaduan Anda terbukti; petugas telah diproses oleh Propam.");
        v1::AnswerComplaintResponse p;
        staff(&v1::ComplaintService::Stub::AnswerComplaint, r, p);
        break;
      }
      case Step::kClose: {
        v1::CloseComplaintRequest r;
        v1::CloseComplaintResponse p;
        staff(&v1::ComplaintService::Stub::CloseComplaint, r, p);
        break;
      }
      case Step::kReopen: {
        v1::ReopenComplaintRequest r;
        r.set_internal_note("Pelapor datang ke SPKT dan menyanggah jawaban.");
        v1::ReopenComplaintResponse p;
        staff(&v1::ComplaintService::Stub::ReopenComplaint, r, p);
        break;
      }
      case Step::kNote: {
        v1::AddComplaintNoteRequest r;
        r.set_text("Berkas diteruskan ke Kasi Propam.");
        v1::AddComplaintNoteResponse p;
        staff(&v1::ComplaintService::Stub::AddComplaintNote, r, p);
        break;
      }
      case Step::kRespond: {
        v1::RespondToClarificationRequest r;
        r.set_reference_number(h.reference);
        r.set_tracking_code(h.code);
        r.set_text("Kejadian sekitar pukul 10 pagi, mobil patroli DN 1234 XY.");
        v1::RespondToClarificationResponse p;
        status = stub().RespondToClarification(&context, r, &p);
        if (status.ok()) return Refresh(h);
        break;
      }
      case Step::kDispute: {
        v1::DisputeAnswerRequest r;
        r.set_reference_number(h.reference);
        r.set_tracking_code(h.code);
        r.set_reason("Jawaban tidak menjelaskan sanksi yang diberikan.");
        v1::DisputeAnswerResponse p;
        status = stub().DisputeAnswer(&context, r, &p);
        if (status.ok()) return Refresh(h);
        break;
      }
      case Step::kRate: {
        v1::RateComplaintHandlingRequest r;
        r.set_reference_number(h.reference);
        r.set_tracking_code(h.code);
        r.set_rating(4);
        v1::RateComplaintHandlingResponse p;
        status = stub().RateComplaintHandling(&context, r, &p);
        if (status.ok()) return Refresh(h);
        break;
      }
    }
    if (status.ok()) {
      h.etag = after.etag();
      h.state = after.state();
    }
    return status;
  }

  grpc::Status Refresh(Handle& h) {
    v1::GetComplaintResponse response;
    grpc::Status status = Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &response);
    if (status.ok()) {
      h.etag = response.complaint().etag();
      h.state = response.complaint().state();
    }
    return status;
  }

  // A new complaint brought to `state` by a supervisor.
  Handle InState(State state) {
    static const std::map<State, std::vector<Step>> kPaths = {
        {v1::COMPLAINT_STATE_RECEIVED, {}},
        {v1::COMPLAINT_STATE_VERIFIED, {Step::kVerify}},
        {v1::COMPLAINT_STATE_ARCHIVED, {Step::kArchive}},
        {v1::COMPLAINT_STATE_REJECTED, {Step::kReject}},
        {v1::COMPLAINT_STATE_ASSIGNED, {Step::kVerify, Step::kAssign}},
        {v1::COMPLAINT_STATE_UNDER_INVESTIGATION, {Step::kVerify, Step::kAssign, Step::kStart}},
        {v1::COMPLAINT_STATE_CONCLUDED,
         {Step::kVerify, Step::kAssign, Step::kStart, Step::kConclude}},
        {v1::COMPLAINT_STATE_ANSWERED,
         {Step::kVerify, Step::kAssign, Step::kStart, Step::kConclude, Step::kAnswer}},
        {v1::COMPLAINT_STATE_CLOSED,
         {Step::kVerify, Step::kAssign, Step::kStart, Step::kConclude, Step::kAnswer,
          Step::kClose}},
        {v1::COMPLAINT_STATE_REOPENED,
         {Step::kVerify, Step::kAssign, Step::kStart, Step::kConclude, Step::kAnswer,
          Step::kReopen}},
    };
    Handle h = NewComplaint();
    for (Step step : kPaths.at(state)) {
      const grpc::Status status = Do(step, h, supervisor());
      EXPECT_TRUE(status.ok()) << StepName(step) << ": " << status.error_message();
    }
    EXPECT_EQ(h.state, state);
    return h;
  }

  std::vector<v1::ComplaintEvent> Events(const Handle& h) {
    v1::ListComplaintEventsRequest request;
    request.set_parent(h.name);
    request.set_page_size(500);
    v1::ListComplaintEventsResponse response;
    grpc::ClientContext context;
    Authorize(context, supervisor());
    EXPECT_TRUE(stub().ListComplaintEvents(&context, request, &response).ok());
    return {response.events().begin(), response.events().end()};
  }

  // Leases notifications as the GATEWAY principal, keeping those of `h`.
  std::vector<v1::Notification> Fetch(const Handle& h, int lease_seconds = 60,
                                      const std::string& gateway = "") {
    v1::FetchNotificationsRequest request;
    request.set_max_notifications(100);
    request.mutable_lease_duration()->set_seconds(lease_seconds);
    v1::FetchNotificationsResponse response;
    grpc::ClientContext context;
    Authorize(context, gateway.empty() ? token(Role::kGateway) : gateway);
    const grpc::Status status = notifications().FetchNotifications(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<v1::Notification> mine;
    for (const auto& n : response.notifications()) {
      if (n.complaint() == h.name) mine.push_back(n);
    }
    return mine;
  }

  grpc::Status Acknowledge(const std::vector<std::string>& names,
                           const std::string& gateway = "") {
    v1::AcknowledgeNotificationsRequest request;
    for (const auto& name : names) request.add_names(name);
    v1::AcknowledgeNotificationsResponse response;
    grpc::ClientContext context;
    Authorize(context, gateway.empty() ? token(Role::kGateway) : gateway);
    return notifications().AcknowledgeNotifications(&context, request, &response);
  }

  std::vector<v1::Complaint> ListAll(v1::ListComplaintsRequest request, const std::string& token,
                                     int* pages = nullptr) {
    std::vector<v1::Complaint> all;
    int count = 0;
    do {
      v1::ListComplaintsResponse response;
      grpc::ClientContext context;
      Authorize(context, token);
      const grpc::Status status = stub().ListComplaints(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      all.insert(all.end(), response.complaints().begin(), response.complaints().end());
      request.set_page_token(response.next_page_token());
      ++count;
    } while (!request.page_token().empty());
    if (pages != nullptr) *pages = count;
    return all;
  }
};

// --- The transition table -----------------------------------------------------

TEST_F(CaseHandlingTest, EveryStateAndActionIsAllowedOrFailedPrecondition) {
  using S = State;
  // The states each step is allowed from, and the state it leads to (UNSPECIFIED:
  // the state does not change).
  const std::map<Step, std::pair<std::set<S>, S>> table = {
      {Step::kVerify, {{v1::COMPLAINT_STATE_RECEIVED}, v1::COMPLAINT_STATE_VERIFIED}},
      {Step::kArchive, {{v1::COMPLAINT_STATE_RECEIVED}, v1::COMPLAINT_STATE_ARCHIVED}},
      {Step::kReject,
       {{v1::COMPLAINT_STATE_RECEIVED, v1::COMPLAINT_STATE_VERIFIED},
        v1::COMPLAINT_STATE_REJECTED}},
      {Step::kAssign,
       {{v1::COMPLAINT_STATE_VERIFIED, v1::COMPLAINT_STATE_REOPENED},
        v1::COMPLAINT_STATE_ASSIGNED}},
      {Step::kStart,
       {{v1::COMPLAINT_STATE_ASSIGNED, v1::COMPLAINT_STATE_REOPENED},
        v1::COMPLAINT_STATE_UNDER_INVESTIGATION}},
      {Step::kClarify,
       {{v1::COMPLAINT_STATE_RECEIVED, v1::COMPLAINT_STATE_VERIFIED,
         v1::COMPLAINT_STATE_UNDER_INVESTIGATION, v1::COMPLAINT_STATE_REOPENED},
        v1::COMPLAINT_STATE_UNSPECIFIED}},
      {Step::kConclude,
       {{v1::COMPLAINT_STATE_UNDER_INVESTIGATION}, v1::COMPLAINT_STATE_CONCLUDED}},
      {Step::kAnswer, {{v1::COMPLAINT_STATE_CONCLUDED}, v1::COMPLAINT_STATE_ANSWERED}},
      {Step::kClose,
       {{v1::COMPLAINT_STATE_ANSWERED, v1::COMPLAINT_STATE_ARCHIVED,
         v1::COMPLAINT_STATE_REJECTED},
        v1::COMPLAINT_STATE_CLOSED}},
      {Step::kReopen,
       {{v1::COMPLAINT_STATE_ANSWERED, v1::COMPLAINT_STATE_CLOSED},
        v1::COMPLAINT_STATE_REOPENED}},
      {Step::kNote, {{std::begin(kAllStates), std::end(kAllStates)}, v1::COMPLAINT_STATE_UNSPECIFIED}},
      // No clarification request is open in these complaints.
      {Step::kRespond, {{}, v1::COMPLAINT_STATE_UNSPECIFIED}},
      {Step::kDispute,
       {{v1::COMPLAINT_STATE_ANSWERED, v1::COMPLAINT_STATE_CLOSED},
        v1::COMPLAINT_STATE_REOPENED}},
      {Step::kRate,
       {{v1::COMPLAINT_STATE_ANSWERED, v1::COMPLAINT_STATE_CLOSED},
        v1::COMPLAINT_STATE_UNSPECIFIED}},
  };
  for (State from : kAllStates) {
    for (Step step : kAllSteps) {
      SCOPED_TRACE(absl::StrCat(v1::ComplaintState_Name(from), " x ", StepName(step)));
      Handle h = InState(from);
      const auto& [allowed, to] = table.at(step);
      const grpc::Status status = Do(step, h, supervisor());
      if (allowed.contains(from)) {
        ASSERT_TRUE(status.ok()) << status.error_message();
        EXPECT_EQ(h.state, to == v1::COMPLAINT_STATE_UNSPECIFIED ? from : to);
      } else {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
            << status.error_message();
        if (step != Step::kRespond) {
          // The message names the state the complaint is in.
          const std::string state_name = v1::ComplaintState_Name(from).substr(16);
          EXPECT_THAT(status.error_message(), HasSubstr(state_name));
        }
      }
    }
  }
}

TEST_F(CaseHandlingTest, StaleEtagIsAbortedAndChangesNothing) {
  Handle h = NewComplaint();
  Handle stale = h;
  ASSERT_TRUE(Do(Step::kNote, h, supervisor()).ok());
  EXPECT_EQ(Do(Step::kVerify, stale, supervisor()).error_code(), grpc::StatusCode::ABORTED);
  ASSERT_TRUE(Refresh(h).ok());
  EXPECT_EQ(h.state, v1::COMPLAINT_STATE_RECEIVED);
}

TEST_F(CaseHandlingTest, RetriedChangeWithTheSameRequestIdIsAppliedOnce) {
  Handle h = NewComplaint();
  v1::VerifyComplaintRequest request;
  request.set_name(h.name);
  request.set_etag(h.etag);
  request.set_request_id("0b7e2f4c-1d5a-4c8e-9f3b-6a2d8e1c4b7f");
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    Authorize(context, supervisor());
    v1::VerifyComplaintResponse response;
    const grpc::Status status = stub().VerifyComplaint(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.complaint().state(), v1::COMPLAINT_STATE_VERIFIED);
  }
  int verified = 0;
  for (const auto& event : Events(h)) verified += event.type() == "VERIFIED";
  EXPECT_EQ(verified, 1);
}

TEST_F(CaseHandlingTest, InvalidFieldsOfChangesAreNamed) {
  Handle h = InState(v1::COMPLAINT_STATE_UNDER_INVESTIGATION);
  v1::ConcludeComplaintRequest request;
  request.set_name(h.name);
  request.set_findings("short");
  request.set_request_id("not-a-uuid");
  grpc::ClientContext context;
  Authorize(context, supervisor());
  v1::ConcludeComplaintResponse response;
  const grpc::Status status = stub().ConcludeComplaint(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  for (const char* field : {"outcome", "findings", "etag", "request_id"}) {
    EXPECT_THAT(status.error_details(), HasSubstr(field));
  }
  ASSERT_TRUE(Refresh(h).ok());
  EXPECT_EQ(h.state, v1::COMPLAINT_STATE_UNDER_INVESTIGATION);
}

// --- Concurrency ----------------------------------------------------------------

TEST_F(CaseHandlingTest, FiftyConcurrentConflictingChangesOneWins) {
  Handle h = NewComplaint();
  constexpr int kCallers = 50;
  std::atomic<int> ok{0};
  std::atomic<int> aborted{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, copy = h]() mutable {
      const grpc::Status status = Do(Step::kVerify, copy, supervisor());
      if (status.ok()) {
        ++ok;
      } else if (status.error_code() == grpc::StatusCode::ABORTED) {
        ++aborted;
      } else {
        ++other;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), kCallers - 1);
  EXPECT_EQ(other.load(), 0);
  int verified = 0;
  for (const auto& event : Events(h)) verified += event.type() == "VERIFIED";
  EXPECT_EQ(verified, 1);
}

// --- Authorization ------------------------------------------------------------

TEST_F(CaseHandlingTest, AuthorizationMatrix) {
  // Each method, the state it is tried in, and the roles it is for.
  enum class Op { kGet, kEvents, kStep };
  struct Method {
    const char* name;
    Op op;
    Step step;
    State state;
    std::set<Role> roles;
  };
  const std::set<Role> readers = {Role::kIntake, Role::kUnit, Role::kSupervisor,
                                  Role::kOversight};
  const std::set<Role> intake = {Role::kIntake, Role::kSupervisor};
  const std::set<Role> supervisors = {Role::kSupervisor};
  const std::set<Role> investigators = {Role::kUnit, Role::kSupervisor};
  const std::set<Role> staff = {Role::kIntake, Role::kUnit, Role::kSupervisor};
  const Method methods[] = {
      {"GetComplaint", Op::kGet, Step::kNote, v1::COMPLAINT_STATE_ASSIGNED, readers},
      {"ListComplaintEvents", Op::kEvents, Step::kNote, v1::COMPLAINT_STATE_ASSIGNED, readers},
      {"VerifyComplaint", Op::kStep, Step::kVerify, v1::COMPLAINT_STATE_RECEIVED, intake},
      {"ArchiveComplaint", Op::kStep, Step::kArchive, v1::COMPLAINT_STATE_RECEIVED, intake},
      {"RejectComplaint", Op::kStep, Step::kReject, v1::COMPLAINT_STATE_VERIFIED, intake},
      {"AssignComplaint", Op::kStep, Step::kAssign, v1::COMPLAINT_STATE_VERIFIED, supervisors},
      {"StartInvestigation", Op::kStep, Step::kStart, v1::COMPLAINT_STATE_ASSIGNED,
       investigators},
      {"RequestClarification", Op::kStep, Step::kClarify,
       v1::COMPLAINT_STATE_UNDER_INVESTIGATION, staff},
      {"ConcludeComplaint", Op::kStep, Step::kConclude,
       v1::COMPLAINT_STATE_UNDER_INVESTIGATION, investigators},
      {"AnswerComplaint", Op::kStep, Step::kAnswer, v1::COMPLAINT_STATE_CONCLUDED, supervisors},
      {"CloseComplaint", Op::kStep, Step::kClose, v1::COMPLAINT_STATE_ANSWERED, supervisors},
      {"ReopenComplaint", Op::kStep, Step::kReopen, v1::COMPLAINT_STATE_ANSWERED, supervisors},
      {"AddComplaintNote", Op::kStep, Step::kNote, v1::COMPLAINT_STATE_ASSIGNED, staff},
  };
  // The caller's unit relative to the complaint (about sat-lantas, handled by
  // propam once assigned).
  enum class Relation { kHandling, kOther, kSubject, kNone };
  const std::pair<Relation, std::string> relations[] = {{Relation::kHandling, "propam"},
                                                        {Relation::kOther, "sat-reskrim"},
                                                        {Relation::kSubject, "sat-lantas"},
                                                        {Relation::kNone, ""}};
  const Role roles[] = {Role::kGateway, Role::kIntake,    Role::kUnit,
                        Role::kSupervisor, Role::kOversight, Role::kAdmin};
  std::map<std::pair<Role, Relation>, std::string> tokens;
  for (Role role : roles) {
    for (const auto& [relation, unit] : relations) {
      if (role == Role::kUnit && unit.empty()) continue;  // a unit principal has a unit
      tokens[{role, relation}] =
          NewToken(absl::StrCat("matrix-", RoleName(role), "-", unit), role, unit,
                   role == Role::kGateway ? ChannelSet{Channel::kWhatsapp} : ChannelSet{});
    }
  }
  for (const Method& method : methods) {
    for (const auto& [key, caller] : tokens) {
      const auto [role, relation] = key;
      SCOPED_TRACE(absl::StrCat(method.name, " by ", RoleName(role), " of ",
                                relations[static_cast<int>(relation)].second));
      grpc::StatusCode expected = grpc::StatusCode::OK;
      const bool visible = role == Role::kUnit ? relation == Relation::kHandling &&
                                                     method.state != v1::COMPLAINT_STATE_RECEIVED &&
                                                     method.state != v1::COMPLAINT_STATE_VERIFIED
                                               : relation != Relation::kSubject;
      if (!method.roles.contains(role)) {
        expected = grpc::StatusCode::PERMISSION_DENIED;
      } else if (!visible) {
        expected = grpc::StatusCode::NOT_FOUND;
      } else if (method.step == Step::kClarify && role == Role::kIntake) {
        expected = grpc::StatusCode::PERMISSION_DENIED;  // intake asks only before assignment
      }
      Handle h = InState(method.state);
      grpc::Status status;
      if (method.op == Op::kGet) {
        v1::GetComplaintResponse response;
        status = Get(h.name, v1::COMPLAINT_VIEW_FULL, caller, &response);
        if (status.ok()) {
          // Identity only to INTAKE, SUPERVISOR and the handling unit.
          EXPECT_EQ(response.complaint().has_complainant(),
                    role == Role::kIntake || role == Role::kSupervisor || role == Role::kUnit);
        }
      } else if (method.op == Op::kEvents) {
        v1::ListComplaintEventsRequest request;
        request.set_parent(h.name);
        v1::ListComplaintEventsResponse response;
        grpc::ClientContext context;
        Authorize(context, caller);
        status = stub().ListComplaintEvents(&context, request, &response);
      } else {
        status = Do(method.step, h, caller);
      }
      EXPECT_EQ(status.error_code(), expected) << status.error_message();
      if (expected != grpc::StatusCode::OK && method.op == Op::kStep) {
        const State before = h.state;
        ASSERT_TRUE(Refresh(h).ok());
        EXPECT_EQ(h.state, before);  // nothing changed
      }
    }
  }
}

TEST_F(CaseHandlingTest, ConflictOfInterestHidesComplaintsFromTheSubjectUnit) {
  Handle h = InState(v1::COMPLAINT_STATE_ASSIGNED);
  const std::string lantas_supervisor =
      NewToken("kasat-lantas", Role::kSupervisor, "sat-lantas");
  v1::GetComplaintResponse response;
  EXPECT_EQ(Get(h.name, v1::COMPLAINT_VIEW_BASIC, lantas_supervisor, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  for (const auto& complaint : ListAll({}, lantas_supervisor)) {
    EXPECT_NE(complaint.subject().unit(), "units/sat-lantas");
  }
  // Nor can a complaint be assigned to the unit it is about.
  Handle v = InState(v1::COMPLAINT_STATE_VERIFIED);
  v1::AssignComplaintRequest request;
  request.set_name(v.name);
  request.set_etag(v.etag);
  request.set_handling_unit("units/sat-lantas");
  v1::AssignComplaintResponse assigned;
  grpc::ClientContext context;
  Authorize(context, supervisor());
  const grpc::Status status = stub().AssignComplaint(&context, request, &assigned);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(CaseHandlingTest, ConfidentialIdentityIsHiddenFromTheHandlingUnit) {
  v1::SubmitComplaintRequest request = ValidRequest();
  request.mutable_complaint()->set_confidential(true);
  v1::SubmitComplaintResponse submitted;
  ASSERT_TRUE(Submit(request, &submitted).ok());
  Handle h{submitted.complaint().name(), submitted.reference_number(), submitted.tracking_code(),
           submitted.complaint().etag(), submitted.complaint().state()};
  ASSERT_TRUE(Do(Step::kVerify, h, supervisor()).ok());
  ASSERT_TRUE(Do(Step::kAssign, h, supervisor()).ok());
  const std::string propam = NewToken("unit-propam", Role::kUnit, "propam");
  v1::GetComplaintResponse response;
  ASSERT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_FULL, propam, &response).ok());
  EXPECT_FALSE(response.complaint().has_complainant());
  ASSERT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_FULL, supervisor(), &response).ok());
  EXPECT_TRUE(response.complaint().has_complainant());
  // The supervisor's read of the identity is on the record.
  int reads = 0;
  for (const auto& event : Events(h)) reads += event.type() == "IDENTITY_READ";
  EXPECT_EQ(reads, 1);
}

// --- Notifications ------------------------------------------------------------

TEST_F(CaseHandlingTest, EachStepQueuesItsNotificationForTheChannel) {
  Handle h = InState(v1::COMPLAINT_STATE_CLOSED);
  std::vector<v1::NotificationKind> kinds;
  std::vector<std::string> names;
  for (const auto& n : Fetch(h)) {
    kinds.push_back(n.kind());
    names.push_back(n.name());
    EXPECT_EQ(n.channel(), v1::CHANNEL_WHATSAPP);
    EXPECT_EQ(n.reply_address(), "+6281234567890");
    EXPECT_THAT(n.text(), HasSubstr(h.reference));
    EXPECT_EQ(n.delivery_attempt(), 1);
    if (n.kind() == v1::NOTIFICATION_KIND_RECEIPT) {
      EXPECT_THAT(n.text(), HasSubstr(h.code));
    }
  }
  EXPECT_THAT(kinds, ::testing::ElementsAre(
                         v1::NOTIFICATION_KIND_RECEIPT, v1::NOTIFICATION_KIND_SP3D,
                         v1::NOTIFICATION_KIND_ANSWER, v1::NOTIFICATION_KIND_CLOSURE));
  ASSERT_TRUE(Acknowledge(names).ok());
  EXPECT_TRUE(Acknowledge(names).ok());  // twice is harmless
}

TEST_F(CaseHandlingTest, UnacknowledgedNotificationsComeBackAfterTheLease) {
  Handle h = NewComplaint();
  std::vector<v1::Notification> first = Fetch(h, /*lease_seconds=*/5);
  ASSERT_EQ(first.size(), 1u);
  // The gateway dies before acknowledging: while leased, nobody else gets it.
  EXPECT_THAT(Fetch(h), IsEmpty());
  absl::SleepFor(absl::Seconds(5.5));
  std::vector<v1::Notification> again = Fetch(h, 5);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].name(), first[0].name());
  EXPECT_EQ(again[0].delivery_attempt(), 2);
  ASSERT_TRUE(Acknowledge({again[0].name()}).ok());
  absl::SleepFor(absl::Seconds(5.5));
  EXPECT_THAT(Fetch(h), IsEmpty());
}

TEST_F(CaseHandlingTest, GatewaysSeeOnlyTheirChannel) {
  Handle h = NewComplaint();  // WhatsApp
  v1::CreatePrincipalRequest request;
  request.mutable_principal()->set_display_name("gateway-email");
  request.mutable_principal()->set_role(v1::ROLE_GATEWAY);
  request.mutable_principal()->add_channels(v1::CHANNEL_EMAIL);
  v1::CreatePrincipalResponse created;
  grpc::ClientContext context;
  Authorize(context, token(Role::kAdmin));
  ASSERT_TRUE(admin().CreatePrincipal(&context, request, &created).ok());
  EXPECT_THAT(Fetch(h, 60, created.token()), IsEmpty());
  std::vector<v1::Notification> whatsapp = Fetch(h);
  ASSERT_EQ(whatsapp.size(), 1u);
  EXPECT_EQ(Acknowledge({whatsapp[0].name()}, created.token()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Acknowledge({"notifications/abc"}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CaseHandlingTest, StreamDeliversNewNotifications) {
  grpc::ClientContext context;
  Authorize(context, token(Role::kGateway));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::StreamNotificationsRequest request;
  auto reader = notifications().StreamNotifications(&context, request);
  const Handle h = NewComplaint();
  v1::StreamNotificationsResponse message;
  bool found = false;
  while (!found && reader->Read(&message)) {
    found = message.notification().complaint() == h.name &&
            message.notification().kind() == v1::NOTIFICATION_KIND_RECEIPT;
  }
  EXPECT_TRUE(found);
  context.TryCancel();
  reader->Finish();
}

// --- Deadlines and listings ----------------------------------------------------

TEST_F(CaseHandlingTest, AssignmentSendsTheSp3dAndStartsTheResultDeadline) {
  Handle h = InState(v1::COMPLAINT_STATE_ASSIGNED);
  v1::GetComplaintResponse response;
  ASSERT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &response).ok());
  const v1::Complaint& c = response.complaint();
  EXPECT_EQ(c.handling_unit(), "units/propam");  // the routing rule of the category
  EXPECT_TRUE(c.has_sp3d_time());
  EXPECT_EQ(c.sp3d_status(), v1::DEADLINE_STATUS_MET);
  EXPECT_EQ(c.result_status(), v1::DEADLINE_STATUS_PENDING);
  const absl::CivilDay sp3d = absl::ToCivilDay(absl::FromUnixSeconds(c.sp3d_time().seconds()),
                                                PaluTimeZone());
  const absl::CivilDay due(c.result_due_date().year(), c.result_due_date().month(),
                           c.result_due_date().day());
  EXPECT_GE(due - sp3d, 56);  // 40 working days: at least eight weeks
  v1::TrackComplaintResponse tracked;
  ASSERT_TRUE(Track(h.reference, h.code, &tracked).ok());
  EXPECT_TRUE(tracked.complaint().sp3d_sent());
  EXPECT_EQ(tracked.complaint().result_due_date().day(), c.result_due_date().day());
}

TEST_F(CaseHandlingTest, OverdueComplaintsAreListed) {
  Handle late = NewComplaint();
  Handle on_time = NewComplaint();
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat("UPDATE complaints SET sp3d_due_date = '2020-01-06' "
                                        "WHERE reference_number = '",
                                        late.reference, "'"))
                  .ok());
  v1::ListComplaintsRequest request;
  request.set_overdue(true);
  std::vector<std::string> names;
  for (const auto& c : ListAll(request, supervisor())) {
    names.push_back(c.name());
    EXPECT_EQ(c.sp3d_status(), v1::DEADLINE_STATUS_OVERDUE);
  }
  EXPECT_THAT(names, ::testing::ElementsAre(late.name));
}

TEST_F(CaseHandlingTest, ListingPagesEveryComplaintOnceNewestFirst) {
  std::set<std::string> submitted;
  for (int i = 0; i < 23; ++i) submitted.insert(NewComplaint().name);
  v1::ListComplaintsRequest request;
  request.set_page_size(5);
  int pages = 0;
  const std::vector<v1::Complaint> all = ListAll(request, supervisor(), &pages);
  EXPECT_EQ(pages, 5);
  std::set<std::string> listed;
  for (size_t i = 0; i < all.size(); ++i) {
    listed.insert(all[i].name());
    EXPECT_FALSE(all[i].has_complainant());
    if (i > 0) {
      EXPECT_GE(all[i - 1].create_time().seconds() * 1000000000LL + all[i - 1].create_time().nanos(),
                all[i].create_time().seconds() * 1000000000LL + all[i].create_time().nanos());
    }
  }
  EXPECT_EQ(listed, submitted);
  EXPECT_EQ(all.size(), submitted.size());

  // A token is bound to its filters.
  v1::ListComplaintsResponse first;
  grpc::ClientContext c1;
  Authorize(c1, supervisor());
  ASSERT_TRUE(stub().ListComplaints(&c1, request, &first).ok());
  request.set_page_token(first.next_page_token());
  request.set_channel(v1::CHANNEL_EMAIL);
  v1::ListComplaintsResponse second;
  grpc::ClientContext c2;
  Authorize(c2, supervisor());
  EXPECT_EQ(stub().ListComplaints(&c2, request, &second).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CaseHandlingTest, ListingFiltersAndScopes) {
  Handle received = NewComplaint();
  Handle assigned = InState(v1::COMPLAINT_STATE_ASSIGNED);
  v1::ListComplaintsRequest by_state;
  by_state.add_states(v1::COMPLAINT_STATE_ASSIGNED);
  std::vector<v1::Complaint> found = ListAll(by_state, supervisor());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].name(), assigned.name);

  v1::ListComplaintsRequest by_unit;
  by_unit.set_handling_unit("units/propam");
  EXPECT_EQ(ListAll(by_unit, supervisor()).size(), 1u);
  v1::ListComplaintsRequest by_subject;
  by_subject.set_subject_unit("units/sat-lantas");
  EXPECT_EQ(ListAll(by_subject, supervisor()).size(), 2u);
  v1::ListComplaintsRequest by_category;
  by_category.set_category("categories/korupsi");
  EXPECT_THAT(ListAll(by_category, supervisor()), IsEmpty());
  v1::ListComplaintsRequest by_time;
  by_time.mutable_received_before()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
  EXPECT_THAT(ListAll(by_time, supervisor()), IsEmpty());

  // A unit sees what is assigned to it, and nothing else.
  const std::string propam = NewToken("unit-propam", Role::kUnit, "propam");
  found = ListAll({}, propam);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].name(), assigned.name);
  EXPECT_THAT(ListAll({}, NewToken("unit-reskrim", Role::kUnit, "sat-reskrim")), IsEmpty());
  // Oversight reads everything; a gateway reads nothing.
  EXPECT_EQ(ListAll({}, token(Role::kOversight)).size(), 2u);
  v1::ListComplaintsResponse response;
  grpc::ClientContext context;
  Authorize(context, token(Role::kGateway));
  EXPECT_EQ(stub().ListComplaints(&context, {}, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// --- The complainant's side ----------------------------------------------------

TEST_F(CaseHandlingTest, ComplainantAnswersClarificationDisputesAndRates) {
  Handle h = InState(v1::COMPLAINT_STATE_UNDER_INVESTIGATION);
  ASSERT_TRUE(Do(Step::kClarify, h, supervisor()).ok());
  v1::TrackComplaintResponse tracked;
  ASSERT_TRUE(Track(h.reference, h.code, &tracked).ok());
  EXPECT_THAT(tracked.complaint().clarification_question(), HasSubstr("jam kejadian"));
  ASSERT_TRUE(Do(Step::kRespond, h, "").ok());
  ASSERT_TRUE(Track(h.reference, h.code, &tracked).ok());
  EXPECT_THAT(tracked.complaint().clarification_question(), IsEmpty());
  EXPECT_EQ(Do(Step::kRespond, h, "").error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Rating waits for the answer.
  EXPECT_EQ(Do(Step::kRate, h, "").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Do(Step::kConclude, h, supervisor()).ok());
  ASSERT_TRUE(Do(Step::kAnswer, h, supervisor()).ok());
  ASSERT_TRUE(Track(h.reference, h.code, &tracked).ok());
  EXPECT_THAT(tracked.complaint().answer().text(), HasSubstr("terbukti"));
  ASSERT_TRUE(Do(Step::kRate, h, "").ok());
  ASSERT_TRUE(Track(h.reference, h.code, &tracked).ok());
  EXPECT_EQ(tracked.complaint().satisfaction_rating(), 4);

  v1::RateComplaintHandlingRequest bad;
  bad.set_reference_number(h.reference);
  bad.set_tracking_code(h.code);
  bad.set_rating(6);
  v1::RateComplaintHandlingResponse rated;
  grpc::ClientContext context;
  EXPECT_EQ(stub().RateComplaintHandling(&context, bad, &rated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  ASSERT_TRUE(Do(Step::kDispute, h, "").ok());
  EXPECT_EQ(h.state, v1::COMPLAINT_STATE_REOPENED);
  // The timeline shows the complainant the public steps only.
  ASSERT_TRUE(Track(h.reference, h.code, &tracked).ok());
  for (const auto& event : tracked.complaint().timeline()) {
    EXPECT_THAT(event.message(), Not(HasSubstr("CCTV")));  // findings stay internal
  }
  // A wrong code changes nothing.
  Handle wrong = h;
  wrong.code = NewComplaint().code;
  EXPECT_EQ(Do(Step::kRate, wrong, "").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CaseHandlingTest, ComplainantRetriesWithTheSameRequestIdActOnce) {
  Handle h = InState(v1::COMPLAINT_STATE_ANSWERED);
  v1::RateComplaintHandlingRequest request;
  request.set_reference_number(h.reference);
  request.set_tracking_code(h.code);
  request.set_rating(5);
  request.set_request_id("6d1f0c3a-9b2e-4f7d-8a5c-1e3b7d9f2a40");
  for (int i = 0; i < 2; ++i) {
    v1::RateComplaintHandlingResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub().RateComplaintHandling(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.complaint().satisfaction_rating(), 5);
  }
  int rated = 0;
  for (const auto& event : Events(h)) rated += event.type() == "RATED";
  EXPECT_EQ(rated, 1);
  request.set_request_id("retry-2");
  v1::RateComplaintHandlingResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(stub().RateComplaintHandling(&context, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// --- Administration ------------------------------------------------------------

TEST_F(CaseHandlingTest, AdminManagesPrincipalsRoutingAndCalendar) {
  auto call_admin = [&](auto rpc, const auto& request, auto* response,
                        const std::string& caller) {
    grpc::ClientContext context;
    Authorize(context, caller);
    return (admin().*rpc)(&context, request, response);
  };
  const std::string& admin_token = token(Role::kAdmin);

  // Only ADMIN administers.
  v1::ListRoutingRulesResponse rules;
  EXPECT_EQ(call_admin(&v1::AdminService::Stub::ListRoutingRules, v1::ListRoutingRulesRequest(),
                       &rules, supervisor())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(call_admin(&v1::AdminService::Stub::ListRoutingRules,
                         v1::ListRoutingRulesRequest(), &rules, admin_token)
                  .ok());
  EXPECT_GE(rules.routing_rules_size(), 6);

  // A new principal's token works until it is revoked.
  v1::CreatePrincipalRequest create;
  create.mutable_principal()->set_display_name("spkt-piket");
  create.mutable_principal()->set_role(v1::ROLE_INTAKE);
  create.mutable_principal()->set_unit("units/spkt");
  v1::CreatePrincipalResponse created;
  ASSERT_TRUE(
      call_admin(&v1::AdminService::Stub::CreatePrincipal, create, &created, admin_token).ok());
  v1::SubmitComplaintResponse submitted;
  EXPECT_TRUE(Submit(ValidRequest(), &submitted, created.token()).ok());
  EXPECT_EQ(call_admin(&v1::AdminService::Stub::CreatePrincipal, create, &created, admin_token)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  v1::RevokePrincipalRequest revoke;
  revoke.set_name(created.principal().name());
  v1::RevokePrincipalResponse revoked;
  ASSERT_TRUE(
      call_admin(&v1::AdminService::Stub::RevokePrincipal, revoke, &revoked, admin_token).ok());
  EXPECT_TRUE(revoked.principal().has_revoke_time());
  EXPECT_EQ(Submit(ValidRequest(), &submitted, created.token()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // A new routing rule sends the category elsewhere.
  v1::SetRoutingRuleRequest rule;
  rule.mutable_routing_rule()->set_category("categories/penyalahgunaan-wewenang");
  rule.mutable_routing_rule()->set_unit("units/siwas");
  v1::SetRoutingRuleResponse set_rule;
  ASSERT_TRUE(
      call_admin(&v1::AdminService::Stub::SetRoutingRule, rule, &set_rule, admin_token).ok());
  Handle h = InState(v1::COMPLAINT_STATE_ASSIGNED);
  v1::GetComplaintResponse got;
  ASSERT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &got).ok());
  EXPECT_EQ(got.complaint().handling_unit(), "units/siwas");
  rule.mutable_routing_rule()->set_unit("units/nowhere");
  EXPECT_EQ(call_admin(&v1::AdminService::Stub::SetRoutingRule, rule, &set_rule, admin_token)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Holidays move the due dates of new complaints and of running ones: the
  // next two weeks off (ten weekdays, whatever the date), set per year, as a
  // window over New Year spans two.
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), PaluTimeZone());
  Handle before = NewComplaint();
  v1::GetComplaintResponse before_view;
  ASSERT_TRUE(Get(before.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &before_view).ok());
  std::map<int, v1::SetHolidaysRequest> by_year;
  std::vector<absl::CivilDay> days_off;
  for (absl::CivilDay day = today + 1; day <= today + 14; ++day) {
    v1::SetHolidaysRequest& request = by_year[static_cast<int>(day.year())];
    request.set_year(static_cast<int>(day.year()));
    v1::Holiday* holiday = request.add_holidays();
    holiday->mutable_date()->set_year(static_cast<int>(day.year()));
    holiday->mutable_date()->set_month(day.month());
    holiday->mutable_date()->set_day(day.day());
    holiday->set_display_name("Cuti bersama");
    holiday->set_kind(v1::HOLIDAY_KIND_CUTI_BERSAMA);
    days_off.push_back(day);
  }
  v1::SetHolidaysResponse set_holidays;
  for (const auto& [year, request] : by_year) {
    ASSERT_TRUE(call_admin(&v1::AdminService::Stub::SetHolidays, request, &set_holidays,
                           admin_token)
                    .ok());
    EXPECT_EQ(set_holidays.holidays_size(), request.holidays_size());
  }
  // Those years now hold these days only; later years hold none.
  const WorkingDayCalendar calendar(days_off);
  const auto due_of = [&](const Handle& h) {
    v1::GetComplaintResponse view;
    EXPECT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &view).ok());
    const absl::CivilDay received = absl::ToCivilDay(
        absl::FromUnixSeconds(view.complaint().create_time().seconds()), PaluTimeZone());
    const auto& due = view.complaint().sp3d_due_date();
    return std::make_pair(calendar.AddWorkingDays(received, kSp3dWorkingDays),
                          absl::CivilDay(due.year(), due.month(), due.day()));
  };
  Handle after = NewComplaint();
  const auto [after_expected, after_due] = due_of(after);
  EXPECT_EQ(after_due, after_expected);
  const auto [before_expected, before_due] = due_of(before);  // recomputed: still running
  EXPECT_EQ(before_due, before_expected);
  const auto& b = before_view.complaint().sp3d_due_date();
  EXPECT_GT(after_due, absl::CivilDay(b.year(), b.month(), b.day()));

  v1::SetHolidaysRequest holidays = by_year.begin()->second;
  holidays.add_holidays()->mutable_date()->set_year(1999);
  EXPECT_EQ(call_admin(&v1::AdminService::Stub::SetHolidays, holidays, &set_holidays,
                       admin_token)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace dumas

// --- Gateways keep to their channels -------------------------------------------

namespace dumas {
namespace {

class GatewayChannelsTest : public CaseHandlingTest {
 protected:
  // An ADMIN's CreatePrincipal of a GATEWAY with `channels`.
  grpc::Status CreateGateway(const std::string& name, const std::vector<v1::Channel>& channels,
                             v1::CreatePrincipalResponse* created) {
    v1::CreatePrincipalRequest request;
    request.mutable_principal()->set_display_name(name);
    request.mutable_principal()->set_role(v1::ROLE_GATEWAY);
    for (v1::Channel channel : channels) request.mutable_principal()->add_channels(channel);
    grpc::ClientContext context;
    Authorize(context, token(Role::kAdmin));
    return admin().CreatePrincipal(&context, request, created);
  }

  static std::vector<std::string> Fields(const grpc::Status& status) {
    google::rpc::Status details;
    std::vector<std::string> fields;
    if (!details.ParseFromString(status.error_details())) return fields;
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad_request;
      if (!any.UnpackTo(&bad_request)) continue;
      for (const auto& v : bad_request.field_violations()) fields.push_back(v.field());
    }
    return fields;
  }
};

TEST_F(GatewayChannelsTest, AGatewayNamesOneOrMoreChannels) {
  v1::CreatePrincipalResponse created;
  grpc::Status status = CreateGateway("gateway-nothing", {}, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(status), ::testing::Contains("principal.channels"));
  status = CreateGateway("gateway-unspecified", {v1::CHANNEL_UNSPECIFIED}, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(status), ::testing::Contains("principal.channels[0]"));

  v1::CreatePrincipalRequest intake;
  intake.mutable_principal()->set_display_name("intake-with-channel");
  intake.mutable_principal()->set_role(v1::ROLE_INTAKE);
  intake.mutable_principal()->add_channels(v1::CHANNEL_WEB);
  grpc::ClientContext context;
  Authorize(context, token(Role::kAdmin));
  EXPECT_EQ(admin().CreatePrincipal(&context, intake, &created).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  ASSERT_TRUE(CreateGateway("gateway-sosmed", {v1::CHANNEL_TWITTER, v1::CHANNEL_FACEBOOK},
                            &created)
                  .ok());
  EXPECT_THAT(created.principal().channels(),
              ::testing::ElementsAre(v1::CHANNEL_FACEBOOK, v1::CHANNEL_TWITTER));
}

TEST_F(GatewayChannelsTest, AGatewaySubmitsOnItsOwnChannelsOnly) {
  v1::CreatePrincipalResponse whatsapp;
  ASSERT_TRUE(CreateGateway("gateway-wa", {v1::CHANNEL_WHATSAPP}, &whatsapp).ok());
  for (v1::Channel channel : {v1::CHANNEL_EMAIL, v1::CHANNEL_KOMPOLNAS}) {
    v1::SubmitComplaintRequest request = ValidRequest();
    request.mutable_complaint()->set_channel(channel);
    request.mutable_complaint()->set_reply_address(channel == v1::CHANNEL_EMAIL
                                                       ? "warga@example.id"
                                                       : "KOMPOLNAS-2026-0001");
    v1::SubmitComplaintResponse response;
    const grpc::Status status = Submit(request, &response, whatsapp.token());
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << v1::Channel_Name(channel) << ": " << status.error_message();
  }
  EXPECT_EQ(CountComplaints(), 0);
  v1::SubmitComplaintResponse response;
  EXPECT_TRUE(Submit(ValidRequest(), &response, whatsapp.token()).ok());
  // INTAKE registers complaints of any channel (the SPKT counter, the phone).
  v1::SubmitComplaintRequest walk_in = ValidRequest();
  walk_in.mutable_complaint()->set_channel(v1::CHANNEL_WALK_IN);
  EXPECT_TRUE(Submit(walk_in, &response, token(Role::kIntake)).ok());
}

TEST_F(GatewayChannelsTest, AGatewayLeasesAndAcknowledgesItsChannelsOnly) {
  v1::CreatePrincipalResponse email;
  ASSERT_TRUE(CreateGateway("gateway-email", {v1::CHANNEL_EMAIL}, &email).ok());
  v1::CreatePrincipalResponse both;
  ASSERT_TRUE(
      CreateGateway("gateway-both", {v1::CHANNEL_EMAIL, v1::CHANNEL_WHATSAPP}, &both).ok());
  const Handle h = NewComplaint();  // WhatsApp: its receipt holds the tracking code
  EXPECT_THAT(Fetch(h, 60, email.token()), IsEmpty());
  const std::vector<v1::Notification> leased = Fetch(h, 60, both.token());
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].channel(), v1::CHANNEL_WHATSAPP);
  EXPECT_EQ(Acknowledge({leased[0].name()}, email.token()).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Acknowledge({leased[0].name()}, both.token()).ok());

  // A gateway left without channels (made before gateways named them) is
  // refused rather than served every channel.
  v1::CreatePrincipalResponse legacy;
  ASSERT_TRUE(CreateGateway("gateway-legacy", {v1::CHANNEL_WEB}, &legacy).ok());
  ASSERT_TRUE(database()
                  .Execute("UPDATE principals SET channel_mask = 0 WHERE name = 'gateway-legacy'")
                  .ok());
  v1::FetchNotificationsRequest request;
  v1::FetchNotificationsResponse response;
  grpc::ClientContext context;
  Authorize(context, legacy.token());
  EXPECT_EQ(notifications().FetchNotifications(&context, request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// --- Request ids are bound to what they asked -----------------------------------

TEST_F(CaseHandlingTest, ARequestIdIsBoundToItsMethodComplaintAndContent) {
  Handle h = NewComplaint();
  Handle other = NewComplaint();
  const std::string rid = "6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f";
  auto verify = [&](Handle& target, const std::string& request_id, const std::string& note) {
    v1::VerifyComplaintRequest request;
    request.set_name(target.name);
    request.set_etag(target.etag);
    request.set_request_id(request_id);
    request.set_internal_note(note);
    v1::VerifyComplaintResponse response;
    grpc::ClientContext context;
    Authorize(context, supervisor());
    return stub().VerifyComplaint(&context, request, &response);
  };
  ASSERT_TRUE(verify(h, rid, "").ok());
  // The retry, in any case of letters, is the same change.
  EXPECT_TRUE(verify(h, rid, "").ok());
  EXPECT_TRUE(verify(h, absl::AsciiStrToUpper(rid), "").ok());
  // Anything else under the same request_id is refused and changes nothing:
  // other content, another complaint, another method.
  EXPECT_EQ(verify(h, rid, "catatan lain").error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(verify(other, rid, "").error_code(), grpc::StatusCode::ALREADY_EXISTS);
  v1::RejectComplaintRequest reject;
  reject.set_name(h.name);
  ASSERT_TRUE(Refresh(h).ok());
  reject.set_etag(h.etag);
  reject.set_request_id(rid);
  reject.set_reason(v1::REJECTION_REASON_DUPLICATE);
  reject.set_public_reason("Pengaduan yang sama sudah terdaftar sebelumnya.");
  v1::RejectComplaintResponse rejected;
  grpc::ClientContext context;
  Authorize(context, supervisor());
  EXPECT_EQ(stub().RejectComplaint(&context, reject, &rejected).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(Refresh(h).ok());
  ASSERT_TRUE(Refresh(other).ok());
  EXPECT_EQ(h.state, v1::COMPLAINT_STATE_VERIFIED);
  EXPECT_EQ(other.state, v1::COMPLAINT_STATE_RECEIVED);
  int verified = 0;
  for (const v1::ComplaintEvent& event : Events(h)) verified += event.type() == "VERIFIED";
  EXPECT_EQ(verified, 1);

  // The complainant's request ids are bound the same way.
  Handle answered = InState(v1::COMPLAINT_STATE_ANSWERED);
  auto rate = [&](int rating) {
    v1::RateComplaintHandlingRequest request;
    request.set_reference_number(answered.reference);
    request.set_tracking_code(answered.code);
    request.set_rating(rating);
    request.set_request_id("0a9b8c7d-6e5f-4a3b-8c1d-0e9f8a7b6c5d");
    v1::RateComplaintHandlingResponse response;
    grpc::ClientContext rate_context;
    return stub().RateComplaintHandling(&rate_context, request, &response);
  };
  EXPECT_TRUE(rate(4).ok());
  EXPECT_TRUE(rate(4).ok());
  EXPECT_EQ(rate(1).error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(CaseHandlingTest, AReplayChecksThatTheCallerMayStillSeeTheComplaint) {
  // Propam handles the complaint and starts investigating, with a request_id.
  Handle h = InState(v1::COMPLAINT_STATE_VERIFIED);
  v1::AssignComplaintRequest assign;
  assign.set_name(h.name);
  assign.set_etag(h.etag);
  assign.set_handling_unit("units/propam");
  v1::AssignComplaintResponse assigned;
  {
    grpc::ClientContext context;
    Authorize(context, supervisor());
    ASSERT_TRUE(stub().AssignComplaint(&context, assign, &assigned).ok());
  }
  const std::string propam = NewToken("unit-propam", Role::kUnit, "propam");
  v1::StartInvestigationRequest start;
  start.set_name(h.name);
  start.set_etag(assigned.complaint().etag());
  start.set_request_id("9e8d7c6b-5a49-4382-9716-a5b4c3d2e1f0");
  auto start_as_propam = [&] {
    v1::StartInvestigationResponse response;
    grpc::ClientContext context;
    Authorize(context, propam);
    return stub().StartInvestigation(&context, start, &response);
  };
  ASSERT_TRUE(start_as_propam().ok());
  EXPECT_TRUE(start_as_propam().ok());  // a retry
  // The case moves on and goes to Si Was after a dispute.
  ASSERT_TRUE(Refresh(h).ok());
  ASSERT_TRUE(Do(Step::kConclude, h, supervisor()).ok());
  ASSERT_TRUE(Do(Step::kAnswer, h, supervisor()).ok());
  ASSERT_TRUE(Do(Step::kDispute, h, "").ok());
  assign.set_etag(h.etag);
  assign.set_handling_unit("units/siwas");
  {
    grpc::ClientContext context;
    Authorize(context, supervisor());
    ASSERT_TRUE(stub().AssignComplaint(&context, assign, &assigned).ok());
  }
  // Propam's retry now shows it nothing.
  EXPECT_EQ(start_as_propam().error_code(), grpc::StatusCode::NOT_FOUND);
}

// --- Reopened complaints are tracked again ----------------------------------------

TEST_F(CaseHandlingTest, AReopenedComplaintOwesANewResultAndShowsOverdue) {
  Handle h = InState(v1::COMPLAINT_STATE_ANSWERED);
  const std::string answer = "Pengaduan Anda terbukti; petugas telah diproses oleh Propam.";
  // The result was due on a day that has passed (as if the dispute came late).
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat("UPDATE complaints SET result_due_date = '2026-01-05'"
                                        " WHERE reference_number = '",
                                        h.reference, "'"))
                  .ok());
  ASSERT_TRUE(Do(Step::kDispute, h, "").ok());
  EXPECT_EQ(h.state, v1::COMPLAINT_STATE_REOPENED);

  // The disputed answer is no longer the answer, but stays in the history.
  v1::GetComplaintResponse got;
  ASSERT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &got).ok());
  EXPECT_FALSE(got.complaint().has_answer_time());
  v1::TrackComplaintResponse tracked;
  ASSERT_TRUE(Track(h.reference, h.code, &tracked).ok());
  EXPECT_FALSE(tracked.complaint().has_answer());
  bool answer_on_timeline = false;
  for (const v1::PublicEvent& event : tracked.complaint().timeline()) {
    answer_on_timeline |= event.message().find(answer) != std::string::npos;
  }
  EXPECT_TRUE(answer_on_timeline);
  bool answer_in_events = false;
  for (const v1::ComplaintEvent& event : Events(h)) {
    answer_in_events |= event.type() == "ANSWERED" &&
                        event.public_message().find(answer) != std::string::npos;
  }
  EXPECT_TRUE(answer_in_events);

  // The earlier due date has passed: it is overdue, listed and tracked so.
  EXPECT_EQ(got.complaint().result_status(), v1::DEADLINE_STATUS_OVERDUE);
  v1::ListComplaintsRequest overdue;
  overdue.set_overdue(true);
  std::vector<std::string> listed;
  for (const v1::Complaint& c : ListAll(overdue, supervisor())) listed.push_back(c.name());
  EXPECT_THAT(listed, ::testing::Contains(h.name));
  ASSERT_TRUE(Track(h.reference, h.code, &tracked).ok());
  EXPECT_EQ(tracked.complaint().result_due_date().year(), 2026);
  EXPECT_EQ(tracked.complaint().result_due_date().month(), 1);

  // A new disposition starts a new result deadline and tells the complainant.
  ASSERT_TRUE(Refresh(h).ok());
  ASSERT_TRUE(Do(Step::kAssign, h, supervisor()).ok());
  ASSERT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &got).ok());
  EXPECT_EQ(got.complaint().result_status(), v1::DEADLINE_STATUS_PENDING);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), PaluTimeZone());
  const absl::CivilDay due(got.complaint().result_due_date().year(),
                           got.complaint().result_due_date().month(),
                           got.complaint().result_due_date().day());
  EXPECT_GT(due, today + 40);  // 40 working days: at least eight weeks
  listed.clear();
  for (const v1::Complaint& c : ListAll(overdue, supervisor())) listed.push_back(c.name());
  EXPECT_THAT(listed, Not(::testing::Contains(h.name)));
  int sp3d = 0;
  for (const v1::Notification& n : Fetch(h)) sp3d += n.kind() == v1::NOTIFICATION_KIND_SP3D;
  EXPECT_EQ(sp3d, 2);  // the first disposition's and this one's
}

// Each case action's event records what the Anev report counts it by, as it
// happens (migration 0015): the unit that handled the complaint then, the day
// it was received, and the due day of the deadline it fulfils. A conclusion,
// an answer and its dispute stay with the unit that handled them when the
// complaint is assigned to another unit later.
TEST_F(CaseHandlingTest, CaseEventsRecordWhatTheReportCountsThemBy) {
  Handle h = InState(v1::COMPLAINT_STATE_CONCLUDED);
  v1::GetComplaintResponse before;
  ASSERT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &before).ok());
  const std::string first_unit(
      absl::StripPrefix(before.complaint().handling_unit(), "units/"));
  ASSERT_FALSE(first_unit.empty());
  const std::string other_unit = first_unit == "siwas" ? "propam" : "siwas";
  auto day = [](const google::type::Date& d) {
    return absl::FormatCivilTime(absl::CivilDay(d.year(), d.month(), d.day()));
  };
  const std::string sp3d_due = day(before.complaint().sp3d_due_date());
  const std::string result_due = day(before.complaint().result_due_date());
  ASSERT_TRUE(Do(Step::kAnswer, h, supervisor()).ok());
  ASSERT_TRUE(Do(Step::kDispute, h, "").ok());
  ASSERT_TRUE(Refresh(h).ok());
  {
    grpc::ClientContext context;
    Authorize(context, supervisor());
    v1::AssignComplaintRequest request;
    request.set_name(h.name);
    request.set_etag(h.etag);
    request.set_handling_unit(absl::StrCat("units/", other_unit));
    v1::AssignComplaintResponse response;
    const grpc::Status status = stub().AssignComplaint(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  absl::StatusOr<std::vector<std::vector<std::string>>> rows = database().Query(absl::StrCat(
      "SELECT e.type, COALESCE(e.anev_unit, '-'), COALESCE(e.anev_received, '-'),"
      " COALESCE(e.anev_due, '-'), COALESCE(e.anev_tag, '-') FROM complaint_events e"
      " JOIN complaints c ON c.id = e.complaint_id"
      " WHERE c.reference_number = '", h.reference, "' ORDER BY e.id"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  const std::string today = absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), PaluTimeZone()));
  using Row = std::vector<std::string>;
  EXPECT_THAT(*rows,
              ::testing::ElementsAre(
                  Row{"RECEIVED", "-", "-", "-", "-"},  // registration: not counted
                  Row{"VERIFIED", "-", today, "-", ""},
                  Row{"ASSIGNED", first_unit, today, sp3d_due, ""},
                  Row{"INVESTIGATION_STARTED", first_unit, today, "-", ""},
                  Row{"CONCLUDED", first_unit, today, "-", "outcome: SUBSTANTIATED"},
                  Row{"ANSWERED", first_unit, today, result_due, ""},
                  Row{"DISPUTED", first_unit, today, "-", ""},
                  Row{"ASSIGNED", other_unit, today, "-", ""}));

  // The month's data counts them so, under the unit that handled them.
  const absl::Time now = absl::Now();
  absl::StatusOr<std::vector<AnevMonthData>> data = store().ReadAnevData(
      {AnevPeriodOf(AnevMonthOf(now), now)}, AnevStore::ReadFor::kBackground);
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ(data->size(), 1u);
  std::map<std::string, int64_t> labelled;
  for (const AnevMonthData::Labelled& l : (*data)[0].labelled) {
    labelled[absl::StrCat(l.type, " ", l.handling_unit, l.label.empty() ? "" : " ", l.label)] +=
        l.count;
  }
  EXPECT_EQ(labelled[absl::StrCat("CONCLUDED ", first_unit, " outcome: SUBSTANTIATED")], 1);
  EXPECT_EQ(labelled[absl::StrCat("DISPUTED ", first_unit)], 1);
  EXPECT_FALSE(labelled.contains(absl::StrCat("DISPUTED ", other_unit)));
  ASSERT_EQ((*data)[0].answers.size(), 1u);
  const AnevMonthData::Answer& answer = (*data)[0].answers[0];
  EXPECT_EQ(answer.handling_unit, first_unit);
  ASSERT_TRUE(answer.due.has_value());
  EXPECT_EQ(absl::FormatCivilTime(*answer.due), result_due);
  EXPECT_FALSE(answer.round_start.has_value());
  ASSERT_EQ((*data)[0].sp3d_sent.size(), 1u);
  EXPECT_EQ((*data)[0].sp3d_sent[0].handling_unit, first_unit);
  EXPECT_EQ(absl::FormatCivilTime((*data)[0].sp3d_sent[0].due), sp3d_due);
}

// --- Stored data that fails stays with the operators -------------------------------

TEST_F(CaseHandlingTest, AnUndeliverableNotificationIsSetAsideAndTheRestFlow) {
  const Handle first = NewComplaint();
  const Handle second = NewComplaint();
  // The first receipt's ciphertext is replaced by the second's.
  ASSERT_TRUE(database()
                  .Execute("UPDATE notifications a JOIN notifications b ON b.id = a.id + 1"
                           " SET a.text_ct = b.text_ct WHERE a.id = (SELECT MIN(id) FROM"
                           " (SELECT id FROM notifications) AS n)")
                  .ok());
  v1::FetchNotificationsRequest fetch;
  fetch.set_max_notifications(100);
  v1::FetchNotificationsResponse fetched;
  {
    grpc::ClientContext context;
    Authorize(context, token(Role::kGateway));
    ASSERT_TRUE(notifications().FetchNotifications(&context, fetch, &fetched).ok());
  }
  ASSERT_EQ(fetched.notifications_size(), 1);
  EXPECT_EQ(fetched.notifications(0).complaint(), second.name);

  v1::ListUndeliverableNotificationsRequest request;
  v1::ListUndeliverableNotificationsResponse response;
  grpc::ClientContext context;
  Authorize(context, token(Role::kAdmin));
  ASSERT_TRUE(admin().ListUndeliverableNotifications(&context, request, &response).ok());
  ASSERT_EQ(response.notifications_size(), 1);
  EXPECT_EQ(response.notifications(0).complaint(), first.name);
  EXPECT_EQ(response.notifications(0).kind(), v1::NOTIFICATION_KIND_RECEIPT);
  EXPECT_EQ(response.notifications(0).failure(), "DATA_LOSS");
}

TEST_F(CaseHandlingTest, KeyFileProblemsAreTheOperatorsNotTheCallers) {
  const Handle h = NewComplaint();
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat("UPDATE complaints SET key_id = 'retired-2025'"
                                        " WHERE reference_number = '",
                                        h.reference, "'"))
                  .ok());
  // A BASIC read decrypts nothing, so it still works.
  v1::GetComplaintResponse response;
  EXPECT_TRUE(Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &response).ok());
  // A FULL read fails, saying nothing of keys or key files.
  const grpc::Status status = Get(h.name, v1::COMPLAINT_VIEW_FULL, supervisor(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(status.error_message(), Not(HasSubstr("retired")));
  EXPECT_THAT(status.error_message(), Not(HasSubstr("key")));
  // A ciphertext that fails its check says so without details.
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat("UPDATE complaints SET key_id = (SELECT key_id FROM"
                                        " notifications LIMIT 1), nik_ct = phone_ct"
                                        " WHERE reference_number = '",
                                        h.reference, "'"))
                  .ok());
  const grpc::Status altered = Get(h.name, v1::COMPLAINT_VIEW_FULL, supervisor(), &response);
  EXPECT_EQ(altered.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_THAT(altered.error_message(), Not(HasSubstr("authentication")));
}

}  // namespace
}  // namespace dumas
