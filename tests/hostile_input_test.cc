// Hostile input through gRPC against a real MariaDB: every string field of
// every request of ComplaintService, NotificationService, AdminService and
// IntegrationService, found by protobuf reflection (so that a new field or
// method is covered, or fails this test until it is given a valid request),
// is sent SQL-injection and encoding payloads: quotes and comments, NUL,
// invalid UTF-8, right-to-left and zero-width marks, 4-byte characters and
// strings beyond every limit.
//
// Each payload is either stored verbatim (it reads back equal) or refused
// with INVALID_ARGUMENT and a field violation naming its field, leaving
// everything as it was. No answer is INTERNAL or UNKNOWN, and none mentions
// SQL, MariaDB or the payload itself.
#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "domain/signed_note.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "google/api/field_behavior.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/stubs/common.h"
#include "google/protobuf/stubs/logging.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "gtest/gtest.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;
using google::protobuf::Reflection;

// --- Payloads ----------------------------------------------------------------

struct Payload {
  const char* name;  // printed instead of the bytes
  std::string bytes;
};

std::string Repeat(std::string_view unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out.append(unit);
  return out;
}

const std::vector<Payload>& Payloads() {
  static const auto* payloads = new std::vector<Payload>{
      {"quotes_and_comment", "O'Brien\" ' ; DROP TABLE complaints; -- x"},
      {"union_select", "x' UNION SELECT nik_ciphertext FROM complaints WHERE '1'='1"},
      {"backslashes", "back\\slash \\' \\\" \\0 \\n %_ \\\\"},
      {"versioned_comment", "/*!50000 SELECT*/ 1 # x"},
      {"nul_byte", std::string("nul\0byte", 8)},
      {"line_break_and_tab", "line\nbreak\ttab"},
      {"right_to_left_marks", "\u202Eosla\u202C \u200F\u200E \u2067abc\u2069"},
      {"zero_width_and_bom", "\uFEFFzero\u200Bwidth\u200D"},
      {"four_byte_characters", "Keluhan \U0001F46E\U0001F3FD\u200D\u2642\uFE0F \U0001D54F"},
      {"format_and_lookup", "%s%n%x%% {} ${jndi:ldap://x} $(id)"},
      {"markup", "<script>alert('x')</script>&amp;"},
      {"invalid_utf8_byte", "bad \xFF\xFE byte"},
      {"overlong_utf8", "\xC0\xAF" "etc/passwd"},
      {"utf8_surrogate", "sur\xED\xA0\x80rogate"},
      {"beyond_text_columns", std::string(70000, 'A')},
      // 10,000 code points, the longest description, in 30,000 and 40,000
      // bytes: within the limit in characters, not in bytes of latin1.
      {"long_three_byte", Repeat("\u1E9E", 10000)},
      {"long_four_byte", Repeat("\U0001F600", 10000)},
  };
  return *payloads;
}

// Whether `text` is UTF-8 as protobuf checks it (it refuses other strings
// before any handler sees them).
bool IsUtf8(const std::string& text) {
  return google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                            static_cast<int>(text.size()));
}

// --- Reflection: the string fields of a request --------------------------------

// One step to a string field: a field, and for a repeated one element 0.
using FieldPath = std::vector<const FieldDescriptor*>;

std::string PathText(const FieldPath& path) {
  std::string text;
  for (const FieldDescriptor* f : path) {
    if (!text.empty()) text += ".";
    text += f->name();
    if (f->is_repeated()) text += "[0]";
  }
  return text;
}

bool IsOutputOnly(const FieldDescriptor* field) {
  const auto& options = field->options();
  for (int i = 0; i < options.ExtensionSize(google::api::field_behavior); ++i) {
    const google::api::FieldBehavior b = options.GetExtension(google::api::field_behavior, i);
    if (b == google::api::OUTPUT_ONLY || b == google::api::IDENTIFIER) return true;
  }
  return false;
}

// Every string field reachable from `type` (through singular and repeated
// messages), with the path to it.
void StringFields(const Descriptor* type, FieldPath& prefix, std::vector<FieldPath>& out) {
  if (prefix.size() > 5) return;  // no recursive messages in requests today
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    prefix.push_back(f);
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      out.push_back(prefix);
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE && !f->is_map()) {
      StringFields(f->message_type(), prefix, out);
    }
    prefix.pop_back();
  }
}

// Sets the string at `path` of `message` to `value`, creating what is on the
// way.
void SetAt(Message& message, const FieldPath& path, size_t step, const std::string& value) {
  const FieldDescriptor* f = path[step];
  const Reflection* r = message.GetReflection();
  if (step + 1 == path.size()) {
    if (!f->is_repeated()) {
      r->SetString(&message, f, value);
    } else if (r->FieldSize(message, f) == 0) {
      r->AddString(&message, f, value);
    } else {
      r->SetRepeatedString(&message, f, 0, value);
    }
    return;
  }
  Message* next;
  if (!f->is_repeated()) {
    next = r->MutableMessage(&message, f);
  } else if (r->FieldSize(message, f) == 0) {
    next = r->AddMessage(&message, f);
  } else {
    next = r->MutableRepeatedMessage(&message, f, 0);
  }
  SetAt(*next, path, step + 1, value);
}

// Appends every string value of `message` to `out`.
void Strings(const Message& message, std::vector<std::string>& out) {
  const Reflection* r = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(message, f); ++i) {
          out.push_back(r->GetRepeatedString(message, f, i));
        }
      } else {
        out.push_back(r->GetString(message, f));
      }
    } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(message, f); ++i) {
          Strings(r->GetRepeatedMessage(message, f, i), out);
        }
      } else {
        Strings(r->GetMessage(message, f), out);
      }
    }
  }
}

// --- Calls by method descriptor -------------------------------------------------

struct CallResult {
  grpc::Status status;
  std::unique_ptr<Message> response;  // the first message of a stream
};

std::unique_ptr<Message> NewMessage(const Descriptor* type) {
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  return std::unique_ptr<Message>(prototype->New());
}

// Waits for the completion of `tag` on `cq`.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  while (cq.Next(&got, &ok)) {
    if (got == tag) return ok;
  }
  return false;
}

// Calls `method` with `request` (serialized as it is, invalid UTF-8
// included) through the generic stub, as any client could.
CallResult CallMethod(grpc::GenericStub& stub, const MethodDescriptor* method,
                      const Message& request, const std::string& token) {
  const std::string path =
      absl::StrCat("/", method->service()->full_name(), "/", method->name());
  std::string bytes;
  request.SerializeToString(&bytes);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer buffer(&slice, 1);
  grpc::ClientContext context;
  if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(method->server_streaming() ? 3 : 60));
  grpc::CompletionQueue cq;
  CallResult result;
  grpc::ByteBuffer reply;
  bool have_reply = false;
  if (!method->server_streaming()) {
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
        stub.PrepareUnaryCall(&context, path, buffer, &cq);
    call->StartCall();
    call->Finish(&reply, &result.status, reinterpret_cast<void*>(1));
    Await(cq, reinterpret_cast<void*>(1));
    have_reply = result.status.ok();
  } else {
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(&context, path, &cq);
    call->StartCall(reinterpret_cast<void*>(1));
    Await(cq, reinterpret_cast<void*>(1));
    call->Write(buffer, reinterpret_cast<void*>(2));
    Await(cq, reinterpret_cast<void*>(2));
    call->WritesDone(reinterpret_cast<void*>(3));
    Await(cq, reinterpret_cast<void*>(3));
    call->Read(&reply, reinterpret_cast<void*>(4));
    have_reply = Await(cq, reinterpret_cast<void*>(4));
    // A stream that is open is an accepted request: end it here.
    context.TryCancel();
    call->Finish(&result.status, reinterpret_cast<void*>(5));
    Await(cq, reinterpret_cast<void*>(5));
    if (have_reply || result.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      result.status = grpc::Status::OK;
    }
  }
  cq.Shutdown();
  void* ignored_tag;
  bool ignored_ok;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }
  result.response = NewMessage(method->output_type());
  if (have_reply) {
    grpc::Slice all;
    if (reply.DumpToSingleSlice(&all).ok()) {
      result.response->ParseFromArray(all.begin(), static_cast<int>(all.size()));
    }
  }
  return result;
}

// The field violations of an INVALID_ARGUMENT, from its BadRequest.
std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return fields;
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (!any.UnpackTo(&bad_request)) continue;
    for (const auto& v : bad_request.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

// What an answer must never say: SQL, the database, its errors.
std::optional<std::string> RevealsInternals(const grpc::Status& status) {
  std::string text = absl::AsciiStrToLower(status.error_message());
  google::rpc::Status details;
  if (details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : details.details()) {
      google::rpc::BadRequest bad_request;
      if (!any.UnpackTo(&bad_request)) continue;
      for (const auto& v : bad_request.field_violations()) {
        absl::StrAppend(&text, " ", absl::AsciiStrToLower(v.description()));
      }
    }
  }
  for (const char* word : {"sql", "mariadb", "mysql", "syntax", "duplicate entry",
                           "incorrect string value", "data too long", "truncat", "innodb",
                           "select ", "insert ", "update ", "constraint", "exception"}) {
    if (absl::StrContains(text, word)) return std::string(word);
  }
  return std::nullopt;
}

// --- The test ---------------------------------------------------------------------

// A complaint prepared for a method: its name, tracking code and etag.
struct Prepared {
  std::string name;
  std::string reference;
  std::string code;
  std::string etag;
};

// What a method's request needs: whose token, the lifecycle steps from
// RECEIVED that bring a complaint to where the method applies (nullopt: no
// complaint), and the request's valid fields.
enum class Step { kVerify, kAssign, kStart, kClarify, kConclude, kAnswer, kClose };

// What to read back after a call: the records the method may write.
enum class Readback { kNone, kComplaint, kPrincipals, kUnits, kCategories, kRoutingRules,
                      kHolidays };

struct MethodSetup {
  Role role;
  std::optional<std::vector<Step>> complaint;
  Readback readback;
  std::function<void(Message&, const Prepared&)> fill;
};

class HostileInputTest : public ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    // The client logs each invalid UTF-8 string it serializes; the payloads
    // are meant to be invalid.
    previous_log_handler_ = google::protobuf::SetLogHandler(nullptr);
    generic_ = std::make_unique<grpc::GenericStub>(channel());
    integration_ = v1::IntegrationService::NewStub(channel());
    kompolnas_ = NewToken("gateway-kompolnas", Role::kGateway, "", ChannelSet{Channel::kKompolnas});
  }

  void TearDown() override {
    google::protobuf::SetLogHandler(previous_log_handler_);
    generic_.reset();
    integration_.reset();
    ServiceFixture::TearDown();
  }

  const std::string& supervisor() { return token(Role::kSupervisor); }

  // --- Preparation through the typed stubs ---

  Prepared NewComplaint(const std::vector<Step>& steps) {
    v1::SubmitComplaintResponse submitted;
    v1::SubmitComplaintRequest request = ValidRequest();
    request.mutable_complaint()->set_share_identity_with_kompolnas(true);
    const grpc::Status status = Submit(request, &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    Prepared p{submitted.complaint().name(), submitted.reference_number(),
               submitted.tracking_code(), submitted.complaint().etag()};
    for (Step step : steps) TakeStep(step, p);
    return p;
  }

  void TakeStep(Step step, Prepared& p) {
    grpc::ClientContext context;
    Authorize(context, supervisor());
    grpc::Status status;
    v1::Complaint after;
    auto staff = [&](auto request, auto response, auto rpc) {
      request.set_name(p.name);
      request.set_etag(p.etag);
      status = (stub().*rpc)(&context, request, &response);
      after = response.complaint();
    };
    switch (step) {
      case Step::kVerify:
        staff(v1::VerifyComplaintRequest(), v1::VerifyComplaintResponse(),
              &v1::ComplaintService::Stub::VerifyComplaint);
        break;
      case Step::kAssign: {
        v1::AssignComplaintRequest r;
        r.set_handling_unit("units/propam");
        staff(r, v1::AssignComplaintResponse(), &v1::ComplaintService::Stub::AssignComplaint);
        break;
      }
      case Step::kStart:
        staff(v1::StartInvestigationRequest(), v1::StartInvestigationResponse(),
              &v1::ComplaintService::Stub::StartInvestigation);
        break;
      case Step::kClarify: {
        v1::RequestClarificationRequest r;
        r.set_question("Mohon sebutkan jam kejadian dan nomor kendaraan petugas.");
        staff(r, v1::RequestClarificationResponse(),
              &v1::ComplaintService::Stub::RequestClarification);
        break;
      }
      case Step::kConclude: {
        v1::ConcludeComplaintRequest r;
        r.set_outcome(v1::OUTCOME_SUBSTANTIATED);
        r.set_findings("Saksi dan rekaman CCTV membenarkan permintaan uang oleh petugas.");
        staff(r, v1::ConcludeComplaintResponse(), &v1::ComplaintService::Stub::ConcludeComplaint);
        break;
      }
      case Step::kAnswer: {
        v1::AnswerComplaintRequest r;
        r.set_answer("Pengaduan Anda terbukti; petugas telah diproses oleh Propam.");
        staff(r, v1::AnswerComplaintResponse(), &v1::ComplaintService::Stub::AnswerComplaint);
        break;
      }
      case Step::kClose:
        staff(v1::CloseComplaintRequest(), v1::CloseComplaintResponse(),
              &v1::ComplaintService::Stub::CloseComplaint);
        break;
    }
    ASSERT_TRUE(status.ok()) << "preparing a complaint: " << status.error_message();
    p.etag = after.etag();
  }

  // A new principal's resource name, as AdminService/CreatePrincipal gives it.
  std::string NewPrincipalName() {
    v1::CreatePrincipalRequest request;
    request.mutable_principal()->set_display_name(absl::StrCat("Petugas SPKT ", ++counter_));
    request.mutable_principal()->set_role(v1::ROLE_INTAKE);
    v1::CreatePrincipalResponse response;
    grpc::ClientContext context;
    Authorize(context, token(Role::kAdmin));
    const grpc::Status status = admin().CreatePrincipal(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.principal().name();
  }

  // A notification of the test gateway, fetched and so leased to it.
  std::string LeasedNotificationName() {
    NewComplaint({});
    v1::FetchNotificationsRequest request;
    request.set_max_notifications(1);
    v1::FetchNotificationsResponse response;
    grpc::ClientContext context;
    Authorize(context, token(Role::kGateway));
    const grpc::Status status = notifications().FetchNotifications(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.notifications_size(), 1);
    return response.notifications_size() == 0 ? "" : response.notifications(0).name();
  }

  // The body of the log's latest signed checkpoint.
  std::string LatestCheckpointBody() {
    for (int attempt = 0; attempt < 100; ++attempt) {
      {
        v1::GetCheckpointResponse latest;
        grpc::ClientContext context;
        if (integration_->GetCheckpoint(&context, {}, &latest).ok()) {
          absl::StatusOr<SignedNote> note = SignedNote::Parse(latest.checkpoint());
          if (note.ok()) return note->body;
        }
      }
      v1::CreateCheckpointResponse created;
      grpc::ClientContext context;
      Authorize(context, token(Role::kAdmin));
      (void)integration_->CreateCheckpoint(&context, {}, &created);
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << "no checkpoint was signed";
    return "";
  }

  // --- The setups of every method ---

  std::map<std::string, MethodSetup> Setups();

  // --- Reading back ---

  // Every string that `readback` reads of what the call may have written,
  // in a stable order; identity reads are left out, since reading records
  // them.
  std::vector<std::string> ReadBack(Readback readback, const Prepared& prepared,
                                    const Message* response);

  // Calls a list method page by page, collecting its strings.
  template <typename Request, typename Response, typename Rpc>
  void AllPages(Rpc rpc, Request request, const std::string& token,
                std::vector<std::string>& out, grpc::Status* status) {
    for (int page = 0; page < 1000; ++page) {
      Response response;
      grpc::ClientContext context;
      Authorize(context, token);
      *status = rpc(&context, request, &response);
      if (!status->ok()) return;
      Strings(response, out);
      if (response.next_page_token().empty()) return;
      request.set_page_token(response.next_page_token());
    }
  }

  std::unique_ptr<grpc::GenericStub> generic_;
  std::unique_ptr<v1::IntegrationService::Stub> integration_;
  std::string kompolnas_;
  int counter_ = 0;
  google::protobuf::LogHandler* previous_log_handler_ = nullptr;
};

std::map<std::string, MethodSetup> HostileInputTest::Setups() {
  using S = Step;
  const std::vector<Step> received;
  const std::vector<Step> investigating = {S::kVerify, S::kAssign, S::kStart};
  const std::vector<Step> concluded = {S::kVerify, S::kAssign, S::kStart, S::kConclude};
  const std::vector<Step> answered = {S::kVerify, S::kAssign, S::kStart, S::kConclude,
                                      S::kAnswer};
  const std::vector<Step> closed = {S::kVerify, S::kAssign, S::kStart, S::kConclude, S::kAnswer,
                                    S::kClose};
  const std::vector<Step> clarifying = {S::kVerify, S::kAssign, S::kStart, S::kClarify};
  auto staff = [](auto type, std::function<void(decltype(type)&)> more = nullptr) {
    return [more](Message& m, const Prepared& p) {
      auto& r = dynamic_cast<decltype(type)&>(m);
      r.set_name(p.name);
      r.set_etag(p.etag);
      if (more) more(r);
    };
  };
  auto complainant = [](auto type, std::function<void(decltype(type)&)> more) {
    return [more](Message& m, const Prepared& p) {
      auto& r = dynamic_cast<decltype(type)&>(m);
      r.set_reference_number(p.reference);
      r.set_tracking_code(p.code);
      more(r);
    };
  };
  auto nothing = [](Message&, const Prepared&) {};
  const Role sup = Role::kSupervisor;
  const std::string reason = "Keterangan yang cukup panjang untuk diterima.";

  std::map<std::string, MethodSetup> s;
  // ComplaintService
  s["SubmitComplaint"] = {Role::kGateway, std::nullopt, Readback::kComplaint,
                          [this](Message& m, const Prepared&) {
                            auto& r = dynamic_cast<v1::SubmitComplaintRequest&>(m);
                            r = ValidRequest();
                          }};
  s["TrackComplaint"] = {Role::kUnspecified, received, Readback::kNone,
                         [](Message& m, const Prepared& p) {
                           auto& r = dynamic_cast<v1::TrackComplaintRequest&>(m);
                           r.set_reference_number(p.reference);
                           r.set_tracking_code(p.code);
                         }};
  s["GetComplaint"] = {sup, received, Readback::kNone, [](Message& m, const Prepared& p) {
                         dynamic_cast<v1::GetComplaintRequest&>(m).set_name(p.name);
                       }};
  s["ListCategories"] = {Role::kUnspecified, std::nullopt, Readback::kNone, nothing};
  s["ListUnits"] = {Role::kUnspecified, std::nullopt, Readback::kNone, nothing};
  s["ListComplaints"] = {sup, std::nullopt, Readback::kNone, [](Message& m, const Prepared&) {
                           auto& r = dynamic_cast<v1::ListComplaintsRequest&>(m);
                           r.set_category("categories/korupsi");
                           r.set_handling_unit("units/propam");
                           r.set_subject_unit("units/sat-lantas");
                         }};
  s["ListComplaintEvents"] = {sup, received, Readback::kNone, [](Message& m, const Prepared& p) {
                                dynamic_cast<v1::ListComplaintEventsRequest&>(m).set_parent(
                                    p.name);
                              }};
  s["VerifyComplaint"] = {sup, received, Readback::kComplaint,
                          staff(v1::VerifyComplaintRequest(), [](auto& r) {
                            r.set_internal_note("Catatan verifikasi.");
                          })};
  s["ArchiveComplaint"] = {sup, received, Readback::kComplaint,
                           staff(v1::ArchiveComplaintRequest(), [reason](auto& r) {
                             r.set_public_reason(reason);
                           })};
  s["RejectComplaint"] = {sup, received, Readback::kComplaint,
                          staff(v1::RejectComplaintRequest(), [reason](auto& r) {
                            r.set_reason(v1::REJECTION_REASON_DUPLICATE);
                            r.set_public_reason(reason);
                          })};
  s["AssignComplaint"] = {sup, std::vector<Step>{S::kVerify}, Readback::kComplaint,
                          staff(v1::AssignComplaintRequest(), [](auto& r) {
                            r.set_handling_unit("units/propam");
                          })};
  s["StartInvestigation"] = {sup, std::vector<Step>{S::kVerify, S::kAssign},
                             Readback::kComplaint, staff(v1::StartInvestigationRequest())};
  s["RequestClarification"] = {sup, investigating, Readback::kComplaint,
                               staff(v1::RequestClarificationRequest(), [reason](auto& r) {
                                 r.set_question(reason);
                               })};
  s["ConcludeComplaint"] = {sup, investigating, Readback::kComplaint,
                            staff(v1::ConcludeComplaintRequest(), [reason](auto& r) {
                              r.set_outcome(v1::OUTCOME_SUBSTANTIATED);
                              r.set_findings(reason);
                            })};
  s["AnswerComplaint"] = {sup, concluded, Readback::kComplaint,
                          staff(v1::AnswerComplaintRequest(), [reason](auto& r) {
                            r.set_answer(reason);
                          })};
  s["CloseComplaint"] = {sup, answered, Readback::kComplaint, staff(v1::CloseComplaintRequest())};
  s["ReopenComplaint"] = {sup, closed, Readback::kComplaint,
                          staff(v1::ReopenComplaintRequest(), [reason](auto& r) {
                            r.set_internal_note(reason);
                          })};
  s["AddComplaintNote"] = {sup, received, Readback::kComplaint,
                           staff(v1::AddComplaintNoteRequest(), [reason](auto& r) {
                             r.set_text(reason);
                           })};
  s["RespondToClarification"] = {Role::kUnspecified, clarifying, Readback::kComplaint,
                                 complainant(v1::RespondToClarificationRequest(),
                                             [reason](auto& r) { r.set_text(reason); })};
  s["DisputeAnswer"] = {Role::kUnspecified, answered, Readback::kComplaint,
                        complainant(v1::DisputeAnswerRequest(),
                                    [reason](auto& r) { r.set_reason(reason); })};
  s["RateComplaintHandling"] = {Role::kUnspecified, answered, Readback::kComplaint,
                                complainant(v1::RateComplaintHandlingRequest(),
                                            [reason](auto& r) {
                                              r.set_rating(4);
                                              r.set_comment(reason);
                                            })};
  // AdminService
  const Role admin_role = Role::kAdmin;
  s["CreatePrincipal"] = {admin_role, std::nullopt, Readback::kPrincipals,
                          [this](Message& m, const Prepared&) {
                            auto& r = dynamic_cast<v1::CreatePrincipalRequest&>(m);
                            // Unique: an active principal's name is refused twice.
                            r.mutable_principal()->set_display_name(
                                absl::StrCat("Petugas SPKT Palu ", ++counter_));
                            r.mutable_principal()->set_role(v1::ROLE_UNIT);
                            r.mutable_principal()->set_unit("units/propam");
                          }};
  s["ListPrincipals"] = {admin_role, std::nullopt, Readback::kNone, nothing};
  s["RevokePrincipal"] = {admin_role, std::nullopt, Readback::kPrincipals,
                          [this](Message& m, const Prepared&) {
                            dynamic_cast<v1::RevokePrincipalRequest&>(m).set_name(
                                NewPrincipalName());
                          }};
  s["CreateUnit"] = {admin_role, std::nullopt, Readback::kUnits, [this](Message& m, const Prepared&) {
                       auto& r = dynamic_cast<v1::CreateUnitRequest&>(m);
                       r.set_unit_id(absl::StrCat("polsek-uji-", ++counter_));
                       r.mutable_unit()->set_display_name("Polsek Uji");
                     }};
  s["CreateCategory"] = {admin_role, std::nullopt, Readback::kCategories,
                         [this](Message& m, const Prepared&) {
                           auto& r = dynamic_cast<v1::CreateCategoryRequest&>(m);
                           r.set_category_id(absl::StrCat("kategori-uji-", ++counter_));
                           r.mutable_category()->set_indonesian_name("Kategori uji");
                           r.mutable_category()->set_english_name("Test category");
                         }};
  s["ListRoutingRules"] = {admin_role, std::nullopt, Readback::kNone, nothing};
  s["SetRoutingRule"] = {admin_role, std::nullopt, Readback::kRoutingRules,
                         [](Message& m, const Prepared&) {
                           auto& r = dynamic_cast<v1::SetRoutingRuleRequest&>(m);
                           r.mutable_routing_rule()->set_category("categories/korupsi");
                           r.mutable_routing_rule()->set_unit("units/propam");
                         }};
  s["ListHolidays"] = {admin_role, std::nullopt, Readback::kNone, [](Message& m, const Prepared&) {
                         dynamic_cast<v1::ListHolidaysRequest&>(m).set_year(2026);
                       }};
  s["SetHolidays"] = {admin_role, std::nullopt, Readback::kHolidays,
                      [](Message& m, const Prepared&) {
                        auto& r = dynamic_cast<v1::SetHolidaysRequest&>(m);
                        r.set_year(2031);
                        v1::Holiday* h = r.add_holidays();
                        h->mutable_date()->set_year(2031);
                        h->mutable_date()->set_month(8);
                        h->mutable_date()->set_day(17);
                        h->set_display_name("Hari Proklamasi Kemerdekaan");
                      }};
  s["ListUndeliverableNotifications"] = {admin_role, std::nullopt, Readback::kNone, nothing};
  s["GetCalendarSettings"] = {admin_role, std::nullopt, Readback::kNone, nothing};
  s["SetCalendarSettings"] = {admin_role, std::nullopt, Readback::kNone,
                              [](Message& m, const Prepared&) {
                                dynamic_cast<v1::SetCalendarSettingsRequest&>(m)
                                    .mutable_calendar_settings()
                                    ->set_skip_cuti_bersama(true);
                              }};
  // NotificationService
  s["FetchNotifications"] = {Role::kGateway, std::nullopt, Readback::kNone, nothing};
  s["StreamNotifications"] = {Role::kGateway, std::nullopt, Readback::kNone, nothing};
  s["AcknowledgeNotifications"] = {Role::kGateway, std::nullopt, Readback::kNone,
                                   [this](Message& m, const Prepared&) {
                                     dynamic_cast<v1::AcknowledgeNotificationsRequest&>(m)
                                         .add_names(LeasedNotificationName());
                                   }};
  // IntegrationService
  s["ListChanges"] = {Role::kOversight, std::nullopt, Readback::kNone, nothing};
  s["WatchChanges"] = {Role::kOversight, std::nullopt, Readback::kNone, nothing};
  s["ImportComplaint"] = {Role::kUnspecified, std::nullopt, Readback::kComplaint,
                          [this](Message& m, const Prepared&) {
                            auto& r = dynamic_cast<v1::ImportComplaintRequest&>(m);
                            const std::string id = absl::StrCat("KOMPOLNAS-2026-", ++counter_);
                            r.set_external_id(id);
                            r.mutable_receive_time()->set_seconds(
                                absl::ToUnixSeconds(absl::Now()) - 86400);
                            *r.mutable_complaint() = ValidRequest().complaint();
                            r.mutable_complaint()->set_channel(v1::CHANNEL_KOMPOLNAS);
                            r.mutable_complaint()->set_reply_address(id);
                          }};
  s["GetCheckpoint"] = {Role::kUnspecified, std::nullopt, Readback::kNone, nothing};
  s["CreateCheckpoint"] = {admin_role, std::nullopt, Readback::kNone, nothing};
  s["GetInclusionProof"] = {Role::kUnspecified, std::nullopt, Readback::kNone, nothing};
  s["GetConsistencyProof"] = {Role::kUnspecified, std::nullopt, Readback::kNone, nothing};
  s["AddCosignature"] = {Role::kOversight, std::nullopt, Readback::kNone,
                         [this](Message& m, const Prepared&) {
                           auto& r = dynamic_cast<v1::AddCosignatureRequest&>(m);
                           absl::StatusOr<Cosigner> witness = Cosigner::FromSeed(
                               "kompolnas.go.id/witness", std::string(32, '\x07'));
                           ASSERT_TRUE(witness.ok()) << witness.status();
                           const std::string body = LatestCheckpointBody();
                           r.set_checkpoint_body(body);
                           r.set_signature_line(SignatureLine(witness->Cosign(
                               body, static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now())))));
                           r.set_verifier_key(witness->verifier_key().Text());
                         }};
  return s;
}

std::vector<std::string> HostileInputTest::ReadBack(Readback readback, const Prepared& prepared,
                                                    const Message* response) {
  std::vector<std::string> out;
  grpc::Status status;
  const std::string& admin_token = token(Role::kAdmin);
  switch (readback) {
    case Readback::kNone:
      break;
    case Readback::kComplaint: {
      // The prepared complaint, and any the call created (named in its answer).
      std::vector<std::string> names;
      if (!prepared.name.empty()) names.push_back(prepared.name);
      if (response != nullptr) {
        std::vector<std::string> strings;
        Strings(*response, strings);
        for (const std::string& s : strings) {
          if (absl::StartsWith(s, "complaints/") && s.size() == 25) names.push_back(s);
        }
      }
      for (const std::string& name : names) {
        v1::GetComplaintResponse got;
        status = Get(name, v1::COMPLAINT_VIEW_FULL, supervisor(), &got);
        EXPECT_TRUE(status.ok()) << status.error_message();
        Strings(got, out);
        v1::ListComplaintEventsRequest events;
        events.set_parent(name);
        std::vector<std::string> event_strings;
        for (int page = 0; page < 100; ++page) {
          v1::ListComplaintEventsResponse listed;
          grpc::ClientContext context;
          Authorize(context, supervisor());
          status = stub().ListComplaintEvents(&context, events, &listed);
          EXPECT_TRUE(status.ok()) << status.error_message();
          for (const v1::ComplaintEvent& e : listed.events()) {
            if (e.type() != "IDENTITY_READ") Strings(e, out);
          }
          if (listed.next_page_token().empty()) break;
          events.set_page_token(listed.next_page_token());
        }
      }
      if (!prepared.code.empty()) {
        v1::TrackComplaintResponse tracked;
        status = Track(prepared.reference, prepared.code, &tracked);
        EXPECT_TRUE(status.ok()) << status.error_message();
        Strings(tracked, out);
      }
      break;
    }
    case Readback::kPrincipals:
      AllPages<v1::ListPrincipalsRequest, v1::ListPrincipalsResponse>(
          [&](grpc::ClientContext* c, const v1::ListPrincipalsRequest& r,
              v1::ListPrincipalsResponse* p) { return admin().ListPrincipals(c, r, p); },
          v1::ListPrincipalsRequest(), admin_token, out, &status);
      break;
    case Readback::kUnits:
      AllPages<v1::ListUnitsRequest, v1::ListUnitsResponse>(
          [&](grpc::ClientContext* c, const v1::ListUnitsRequest& r, v1::ListUnitsResponse* p) {
            return stub().ListUnits(c, r, p);
          },
          v1::ListUnitsRequest(), "", out, &status);
      break;
    case Readback::kCategories:
      AllPages<v1::ListCategoriesRequest, v1::ListCategoriesResponse>(
          [&](grpc::ClientContext* c, const v1::ListCategoriesRequest& r,
              v1::ListCategoriesResponse* p) { return stub().ListCategories(c, r, p); },
          v1::ListCategoriesRequest(), "", out, &status);
      break;
    case Readback::kRoutingRules: {
      v1::ListRoutingRulesResponse rules;
      grpc::ClientContext context;
      Authorize(context, admin_token);
      status = admin().ListRoutingRules(&context, {}, &rules);
      Strings(rules, out);
      break;
    }
    case Readback::kHolidays: {
      v1::ListHolidaysRequest request;
      request.set_year(2031);
      v1::ListHolidaysResponse holidays;
      grpc::ClientContext context;
      Authorize(context, admin_token);
      status = admin().ListHolidays(&context, request, &holidays);
      Strings(holidays, out);
      break;
    }
  }
  EXPECT_TRUE(status.ok()) << "reading back: " << status.error_message();
  return out;
}

int Occurrences(const std::vector<std::string>& strings, const std::string& payload) {
  int n = 0;
  for (const std::string& s : strings) n += absl::StrContains(s, payload) ? 1 : 0;
  return n;
}

TEST_F(HostileInputTest, EveryStringFieldOfEveryMethodStoresVerbatimOrRefuses) {
  std::map<std::string, MethodSetup> setups = Setups();
  int methods = 0;
  int fields = 0;
  int stored = 0;
  int refused = 0;
  for (const char* service_name : {"dumas.v1.ComplaintService", "dumas.v1.AdminService",
                                   "dumas.v1.NotificationService",
                                   "dumas.v1.IntegrationService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service_name);
    ASSERT_NE(service, nullptr) << service_name;
    {
      for (int mi = 0; mi < service->method_count(); ++mi) {
        const MethodDescriptor* method = service->method(mi);
        SCOPED_TRACE(method->full_name());
        ++methods;
        auto setup_it = setups.find(method->name());
        ASSERT_NE(setup_it, setups.end())
            << method->full_name() << " has no valid request in this test: add one to Setups()";
        const MethodSetup& setup = setup_it->second;
        const std::string call_token =
            method->name() == "ImportComplaint"
                ? kompolnas_
                : (setup.role == Role::kUnspecified ? "" : token(setup.role));

        std::optional<Prepared> prepared;
        auto baseline = [&]() {
          if (!prepared.has_value()) {
            prepared = setup.complaint.has_value() ? NewComplaint(*setup.complaint) : Prepared{};
          }
          std::unique_ptr<Message> request = NewMessage(method->input_type());
          setup.fill(*request, *prepared);
          return request;
        };

        FieldPath prefix;
        std::vector<FieldPath> paths;
        StringFields(method->input_type(), prefix, paths);

        // The valid request is accepted, so that a refusal below is the
        // payload's.
        {
          std::unique_ptr<Message> request = baseline();
          const CallResult result = CallMethod(*generic_, method, *request, call_token);
          if (!paths.empty()) {
            ASSERT_TRUE(result.status.ok())
                << "the valid request is refused: " << result.status.error_code() << " "
                << result.status.error_message();
          }
          prepared.reset();  // it may have moved the complaint on
        }
        for (const FieldPath& path : paths) {
          const std::string field = PathText(path);
          SCOPED_TRACE(field);
          ++fields;
          const bool output_only = IsOutputOnly(path.back());
          for (const Payload& payload : Payloads()) {
            SCOPED_TRACE(payload.name);
            std::unique_ptr<Message> request = baseline();
            SetAt(*request, path, 0, payload.bytes);
            const std::vector<std::string> before =
                ReadBack(setup.readback, *prepared, nullptr);
            const CallResult result = CallMethod(*generic_, method, *request, call_token);
            const grpc::Status& status = result.status;

            EXPECT_NE(status.error_code(), grpc::StatusCode::INTERNAL) << status.error_message();
            EXPECT_NE(status.error_code(), grpc::StatusCode::UNKNOWN) << status.error_message();
            const std::optional<std::string> revealed = RevealsInternals(status);
            EXPECT_FALSE(revealed.has_value()) << "the answer mentions " << *revealed;
            if (payload.bytes.size() >= 6) {
              EXPECT_FALSE(absl::StrContains(status.error_message(), payload.bytes))
                  << "the answer repeats the payload";
            }

            if (status.ok()) {
              EXPECT_TRUE(IsUtf8(payload.bytes)) << "a string that is not UTF-8 was accepted";
              const std::vector<std::string> after =
                  ReadBack(setup.readback, *prepared, result.response.get());
              if (!output_only && setup.readback != Readback::kNone) {
                // Stored, and read back equal: the payload whole in one more
                // field than before.
                EXPECT_GT(Occurrences(after, payload.bytes), Occurrences(before, payload.bytes))
                    << "accepted but not read back verbatim";
              } else if (setup.readback == Readback::kNone && !output_only) {
                ADD_FAILURE() << "a lookup field accepted the payload";
              }
              ++stored;
              prepared.reset();
              continue;
            }
            // An etag that is not the complaint's current one is stale
            // (AIP-154): ABORTED, as for any other outdated read.
            if (field == "etag" && status.error_code() == grpc::StatusCode::ABORTED) {
              ++refused;
              EXPECT_EQ(ReadBack(setup.readback, *prepared, nullptr), before)
                  << "a refused request changed what it names";
              continue;
            }
            if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
              ADD_FAILURE() << "neither stored nor refused as invalid: " << status.error_code()
                            << " " << status.error_message();
              prepared.reset();
              continue;
            }
            ++refused;
            if (IsUtf8(payload.bytes)) {
              const std::vector<std::string> violated = ViolatedFields(status);
              EXPECT_NE(std::find(violated.begin(), violated.end(), field), violated.end())
                  << "refused without a violation of the field: " << status.error_message()
                  << " [" << absl::StrJoin(violated, ", ") << "]";
            } else {
              EXPECT_TRUE(absl::StrContains(status.error_message(), "UTF-8"))
                  << status.error_message();
            }
            // Nothing changed.
            EXPECT_EQ(ReadBack(setup.readback, *prepared, nullptr), before)
                << "a refused request changed what it names";
          }
        }
      }
    }
  }
  // The walk reached what it should: every method, and refusals and
  // acceptances both.
  EXPECT_GE(methods, 40);
  EXPECT_GE(fields, 50);
  EXPECT_GT(stored, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace dumas
