// ReportService through gRPC against a real MariaDB: a small month built by
// hand (every figure checked), its freezing, the public variant's
// suppression, the access rules, and the frozen report's digest in the
// transparency log.
//
// The month is March 2026 (WITA). Its holidays and cuti bersama (18-24
// March, Nyepi and Idul Fitri; 3 April, Good Friday; and January's and
// February's) move the deadlines and the working days counted. The complaints, with times in WITA:
//   A  received 27 Feb; SP3D 2 Mar (1 working day, met); under investigation.
//   B  received 1 Mar 00:30 WITA (28 Feb in UTC: March's by the WITA
//      boundary); rejected 2 Mar as a duplicate.
//   C  received 31 Mar 23:30 WITA (March); still RECEIVED; names an officer.
//   D  received 1 Apr 00:30 WITA (31 Mar in UTC: not March's).
//   E  received 2 Mar; SP3D 31 Mar, due 1 Apr only because of the holidays
//      (met); concluded in April, so ASSIGNED at March's end; names the same
//      officer as C.
//   F  received 5 Jan; concluded 5 Mar; answered 10 Mar, after its result
//      deadline (5 Mar: missed); rated 2; disputed 13 Mar; assigned again
//      16 Mar.
//   G  received 3 Mar; archived 4 Mar.
//   H  received 20 Jan; verified, never assigned: SP3D overdue since 18 Feb.
//   I  received 9 Feb; SP3D 12 Mar, due 10 Mar (missed); under investigation.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/anev_figures.h"
#include "domain/anev_report.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "dumas/v1/report_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/anev_reports.h"
#include "server/reference_data_cache.h"
#include "storage/anev_store.h"
#include "tests/service_fixture.h"

namespace dumas {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

class ReportServiceTest : public ServiceFixture {
 protected:
  static constexpr absl::Duration kCorrectionsMaxAge = absl::Seconds(3);

  ServerOptions Options() const override {
    ServerOptions options = ServiceFixture::Options();
    // Months are frozen by the requests of the test, not in the background.
    options.anev.freeze_interval = absl::ZeroDuration();
    // A live report's corrections may be this old (see
    // ALiveReportsCorrectionsAreAtMostMaxAgeOld).
    options.anev.corrections_max_age = kCorrectionsMaxAge;
    // Public reports are computed for each call (see
    // ThePublicReportIsComputedAtMostOncePerMaxAge).
    options.anev.public_max_age = absl::ZeroDuration();
    return options;
  }

  void SetUp() override {
    ServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    reports_ = v1::ReportService::NewStub(channel());
    integration_ = v1::IntegrationService::NewStub(channel());
  }

  void Execute(const std::string& sql) { ASSERT_TRUE(database().Execute(sql).ok()) << sql; }

  // A complaint with id `id`, its times in WITA ("2026-03-02 09:00").
  struct Row {
    int id;
    std::string category;
    int channel;
    std::string subject;  // "" for none
    std::string officer;
    std::string handling;  // "" for none
    int state;
    std::string received;
    std::string updated;
    std::string sp3d_due;
    std::string result_start;  // "" for none
    std::string result_due;    // "" for none
  };
  static std::string Wita(const std::string& time) {
    return absl::StrCat("TIMESTAMP('", time, "') - INTERVAL 8 HOUR");
  }
  static std::string OrNull(const std::string& text) {
    return text.empty() ? "NULL" : absl::StrCat("'", text, "'");
  }
  void Insert(const Row& r) {
    Execute(absl::StrCat(
        "INSERT INTO complaints (id, reference_number, tracking_hash, state, description,"
        " incident_time, incident_location, category_id, channel, reply_address_ct,"
        " subject_unit_id, officer_name, officer_description, confidential, key_id,"
        " full_name_ct, nik_ct, phone_ct, email_ct, address_ct, nik_blind_index, submitted_by,"
        " create_time, update_time, version, sp3d_due_date, handling_unit_id, result_start_date,"
        " result_due_date) VALUES (",
        r.id, ", 'TEST", 1000000000 + r.id, "', UNHEX(SHA2('", r.id, "', 256)), ", r.state,
        ", 'uraian', ", Wita(r.received), ", 'Palu', '", r.category, "', ", r.channel,
        ", '', ", OrNull(r.subject), ", '", r.officer, "', '', FALSE, 'k1', '', '', '', '', '',"
        " UNHEX(SHA2('nik", r.id, "', 256)), (SELECT MIN(id) FROM principals), ",
        Wita(r.received), ", ", Wita(r.updated), ", 1, '", r.sp3d_due, "', ",
        OrNull(r.handling), ", ", OrNull(r.result_start), ", ", OrNull(r.result_due), ")"));
    Event(r.id, r.received, "RECEIVED", 0, 1);
  }
  // An event; states 0 are NULL. With `with_facts_`, a case action's event
  // records what the report counts it by, as the server writes it (migration
  // 0015): the complaint's handling unit and receipt day, `due` (the SP3D's
  // due day for a first disposition when not given) and its label; without,
  // it is an event written before schema version 15, and the report looks up
  // its complaint and its virtual label.
  void Event(int complaint, const std::string& time, const std::string& type, int from, int to,
             const std::string& note = "", const std::string& due = "") {
    const std::string states = absl::StrCat(
        "'", type, "', ", from == 0 ? "NULL" : absl::StrCat(from), ", ",
        to == 0 ? "NULL" : absl::StrCat(to), ", FALSE, '', ", OrNull(note));
    if (!with_facts_ || type == "RECEIVED") {
      Execute(absl::StrCat(
          "INSERT INTO complaint_events (complaint_id, event_time, type, from_state, to_state,"
          " public, public_message, internal_note) VALUES (",
          complaint, ", ", Wita(time), ", ", states, ")"));
      return;
    }
    const std::string due_day =
        !due.empty() ? absl::StrCat("'", due, "'")
        : type == "ASSIGNED" && from == 2 ? std::string("c.sp3d_due_date")
                                          : std::string("NULL");
    // The label: the note's first line, for the events counted by it.
    const bool labelled = type == "CONCLUDED" || type == "REJECTED" || type == "RATED";
    const std::string tag = labelled ? note.substr(0, note.find('\n')) : "";
    Execute(absl::StrCat(
        "INSERT INTO complaint_events (complaint_id, event_time, type, from_state, to_state,"
        " public, public_message, internal_note, anev_unit, anev_received, anev_due, anev_tag)"
        " SELECT c.id, ", Wita(time), ", ", states, ", c.handling_unit_id,"
        " DATE(c.create_time + INTERVAL 8 HOUR), ", due_day, ", '", tag,
        "' FROM complaints c WHERE c.id = ", complaint));
  }

  // Checks every figure of BuildMonth's March.
  void CheckHandBuiltFigures();

  void BuildMonth() {
    // States: 1 RECEIVED, 2 VERIFIED, 3 ARCHIVED, 4 REJECTED, 5 ASSIGNED,
    // 6 UNDER_INVESTIGATION, 7 CONCLUDED, 8 ANSWERED, 10 REOPENED.
    // Channels: 1 WEB, 2 FACEBOOK, 3 EMAIL, 4 TWITTER, 5 WHATSAPP, 6 PHONE,
    // 7 WALK_IN, 8 KOMPOLNAS.
    Insert({1, "korupsi", 1, "sat-lantas", "", "propam", 6, "2026-02-27 10:00",
            "2026-03-03 09:00", "2026-03-31", "2026-03-02", "2026-04-30"});
    Event(1, "2026-02-27 11:00", "VERIFIED", 1, 2);
    Event(1, "2026-03-02 09:00", "ASSIGNED", 2, 5, "handling unit: propam");
    Event(1, "2026-03-03 09:00", "INVESTIGATION_STARTED", 5, 6);

    Insert({2, "pelayanan-buruk", 5, "spkt", "", "", 4, "2026-03-01 00:30", "2026-03-02 10:00",
            "2026-03-27", "", ""});
    Event(2, "2026-03-02 10:00", "REJECTED", 1, 4, "reason: DUPLICATE");

    Insert({3, "korupsi", 6, "sat-lantas", "Budi Santoso", "", 1, "2026-03-31 23:30",
            "2026-03-31 23:30", "2026-04-29", "", ""});

    Insert({4, "pelayanan-buruk", 1, "spkt", "", "", 1, "2026-04-01 00:30", "2026-04-01 00:30",
            "2026-04-30", "", ""});

    Insert({5, "penyalahgunaan-wewenang", 3, "sat-lantas", "Budi Santoso", "propam", 7,
            "2026-03-02 09:00", "2026-04-10 09:00", "2026-04-01", "2026-03-31", "2026-06-02"});
    Event(5, "2026-03-02 10:00", "VERIFIED", 1, 2);
    Event(5, "2026-03-31 09:00", "ASSIGNED", 2, 5, "handling unit: propam");
    Event(5, "2026-04-02 09:00", "INVESTIGATION_STARTED", 5, 6);
    Event(5, "2026-04-10 09:00", "CONCLUDED", 6, 7, "outcome: SUBSTANTIATED\nterbukti");

    Insert({6, "diskriminasi", 2, "sat-reskrim", "", "propam", 5, "2026-01-05 09:00",
            "2026-03-16 09:00", "2026-02-03", "2026-03-16", "2026-05-18"});
    Event(6, "2026-01-05 10:00", "VERIFIED", 1, 2);
    Event(6, "2026-01-06 09:00", "ASSIGNED", 2, 5, "handling unit: propam");
    Event(6, "2026-01-07 09:00", "INVESTIGATION_STARTED", 5, 6);
    Event(6, "2026-03-05 09:00", "CONCLUDED", 6, 7, "outcome: NOT_SUBSTANTIATED\ntidak terbukti");
    // The round answered started 6 Jan: due 5 Mar (the round of 16 Mar is
    // stored now).
    Event(6, "2026-03-10 09:00", "ANSWERED", 7, 8, "", "2026-03-05");
    Event(6, "2026-03-12 09:00", "RATED", 0, 0, "rating: 2");
    Event(6, "2026-03-13 09:00", "DISPUTED", 8, 10, "jawaban tidak sesuai");
    Event(6, "2026-03-16 09:00", "ASSIGNED", 10, 5, "handling unit: propam");

    Insert({7, "pelayanan-buruk", 7, "polsek-palu-barat", "", "", 3, "2026-03-03 10:00",
            "2026-03-04 10:00", "2026-03-31", "", ""});
    Event(7, "2026-03-04 10:00", "ARCHIVED", 1, 3, "bukan perkara pengawasan");

    Insert({8, "kekeliruan-diskresi", 8, "sat-reskrim", "", "", 2, "2026-01-20 09:00",
            "2026-01-21 09:00", "2026-02-18", "", ""});
    Event(8, "2026-01-21 09:00", "VERIFIED", 1, 2);

    Insert({9, "korupsi", 4, "sat-lantas", "", "siwas", 6, "2026-02-09 09:00",
            "2026-03-13 09:00", "2026-03-10", "2026-03-12", "2026-05-13"});
    Event(9, "2026-02-09 10:00", "VERIFIED", 1, 2);
    Event(9, "2026-03-12 09:00", "ASSIGNED", 2, 5, "handling unit: siwas");
    Event(9, "2026-03-13 09:00", "INVESTIGATION_STARTED", 5, 6);
  }

  grpc::Status GetReport(const std::string& token, int month, const std::string& unit,
                         v1::GetAnevReportResponse* response, int year = 2026) {
    v1::GetAnevReportRequest request;
    request.mutable_month()->set_year(year);
    request.mutable_month()->set_month(month);
    request.set_handling_unit(unit);
    grpc::ClientContext context;
    Authorize(context, token);
    return reports_->GetAnevReport(&context, request, response);
  }

  // The public report of a month, asked without a token.
  grpc::Status GetPublicReport(int year, int month, v1::GetPublicAnevReportResponse* response) {
    v1::GetPublicAnevReportRequest request;
    request.mutable_month()->set_year(year);
    request.mutable_month()->set_month(month);
    grpc::ClientContext context;
    return reports_->GetPublicAnevReport(&context, request, response);
  }

  // A table's rows as key -> values ("*" for a suppressed one).
  static std::map<std::string, std::vector<std::string>> Rows(const v1::AnevFigures& figures,
                                                              const std::string& id) {
    std::map<std::string, std::vector<std::string>> rows;
    for (const v1::AnevTable& table : figures.tables()) {
      if (table.id() != id) continue;
      for (const v1::AnevRow& row : table.rows()) {
        std::vector<std::string>& values = rows[row.key()];
        for (int i = 0; i < row.values_size(); ++i) {
          const bool suppressed = i < row.suppressed_size() && row.suppressed(i);
          values.push_back(suppressed ? "*" : absl::StrCat(row.values(i)));
        }
      }
      return rows;
    }
    ADD_FAILURE() << "no table " << id;
    return rows;
  }
  using V = std::vector<std::string>;

  // The report's digest recomputed from what is served, as docs/anev-report.md
  // tells a reader to: the rows' SHA-256 of every table shown, then the
  // canonical text.
  static std::string RecomputedDigest(const v1::AnevFigures& figures) {
    std::string text = absl::StrCat(
        "dumas-anev/v1\nmonth\t", absl::Dec(figures.month().year(), absl::kZeroPad4), "-",
        absl::Dec(figures.month().month(), absl::kZeroPad2), "\nscope\t", figures.scope(),
        "\nas_of\t",
        figures.as_of_time().seconds() * 1000000 + figures.as_of_time().nanos() / 1000, "\n");
    for (const v1::AnevTable& table : figures.tables()) {
      std::string rows_sha256 = table.rows_sha256();
      if (!table.rows_withheld()) {
        std::string rows;
        for (const v1::AnevRow& row : table.rows()) {
          rows.append(row.key());
          for (int i = 0; i < row.values_size(); ++i) {
            const bool suppressed = i < row.suppressed_size() && row.suppressed(i);
            absl::StrAppend(&rows, "\t", suppressed ? "*" : absl::StrCat(row.values(i)));
          }
          rows.push_back('\n');
        }
        rows_sha256 = Sha256Hex(rows);
        EXPECT_EQ(rows_sha256, table.rows_sha256()) << table.id();
      }
      absl::StrAppend(&text, "table\t", table.id(), "\t", absl::StrJoin(table.columns(), ","),
                      "\t", rows_sha256, "\n");
    }
    return Sha256Hex(text);
  }

  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::IntegrationService::Stub> integration_;
  bool with_facts_ = false;
};

TEST_F(ReportServiceTest, AHandBuiltMonthHasExactlyTheseFigures) {
  with_facts_ = true;
  BuildMonth();
  CheckHandBuiltFigures();
}

// Events written before schema version 15 carry no facts: the report looks
// their complaints up, and counts them the same.
TEST_F(ReportServiceTest, EventsWithoutFactsAreCountedTheSame) {
  BuildMonth();
  CheckHandBuiltFigures();
}

void ReportServiceTest::CheckHandBuiltFigures() {
  v1::GetAnevReportResponse response;
  const grpc::Status status = GetReport(token(Role::kSupervisor), 3, "", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::AnevFigures& march = response.report().figures();
  EXPECT_EQ(march.scope(), "resort");
  EXPECT_TRUE(march.frozen());
  // The month's end: 1 April 00:00 WITA.
  EXPECT_EQ(march.as_of_time().seconds(), absl::ToUnixSeconds(absl::FromCivil(
                                              absl::CivilSecond(2026, 3, 31, 16, 0, 0),
                                              absl::UTCTimeZone())));

  using M = std::map<std::string, V>;
  EXPECT_EQ(Rows(march, "summary"),
            (M{{"received", {"4"}},     {"sp3d_sent", {"3"}},      {"concluded", {"1"}},
               {"answered", {"1"}},     {"archived", {"1"}},       {"rejected", {"1"}},
               {"disputed", {"1"}},     {"ratings", {"1"}},        {"backlog", {"6"}},
               {"overdue", {"1"}},      {"sp3d_met", {"2"}},       {"sp3d_missed", {"1"}},
               {"sp3d_pending", {"1"}}, {"sp3d_overdue", {"1"}},   {"result_met", {"0"}},
               {"result_missed", {"1"}}, {"result_pending", {"4"}}, {"result_overdue", {"0"}}}));
  EXPECT_EQ(Rows(march, "received_by_category"),
            (M{{"categories/korupsi", {"1"}},
               {"categories/pelayanan-buruk", {"2"}},
               {"categories/penyalahgunaan-wewenang", {"1"}}}));
  EXPECT_EQ(Rows(march, "received_by_channel"),
            (M{{"CHANNEL_EMAIL", {"1"}},
               {"CHANNEL_WHATSAPP", {"1"}},
               {"CHANNEL_PHONE", {"1"}},
               {"CHANNEL_WALK_IN", {"1"}}}));
  EXPECT_EQ(Rows(march, "received_by_subject_unit"),
            (M{{"units/polsek-palu-barat", {"1"}},
               {"units/sat-lantas", {"2"}},
               {"units/spkt", {"1"}}}));
  EXPECT_EQ(Rows(march, "received_by_handling_unit"), (M{{"", {"3"}}, {"units/propam", {"1"}}}));
  // E is CONCLUDED now but was ASSIGNED at the month's end.
  EXPECT_EQ(Rows(march, "states_at_month_end"),
            (M{{"COMPLAINT_STATE_RECEIVED", {"1"}},
               {"COMPLAINT_STATE_ARCHIVED", {"1"}},
               {"COMPLAINT_STATE_REJECTED", {"1"}},
               {"COMPLAINT_STATE_ASSIGNED", {"1"}}}));
  EXPECT_EQ(Rows(march, "outcomes"), (M{{"OUTCOME_NOT_SUBSTANTIATED", {"1"}}}));
  EXPECT_EQ(Rows(march, "rejections"), (M{{"REJECTION_REASON_DUPLICATE", {"1"}}}));
  // met, missed, pending, overdue.
  EXPECT_EQ(Rows(march, "sp3d_deadlines"),
            (M{{"", {"0", "0", "1", "1"}},
               {"units/propam", {"2", "0", "0", "0"}},
               {"units/siwas", {"0", "1", "0", "0"}}}));
  EXPECT_EQ(Rows(march, "result_deadlines"),
            (M{{"units/propam", {"0", "1", "3", "0"}}, {"units/siwas", {"0", "0", "1", "0"}}}));
  // To SP3D: A 1, E 16, I 21 working days; to the answer: F 43 (the cuti
  // bersama of 16 Feb and 18, 23 and 24 Mar are not working days either).
  EXPECT_EQ(Rows(march, "working_days"),
            (M{{"to_sp3d", {"3", "16", "21"}}, {"to_answer", {"1", "43", "43"}}}));
  // Ages at 31 March: A 17, C 0, E 16, F 53, H 43, I 29 working days.
  EXPECT_EQ(Rows(march, "backlog_by_age"),
            (M{{"0-20", {"3"}}, {"21-40", {"1"}}, {"41-60", {"2"}}, {"61+", {"0"}}}));
  EXPECT_EQ(Rows(march, "backlog_by_unit"),
            (M{{"", {"2", "1"}}, {"units/propam", {"3", "0"}}, {"units/siwas", {"1", "0"}}}));
  EXPECT_EQ(Rows(march, "ratings"),
            (M{{"1", {"0"}}, {"2", {"1"}}, {"3", {"0"}}, {"4", {"0"}}, {"5", {"0"}}}));
  EXPECT_EQ(Rows(march, "disputes_by_unit"), (M{{"units/propam", {"1"}}}));
  EXPECT_EQ(Rows(march, "repeated_subjects"), (M{{"units/sat-lantas:Budi Santoso", {"2"}}}));
  EXPECT_EQ(Rows(march, "corrections"), M{});

  // February: A and I (B is March's in WITA); March a year earlier: none.
  EXPECT_EQ(Rows(response.report().previous_month(), "summary")["received"], V{"2"});
  EXPECT_TRUE(response.report().previous_month().frozen());
  EXPECT_EQ(Rows(response.report().year_earlier(), "summary")["received"], V{"0"});
  // The trend: twelve months, April 2025 to March 2026.
  const v1::AnevTable& trend = response.report().trend();
  ASSERT_EQ(trend.rows_size(), 12);
  EXPECT_EQ(trend.rows(0).key(), "2025-04");
  EXPECT_EQ(trend.rows(11).key(), "2026-03");
  EXPECT_EQ(trend.rows(11).values(0), 4);  // received
  EXPECT_EQ(trend.rows(10).values(0), 2);

  // A handling unit's part.
  v1::GetAnevReportResponse propam;
  ASSERT_TRUE(GetReport(token(Role::kSupervisor), 3, "units/propam", &propam).ok());
  EXPECT_EQ(Rows(propam.report().figures(), "summary")["received"], V{"1"});
  EXPECT_EQ(Rows(propam.report().figures(), "summary")["backlog"], V{"3"});
  EXPECT_EQ(Rows(propam.report().figures(), "summary")["sp3d_met"], V{"2"});
  EXPECT_EQ(Rows(propam.report().figures(), "summary")["result_missed"], V{"1"});
}

// Every row of a month's data, as text, in the order read.
std::vector<std::string> RowsOf(const AnevMonthData& data) {
  std::vector<std::string> rows;
  auto day = [](const std::optional<absl::CivilDay>& d) {
    return d.has_value() ? absl::FormatCivilTime(*d) : std::string("-");
  };
  for (const auto& r : data.received) {
    rows.push_back(absl::StrCat("received ", r.handling_unit, " ", r.category, " ",
                                static_cast<int>(r.channel), " ", r.subject_unit, " ",
                                static_cast<int>(r.state_at_end), " ", r.count));
  }
  for (const auto& r : data.labelled) {
    rows.push_back(absl::StrCat("labelled ", r.handling_unit, " ", r.type, " ", r.label, " ",
                                r.count));
  }
  for (const auto& r : data.sp3d_sent) {
    rows.push_back(absl::StrCat("sp3d ", r.handling_unit, " ", day(r.received), " ",
                                day(r.sent), " ", day(r.due), " ", r.count));
  }
  for (const auto& r : data.answers) {
    rows.push_back(absl::StrCat("answer ", r.handling_unit, " ", day(r.received), " ",
                                day(r.answered), " ", day(r.due), " ", day(r.round_start), " ",
                                r.count));
  }
  for (const auto& r : data.open) {
    rows.push_back(absl::StrCat("open ", r.handling_unit, " ", static_cast<int>(r.state), " ",
                                day(r.received), " ", day(r.sp3d_due), " ", day(r.result_due),
                                " ", day(r.result_round_start), " ", r.count));
  }
  for (const auto& r : data.repeated_subjects) {
    rows.push_back(absl::StrCat("subject ", r.subject_unit, " ", r.officer_name, " ",
                                r.complaints));
  }
  return rows;
}

TEST_F(ReportServiceTest, ARequestReadsOnTwoConnectionsWhatOneConnectionReads) {
  BuildMonth();
  // March as at its end, and as at now (the corrections' read), together.
  const std::vector<AnevPeriod> periods = {AnevPeriodOf(absl::CivilMonth(2026, 3), absl::Now()),
                                           AnevPeriodOf(absl::CivilMonth(2026, 4), absl::Now())};
  absl::StatusOr<std::vector<AnevMonthData>> one =
      store().ReadAnevData(periods, AnevStore::ReadFor::kBackground);
  ASSERT_TRUE(one.ok()) << one.status();
  // The second connection joins only when nothing committed between the
  // two snapshots (the test database keeps a binary log); the server's own
  // background work (the log's sequencer, the freezer) may commit at that
  // moment, so a read that fell back to one connection is tried again.
  absl::StatusOr<std::vector<AnevMonthData>> two;
  bool on_two = false;
  for (int attempt = 0; attempt < 10 && !on_two; ++attempt) {
    const int64_t before = store().anev_two_connection_reads();
    two = store().ReadAnevData(periods, AnevStore::ReadFor::kRequest);
    ASSERT_TRUE(two.ok()) << two.status();
    on_two = store().anev_two_connection_reads() == before + 1;
  }
  EXPECT_TRUE(on_two);
  ASSERT_EQ(one->size(), 2u);
  ASSERT_EQ(two->size(), 2u);
  for (size_t p = 0; p < periods.size(); ++p) {
    EXPECT_EQ(RowsOf((*two)[p]), RowsOf((*one)[p])) << "period " << p;
  }
  EXPECT_FALSE(RowsOf((*two)[0]).empty());
}

TEST_F(ReportServiceTest, TheFrozenMonthIsServedUnchangedAndLaterChangesAreCorrections) {
  BuildMonth();
  v1::GetAnevReportResponse first;
  ASSERT_TRUE(GetReport(token(Role::kOversight), 3, "", &first).ok());
  ASSERT_TRUE(first.report().figures().frozen());
  // A complaint of March recorded late.
  Insert({20, "korupsi", 1, "spkt", "", "", 1, "2026-03-20 09:00", "2026-03-20 09:00",
          "2026-04-20", "", ""});
  v1::GetAnevReportResponse again;
  ASSERT_TRUE(GetReport(token(Role::kOversight), 3, "", &again).ok());
  EXPECT_EQ(again.report().figures().digest(), first.report().figures().digest());
  EXPECT_EQ(Rows(again.report().figures(), "summary")["received"], V{"4"});
  // OVERSIGHT reads no officer names.
  for (const v1::AnevTable& table : again.report().figures().tables()) {
    if (table.id() == "repeated_subjects") {
      EXPECT_TRUE(table.rows_withheld());
      EXPECT_EQ(table.rows_size(), 0);
    }
  }
  // April's report shows the change to March.
  v1::GetAnevReportResponse april;
  ASSERT_TRUE(GetReport(token(Role::kOversight), 4, "", &april).ok());
  const auto corrections = Rows(april.report().figures(), "corrections");
  ASSERT_TRUE(corrections.contains("summary/received/count"));
  EXPECT_EQ(corrections.at("summary/received/count"), (V{"4", "5"}));
}

TEST_F(ReportServiceTest, ThePublicVariantSuppressesEverySmallCell) {
  BuildMonth();
  v1::GetPublicAnevReportResponse response;
  const grpc::Status status = GetPublicReport(2026, 3, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(response.rule(), ::testing::HasSubstr("fewer than 5"));
  const v1::AnevFigures& figures = response.report().figures();
  EXPECT_EQ(figures.scope(), "public");
  std::vector<std::string> ids;
  for (const v1::AnevTable& table : figures.tables()) {
    ids.push_back(table.id());
    for (const v1::AnevRow& row : table.rows()) {
      EXPECT_THAT(row.key(), ::testing::Not(::testing::HasSubstr("Budi")));
      for (int i = 0; i < row.values_size(); ++i) {
        const bool suppressed = i < row.suppressed_size() && row.suppressed(i);
        if (!suppressed) {
          EXPECT_TRUE(row.values(i) == 0 || row.values(i) >= 5)
              << table.id() << "/" << row.key() << " = " << row.values(i);
        }
      }
    }
  }
  EXPECT_THAT(ids, ElementsAre("summary", "received_by_category", "received_by_channel",
                               "received_by_subject_unit", "outcomes", "ratings", "corrections"));
  using M = std::map<std::string, V>;
  EXPECT_EQ(Rows(figures, "summary"),
            (M{{"received", {"*"}},
               {"concluded", {"*"}},
               {"answered", {"*"}},
               {"sp3d_met", {"*"}},
               {"sp3d_missed", {"*"}},
               {"sp3d_running", {"*"}},
               {"result_met", {"0"}},
               {"result_missed", {"*"}},
               {"result_running", {"*"}},
               {"ratings", {"*"}}}));
  // Every subject unit complained about fewer than 5 times is pooled.
  EXPECT_EQ(Rows(figures, "received_by_subject_unit"), (M{{"other", {"*"}}}));
  EXPECT_EQ(Rows(figures, "received_by_category"),
            (M{{"categories/korupsi", {"*"}},
               {"categories/pelayanan-buruk", {"*"}},
               {"categories/penyalahgunaan-wewenang", {"*"}}}));
  EXPECT_EQ(RecomputedDigest(figures), figures.digest());
}

TEST_F(ReportServiceTest, AUnitReadsOnlyItsOwnPartAndBadMonthsAreRefused) {
  v1::GetAnevReportResponse response;
  EXPECT_EQ(GetReport(token(Role::kUnit), 3, "", &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(GetReport(token(Role::kUnit), 3, "units/sat-lantas", &response).ok());
  EXPECT_EQ(GetReport(token(Role::kIntake), 3, "", &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetReport("", 3, "", &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetReport(token(Role::kSupervisor), 13, "", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GetReport(token(Role::kSupervisor), 3, "units/nowhere", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  const absl::CivilMonth next = absl::CivilMonth(absl::ToCivilSecond(
                                    absl::Now(), absl::FixedTimeZone(8 * 3600))) + 1;
  EXPECT_EQ(GetReport(token(Role::kSupervisor), next.month(), "", &response, next.year())
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReportServiceTest, TheFrozenReportsDigestIsInTheTransparencyLog) {
  BuildMonth();
  v1::GetAnevReportResponse response;
  ASSERT_TRUE(GetReport(token(Role::kOversight), 3, "", &response).ok());
  const v1::AnevFigures& figures = response.report().figures();
  ASSERT_TRUE(figures.frozen());
  EXPECT_EQ(RecomputedDigest(figures), figures.digest());
  // The month's digest covers every scope's digest, the resort's among them.
  std::string manifest = "dumas-anev-month/v1\nmonth\t2026-03\n";
  bool resort_listed = false;
  for (const v1::AnevScopeDigest& d : figures.month_scope_digests()) {
    absl::StrAppend(&manifest, d.scope(), "\t", d.digest(), "\n");
    resort_listed = resort_listed || (d.scope() == "resort" && d.digest() == figures.digest());
  }
  EXPECT_TRUE(resort_listed);
  EXPECT_EQ(Sha256Hex(manifest), figures.month_digest());

  // The sequencer numbers the record soon after the freeze commits.
  std::optional<v1::Change> logged;
  for (int attempt = 0; attempt < 200 && !logged.has_value(); ++attempt) {
    int64_t after = 0;
    while (!logged.has_value()) {
      v1::ListChangesRequest request;
      request.set_after_revision(after);
      request.set_page_size(100);
      v1::ListChangesResponse changes;
      grpc::ClientContext context;
      Authorize(context, token(Role::kOversight));
      const grpc::Status status = integration_->ListChanges(&context, request, &changes);
      ASSERT_TRUE(status.ok()) << status.error_message();
      if (changes.changes().empty()) break;
      for (const v1::Change& change : changes.changes()) {
        if (change.has_record() && change.record().name() == "reports/2026-03") logged = change;
      }
      after = changes.changes(changes.changes_size() - 1).revision();
    }
    if (!logged.has_value()) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(logged.has_value()) << "no record of reports/2026-03 in the feed";
  EXPECT_EQ(logged->record().kind(), "ANEV_REPORT");
  EXPECT_EQ(absl::BytesToHexString(logged->record().digest()), figures.month_digest());
}

// The officers named repeatedly, counted from the complaints of the twelve
// months and counted from the eleven months' counts made once
// (MakeAnevSubjectWindow) plus the month's complaints, are the same rows:
// names compared ignoring case, the earliest complaint's spelling, a name
// without a subject unit apart from the same name with one, nothing from
// before the twelve months.
TEST_F(ReportServiceTest, CountedSubjectsAreTheSameAsCountedFromTheComplaints) {
  BuildMonth();
  // C and E (March) name Budi Santoso of sat-lantas; so does an April 2025
  // complaint, spelt otherwise, and a March 2025 one outside the months.
  Insert({30, "korupsi", 1, "sat-lantas", "BUDI SANTOSO", "", 1, "2025-04-15 10:00",
          "2025-04-15 10:00", "2025-05-15", "", ""});
  Insert({31, "korupsi", 1, "sat-lantas", "Budi Santoso", "", 1, "2025-03-20 10:00",
          "2025-03-20 10:00", "2025-04-20", "", ""});
  // Andi of spkt: February and March; Andi without a unit: January only.
  Insert({32, "korupsi", 1, "spkt", "Andi", "", 1, "2026-02-10 10:00", "2026-02-10 10:00",
          "2026-03-10", "", ""});
  Insert({33, "korupsi", 1, "spkt", "andi", "", 1, "2026-03-05 10:00", "2026-03-05 10:00",
          "2026-04-06", "", ""});
  Insert({34, "korupsi", 1, "", "Andi", "", 1, "2026-01-10 10:00", "2026-01-10 10:00",
          "2026-02-10", "", ""});
  // Candra without a unit, twice in March.
  Insert({35, "korupsi", 1, "", "Candra", "", 1, "2026-03-06 10:00", "2026-03-06 10:00",
          "2026-04-07", "", ""});
  Insert({36, "korupsi", 1, "", "Candra", "", 1, "2026-03-07 10:00", "2026-03-07 10:00",
          "2026-04-08", "", ""});

  const absl::CivilMonth march(2026, 3);
  const AnevPeriod period = AnevPeriodOf(march, absl::Now());
  using Subject = std::tuple<std::string, std::string, int64_t>;
  auto subjects = [&]() {
    absl::StatusOr<std::vector<AnevMonthData>> data =
        store().ReadAnevData({period}, AnevStore::ReadFor::kBackground);
    EXPECT_TRUE(data.ok()) << data.status();
    std::vector<Subject> out;
    if (!data.ok()) return out;
    for (const AnevMonthData::RepeatedSubject& s : (*data)[0].repeated_subjects) {
      out.emplace_back(s.subject_unit, s.officer_name, s.complaints);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  const std::vector<Subject> expected = {{"", "Candra", 2},
                                         {"sat-lantas", "BUDI SANTOSO", 3},
                                         {"spkt", "Andi", 2}};
  EXPECT_EQ(subjects(), expected);  // from the complaints
  ASSERT_TRUE(store().MakeAnevSubjectWindow(march, absl::Now()).ok());
  ASSERT_TRUE(store().MakeAnevSubjectWindow(march, absl::Now()).ok());  // made once
  EXPECT_EQ(subjects(), expected);  // from the counts
  absl::StatusOr<std::vector<std::vector<std::string>>> made =
      database().Query("SELECT COUNT(*) FROM anev_subject_window_months");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ((*made)[0][0], "1");

  // The report (frozen now, from the counts) shows them.
  v1::GetAnevReportResponse response;
  ASSERT_TRUE(GetReport(token(Role::kSupervisor), 3, "", &response).ok());
  using M = std::map<std::string, V>;
  EXPECT_EQ(Rows(response.report().figures(), "repeated_subjects"),
            (M{{":Candra", {"2"}},
               {"units/sat-lantas:BUDI SANTOSO", {"3"}},
               {"units/spkt:Andi", {"2"}}}));
}

// A live report lists the corrections of the month before from a
// recomputation of it at most corrections_max_age old, and says when that
// was; an older one is recomputed by the request.
TEST_F(ReportServiceTest, ALiveReportsCorrectionsAreAtMostMaxAgeOld) {
  const absl::Time start = absl::Now();
  const absl::CivilMonth current = AnevMonthOf(start);
  // In the first minutes of a month the month before is not frozen yet, and
  // has no corrections.
  if (AnevPeriodOf(current, start).start + absl::Minutes(15) > start) {
    GTEST_SKIP() << "the month began less than 15 minutes ago";
  }
  const absl::CivilMonth before = current - 1;
  const std::string day = absl::FormatCivilTime(absl::CivilDay(before) + 9);  // the 10th
  auto late_record = [&](int id) {
    Insert({id, "korupsi", 1, "spkt", "", "", 1, day + " 10:00", day + " 10:00", day, "", ""});
  };
  late_record(40);
  auto live = [&]() {
    v1::GetAnevReportResponse response;
    const grpc::Status status =
        GetReport(token(Role::kSupervisor), current.month(), "", &response, current.year());
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.report().figures();
  };
  const v1::AnevFigures first = live();  // freezes the month before
  EXPECT_FALSE(first.frozen());
  EXPECT_EQ(Rows(first, "corrections"), (std::map<std::string, V>{}));
  ASSERT_TRUE(first.has_corrections_as_of_time());
  const int64_t first_as_of = first.corrections_as_of_time().seconds();
  EXPECT_GE(first_as_of, absl::ToUnixSeconds(start));

  // Recorded late: the month before received one more.
  late_record(41);
  const v1::AnevFigures cached = live();
  if (absl::Now() - start < kCorrectionsMaxAge) {
    // Not yet: the recomputation is recent enough, and says when it was.
    EXPECT_EQ(cached.corrections_as_of_time().seconds(), first_as_of);
    EXPECT_EQ(Rows(cached, "corrections"), (std::map<std::string, V>{}));
  }
  absl::SleepFor(kCorrectionsMaxAge + absl::Milliseconds(100));
  const v1::AnevFigures recomputed = live();
  EXPECT_GT(recomputed.corrections_as_of_time().seconds(), first_as_of);
  const auto corrections = Rows(recomputed, "corrections");
  ASSERT_TRUE(corrections.contains("summary/received/count"));
  EXPECT_EQ(corrections.at("summary/received/count"), (V{"1", "2"}));
  // The month before itself is served as frozen.
  EXPECT_TRUE(recomputed.has_as_of_time());
  v1::GetAnevReportResponse previous;
  ASSERT_TRUE(GetReport(token(Role::kSupervisor), before.month(), "", &previous, before.year())
                  .ok());
  EXPECT_TRUE(previous.report().figures().frozen());
  EXPECT_EQ(Rows(previous.report().figures(), "summary")["received"], V{"1"});
}

// A month before the first complaint's holds nothing: it is served empty,
// and asking for it (anyone may, for the public report) freezes and logs
// nothing.
TEST_F(ReportServiceTest, AMonthBeforeTheFirstComplaintIsServedEmptyAndNotFrozen) {
  BuildMonth();  // the first complaint: January 2026 (WITA)
  v1::GetPublicAnevReportResponse response;
  const grpc::Status status = GetPublicReport(2000, 5, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.report().figures().frozen());
  EXPECT_EQ(Rows(response.report().figures(), "summary")["received"], V{"0"});
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM anev_months"), 0);
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM log_records WHERE kind = 'ANEV_REPORT'"), 0);

  // March's report freezes January (the first complaint's month) and
  // February, and serves the months before January empty.
  v1::GetAnevReportResponse march;
  ASSERT_TRUE(GetReport(token(Role::kOversight), 3, "", &march).ok());
  EXPECT_TRUE(march.report().figures().frozen());
  EXPECT_TRUE(march.report().previous_month().frozen());
  EXPECT_FALSE(march.report().year_earlier().frozen());
  EXPECT_EQ(Rows(march.report().year_earlier(), "summary")["received"], V{"0"});
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM anev_months WHERE month < '2026-01-01'"),
            0);
  EXPECT_EQ(*database().QueryInt("SELECT COUNT(*) FROM anev_months"), 3);
}

// The background pass recomputes the month before for the corrections
// while requests are not reading, unless it has waited too long; the freeze
// of the month before counts as its first recomputation.
TEST_F(ReportServiceTest, TheMonthBeforeIsRecomputedAtAQuietMomentOrWhenDue) {
  const absl::Time t0 = absl::Now();
  const absl::CivilMonth current = AnevMonthOf(t0);
  // The synthetic times below run 12 minutes past now, in the same month,
  // with the month before due to be frozen.
  if (AnevPeriodOf(current, t0).start + absl::Minutes(15) > t0 ||
      AnevMonthOf(t0 + absl::Minutes(15)) != current) {
    GTEST_SKIP() << "too close to the start or end of a month";
  }
  const std::string day = absl::FormatCivilTime(absl::CivilDay(current - 1) + 9);
  Insert({40, "korupsi", 1, "spkt", "", "", 1, day + " 10:00", day + " 10:00", day, "", ""});

  AnevReports::Options options;
  options.freeze_interval = absl::ZeroDuration();
  options.corrections_max_age = absl::Minutes(8);
  options.corrections_quiet = absl::Seconds(30);
  ReferenceDataCache cache(store(), store());
  AnevReports reports(store(), cache, options);
  auto live = [&](absl::Time now) {
    absl::StatusOr<AnevReports::Report> report =
        reports.Get(current, std::string(kAnevScopeResort), now);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? report->month.corrections_as_of : std::nullopt;
  };
  auto refresh = [&](absl::Time now) {
    absl::StatusOr<bool> read = reports.RefreshCorrections(now);
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() && *read;
  };

  // The background pass freezes the month before; the live month's
  // corrections are as at that freeze: nothing is read again.
  absl::StatusOr<int> frozen = reports.FreezeDueMonths(t0, [] { return false; });
  ASSERT_TRUE(frozen.ok()) << frozen.status();
  EXPECT_GE(*frozen, 1);
  EXPECT_FALSE(refresh(t0 + absl::Minutes(3)));
  EXPECT_EQ(live(t0 + absl::Minutes(3)), t0);
  // Half of corrections_max_age old, a live report just read: not yet.
  EXPECT_EQ(live(t0 + absl::Minutes(4)), t0);
  EXPECT_FALSE(refresh(t0 + absl::Minutes(4) + absl::Seconds(10)));
  // Quiet for corrections_quiet: recomputed.
  const absl::Time t1 = t0 + absl::Minutes(4) + absl::Seconds(30);
  EXPECT_TRUE(refresh(t1));
  EXPECT_EQ(live(t1 + absl::Minutes(1)), t1);
  // Three quarters old: recomputed although a live report was just read.
  EXPECT_EQ(live(t1 + absl::Minutes(6)), t1);
  EXPECT_FALSE(refresh(t1 + absl::Minutes(6) - absl::Seconds(1)));
  EXPECT_TRUE(refresh(t1 + absl::Minutes(6)));
  EXPECT_EQ(live(t1 + absl::Minutes(6) + absl::Seconds(1)), t1 + absl::Minutes(6));
}

// Anyone may ask for the public report: it is computed at most once per
// public_max_age, and callers asking at once share one computation.
TEST_F(ReportServiceTest, ThePublicReportIsComputedAtMostOncePerMaxAge) {
  const absl::Time t0 = absl::Now();
  const absl::CivilMonth current = AnevMonthOf(t0);
  if (AnevMonthOf(t0 + absl::Minutes(2)) != current) {
    GTEST_SKIP() << "too close to the end of a month";
  }
  AnevReports::Options options;
  options.freeze_interval = absl::ZeroDuration();
  options.public_max_age = absl::Seconds(60);
  ReferenceDataCache cache(store(), store());
  AnevReports reports(store(), cache, options);
  auto as_of = [&](const std::string& scope, absl::Time now) {
    absl::StatusOr<AnevReports::Report> report = reports.Get(current, scope, now);
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? report->month.figures.as_of : absl::InfinitePast();
  };
  const std::string public_scope(kAnevScopePublic);
  const std::string resort_scope(kAnevScopeResort);
  EXPECT_EQ(as_of(public_scope, t0), t0);
  // Served again within public_max_age; other scopes are computed each time.
  EXPECT_EQ(as_of(public_scope, t0 + absl::Seconds(59)), t0);
  EXPECT_EQ(as_of(resort_scope, t0 + absl::Seconds(59)), t0 + absl::Seconds(59));
  // Older: computed again, once for the callers asking at once.
  const absl::Time t1 = t0 + absl::Seconds(61);
  std::vector<absl::Time> seen(4);
  {
    std::vector<std::jthread> callers;
    for (int i = 0; i < 4; ++i) {
      callers.emplace_back([&, i] { seen[i] = as_of(public_scope, t1 + absl::Milliseconds(i)); });
    }
  }
  for (absl::Time t : seen) EXPECT_EQ(t, seen[0]);
  EXPECT_GE(seen[0], t1);
  EXPECT_LT(seen[0], t1 + absl::Milliseconds(4));
}

}  // namespace
}  // namespace dumas
