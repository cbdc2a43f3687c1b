#include "server/report_service.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/anev_figures.h"
#include "domain/anev_report.h"
#include "server/proto_convert.h"
#include "server/rpc_support.h"

namespace dumas {

const char kAnevPublicRule[] =
    "Angka 1 sampai 4 disembunyikan (*), demikian pula angka terkecil berikutnya bila angka "
    "yang disembunyikan dapat dihitung dari jumlahnya; satuan yang diadukan kurang dari 5 kali "
    "digabung dalam \"lainnya\"; tidak ada nama petugas. / Counts from 1 to 4 are suppressed "
    "(*), and so is the next smallest count wherever a suppressed one could be worked out from "
    "the total; units complained about fewer than 5 times are pooled as \"other\"; no officer "
    "is named.";

namespace {

constexpr int kFirstYear = 2000;

// The month of a request's `month` field; adds a violation and returns
// nullopt when it is missing, malformed, or after the current month.
std::optional<absl::CivilMonth> CheckMonth(bool has_month, const google::type::Date& date,
                                           absl::Time now, FieldViolations& violations) {
  if (!has_month) {
    violations.Add("month", "is required: a year and month, such as {\"year\": 2026, \"month\": 3}");
    return std::nullopt;
  }
  if (date.year() < kFirstYear || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() != 0) {
    violations.Add("month",
                   absl::StrCat("must be a year from ", kFirstYear,
                                " and a month 1-12, with day 0 (a whole month)"));
    return std::nullopt;
  }
  const absl::CivilMonth month(date.year(), date.month());
  if (month > AnevMonthOf(now)) {
    violations.Add("month", "is after the current month (WITA): no report exists yet");
    return std::nullopt;
  }
  return month;
}

void MonthToProto(absl::CivilMonth month, google::type::Date* out) {
  out->set_year(static_cast<int32_t>(month.year()));
  out->set_month(month.month());
  out->set_day(0);
}

void TableToProto(const AnevTable& table, bool withhold, v1::AnevTable* out) {
  out->set_id(table.id);
  for (const std::string& column : table.columns) out->add_columns(column);
  out->set_rows_sha256(AnevRowsSha256(table));
  out->set_rows_withheld(withhold);
  if (withhold) return;
  for (const AnevRow& row : table.rows) {
    v1::AnevRow* r = out->add_rows();
    r->set_key(row.key);
    bool any_suppressed = false;
    for (const std::optional<int64_t>& value : row.values) {
      r->add_values(value.value_or(0));
      any_suppressed = any_suppressed || !value.has_value();
    }
    if (any_suppressed) {
      for (const std::optional<int64_t>& value : row.values) {
        r->add_suppressed(!value.has_value());
      }
    }
  }
}

// `with_names`: whether the reader may see the officers named repeatedly.
void FiguresToProto(const AnevReports::Served& served, bool with_names, v1::AnevFigures* out) {
  MonthToProto(served.figures.month, out->mutable_month());
  out->set_scope(served.figures.scope);
  ToProto(served.figures.as_of, out->mutable_as_of_time());
  for (const AnevTable& table : served.figures.tables) {
    TableToProto(table, table.id == anev_table::kRepeatedSubjects && !with_names,
                 out->add_tables());
  }
  out->set_frozen(served.frozen);
  out->set_digest(AnevDigest(served.figures));
  if (served.corrections_as_of.has_value()) {
    ToProto(*served.corrections_as_of, out->mutable_corrections_as_of_time());
  }
  if (served.frozen) {
    ToProto(served.freeze_time, out->mutable_freeze_time());
    out->set_month_digest(served.month_digest);
    for (const auto& [scope, digest] : served.month_scope_digests) {
      v1::AnevScopeDigest* d = out->add_month_scope_digests();
      d->set_scope(scope);
      d->set_digest(digest);
    }
  }
}

void ReportToProto(const AnevReports::Report& report, bool with_names, v1::AnevReport* out) {
  FiguresToProto(report.month, with_names, out->mutable_figures());
  if (report.previous_month.has_value()) {
    FiguresToProto(*report.previous_month, with_names, out->mutable_previous_month());
  }
  if (report.year_earlier.has_value()) {
    FiguresToProto(*report.year_earlier, with_names, out->mutable_year_earlier());
  }
  for (const AnevTable& table : report.shortfalls) {
    TableToProto(table, /*withhold=*/false, out->add_shortfalls());
  }
  TableToProto(report.trend, /*withhold=*/false, out->mutable_trend());
}

}  // namespace

ReportServiceImpl::ReportServiceImpl(AnevReports& reports, ReferenceDataCache& cache,
                                     Authenticator& authenticator, CallAdmission& admission)
    : reports_(reports), cache_(cache), authenticator_(authenticator), admission_(admission) {}

grpc::Status ReportServiceImpl::GetAnevReport(grpc::ServerContext* context,
                                              const v1::GetAnevReportRequest* request,
                                              v1::GetAnevReportResponse* response) {
  const CallLog call(Method::kGetAnevReport, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(Get(*context, *request, *response));
}

absl::Status ReportServiceImpl::Get(grpc::ServerContext& context,
                                    const v1::GetAnevReportRequest& request,
                                    v1::GetAnevReportResponse& response) {
  absl::StatusOr<Principal> principal = authenticator_.Authorize(context, Method::kGetAnevReport);
  if (!principal.ok()) return principal.status();
  absl::StatusOr<std::shared_ptr<const ReferenceSnapshot>> reference = cache_.Current();
  if (!reference.ok()) return reference.status();

  const absl::Time now = absl::Now();
  FieldViolations violations;
  const std::optional<absl::CivilMonth> month =
      CheckMonth(request.has_month(), request.month(), now, violations);
  std::string scope(kAnevScopeResort);
  if (!request.handling_unit().empty()) {
    const std::string& name = request.handling_unit();
    const std::string unit_id =
        absl::StartsWith(name, "units/") ? name.substr(std::string_view("units/").size()) : "";
    if (!(*reference)->unit_ids.contains(unit_id)) {
      violations.Add("handling_unit",
                     "must be a unit of ListUnits, such as units/propam, or empty for the resort");
    } else {
      scope = AnevUnitScope(unit_id);
    }
  }
  if (!violations.empty()) return violations.ToStatus();
  // A unit reads its own part of the report only.
  if (principal->role == Role::kUnit && scope != AnevUnitScope(principal->unit_id)) {
    return absl::PermissionDeniedError(
        absl::StrCat("a UNIT principal reads only its own unit's report: set handling_unit to ",
                     AnevUnitScope(principal->unit_id)));
  }
  absl::StatusOr<AnevReports::Report> report = reports_.Get(*month, scope, now);
  if (!report.ok()) return report.status();
  ReportToProto(*report, /*with_names=*/principal->role == Role::kSupervisor,
                response.mutable_report());
  return absl::OkStatus();
}

grpc::Status ReportServiceImpl::GetPublicAnevReport(grpc::ServerContext* context,
                                                    const v1::GetPublicAnevReportRequest* request,
                                                    v1::GetPublicAnevReportResponse* response) {
  const CallLog call(Method::kGetPublicAnevReport, *context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  return call.Finish(GetPublic(*context, *request, *response));
}

absl::Status ReportServiceImpl::GetPublic(grpc::ServerContext& context,
                                          const v1::GetPublicAnevReportRequest& request,
                                          v1::GetPublicAnevReportResponse& response) {
  // A caller that sends a token means to be known: a bad one is refused.
  absl::StatusOr<std::optional<Principal>> caller = authenticator_.Identify(context);
  if (!caller.ok()) return caller.status();
  const absl::Time now = absl::Now();
  FieldViolations violations;
  const std::optional<absl::CivilMonth> month =
      CheckMonth(request.has_month(), request.month(), now, violations);
  if (!violations.empty()) return violations.ToStatus();
  absl::StatusOr<AnevReports::Report> report =
      reports_.Get(*month, std::string(kAnevScopePublic), now);
  if (!report.ok()) return report.status();
  ReportToProto(*report, /*with_names=*/false, response.mutable_report());
  response.set_rule(kAnevPublicRule);
  return absl::OkStatus();
}

}  // namespace dumas
