// dumasctl: the operator's command line of Dumas, on the C++ SDK.
//
// Each command is one method of the API; its flags are the method's request
// fields, found in the generated descriptors, so a field added to the API is
// a flag at once. Settings come from the environment (DUMAS_ADDRESS,
// DUMAS_TOKEN_FILE, DUMAS_CA_FILE, DUMAS_CERT_FILE, DUMAS_KEY_FILE,
// DUMAS_SERVER_NAME), never from the command line, which other users can
// read in `ps`; secrets (tokens, tracking codes) are refused as flags.
//
// A few commands do more than one call: `feed tail` pages the change feed and
// may follow it, `feed verify` checks the transparency log with the project's
// own verifier (tools/log_verifier), `report` and `public-report` print the
// Anev tables.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "domain/signed_note.h"
#include "dumas/client.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "dumas/v1/report_service.pb.h"
#include "tools/log_verifier/log_verifier.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace {

namespace pb = google::protobuf;

// Exit statuses: what failed, for scripts.
enum Exit {
  kOk = 0,
  kFailed = 1,         // any other error
  kUsage = 2,          // bad command line
  kBadInput = 3,       // INVALID_ARGUMENT (the fields are printed)
  kNotFound = 4,       // NOT_FOUND: unknown reference, or not visible to the caller
  kDenied = 5,         // UNAUTHENTICATED or PERMISSION_DENIED: the token
  kConflict = 6,       // FAILED_PRECONDITION, ABORTED, ALREADY_EXISTS: the state
  kUnavailable = 7,    // UNAVAILABLE or DEADLINE_EXCEEDED: server down or slow
  kThrottled = 8,      // RESOURCE_EXHAUSTED
  kBadSettings = 9,    // the environment's settings (token file, TLS files)
  kBadSignature = 10,  // feed verify: the checkpoint is not signed by the log key
  kInconsistent = 11,  // feed verify: the checkpoint does not extend the older one
  kTampered = 12,      // feed verify: the feed does not recompute to the checkpoint
};

constexpr char kExitTable[] = R"(Exit status:
  0  success
  1  any other error
  2  bad command line (unknown command or flag, missing argument)
  3  invalid input: the server named the fields (INVALID_ARGUMENT)
  4  not found: unknown reference or name, or not visible to you (NOT_FOUND)
  5  the token: missing, unknown, revoked, or not allowed (UNAUTHENTICATED,
     PERMISSION_DENIED)
  6  the state: not allowed now, stale etag, already exists (FAILED_PRECONDITION,
     ABORTED, ALREADY_EXISTS)
  7  the server is down or too slow (UNAVAILABLE, DEADLINE_EXCEEDED)
  8  too many attempts (RESOURCE_EXHAUSTED)
  9  the settings in the environment (unreadable token or TLS file)
 10  feed verify: the checkpoint's signature does not verify with the log key
     (or it names another origin, or is malformed)
 11  feed verify: the checkpoint does not extend the older one given (the log
     shrank, a split view, or no consistency proof that verifies)
 12  feed verify: the change feed does not recompute to the checkpoint (a
     revision missing or altered; the first bad revision is named)
)";

constexpr char kSettings[] = R"(Settings (environment only; never flags):
  DUMAS_ADDRESS      host:port of dumasd (default 127.0.0.1:50051)
  DUMAS_TOKEN_FILE   file holding your bearer token
  DUMAS_CA_FILE      PEM of the server's CA: switches TLS on
  DUMAS_CERT_FILE, DUMAS_KEY_FILE   your certificate and key: mutual TLS
  DUMAS_SERVER_NAME  the name in the server's certificate
  DUMAS_TRACKING_CODE  the tracking code for track, personal-data and
                     correct-contact (or give it on stdin)
)";

struct Command {
  const char* name;
  const char* method;      // Service.Method of dumas.v1
  const char* positional;  // the request field of the first argument, or ""
  const char* summary;
};

// Flags of a command that are not fields of its request.
struct OwnFlag {
  const char* command;
  const char* name;
  const char* help;
};

const OwnFlag kOwnFlags[] = {
    {"feed tail", "after", "=N  start after revision N (the same as --after_revision)"},
    {"feed tail", "follow",
     "     after the backlog, follow new changes as they come (WatchChanges)"},
    {"feed tail", "until_idle", " with --follow: stop once caught up"},
    {"feed verify", "log_key_file",
     "=F  the log's verifier key (origin+keyid+base64), trusted out of band; required"},
    {"feed verify", "older",
     "=F  a checkpoint saved before (--save): the new one must extend it"},
    {"feed verify", "save", "=F  write the verified checkpoint to F, for the next --older"},
};

const OwnFlag* FindOwnFlag(std::string_view command, std::string_view name) {
  for (const OwnFlag& f : kOwnFlags) {
    if (command == f.command && name == f.name) return &f;
  }
  return nullptr;
}

// The commands: each the method it calls.
const Command kCommands[] = {
    {"submit", "ComplaintService.SubmitComplaint", "",
     "register a complaint (--file=complaint.json: a SubmitComplaintRequest in JSON)"},
    {"track", "ComplaintService.TrackComplaint", "reference_number",
     "a complainant's view; the tracking code from DUMAS_TRACKING_CODE or stdin"},
    {"get", "ComplaintService.GetComplaint", "name", "read one complaint"},
    {"list", "ComplaintService.ListComplaints", "",
     "list complaints (--states, --category, --channel, --handling_unit, --subject_unit, "
     "--overdue, --received_after, --received_before, --page_size, --page_token)"},
    {"events", "ComplaintService.ListComplaintEvents", "parent", "a complaint's events"},
    {"categories", "ComplaintService.ListCategories", "", "the complaint categories"},
    {"units", "ComplaintService.ListUnits", "", "the units of the resort"},
    {"verify", "ComplaintService.VerifyComplaint", "name", "RECEIVED -> VERIFIED"},
    {"archive", "ComplaintService.ArchiveComplaint", "name",
     "RECEIVED -> ARCHIVED (--public_reason)"},
    {"reject", "ComplaintService.RejectComplaint", "name",
     "-> REJECTED (--reason, --public_reason)"},
    {"assign", "ComplaintService.AssignComplaint", "name",
     "-> ASSIGNED ([--handling_unit], default: the routing rule)"},
    {"start", "ComplaintService.StartInvestigation", "name", "-> UNDER_INVESTIGATION"},
    {"clarify", "ComplaintService.RequestClarification", "name",
     "ask the complainant (--question)"},
    {"conclude", "ComplaintService.ConcludeComplaint", "name",
     "-> CONCLUDED (--outcome, --findings)"},
    {"answer", "ComplaintService.AnswerComplaint", "name", "-> ANSWERED (--answer)"},
    {"close", "ComplaintService.CloseComplaint", "name", "-> CLOSED"},
    {"reopen", "ComplaintService.ReopenComplaint", "name", "-> REOPENED (--internal_note)"},
    {"note", "ComplaintService.AddComplaintNote", "name", "add a note (--text, [--public])"},
    {"notifications", "NotificationService.FetchNotifications", "",
     "lease notifications of your channels (GATEWAY)"},
    {"ack", "NotificationService.AcknowledgeNotifications", "names",
     "acknowledge delivered notifications"},
    {"principals", "AdminService.ListPrincipals", "", "ADMIN: the principals"},
    {"create-principal", "AdminService.CreatePrincipal", "",
     "ADMIN: --principal.display_name, --principal.role, [--principal.unit], "
     "[--principal.channels]; prints the token once"},
    {"revoke-principal", "AdminService.RevokePrincipal", "name", "ADMIN: revoke a principal"},
    {"create-unit", "AdminService.CreateUnit", "unit_id",
     "ADMIN: add a unit (--unit.display_name)"},
    {"routing-rules", "AdminService.ListRoutingRules", "", "ADMIN: the routing rules"},
    {"set-routing-rule", "AdminService.SetRoutingRule", "",
     "ADMIN: --routing_rule.category, --routing_rule.unit"},
    {"holidays", "AdminService.ListHolidays", "year", "ADMIN: a year's holidays"},
    {"set-holidays", "AdminService.SetHolidays", "year",
     "ADMIN: replace a year's holidays (--file=holidays.json)"},
    {"calendar", "AdminService.GetCalendarSettings", "", "ADMIN: the calendar settings"},
    {"undeliverable", "AdminService.ListUndeliverableNotifications", "",
     "ADMIN: notifications set aside"},
    {"feed", "IntegrationService.ListChanges", "",
     "OVERSIGHT: a page of the change feed (--after_revision, --page_size)"},
    {"feed tail", "IntegrationService.ListChanges", "",
     "OVERSIGHT: every change after --after=N, page by page; --follow keeps following"},
    {"feed verify", "IntegrationService.GetCheckpoint", "",
     "OVERSIGHT: verify the transparency log (--log_key_file, [--older], [--save])"},
    {"checkpoint", "IntegrationService.GetCheckpoint", "", "the log's latest signed checkpoint"},
    {"create-checkpoint", "IntegrationService.CreateCheckpoint", "",
     "OVERSIGHT, SUPERVISOR: sign a checkpoint of the log as it is now"},
    {"report", "ReportService.GetAnevReport", "month",
     "the Anev report of a month (YYYY-MM): the resort, or --handling_unit=units/ID"},
    {"public-report", "ReportService.GetPublicAnevReport", "month",
     "the public Anev report of a month (YYYY-MM); needs no token"},
    {"personal-data", "PersonalDataService.RequestPersonalData", "reference_number",
     "send the complainant a copy of their data; the tracking code as for track"},
    {"correct-contact", "PersonalDataService.CorrectContactDetails", "reference_number",
     "correct contact details: --file=F ({\"contact\": {...}}), --update_mask=phone,...; "
     "the tracking code as for track (with --file=-: in DUMAS_TRACKING_CODE)"},
};

// Request fields that hold secrets: never accepted as flags.
bool SecretField(std::string_view name) {
  return name == "tracking_code" || name == "token";
}

// Request fields that hold personal data (the complainant's identity and
// contact details, the reply address): given in --file only, since flags show
// in `ps` and in shell history.
bool PersonalField(std::string_view name) {
  return name == "contact" || name == "complainant" || name == "reply_address";
}

const Command* FindCommand(std::string_view name) {
  for (const Command& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

const pb::MethodDescriptor* MethodOf(const Command& c) {
  std::string full = std::string("dumas.v1.") + c.method;
  const size_t dot = full.rfind('.');
  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(full.substr(0, dot));
  return service == nullptr ? nullptr : service->FindMethodByName(full.substr(dot + 1));
}

void PrintGeneralHelp() {
  std::printf("dumasctl: the operator's command line of Dumas.\n\n"
              "Usage: dumasctl COMMAND [ARGUMENT] [--FIELD=VALUE ...] [--json] [--file=F]\n"
              "       dumasctl COMMAND --help\n\nCommands:\n");
  for (const Command& c : kCommands) std::printf("  %-18s %s\n", c.name, c.summary);
  std::printf("  %-18s the same as feed tail --follow\n", "feed-tail");
  std::printf("\nFlags name the request's fields (dotted for nested ones; repeat a flag for a\n"
              "list; enum values with or without their prefix). --file=F (or - for stdin)\n"
              "reads the request as JSON first; flags then override. A state change without\n"
              "--etag uses the complaint's current etag. Output is a table; --json prints the\n"
              "answer as JSON.\n\n%s\n%s",
              kSettings, kExitTable);
}

std::string TypeName(const pb::FieldDescriptor& f) {
  std::string type = f.type() == pb::FieldDescriptor::TYPE_MESSAGE ? f.message_type()->full_name()
                     : f.type() == pb::FieldDescriptor::TYPE_ENUM  ? f.enum_type()->name()
                                                                   : f.type_name();
  return f.is_repeated() ? "repeated " + type : type;
}

void PrintFields(const pb::Descriptor& d, const std::string& prefix, int depth) {
  for (int i = 0; i < d.field_count(); ++i) {
    const pb::FieldDescriptor& f = *d.field(i);
    if (SecretField(f.name())) continue;
    std::printf("  --%s%s  (%s)\n", prefix.c_str(), f.name().c_str(), TypeName(f).c_str());
    if (f.type() == pb::FieldDescriptor::TYPE_MESSAGE && depth < 1 &&
        f.message_type()->file()->package() == "dumas.v1") {
      PrintFields(*f.message_type(), prefix + f.name() + ".", depth + 1);
    }
  }
}

void PrintCommandHelp(const Command& c, const pb::MethodDescriptor& m) {
  bool own_flags = false;
  for (const OwnFlag& f : kOwnFlags) own_flags |= std::string_view(f.command) == c.name;
  std::printf("dumasctl %s%s%s: %s\n\nCalls dumas.v1.%s.\n\n", c.name, *c.positional ? " " : "",
              *c.positional ? c.positional : "", c.summary, c.method);
  // The request's fields, then the command's own flags: a heading names what
  // is listed (GetCheckpointRequest, for one, has no fields).
  if (m.input_type()->field_count() == 0) {
    std::printf("Flags:\n");
  } else {
    std::printf("Flags (the fields of %s%s):\n", m.input_type()->name().c_str(),
                own_flags ? ", then the command's own" : "");
  }
  PrintFields(*m.input_type(), "", 0);
  for (const OwnFlag& f : kOwnFlags) {
    if (std::string_view(f.command) == c.name) std::printf("  --%s%s\n", f.name, f.help);
  }
  std::printf("  --json   print the answer as JSON\n  --file=F read the request as JSON from F "
              "(- for stdin) first\n\n%s\n%s",
              kSettings, kExitTable);
}

bool ReadAll(const std::string& path, std::string* out) {
  if (path == "-") {
    std::ostringstream text;
    text << std::cin.rdbuf();
    *out = text.str();
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

// Resolves an enum value given with or without its prefix
// (ASSIGNED -> COMPLAINT_STATE_ASSIGNED).
const pb::EnumValueDescriptor* EnumValue(const pb::EnumDescriptor& e, std::string value) {
  for (char& ch : value) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (const auto* v = e.FindValueByName(value)) return v;
  // The prefix of the enum's values (AIP-126): that of X_UNSPECIFIED.
  if (const auto* zero = e.FindValueByNumber(0); zero != nullptr && zero->name().ends_with("UNSPECIFIED")) {
    const std::string prefix = zero->name().substr(0, zero->name().size() - 11);
    if (const auto* v = e.FindValueByName(prefix + value)) return v;
  }
  for (int i = 0; i < e.value_count(); ++i) {
    const std::string& name = e.value(i)->name();
    if (name.size() > value.size() && name.ends_with("_" + value)) return e.value(i);
  }
  return nullptr;
}

// Sets `path` (dotted) of `message` from text. Messages such as Timestamp
// take their JSON form (RFC 3339). Returns an error text, or "".
std::string SetField(pb::Message& message, std::string_view path, const std::string& value) {
  const size_t dot = path.find('.');
  std::string name(path.substr(0, dot));
  for (char& ch : name) {
    if (ch == '-') ch = '_';
  }
  const pb::FieldDescriptor* f = message.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr) return "no field --" + std::string(path);
  if (SecretField(f->name())) {
    return "--" + f->name() + " is a secret: give it on stdin or in the environment, not as a flag";
  }
  if (PersonalField(f->name())) {
    return "--" + f->name() + " holds personal data: give it in --file, not as a flag";
  }
  const pb::Reflection& r = *message.GetReflection();
  if (dot != std::string_view::npos) {
    if (f->type() != pb::FieldDescriptor::TYPE_MESSAGE || f->is_repeated()) {
      return "--" + std::string(path) + ": " + f->name() + " has no fields";
    }
    return SetField(*r.MutableMessage(&message, f), path.substr(dot + 1), value);
  }
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      rep ? r.AddString(&message, f, value) : r.SetString(&message, f, value);
      return "";
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      bool b = value.empty() || value == "true" || value == "1";
      if (!b && value != "false" && value != "0") return "--" + name + " takes true or false";
      rep ? r.AddBool(&message, f, b) : r.SetBool(&message, f, b);
      return "";
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumValueDescriptor* v = EnumValue(*f->enum_type(), value);
      if (v == nullptr) return "--" + name + ": no " + f->enum_type()->name() + " " + value;
      rep ? r.AddEnum(&message, f, v) : r.SetEnum(&message, f, v);
      return "";
    }
    case pb::FieldDescriptor::CPPTYPE_INT32:
    case pb::FieldDescriptor::CPPTYPE_INT64:
    case pb::FieldDescriptor::CPPTYPE_UINT32:
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      char* end = nullptr;
      const long long n = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0') return "--" + name + " takes a number";
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT32) {
        rep ? r.AddInt32(&message, f, static_cast<int32_t>(n))
            : r.SetInt32(&message, f, static_cast<int32_t>(n));
      } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT64) {
        rep ? r.AddInt64(&message, f, n) : r.SetInt64(&message, f, n);
      } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_UINT32) {
        rep ? r.AddUInt32(&message, f, static_cast<uint32_t>(n))
            : r.SetUInt32(&message, f, static_cast<uint32_t>(n));
      } else {
        rep ? r.AddUInt64(&message, f, n) : r.SetUInt64(&message, f, n);
      }
      return "";
    }
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      pb::Message* sub = rep ? r.AddMessage(&message, f) : r.MutableMessage(&message, f);
      const std::string& type = f->message_type()->full_name();
      if (type == "google.type.Date") {
        // YYYY-MM-DD, or YYYY-MM for a month (day 0).
        int year = 0, month = 0, day = 0, used = 0;
        const bool full = std::sscanf(value.c_str(), "%4d-%2d-%2d%n", &year, &month, &day, &used) == 3;
        if (!full) {
          day = 0;
          used = 0;
          if (std::sscanf(value.c_str(), "%4d-%2d%n", &year, &month, &used) != 2) used = -1;
        }
        if (used != static_cast<int>(value.size())) {
          return "--" + name + " takes a date, YYYY-MM-DD (or YYYY-MM for a month)";
        }
        const pb::Descriptor& d = *sub->GetDescriptor();
        const pb::Reflection& dr = *sub->GetReflection();
        dr.SetInt32(sub, d.FindFieldByName("year"), year);
        dr.SetInt32(sub, d.FindFieldByName("month"), month);
        dr.SetInt32(sub, d.FindFieldByName("day"), day);
        return "";
      }
      if (type == "google.protobuf.FieldMask") {
        // Paths as the proto names them, separated by commas.
        const pb::FieldDescriptor* paths = sub->GetDescriptor()->FindFieldByName("paths");
        std::stringstream list(value);
        for (std::string path; std::getline(list, path, ',');) {
          if (!path.empty()) sub->GetReflection()->AddString(sub, paths, path);
        }
        return "";
      }
      // Timestamp, Duration, ...: their JSON form is a string.
      std::string json = "\"" + value + "\"";
      if (!pb::util::JsonStringToMessage(json, sub).ok()) {
        return "--" + name + ": not a " + f->message_type()->name() + " (" + value + ")";
      }
      return "";
    }
    default:
      return "--" + name + ": this type is not settable as a flag; use --file";
  }
}

std::string Scalar(const pb::Message& m, const pb::FieldDescriptor& f, int index) {
  const pb::Reflection& r = *m.GetReflection();
  const bool rep = f.is_repeated();
  switch (f.cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      if (f.type() == pb::FieldDescriptor::TYPE_BYTES) return "(bytes)";
      return rep ? r.GetRepeatedString(m, &f, index) : r.GetString(m, &f);
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r.GetRepeatedBool(m, &f, index) : r.GetBool(m, &f)) ? "true" : "false";
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return (rep ? r.GetRepeatedEnum(m, &f, index) : r.GetEnum(m, &f))->name();
    case pb::FieldDescriptor::CPPTYPE_INT32:
      return std::to_string(rep ? r.GetRepeatedInt32(m, &f, index) : r.GetInt32(m, &f));
    case pb::FieldDescriptor::CPPTYPE_INT64:
      return std::to_string(rep ? r.GetRepeatedInt64(m, &f, index) : r.GetInt64(m, &f));
    case pb::FieldDescriptor::CPPTYPE_MESSAGE: {
      const pb::Message& sub = rep ? r.GetRepeatedMessage(m, &f, index) : r.GetMessage(m, &f);
      const std::string& type = f.message_type()->full_name();
      if (!rep && !r.HasField(m, &f)) return "";
      if (type == "google.type.Date") {
        const pb::Descriptor& d = *sub.GetDescriptor();
        const pb::Reflection& dr = *sub.GetReflection();
        char text[16];
        std::snprintf(text, sizeof text, "%04d-%02d-%02d",
                      dr.GetInt32(sub, d.FindFieldByName("year")),
                      dr.GetInt32(sub, d.FindFieldByName("month")),
                      dr.GetInt32(sub, d.FindFieldByName("day")));
        return text;
      }
      if (type == "google.protobuf.Timestamp" || type == "google.protobuf.Duration") {
        std::string json;
        (void)pb::util::MessageToJsonString(sub, &json);
        if (json.size() >= 2 && json.front() == '"') return json.substr(1, json.size() - 2);
        return json;
      }
      return "";
    }
    default:
      return "";
  }
}

// Whether a field prints in a table cell: scalars, enums, times; not bytes,
// not nested messages (such as the complainant's identity).
bool Printable(const pb::FieldDescriptor& f) {
  if (f.type() == pb::FieldDescriptor::TYPE_BYTES) return false;
  // Personal data stays out of tables (and so out of terminals' scrollback);
  // --json shows what the caller may read.
  if (f.name() == "reply_address") return false;
  if (f.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) return true;
  const std::string& type = f.message_type()->full_name();
  return type == "google.protobuf.Timestamp" || type == "google.type.Date" ||
         type == "google.protobuf.Duration";
}

// Prints a response as a human-readable table: the rows of its first list of
// messages, or the fields of the one message it holds (or its own).
void PrintTable(const pb::Message& response) {
  const pb::Descriptor& d = *response.GetDescriptor();
  const pb::Reflection& r = *response.GetReflection();
  for (int i = 0; i < d.field_count(); ++i) {
    const pb::FieldDescriptor& f = *d.field(i);
    if (!f.is_repeated() || f.cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    std::vector<const pb::FieldDescriptor*> columns;
    for (int c = 0; c < f.message_type()->field_count(); ++c) {
      const pb::FieldDescriptor* col = f.message_type()->field(c);
      if (!col->is_repeated() && Printable(*col)) columns.push_back(col);
    }
    std::vector<std::vector<std::string>> rows;
    std::vector<size_t> width;
    for (const auto* col : columns) width.push_back(col->name().size());
    for (int row = 0; row < r.FieldSize(response, &f); ++row) {
      const pb::Message& item = r.GetRepeatedMessage(response, &f, row);
      std::vector<std::string> cells;
      for (size_t c = 0; c < columns.size(); ++c) {
        std::string cell = Scalar(item, *columns[c], 0);
        if (cell.size() > 40) cell = cell.substr(0, 37) + "...";
        width[c] = std::max(width[c], cell.size());
        cells.push_back(cell);
      }
      rows.push_back(cells);
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string out;
      for (size_t c = 0; c < cells.size(); ++c) {
        out += cells[c];
        if (c + 1 < cells.size()) out += std::string(width[c] - cells[c].size() + 2, ' ');
      }
      std::printf("%s\n", out.c_str());
    };
    std::vector<std::string> header;
    for (const auto* col : columns) {
      std::string h = col->name();
      for (char& ch : h) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      header.push_back(h);
    }
    line(header);
    for (const auto& row : rows) line(row);
    // The rest of the response (next_page_token, head_revision, ...).
    for (int j = 0; j < d.field_count(); ++j) {
      const pb::FieldDescriptor& other = *d.field(j);
      if (&other == &f || other.is_repeated() || !Printable(other)) continue;
      const std::string value = Scalar(response, other, 0);
      if (!value.empty()) std::printf("%s: %s\n", other.name().c_str(), value.c_str());
    }
    return;
  }
  // One message: its own scalar fields, and those of the messages it holds.
  for (int i = 0; i < d.field_count(); ++i) {
    const pb::FieldDescriptor& f = *d.field(i);
    if (f.is_repeated()) {
      for (int k = 0; k < r.FieldSize(response, &f) && Printable(f); ++k) {
        std::printf("%s: %s\n", f.name().c_str(), Scalar(response, f, k).c_str());
      }
      continue;
    }
    if (Printable(f)) {
      const std::string value = Scalar(response, f, 0);
      if (!value.empty()) std::printf("%-28s %s\n", f.name().c_str(), value.c_str());
    } else if (f.cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && r.HasField(response, &f)) {
      const pb::Message& sub = r.GetMessage(response, &f);
      for (int k = 0; k < sub.GetDescriptor()->field_count(); ++k) {
        const pb::FieldDescriptor& g = *sub.GetDescriptor()->field(k);
        if (g.is_repeated() || !Printable(g)) continue;
        const std::string value = Scalar(sub, g, 0);
        if (!value.empty()) std::printf("%-28s %s\n", g.name().c_str(), value.c_str());
      }
    }
  }
}

void PrintJson(const pb::Message& message) {
  std::string json;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.preserve_proto_field_names = true;
  (void)pb::util::MessageToJsonString(message, &json, options);
  std::printf("%s\n", json.c_str());
}

int ExitOf(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK: return kOk;
    case grpc::StatusCode::INVALID_ARGUMENT: return kBadInput;
    case grpc::StatusCode::NOT_FOUND: return kNotFound;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED: return kDenied;
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::ALREADY_EXISTS: return kConflict;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED: return kUnavailable;
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return kThrottled;
    default: return kFailed;
  }
}

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

int ReportError(const char* what, const grpc::Status& status, bool json) {
  const std::vector<dumas::client::FieldViolation> violations =
      dumas::client::FieldViolations(status);
  if (json) {
    std::string out = std::string("{\"error\":{\"code\":\"") + CodeName(status.error_code()) +
                      "\",\"method\":\"" + what + "\",\"field_violations\":[";
    for (size_t i = 0; i < violations.size(); ++i) {
      out += (i ? ",\"" : "\"") + violations[i].field + "\"";
    }
    std::fprintf(stderr, "%s]}}\n", out.c_str());
  } else {
    std::fprintf(stderr, "dumasctl: %s: %s: %s\n", what, CodeName(status.error_code()),
                 status.error_message().c_str());
    for (const auto& v : violations) {
      std::fprintf(stderr, "  %s: %s\n", v.field.c_str(), v.description.c_str());
    }
  }
  return ExitOf(status);
}

void PrintChange(const dumas::v1::Change& c, bool json) {
  if (json) {
    PrintJson(c);
  } else if (c.complaint().empty()) {
    // A log record (such as a frozen Anev month): no states.
    std::printf("%lld  %s  %s  -  -\n", static_cast<long long>(c.revision()),
                c.record().name().c_str(), c.record().kind().c_str());
  } else {
    std::printf("%lld  %s  %s  %s  %s\n", static_cast<long long>(c.revision()),
                c.complaint().c_str(), c.event().type().c_str(),
                dumas::v1::ComplaintState_Name(c.event().from_state()).c_str(),
                dumas::v1::ComplaintState_Name(c.event().to_state()).c_str());
  }
  std::fflush(stdout);
}

// Follows WatchChanges after `after`, printing each change as it comes.
int FollowFeed(const dumas::client::Connection& dumas, int64_t after, bool until_idle,
               bool json) {
  dumas::v1::IntegrationService::Stub stub(dumas.channel());
  std::unique_ptr<grpc::ClientContext> context = dumas.NewContext(std::chrono::hours(24 * 365));
  dumas::v1::WatchChangesRequest request;
  request.set_after_revision(after);
  auto stream = stub.WatchChanges(context.get(), request);
  dumas::v1::WatchChangesResponse message;
  while (stream->Read(&message)) {
    if (message.has_heartbeat()) {
      if (until_idle && message.heartbeat().head_revision() <= after) {
        context->TryCancel();
        break;
      }
      continue;
    }
    after = message.change().revision();
    PrintChange(message.change(), json);
  }
  grpc::Status status = stream->Finish();
  if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
    return ReportError("WatchChanges", status, json);
  }
  return kOk;
}

// Prints every change after request.after_revision, a page at a time, up to
// the head; then, with `follow`, the changes to come.
int FeedTail(const dumas::client::Connection& dumas, dumas::v1::ListChangesRequest request,
             bool follow, bool until_idle, bool json) {
  if (!json) std::printf("REVISION  COMPLAINT  TYPE  FROM_STATE  TO_STATE\n");
  dumas::v1::IntegrationService::Stub stub(dumas.channel());
  while (true) {
    dumas::v1::ListChangesResponse page;
    grpc::Status status =
        dumas.Call(&dumas::v1::IntegrationService::Stub::ListChanges, stub, request, &page);
    if (!status.ok()) return ReportError("ListChanges", status, json);
    for (const dumas::v1::Change& c : page.changes()) {
      PrintChange(c, json);
      request.set_after_revision(c.revision());
    }
    if (page.changes().empty() || request.after_revision() >= page.head_revision()) break;
  }
  if (!follow) return kOk;
  return FollowFeed(dumas, request.after_revision(), until_idle, json);
}

int VerifyFailed(int exit, const std::string& problem, int64_t revision, bool json) {
  static const char* const kWhat[] = {"BAD_SIGNATURE", "INCONSISTENT", "TAMPERED"};
  const char* what = kWhat[exit - kBadSignature];
  if (json) {
    std::string out = std::string("{\"error\":{\"code\":\"") + what + "\"";
    if (revision > 0) out += ",\"first_bad_revision\":" + std::to_string(revision);
    std::fprintf(stderr, "%s}}\n", out.c_str());
  } else {
    std::fprintf(stderr, "dumasctl feed verify: %s: %s\n", what, problem.c_str());
  }
  return exit;
}

int CallFailed(const absl::Status& status, bool json) {
  return ReportError("feed verify",
                     grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                                  std::string(status.message())),
                     json);
}

// feed verify: the latest checkpoint's signature with the log key, its
// consistency with an older saved checkpoint, and every leaf recomputed from
// the change feed (dumas::LogVerifier, as tools/verify-log does).
int FeedVerify(const dumas::client::ChannelOptions& options,
               const dumas::client::Connection& dumas,
               const std::map<std::string, std::string>& own, bool json) {
  auto flag = [&](const char* name) {
    auto it = own.find(name);
    return it == own.end() ? std::string() : it->second;
  };
  std::string key_text;
  if (flag("log_key_file").empty() || !ReadAll(flag("log_key_file"), &key_text)) {
    std::fprintf(stderr, "dumasctl feed verify: needs --log_key_file=F, a readable file holding "
                         "the log's verifier key\n");
    return kUsage;
  }
  absl::StatusOr<dumas::VerifierKey> key =
      dumas::VerifierKey::Parse(std::string(absl::StripAsciiWhitespace(key_text)));
  if (!key.ok()) {
    std::fprintf(stderr, "dumasctl feed verify: --log_key_file does not hold a verifier key "
                         "(origin+keyid+base64)\n");
    return kUsage;
  }
  std::optional<dumas::Checkpoint> older;
  if (const std::string path = flag("older"); !path.empty()) {
    std::string text;
    if (!ReadAll(path, &text)) {
      std::fprintf(stderr, "dumasctl feed verify: cannot read --older %s\n", path.c_str());
      return kUsage;
    }
    absl::StatusOr<dumas::SignedNote> note = dumas::SignedNote::Parse(text);
    absl::StatusOr<dumas::Checkpoint> body =
        note.ok() ? dumas::Checkpoint::ParseBody(note->body)
                  : absl::StatusOr<dumas::Checkpoint>(note.status());
    if (!body.ok() || !dumas::VerifyNoteSignature(*note, *key).ok() ||
        body->origin != key->name) {
      std::fprintf(stderr, "dumasctl feed verify: --older is not a checkpoint signed with the "
                           "log key\n");
      return kUsage;
    }
    older = *body;
  }

  dumas::LogVerifier verifier(dumas.channel(), options.token, *key);
  absl::StatusOr<dumas::VerifiedCheckpoint> latest = verifier.FetchCheckpoint();
  if (absl::IsDataLoss(latest.status())) {
    return VerifyFailed(kBadSignature, std::string(latest.status().message()), 0, json);
  }
  if (!latest.ok()) return CallFailed(latest.status(), json);
  if (older) {
    dumas::LogReport consistent = verifier.CheckConsistency(*older, latest->checkpoint);
    if (!consistent.call_error.ok()) {
      return CallFailed(consistent.call_error, json);
    }
    if (!consistent.ok) {
      return VerifyFailed(kInconsistent, consistent.problem, consistent.first_bad_revision, json);
    }
  }
  dumas::LogReport report = verifier.RecomputeTree(latest->checkpoint);
  if (!report.call_error.ok()) {
    return CallFailed(report.call_error, json);
  }
  if (!report.ok) return VerifyFailed(kTampered, report.problem, report.first_bad_revision, json);
  if (const std::string path = flag("save"); !path.empty()) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << latest->note;
    if (!out.good()) {
      std::fprintf(stderr, "dumasctl feed verify: cannot write --save %s\n", path.c_str());
      return kFailed;
    }
  }
  const std::string root = absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(latest->checkpoint.root_hash.data()),
      latest->checkpoint.root_hash.size()));
  if (json) {
    std::printf("{\"verified\":true,\"origin\":\"%s\",\"tree_size\":%llu,\"root_hash\":\"%s\","
                "\"leaves_checked\":%lld%s}\n",
                latest->checkpoint.origin.c_str(),
                static_cast<unsigned long long>(latest->checkpoint.tree_size), root.c_str(),
                static_cast<long long>(report.leaves_checked),
                older ? (",\"extends_tree_size\":" + std::to_string(older->tree_size)).c_str()
                      : "");
  } else {
    std::printf("verified                     yes\n");
    std::printf("%-28s %s\n", "origin", latest->checkpoint.origin.c_str());
    std::printf("%-28s %llu\n", "tree_size",
                static_cast<unsigned long long>(latest->checkpoint.tree_size));
    std::printf("%-28s %s\n", "root_hash", root.c_str());
    std::printf("%-28s %lld\n", "leaves_checked", static_cast<long long>(report.leaves_checked));
    if (older) {
      std::printf("%-28s %llu\n", "extends_tree_size",
                  static_cast<unsigned long long>(older->tree_size));
    }
  }
  return kOk;
}

// The first value of the row `key` of table `id` in `figures`: 0 when the
// table has no such row (its tables list only what occurred), "" when the
// figures have no such table or withhold its rows.
std::string FirstValue(const dumas::v1::AnevFigures& figures, const std::string& id,
                       const std::string& key) {
  for (const auto& table : figures.tables()) {
    if (table.id() != id) continue;
    if (table.rows_withheld()) return "";
    for (const auto& row : table.rows()) {
      if (row.key() != key || row.values().empty()) continue;
      if (!row.suppressed().empty() && row.suppressed(0)) return "<5";
      return std::to_string(row.values(0));
    }
    return "0";
  }
  return "";
}

// Prints one Anev table: a row per key, a column per value; with
// `previous`/`year_earlier`, the first column of the same row then
// (PREV_<column>, YEAR_AGO_<column>). A suppressed value prints as <5.
void PrintAnevTable(const dumas::v1::AnevTable& table, const dumas::v1::AnevFigures* previous,
                    const dumas::v1::AnevFigures* year_earlier) {
  std::printf("\n%s\n", table.id().c_str());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"KEY"};
  for (const std::string& c : table.columns()) header.push_back(absl::AsciiStrToUpper(c));
  const std::string first = table.columns().empty() ? "" : absl::AsciiStrToUpper(table.columns(0));
  if (previous != nullptr) header.push_back("PREV_" + first);
  if (year_earlier != nullptr) header.push_back("YEAR_AGO_" + first);
  rows.push_back(header);
  if (table.rows_withheld()) {
    std::printf("  (rows withheld from this reader; rows_sha256 %s)\n",
                table.rows_sha256().c_str());
    return;
  }
  for (const auto& row : table.rows()) {
    std::vector<std::string> cells = {row.key().empty() ? "(none)" : row.key()};
    for (int i = 0; i < row.values_size(); ++i) {
      const bool suppressed = i < row.suppressed_size() && row.suppressed(i);
      cells.push_back(suppressed ? "<5" : std::to_string(row.values(i)));
    }
    if (previous != nullptr) cells.push_back(FirstValue(*previous, table.id(), row.key()));
    if (year_earlier != nullptr) cells.push_back(FirstValue(*year_earlier, table.id(), row.key()));
    rows.push_back(cells);
  }
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string out = "  ";
    for (size_t c = 0; c < row.size(); ++c) {
      // Keys left, numbers right.
      const std::string pad(width[c] - row[c].size(), ' ');
      out += c == 0 ? row[c] + pad : pad + row[c];
      if (c + 1 < row.size()) out += "  ";
    }
    std::printf("%s\n", out.c_str());
  }
}

// Prints an Anev report as tables: the month's, each beside the month before
// and the year before; then the shortfalls and the trend.
void PrintAnevReport(const dumas::v1::AnevReport& report, const std::string& rule) {
  const dumas::v1::AnevFigures& f = report.figures();
  std::printf("%-28s %04d-%02d\n", "month", f.month().year(), f.month().month());
  std::printf("%-28s %s\n", "scope", f.scope().c_str());
  std::printf("%-28s %s\n", "as_of_time",
              pb::util::TimeUtil::ToString(f.as_of_time()).c_str());
  std::printf("%-28s %s\n", "frozen", f.frozen() ? "yes" : "no");
  std::printf("%-28s %s\n", "digest", f.digest().c_str());
  if (!f.month_digest().empty()) std::printf("%-28s %s\n", "month_digest", f.month_digest().c_str());
  if (f.has_corrections_as_of_time()) {
    std::printf("%-28s %s\n", "corrections_as_of_time",
                pb::util::TimeUtil::ToString(f.corrections_as_of_time()).c_str());
  }
  if (!rule.empty()) std::printf("%-28s %s\n", "rule", rule.c_str());
  for (const auto& table : f.tables()) {
    PrintAnevTable(table, report.has_previous_month() ? &report.previous_month() : nullptr,
                   report.has_year_earlier() ? &report.year_earlier() : nullptr);
  }
  for (const auto& table : report.shortfalls()) PrintAnevTable(table, nullptr, nullptr);
  if (report.has_trend()) PrintAnevTable(report.trend(), nullptr, nullptr);
}

int Run(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "help") {
    PrintGeneralHelp();
    return argc < 2 ? kUsage : kOk;
  }
  // Two-word commands (feed tail, feed verify); feed-tail is feed tail --follow.
  std::string command_name = argv[1];
  int first = 2;
  std::map<std::string, std::string> own;
  if (command_name == "feed" && argc > 2 &&
      (std::string_view(argv[2]) == "tail" || std::string_view(argv[2]) == "verify")) {
    command_name += std::string(" ") + argv[2];
    first = 3;
  } else if (command_name == "feed-tail") {
    command_name = "feed tail";
    own["follow"] = "";
  }
  const Command* command = FindCommand(command_name);
  if (command == nullptr) {
    std::fprintf(stderr, "dumasctl: unknown command '%s' (dumasctl --help lists them)\n", argv[1]);
    return kUsage;
  }
  const pb::MethodDescriptor* method = MethodOf(*command);
  if (method == nullptr) {
    std::fprintf(stderr, "dumasctl: %s is not in this build's API\n", command->method);
    return kFailed;
  }
  bool json = false;
  std::string file;
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> flags;
  for (int i = first; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      PrintCommandHelp(*command, *method);
      return kOk;
    }
    if (arg == "--json") {
      json = true;
    } else if (arg.starts_with("--file=")) {
      file = std::string(arg.substr(7));
    } else if (arg.starts_with("--")) {
      const size_t eq = arg.find('=');
      std::string flag(arg.substr(2, eq == std::string_view::npos ? arg.npos : eq - 2));
      std::string value = eq == std::string_view::npos ? "" : std::string(arg.substr(eq + 1));
      std::string own_name = flag;
      for (char& ch : own_name) {
        if (ch == '-') ch = '_';
      }
      if (own_name == "after" && FindOwnFlag(command->name, own_name) != nullptr) {
        flags.emplace_back("after_revision", value);
      } else if (FindOwnFlag(command->name, own_name) != nullptr) {
        own[own_name] = value;
      } else {
        flags.emplace_back(flag, value);
      }
    } else {
      positional.emplace_back(arg);
    }
  }

  std::unique_ptr<pb::Message> request(
      pb::MessageFactory::generated_factory()->GetPrototype(method->input_type())->New());
  std::unique_ptr<pb::Message> response(
      pb::MessageFactory::generated_factory()->GetPrototype(method->output_type())->New());
  if (!file.empty()) {
    std::string text;
    if (!ReadAll(file, &text)) {
      std::fprintf(stderr, "dumasctl: cannot read --file %s\n", file.c_str());
      return kUsage;
    }
    if (auto status = pb::util::JsonStringToMessage(text, request.get()); !status.ok()) {
      std::fprintf(stderr, "dumasctl: --file is not a %s in JSON: %s\n",
                   method->input_type()->name().c_str(), std::string(status.message()).c_str());
      return kUsage;
    }
  }
  if (positional.size() > 1 && std::string_view(command->positional) != "names") {
    std::fprintf(stderr, "dumasctl %s: one argument at most (dumasctl %s --help)\n", command->name,
                 command->name);
    return kUsage;
  }
  if (*command->positional == '\0' && !positional.empty()) {
    std::fprintf(stderr, "dumasctl %s takes no argument (dumasctl %s --help)\n", command->name,
                 command->name);
    return kUsage;
  }
  for (std::string value : positional) {
    // A bare reference number names the complaint.
    if ((std::string_view(command->positional) == "name" ||
         std::string_view(command->positional) == "parent") &&
        method->service()->name() == "ComplaintService" && value.find('/') == std::string::npos) {
      value = "complaints/" + value;
    }
    if (std::string error = SetField(*request, command->positional, value); !error.empty()) {
      std::fprintf(stderr, "dumasctl %s: %s\n", command->name, error.c_str());
      return kUsage;
    }
  }
  for (const auto& [name, value] : flags) {
    if (std::string error = SetField(*request, name, value); !error.empty()) {
      std::fprintf(stderr, "dumasctl %s: %s (dumasctl %s --help)\n", command->name, error.c_str(),
                   command->name);
      return kUsage;
    }
  }
  // The tracking code, where the request takes one (track, personal-data,
  // correct-contact): from the environment or stdin, unless --file gave it.
  if (const pb::FieldDescriptor* code_field =
          request->GetDescriptor()->FindFieldByName("tracking_code");
      code_field != nullptr && request->GetReflection()->GetString(*request, code_field).empty()) {
    std::string code;
    if (const char* env = std::getenv("DUMAS_TRACKING_CODE"); env != nullptr && *env) {
      code = env;
    } else if (!isatty(STDIN_FILENO)) {
      std::getline(std::cin, code);
    }
    while (!code.empty() && (code.back() == '\r' || code.back() == ' ')) code.pop_back();
    if (code.empty()) {
      std::fprintf(stderr, "dumasctl %s: give the tracking code in DUMAS_TRACKING_CODE or on "
                           "stdin, never as an argument\n", command->name);
      return kUsage;
    }
    request->GetReflection()->SetString(request.get(), code_field, code);
  }

  std::string error;
  std::optional<dumas::client::ChannelOptions> options =
      dumas::client::ChannelOptions::FromEnvironment(&error);
  if (!options) {
    std::fprintf(stderr, "dumasctl: %s\n", error.c_str());
    return kBadSettings;
  }
  const dumas::client::Connection dumas(*options);

  if (std::string_view(command->name) == "feed tail") {
    return FeedTail(dumas, static_cast<dumas::v1::ListChangesRequest&>(*request),
                    own.contains("follow"), own.contains("until_idle"), json);
  }
  if (std::string_view(command->name) == "feed verify") {
    return FeedVerify(*options, dumas, own, json);
  }

  // A state change names the etag last read: without --etag, read it now.
  const pb::Descriptor& in = *method->input_type();
  const pb::FieldDescriptor* etag = in.FindFieldByName("etag");
  const pb::FieldDescriptor* name = in.FindFieldByName("name");
  if (etag != nullptr && name != nullptr && request->GetReflection()->GetString(*request, etag).empty()) {
    dumas::v1::ComplaintService::Stub stub(dumas.channel());
    dumas::v1::GetComplaintRequest get;
    get.set_name(request->GetReflection()->GetString(*request, name));
    dumas::v1::GetComplaintResponse got;
    if (grpc::Status s = dumas.Call(&dumas::v1::ComplaintService::Stub::GetComplaint, stub, get, &got);
        !s.ok()) {
      return ReportError("GetComplaint", s, json);
    }
    request->GetReflection()->SetString(request.get(), etag, got.complaint().etag());
  }

  grpc::Status status = dumas.CallMethod(*method, *request, response.get());
  if (!status.ok()) return ReportError(method->name().c_str(), status, json);
  if (json) {
    PrintJson(*response);
  } else if (const auto* report = dynamic_cast<const dumas::v1::GetAnevReportResponse*>(response.get())) {
    PrintAnevReport(report->report(), "");
  } else if (const auto* published =
                 dynamic_cast<const dumas::v1::GetPublicAnevReportResponse*>(response.get())) {
    PrintAnevReport(published->report(), published->rule());
  } else {
    PrintTable(*response);
  }
  return kOk;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
