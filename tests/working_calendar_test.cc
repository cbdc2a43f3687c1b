// The working calendar through gRPC against a real MariaDB: the 2026 holidays
// of the SKB 3 Menteri with their kinds, deadlines over Lebaran 2026 counted
// exactly, running deadlines recomputed when the calendar or the cuti-bersama
// setting changes (and at server start when it changed behind the servers),
// and due dates into a year not loaded shown as provisional.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "domain/complaint.h"
#include "domain/working_day_calendar.h"
#include "server/dumas_server.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;

absl::CivilDay Day(const google::type::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

// The 2026 holidays as migration 0002 seeded them, before the SKB: Idul Fitri
// on 20-21 March, no cuti bersama, no kinds given.
std::vector<Holiday> Seeded2026() {
  std::vector<Holiday> holidays;
  for (const auto& [month, day] :
       std::vector<std::pair<int, int>>{{1, 1},  {1, 16}, {2, 17}, {3, 19}, {3, 20}, {3, 21},
                                        {4, 3},  {4, 5},  {5, 1},  {5, 14}, {5, 27}, {5, 31},
                                        {6, 1},  {6, 16}, {8, 17}, {8, 25}, {12, 25}}) {
    holidays.push_back({absl::CivilDay(2026, month, day), "Libur", HolidayKind::kUnspecified});
  }
  return holidays;
}

// The 2026 holidays of the SKB 3 Menteri No. 1497/2025, 2/2025 and 5/2025.
std::vector<Holiday> Skb2026() {
  std::vector<Holiday> holidays;
  const std::set<absl::CivilDay> cuti = {
      absl::CivilDay(2026, 2, 16), absl::CivilDay(2026, 3, 18), absl::CivilDay(2026, 3, 20),
      absl::CivilDay(2026, 3, 23), absl::CivilDay(2026, 3, 24), absl::CivilDay(2026, 5, 15),
      absl::CivilDay(2026, 5, 28), absl::CivilDay(2026, 12, 24)};
  for (const Holiday& seeded : Seeded2026()) {
    if (seeded.day != absl::CivilDay(2026, 3, 20)) {
      holidays.push_back({seeded.day, "Libur nasional", HolidayKind::kLiburNasional});
    }
  }
  holidays.push_back({absl::CivilDay(2026, 3, 22), "Idul Fitri", HolidayKind::kLiburNasional});
  for (const absl::CivilDay& day : cuti) {
    holidays.push_back({day, "Cuti bersama", HolidayKind::kCutiBersama});
  }
  return holidays;
}

struct Handle {
  std::string name;
  std::string reference;
  std::string code;
};

class WorkingCalendarTest : public ServiceFixture {
 protected:
  void SetUp() override {
    ServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    // A fresh database records no calendar digest until the server's first
    // pass: wait for it, so that it cannot run over what a test arranges.
    for (int i = 0; i < 200; ++i) {
      absl::StatusOr<int64_t> done = database().QueryInt(
          "SELECT deadlines_calendar_digest IS NOT NULL FROM calendar_settings");
      ASSERT_TRUE(done.ok()) << done.status();
      if (*done == 1) return;
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "the server recorded no calendar digest within 10 s";
  }

  const std::string& admin_token() { return token(Role::kAdmin); }
  const std::string& supervisor() { return token(Role::kSupervisor); }

  grpc::Status SetHolidays(int year, const std::vector<Holiday>& holidays,
                           v1::SetHolidaysResponse* response = nullptr) {
    v1::SetHolidaysRequest request;
    request.set_year(year);
    for (const Holiday& holiday : holidays) {
      v1::Holiday* out = request.add_holidays();
      out->mutable_date()->set_year(static_cast<int>(holiday.day.year()));
      out->mutable_date()->set_month(holiday.day.month());
      out->mutable_date()->set_day(holiday.day.day());
      out->set_display_name(holiday.name);
      out->set_kind(static_cast<v1::HolidayKind>(holiday.kind));
    }
    v1::SetHolidaysResponse ignored;
    grpc::ClientContext context;
    Authorize(context, admin_token());
    return admin().SetHolidays(&context, request, response != nullptr ? response : &ignored);
  }

  std::vector<v1::Holiday> ListHolidays(int year) {
    v1::ListHolidaysRequest request;
    request.set_year(year);
    v1::ListHolidaysResponse response;
    grpc::ClientContext context;
    Authorize(context, admin_token());
    const grpc::Status status = admin().ListHolidays(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.holidays().begin(), response.holidays().end()};
  }

  grpc::Status SetSkipCutiBersama(bool skip, v1::SetCalendarSettingsResponse* response) {
    v1::SetCalendarSettingsRequest request;
    request.mutable_calendar_settings()->set_skip_cuti_bersama(skip);
    grpc::ClientContext context;
    Authorize(context, admin_token());
    return admin().SetCalendarSettings(&context, request, response);
  }

  v1::CalendarSettings CalendarSettings() {
    v1::GetCalendarSettingsResponse response;
    grpc::ClientContext context;
    Authorize(context, admin_token());
    const grpc::Status status =
        admin().GetCalendarSettings(&context, v1::GetCalendarSettingsRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.calendar_settings();
  }

  Handle NewComplaint() {
    v1::SubmitComplaintResponse submitted;
    const grpc::Status status = Submit(ValidRequest(), &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return Handle{submitted.complaint().name(), submitted.reference_number(),
                  submitted.tracking_code()};
  }

  v1::Complaint Read(const Handle& h) {
    v1::GetComplaintResponse response;
    const grpc::Status status = Get(h.name, v1::COMPLAINT_VIEW_BASIC, supervisor(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.complaint();
  }

  v1::TrackedComplaint Tracked(const Handle& h) {
    v1::TrackComplaintResponse response;
    const grpc::Status status = Track(h.reference, h.code, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.complaint();
  }

  // Verifies and assigns the complaint as the supervisor: the SP3D goes out
  // and the result deadline starts today.
  void Assign(const Handle& h) {
    {
      v1::VerifyComplaintRequest request;
      request.set_name(h.name);
      request.set_etag(Read(h).etag());
      v1::VerifyComplaintResponse response;
      grpc::ClientContext context;
      Authorize(context, supervisor());
      ASSERT_TRUE(stub().VerifyComplaint(&context, request, &response).ok());
    }
    v1::AssignComplaintRequest request;
    request.set_name(h.name);
    request.set_etag(Read(h).etag());
    v1::AssignComplaintResponse response;
    grpc::ClientContext context;
    Authorize(context, supervisor());
    ASSERT_TRUE(stub().AssignComplaint(&context, request, &response).ok());
  }

  // Moves the complaint's receipt to 08:30 WITA on `day` (the SP3D deadline
  // counts from the receipt day).
  void ReceivedOn(const Handle& h, absl::CivilDay day) {
    const absl::Time time =
        absl::FromCivil(absl::CivilSecond(day.year(), day.month(), day.day(), 8, 30, 0),
                        PaluTimeZone());
    ASSERT_TRUE(database()
                    .Execute(absl::StrCat(
                        "UPDATE complaints SET create_time = '",
                        absl::FormatTime("%Y-%m-%d %H:%M:%S", time, absl::UTCTimeZone()),
                        "' WHERE reference_number = '", h.reference, "'"))
                    .ok());
  }

  // Moves the day the complaint's result deadline counts from.
  void ResultStartedOn(const Handle& h, absl::CivilDay day) {
    ASSERT_TRUE(database()
                    .Execute(absl::StrCat("UPDATE complaints SET result_start_date = '",
                                          absl::FormatCivilTime(day),
                                          "' WHERE reference_number = '", h.reference, "'"))
                    .ok());
  }
};

TEST_F(WorkingCalendarTest, SeededCalendarIsTheSkb2026) {
  const std::vector<v1::Holiday> holidays = ListHolidays(2026);
  std::set<absl::CivilDay> libur;
  std::set<absl::CivilDay> cuti;
  for (const v1::Holiday& holiday : holidays) {
    ASSERT_NE(holiday.kind(), v1::HOLIDAY_KIND_UNSPECIFIED) << holiday.display_name();
    (holiday.kind() == v1::HOLIDAY_KIND_CUTI_BERSAMA ? cuti : libur).insert(Day(holiday.date()));
  }
  std::set<absl::CivilDay> expected_libur;
  std::set<absl::CivilDay> expected_cuti;
  for (const Holiday& holiday : Skb2026()) {
    (holiday.kind == HolidayKind::kCutiBersama ? expected_cuti : expected_libur)
        .insert(holiday.day);
  }
  EXPECT_EQ(libur.size(), 17u);
  EXPECT_EQ(cuti.size(), 8u);
  EXPECT_EQ(libur, expected_libur);
  EXPECT_EQ(cuti, expected_cuti);

  const v1::CalendarSettings settings = CalendarSettings();
  EXPECT_TRUE(settings.skip_cuti_bersama());
  EXPECT_THAT(settings.loaded_years(), ElementsAre(2026));
}

TEST_F(WorkingCalendarTest, RunningDeadlinesOverLebaran2026FollowTheCalendar) {
  // Received on Monday 2 March 2026: the SP3D is still owed.
  const Handle received = NewComplaint();
  ReceivedOn(received, absl::CivilDay(2026, 3, 2));
  // Assigned, with the result deadline counting from Monday 9 February.
  const Handle assigned = NewComplaint();
  Assign(assigned);
  ResultStartedOn(assigned, absl::CivilDay(2026, 2, 9));
  // Ended deadlines: an archived complaint and one whose SP3D went out.
  const Handle archived = NewComplaint();
  ReceivedOn(archived, absl::CivilDay(2026, 3, 2));
  {
    v1::ArchiveComplaintRequest request;
    request.set_name(archived.name);
    request.set_etag(Read(archived).etag());
    request.set_public_reason("Bukan merupakan pelanggaran oleh anggota Polri.");
    v1::ArchiveComplaintResponse response;
    grpc::ClientContext context;
    Authorize(context, supervisor());
    ASSERT_TRUE(stub().ArchiveComplaint(&context, request, &response).ok());
  }
  const google::type::Date archived_due = Read(archived).sp3d_due_date();
  const google::type::Date assigned_sp3d_due = Read(assigned).sp3d_due_date();
  const std::string etag = Read(received).etag();

  // The calendar as seeded before the SKB: Idul Fitri on 20-21 March.
  v1::SetHolidaysResponse set;
  ASSERT_TRUE(SetHolidays(2026, Seeded2026(), &set).ok());
  for (const v1::Holiday& holiday : set.holidays()) {
    EXPECT_EQ(holiday.kind(), v1::HOLIDAY_KIND_LIBUR_NASIONAL);  // none given: national
  }
  EXPECT_EQ(Day(Read(received).sp3d_due_date()), absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(Day(Read(assigned).result_due_date()), absl::CivilDay(2026, 4, 10));

  // The SKB: Idul Fitri on 21-22 March (a weekend), cuti bersama on 16
  // February and 18, 20, 23 and 24 March. The running deadlines move by three
  // and four working days.
  ASSERT_TRUE(SetHolidays(2026, Skb2026(), &set).ok());
  int cuti = 0;
  for (const v1::Holiday& holiday : set.holidays()) {
    cuti += holiday.kind() == v1::HOLIDAY_KIND_CUTI_BERSAMA ? 1 : 0;
  }
  EXPECT_EQ(cuti, 8);
  v1::Complaint now = Read(received);
  EXPECT_EQ(Day(now.sp3d_due_date()), absl::CivilDay(2026, 4, 7));
  EXPECT_FALSE(now.sp3d_due_date_provisional());
  EXPECT_EQ(now.etag(), etag);  // a calendar correction is not the caller's change
  EXPECT_EQ(Day(Tracked(received).sp3d_due_date()), absl::CivilDay(2026, 4, 7));
  EXPECT_EQ(Day(Read(assigned).result_due_date()), absl::CivilDay(2026, 4, 16));

  // Cuti bersama counted as working days: every server at once.
  v1::SetCalendarSettingsResponse settings;
  ASSERT_TRUE(SetSkipCutiBersama(false, &settings).ok());
  EXPECT_FALSE(settings.calendar_settings().skip_cuti_bersama());
  EXPECT_FALSE(CalendarSettings().skip_cuti_bersama());
  EXPECT_EQ(Day(Read(received).sp3d_due_date()), absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(Day(Read(assigned).result_due_date()), absl::CivilDay(2026, 4, 9));
  EXPECT_EQ(Day(Tracked(assigned).result_due_date()), absl::CivilDay(2026, 4, 9));

  ASSERT_TRUE(SetSkipCutiBersama(true, &settings).ok());
  EXPECT_EQ(Day(Read(received).sp3d_due_date()), absl::CivilDay(2026, 4, 7));
  EXPECT_EQ(Day(Read(assigned).result_due_date()), absl::CivilDay(2026, 4, 16));

  // Ended deadlines keep their due dates.
  EXPECT_EQ(Day(Read(archived).sp3d_due_date()), Day(archived_due));
  EXPECT_EQ(Day(Read(assigned).sp3d_due_date()), Day(assigned_sp3d_due));
}

TEST_F(WorkingCalendarTest, CalendarChangesAreCheckedAndAdminOnly) {
  v1::SetHolidaysRequest request;
  request.set_year(2027);
  v1::Holiday* holiday = request.add_holidays();
  holiday->mutable_date()->set_year(2027);
  holiday->mutable_date()->set_month(1);
  holiday->mutable_date()->set_day(1);
  holiday->set_display_name("Tahun Baru 2027 Masehi");
  holiday->set_kind(static_cast<v1::HolidayKind>(7));
  v1::SetHolidaysResponse response;
  {
    grpc::ClientContext context;
    Authorize(context, admin_token());
    const grpc::Status status = admin().SetHolidays(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_THAT(CalendarSettings().loaded_years(), ElementsAre(2026));  // nothing was set

  v1::SetCalendarSettingsResponse settings;
  {
    v1::SetCalendarSettingsRequest unset;  // skip_cuti_bersama missing
    unset.mutable_calendar_settings();
    grpc::ClientContext context;
    Authorize(context, admin_token());
    EXPECT_EQ(admin().SetCalendarSettings(&context, unset, &settings).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    v1::SetCalendarSettingsRequest change;
    change.mutable_calendar_settings()->set_skip_cuti_bersama(false);
    grpc::ClientContext context;
    Authorize(context, supervisor());
    EXPECT_EQ(admin().SetCalendarSettings(&context, change, &settings).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    v1::GetCalendarSettingsResponse got;
    grpc::ClientContext context;
    Authorize(context, supervisor());
    EXPECT_EQ(admin().GetCalendarSettings(&context, v1::GetCalendarSettingsRequest(), &got)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_TRUE(CalendarSettings().skip_cuti_bersama());
}

TEST_F(WorkingCalendarTest, DeadlineIntoAYearNotLoadedIsProvisional) {
  // Received on Wednesday 2 December 2026: 20 working days (less Christmas
  // Eve, cuti bersama, and Christmas) reach 1 January 2027, a year whose
  // holidays are not loaded.
  const Handle december = NewComplaint();
  ReceivedOn(december, absl::CivilDay(2026, 12, 2));
  ASSERT_TRUE(SetHolidays(2030, {}).ok());  // loads 2030: the calendar changed
  EXPECT_THAT(CalendarSettings().loaded_years(), ElementsAre(2026, 2030));
  v1::Complaint complaint = Read(december);
  EXPECT_EQ(Day(complaint.sp3d_due_date()), absl::CivilDay(2027, 1, 1));
  EXPECT_TRUE(complaint.sp3d_due_date_provisional());
  EXPECT_FALSE(complaint.result_due_date_provisional());
  EXPECT_TRUE(Tracked(december).sp3d_due_date_provisional());

  // Loading 2027 makes the due date final, after New Year's Day.
  ASSERT_TRUE(
      SetHolidays(2027, {{absl::CivilDay(2027, 1, 1), "Tahun Baru 2027 Masehi"}}).ok());
  complaint = Read(december);
  EXPECT_EQ(Day(complaint.sp3d_due_date()), absl::CivilDay(2027, 1, 4));
  EXPECT_FALSE(complaint.sp3d_due_date_provisional());
  EXPECT_FALSE(Tracked(december).sp3d_due_date_provisional());
}

TEST_F(WorkingCalendarTest, IntakeAndAssignmentFlagDueDatesIntoYearsNotLoaded) {
  // Whatever the date the test runs on: this year and the next not loaded.
  const int year = static_cast<int>(absl::ToCivilDay(absl::Now(), PaluTimeZone()).year());
  const std::vector<v1::Holiday> this_year = ListHolidays(year);
  ASSERT_TRUE(database()
                  .Execute(absl::StrCat("DELETE FROM calendar_years WHERE year IN (", year, ", ",
                                        year + 1, ")"))
                  .ok());
  ASSERT_TRUE(SetHolidays(2031, {}).ok());  // any change: the servers reload the calendar

  const Handle received = NewComplaint();
  const Handle assigned = NewComplaint();
  Assign(assigned);
  EXPECT_TRUE(Read(received).sp3d_due_date_provisional());
  EXPECT_FALSE(Read(received).result_due_date_provisional());  // no result deadline yet
  EXPECT_TRUE(Read(assigned).result_due_date_provisional());
  EXPECT_TRUE(Tracked(assigned).result_due_date_provisional());

  // Loading both years makes the running deadlines final.
  std::vector<Holiday> holidays;
  for (const v1::Holiday& h : this_year) {
    holidays.push_back({Day(h.date()), h.display_name(), static_cast<HolidayKind>(h.kind())});
  }
  ASSERT_TRUE(SetHolidays(year, holidays).ok());
  ASSERT_TRUE(SetHolidays(year + 1, {}).ok());
  EXPECT_FALSE(Read(received).sp3d_due_date_provisional());
  EXPECT_FALSE(Read(assigned).result_due_date_provisional());
  EXPECT_FALSE(Tracked(assigned).result_due_date_provisional());
  // The SP3D went out before: its due date stays as it was counted, and says
  // so.
  EXPECT_TRUE(Read(assigned).sp3d_due_date_provisional());
}

TEST_F(WorkingCalendarTest, ServerStartRecomputesWhenTheCalendarChangedBehindIt) {
  const Handle received = NewComplaint();
  ReceivedOn(received, absl::CivilDay(2026, 3, 2));
  // Both as the running servers know the calendar: the SKB.
  ASSERT_TRUE(SetHolidays(2030, {}).ok());
  ASSERT_EQ(Day(Read(received).sp3d_due_date()), absl::CivilDay(2026, 4, 7));

  // The calendar changes behind every server (as a migration changes it):
  // 23 March is no longer a holiday.
  ASSERT_TRUE(database().Execute("DELETE FROM holidays WHERE day = '2026-03-23'").ok());
  // A server starting now finds the calendar differs from the one the stored
  // deadlines follow, and recomputes them in the background.
  ServerOptions options = Options();
  absl::StatusOr<std::unique_ptr<DumasServer>> started =
      DumasServer::Start(options, StoresOf(store(), change_log()));
  ASSERT_TRUE(started.ok()) << started.status();
  absl::CivilDay due;
  for (int i = 0; i < 200; ++i) {
    due = Day(Read(received).sp3d_due_date());
    if (due == absl::CivilDay(2026, 4, 6)) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(due, absl::CivilDay(2026, 4, 6));
  (*started)->Shutdown();
}

}  // namespace
}  // namespace dumas
