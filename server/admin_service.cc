#include "server/admin_service.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "domain/certificate_identity.h"
#include "domain/complaint_validation.h"
#include "domain/field_violations.h"
#include "server/log.h"
#include "server/proto_convert.h"
#include "server/rpc_support.h"

namespace dumas {
namespace {

constexpr PageLimits kAdminPages{.default_size = 50, .max_size = 100};
constexpr int kMaxHolidays = 100;
constexpr TextLimits kDisplayName{.required = true, .min_chars = 1, .max_chars = 200};

// Principal.channel is deprecated, but still read from and written for the
// callers that know only it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
v1::Channel LegacyChannel(const v1::Principal& principal) { return principal.channel(); }
void SetLegacyChannel(v1::Principal& principal, v1::Channel channel) {
  principal.set_channel(channel);
}
#pragma GCC diagnostic pop

void ToProto(const Principal& principal, v1::Principal* out) {
  out->set_name(absl::StrCat("principals/", principal.id));
  out->set_display_name(principal.name);
  out->set_role(static_cast<v1::Role>(principal.role));
  if (!principal.unit_id.empty()) out->set_unit(absl::StrCat("units/", principal.unit_id));
  dumas::ToProto(principal.create_time, out->mutable_create_time());
  if (principal.revoke_time.has_value()) {
    dumas::ToProto(*principal.revoke_time, out->mutable_revoke_time());
  }
  for (Channel channel : principal.channels.channels()) {
    out->add_channels(static_cast<v1::Channel>(channel));
  }
  if (!principal.channels.empty()) {
    SetLegacyChannel(*out, static_cast<v1::Channel>(principal.channels.channels().front()));
  }
  out->set_certificate_identity(principal.certificate_identity);
  out->set_certificate_only(!principal.certificate_identity.empty() && !principal.token_required);
}

void ToProto(const RoutingRule& rule, v1::RoutingRule* out) {
  out->set_category(absl::StrCat("categories/", rule.category_id));
  out->set_unit(absl::StrCat("units/", rule.unit_id));
}

void ToProto(const Holiday& holiday, v1::Holiday* out) {
  dumas::ToProto(holiday.day, out->mutable_date());
  out->set_display_name(holiday.name);
  out->set_kind(static_cast<v1::HolidayKind>(holiday.kind));
}

void ToProto(const CalendarSettings& settings, v1::CalendarSettings* out) {
  out->set_skip_cuti_bersama(settings.skip_cuti_bersama);
  dumas::ToProto(settings.update_time, out->mutable_update_time());
  for (int year : settings.loaded_years) out->add_loaded_years(year);
}

// The id of a new resource: 1-64 characters of [a-z0-9-].
std::optional<std::string> NewId(absl::string_view field, const std::string& id,
                                 FieldViolations& violations) {
  const std::optional<std::string> checked = ResourceId("x", absl::StrCat("x/", id));
  if (!checked.has_value()) {
    violations.Add(std::string(field), "must be 1 to 64 characters of a-z, 0-9 and hyphens");
  }
  return checked;
}

}  // namespace

template <typename Body>
grpc::Status AdminServiceImpl::Run(grpc::ServerContext& context, Method method, bool refresh,
                                   Body body) {
  const CallLog call(method, context, admission_);
  if (!call.admission().ok()) return call.Finish(call.admission());
  absl::StatusOr<Principal> principal = authenticator_.Authorize(context, method);
  if (!principal.ok()) return call.Finish(principal.status());
  absl::Status status = body(*principal);
  if (status.ok() && refresh) {
    // The change is committed; a failed refresh only delays its effect here
    // until the next periodic one.
    if (absl::Status refreshed = cache_.Refresh(); !refreshed.ok()) {
      Log(LogLevel::kWarning, "reference_data_refresh_failed",
          {{"code", absl::StatusCodeToString(refreshed.code())}});
    } else if (method == Method::kSetHolidays || method == Method::kSetCalendarSettings) {
      // The change is committed and answered OK whatever happens here: a
      // failed pass is logged and runs again after the next refresh.
      (void)deadlines_.Reconcile();
    }
  }
  return call.Finish(status);
}

grpc::Status AdminServiceImpl::CreatePrincipal(grpc::ServerContext* context,
                                               const v1::CreatePrincipalRequest* request,
                                               v1::CreatePrincipalResponse* response) {
  return Run(*context, Method::kCreatePrincipal, false, [&](const Principal&) -> absl::Status {
    FieldViolations violations;
    const v1::Principal& in = request->principal();
    Principal principal;
    if (auto name = CheckText("principal.display_name", in.display_name(), kDisplayName,
                              violations)) {
      principal.name = *name;
    }
    if (in.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(in.role())) {
      violations.Add("principal.role", "must be a Role other than UNSPECIFIED");
    }
    principal.role = static_cast<Role>(in.role());
    if (!in.unit().empty()) {
      if (auto id = ResourceId("units", in.unit())) {
        principal.unit_id = *id;
      } else {
        violations.Add("principal.unit", "must be units/{unit_id}");
      }
    }
    if (principal.role == Role::kUnit && in.unit().empty()) {
      violations.Add("principal.unit", "is required for ROLE_UNIT");
    }
    // The deprecated single channel joins the list.
    std::vector<int> channels(in.channels().begin(), in.channels().end());
    if (LegacyChannel(in) != v1::CHANNEL_UNSPECIFIED) channels.push_back(LegacyChannel(in));
    for (size_t i = 0; i < channels.size(); ++i) {
      if (channels[i] == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(channels[i])) {
        violations.Add(i < static_cast<size_t>(in.channels_size())
                           ? absl::StrCat("principal.channels[", i, "]")
                           : std::string("principal.channel"),
                       "must be a Channel other than UNSPECIFIED");
      } else {
        principal.channels.insert(static_cast<Channel>(channels[i]));
      }
    }
    if (principal.role == Role::kGateway && channels.empty()) {
      violations.Add("principal.channels",
                     "is required for ROLE_GATEWAY: the channels the gateway serves");
    }
    if (principal.role != Role::kGateway && !channels.empty()) {
      violations.Add("principal.channels", "is only for ROLE_GATEWAY");
    }
    if (!in.certificate_identity().empty()) {
      absl::StatusOr<std::string> identity =
          CanonicalCertificateIdentity(in.certificate_identity());
      if (identity.ok()) {
        principal.certificate_identity = *std::move(identity);
      } else {
        violations.Add("principal.certificate_identity", std::string(identity.status().message()));
      }
    } else if (in.certificate_only()) {
      violations.Add("principal.certificate_only", "needs a certificate_identity");
    }
    principal.token_required = !in.certificate_only();
    if (!violations.empty()) return violations.ToStatus();
    auto created = admin_.CreatePrincipalWithToken(principal);
    if (!created.ok()) return created.status();
    // A certificate this server remembers as bound to nobody names the new
    // principal from now on.
    if (!principal.certificate_identity.empty()) authenticator_.ForgetCachedTokens();
    ToProto(created->first, response->mutable_principal());
    response->set_token(created->second);
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::ListPrincipals(grpc::ServerContext* context,
                                              const v1::ListPrincipalsRequest* request,
                                              v1::ListPrincipalsResponse* response) {
  return Run(*context, Method::kListPrincipals, false, [&](const Principal&) -> absl::Status {
    FieldViolations violations;
    const std::optional<PageRequest> page = ParsePage(
        "principals", request->page_size(), request->page_token(), kAdminPages, violations);
    int64_t after_id = 0;
    if (page.has_value() && !page->after.empty()) {
      if (const std::optional<int64_t> id = ParseIdCursor(page->after)) {
        after_id = *id;
      } else {
        violations.Add("page_token", "is not a page token returned by this method");
      }
    }
    if (!violations.empty()) return violations.ToStatus();
    absl::StatusOr<std::vector<Principal>> rows = ListPage<Principal>(
        "principals", *page,
        [&](const std::string&, int limit) { return admin_.ListPrincipals(after_id, limit); },
        [](const Principal& row) { return IdCursor(row.id); },
        response->mutable_next_page_token());
    if (!rows.ok()) return rows.status();
    for (const Principal& row : *rows) ToProto(row, response->add_principals());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::RevokePrincipal(grpc::ServerContext* context,
                                               const v1::RevokePrincipalRequest* request,
                                               v1::RevokePrincipalResponse* response) {
  return Run(*context, Method::kRevokePrincipal, false, [&](const Principal&) -> absl::Status {
    const std::optional<int64_t> id = NumberedResourceId("principals", request->name());
    if (!id.has_value()) return InvalidField("name", "must be principals/{principal_id}");
    auto revoked = admin_.RevokePrincipalById(*id);
    if (absl::IsNotFound(revoked.status())) {
      return absl::NotFoundError("no active principal has that name");
    }
    if (!revoked.ok()) return revoked.status();
    authenticator_.ForgetCachedTokens();
    ToProto(*revoked, response->mutable_principal());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::CreateUnit(grpc::ServerContext* context,
                                          const v1::CreateUnitRequest* request,
                                          v1::CreateUnitResponse* response) {
  return Run(*context, Method::kCreateUnit, true, [&](const Principal&) -> absl::Status {
    FieldViolations violations;
    Unit unit;
    if (auto id = NewId("unit_id", request->unit_id(), violations)) unit.id = *id;
    if (auto name = CheckText("unit.display_name", request->unit().display_name(),
                              kDisplayName, violations)) {
      unit.display_name = *name;
    }
    if (!violations.empty()) return violations.ToStatus();
    if (absl::Status status = admin_.CreateUnit(unit); !status.ok()) {
      if (absl::IsAlreadyExists(status)) return absl::AlreadyExistsError("the unit id is taken");
      return status;
    }
    dumas::ToProto(unit, response->mutable_unit());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::CreateCategory(grpc::ServerContext* context,
                                              const v1::CreateCategoryRequest* request,
                                              v1::CreateCategoryResponse* response) {
  return Run(*context, Method::kCreateCategory, true, [&](const Principal&) -> absl::Status {
    FieldViolations violations;
    Category category;
    if (auto id = NewId("category_id", request->category_id(), violations)) category.id = *id;
    if (auto name = CheckText("category.indonesian_name", request->category().indonesian_name(),
                              kDisplayName, violations)) {
      category.indonesian_name = *name;
    }
    if (auto name = CheckText("category.english_name", request->category().english_name(),
                              kDisplayName, violations)) {
      category.english_name = *name;
    }
    if (!violations.empty()) return violations.ToStatus();
    if (absl::Status status = admin_.CreateCategory(category); !status.ok()) {
      if (absl::IsAlreadyExists(status)) {
        return absl::AlreadyExistsError("the category id is taken");
      }
      return status;
    }
    dumas::ToProto(category, response->mutable_category());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::ListRoutingRules(grpc::ServerContext* context,
                                                const v1::ListRoutingRulesRequest*,
                                                v1::ListRoutingRulesResponse* response) {
  return Run(*context, Method::kListRoutingRules, false, [&](const Principal&) -> absl::Status {
    auto rules = admin_.ListRoutingRules();
    if (!rules.ok()) return rules.status();
    for (const RoutingRule& rule : *rules) ToProto(rule, response->add_routing_rules());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::SetRoutingRule(grpc::ServerContext* context,
                                              const v1::SetRoutingRuleRequest* request,
                                              v1::SetRoutingRuleResponse* response) {
  return Run(*context, Method::kSetRoutingRule, true, [&](const Principal&) -> absl::Status {
    FieldViolations violations;
    RoutingRule rule;
    if (auto id = ResourceId("categories", request->routing_rule().category())) {
      rule.category_id = *id;
    } else {
      violations.Add("routing_rule.category", "must be categories/{category_id}");
    }
    if (auto id = ResourceId("units", request->routing_rule().unit())) {
      rule.unit_id = *id;
    } else {
      violations.Add("routing_rule.unit", "must be units/{unit_id}");
    }
    if (!violations.empty()) return violations.ToStatus();
    if (absl::Status status = admin_.SetRoutingRule(rule); !status.ok()) return status;
    ToProto(rule, response->mutable_routing_rule());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::ListHolidays(grpc::ServerContext* context,
                                            const v1::ListHolidaysRequest* request,
                                            v1::ListHolidaysResponse* response) {
  return Run(*context, Method::kListHolidays, false, [&](const Principal&) -> absl::Status {
    if (request->year() < 2000 || request->year() > 2100) {
      return InvalidField("year", "must be 2000 to 2100");
    }
    auto holidays = admin_.ListHolidays(request->year());
    if (!holidays.ok()) return holidays.status();
    for (const Holiday& holiday : *holidays) ToProto(holiday, response->add_holidays());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::SetHolidays(grpc::ServerContext* context,
                                           const v1::SetHolidaysRequest* request,
                                           v1::SetHolidaysResponse* response) {
  return Run(*context, Method::kSetHolidays, true, [&](const Principal&) -> absl::Status {
    FieldViolations violations;
    const int year = request->year();
    if (year < 2000 || year > 2100) violations.Add("year", "must be 2000 to 2100");
    if (request->holidays_size() > kMaxHolidays) {
      violations.Add("holidays", absl::StrCat("must hold at most ", kMaxHolidays, " days"));
    }
    std::vector<Holiday> holidays;
    absl::flat_hash_set<absl::CivilDay> seen;
    for (int i = 0; i < request->holidays_size() && i < kMaxHolidays; ++i) {
      const v1::Holiday& in = request->holidays(i);
      const std::string field = absl::StrCat("holidays[", i, "]");
      const absl::CivilDay day(in.date().year(), in.date().month(), in.date().day());
      if (day.year() != in.date().year() || day.month() != in.date().month() ||
          day.day() != in.date().day() || in.date().year() != year) {
        violations.Add(absl::StrCat(field, ".date"), "must be a real date within the year");
        continue;
      }
      if (!seen.insert(day).second) {
        violations.Add(absl::StrCat(field, ".date"), "is listed twice");
        continue;
      }
      auto name = CheckText(absl::StrCat(field, ".display_name"), in.display_name(),
                            kDisplayName, violations);
      if (!v1::HolidayKind_IsValid(in.kind())) {
        violations.Add(absl::StrCat(field, ".kind"), "is not a HolidayKind value");
        continue;
      }
      // Not given: a libur nasional, as every holiday was before kinds.
      const HolidayKind kind = in.kind() == v1::HOLIDAY_KIND_UNSPECIFIED
                                   ? HolidayKind::kLiburNasional
                                   : static_cast<HolidayKind>(in.kind());
      if (name.has_value()) holidays.push_back({day, *name, kind});
    }
    if (!violations.empty()) return violations.ToStatus();
    if (absl::Status status = admin_.SetHolidays(year, holidays); !status.ok()) return status;
    auto stored = admin_.ListHolidays(year);
    if (!stored.ok()) return stored.status();
    for (const Holiday& holiday : *stored) ToProto(holiday, response->add_holidays());
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::ListUndeliverableNotifications(
    grpc::ServerContext* context, const v1::ListUndeliverableNotificationsRequest* request,
    v1::ListUndeliverableNotificationsResponse* response) {
  return Run(*context, Method::kListUndeliverableNotifications, false,
             [&](const Principal&) -> absl::Status {
    FieldViolations violations;
    const std::optional<PageRequest> page =
        ParsePage("undeliverable", request->page_size(), request->page_token(), kAdminPages,
                  violations);
    int64_t after_id = 0;
    if (page.has_value() && !page->after.empty()) {
      if (const std::optional<int64_t> id = ParseIdCursor(page->after)) {
        after_id = *id;
      } else {
        violations.Add("page_token", "is not a page token returned by this method");
      }
    }
    if (!violations.empty()) return violations.ToStatus();
    absl::StatusOr<std::vector<UndeliverableNotification>> rows =
        ListPage<UndeliverableNotification>(
            "undeliverable", *page,
            [&](const std::string&, int limit) {
              return notifications_.ListUndeliverableNotifications(after_id, limit);
            },
            [](const UndeliverableNotification& row) { return IdCursor(row.id); },
            response->mutable_next_page_token());
    if (!rows.ok()) return rows.status();
    for (const UndeliverableNotification& row : *rows) {
      v1::UndeliverableNotification* out = response->add_notifications();
      out->set_name(absl::StrCat("notifications/", row.id));
      out->set_complaint(absl::StrCat("complaints/", row.reference_number));
      out->set_kind(static_cast<v1::NotificationKind>(row.kind));
      out->set_channel(static_cast<v1::Channel>(row.channel));
      dumas::ToProto(row.create_time, out->mutable_create_time());
      dumas::ToProto(row.failure_time, out->mutable_failure_time());
      out->set_failure(row.failure);
    }
    return absl::OkStatus();
  });
}

grpc::Status AdminServiceImpl::GetCalendarSettings(grpc::ServerContext* context,
                                                   const v1::GetCalendarSettingsRequest*,
                                                   v1::GetCalendarSettingsResponse* response) {
  return Run(*context, Method::kGetCalendarSettings, false, [&](const Principal&) -> absl::Status {
    absl::StatusOr<CalendarSettings> settings = admin_.GetCalendarSettings();
    if (!settings.ok()) return settings.status();
    ToProto(*settings, response->mutable_calendar_settings());
    return absl::OkStatus();
  });
}

// Where the setting lives: in the database (calendar_settings), not in a
// dumasd flag. Every server counts deadlines with it, and a flag could differ
// between servers started at different times, so that the same complaint got
// another due date depending on which server took it; a row read with the
// holidays keeps them all on one calendar and lets ADMIN change it without a
// restart.
grpc::Status AdminServiceImpl::SetCalendarSettings(grpc::ServerContext* context,
                                                   const v1::SetCalendarSettingsRequest* request,
                                                   v1::SetCalendarSettingsResponse* response) {
  return Run(*context, Method::kSetCalendarSettings, true, [&](const Principal&) -> absl::Status {
    if (!request->has_calendar_settings()) {
      return InvalidField("calendar_settings", "is required");
    }
    if (!request->calendar_settings().has_skip_cuti_bersama()) {
      return InvalidField("calendar_settings.skip_cuti_bersama",
                          "is required: true to skip cuti bersama, false to count them");
    }
    absl::StatusOr<CalendarSettings> settings =
        admin_.SetSkipCutiBersama(request->calendar_settings().skip_cuti_bersama());
    if (!settings.ok()) return settings.status();
    ToProto(*settings, response->mutable_calendar_settings());
    return absl::OkStatus();
  });
}

}  // namespace dumas
