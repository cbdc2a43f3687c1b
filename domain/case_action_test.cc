#include "domain/case_action.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::HasSubstr;

// Monday 2 March 2026, 10:00 WITA.
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 3, 2, 10, 0, 0), PaluTimeZone());

class CaseActionTest : public ::testing::Test {
 protected:
  CaseActionTest()
      : calendar_({}),
        routing_{{"korupsi", "propam"}, {"pelayanan-buruk", "siwas"}},
        names_{{"propam", "Si Propam"}, {"siwas", "Si Was"}, {"sat-reskrim", "Sat Reskrim"}},
        context_{kNow, calendar_, routing_, names_} {}

  static Complaint ComplaintIn(ComplaintState state) {
    Complaint c;
    c.id = 1;
    c.reference_number = "K7QM-4R9X-2HTZ";
    c.state = state;
    c.category_id = "korupsi";
    c.subject.unit_id = "sat-lantas";
    c.version = 3;
    return c;
  }

  static Principal Staff(Role role, std::string unit = "") {
    Principal p;
    p.id = 9;
    p.role = role;
    p.unit_id = std::move(unit);
    return p;
  }

  absl::StatusOr<ComplaintUpdate> Staff(Role role, Action action, const Complaint& c,
                                        const ActionInput& input = {}) {
    return PlanStaffAction(Staff(role), action, c, ComplaintEtag(c), input, context_);
  }

  const WorkingDayCalendar calendar_;
  const absl::flat_hash_map<std::string, std::string> routing_;
  const absl::flat_hash_map<std::string, std::string> names_;
  const CaseContext context_;
};

// 40 working days (eight weeks) after Monday 2 March 2026, with no holidays.
const absl::CivilDay kResultDue(2026, 4, 27);

TEST_F(CaseActionTest, ChecksVisibilityThenEtagThenRoleThenState) {
  const Complaint c = ComplaintIn(ComplaintState::kReceived);
  // The subject unit's own staff see nothing, whatever else is wrong.
  EXPECT_EQ(PlanStaffAction(Staff(Role::kSupervisor, "sat-lantas"), Action::kAssign, c, "v0", {},
                            context_)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  // A stale etag before the role.
  EXPECT_EQ(PlanStaffAction(Staff(Role::kOversight), Action::kVerify, c, "v2", {}, context_)
                .status()
                .code(),
            absl::StatusCode::kAborted);
  // The role before the state.
  EXPECT_EQ(Staff(Role::kOversight, Action::kAssign, c).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Staff(Role::kSupervisor, Action::kAssign, c).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Staff(Role::kIntake, Action::kVerify, c).ok());
}

TEST_F(CaseActionTest, AssignmentFollowsTheRoutingRule) {
  absl::StatusOr<ComplaintUpdate> u =
      Staff(Role::kSupervisor, Action::kAssign, ComplaintIn(ComplaintState::kVerified));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->state, ComplaintState::kAssigned);
  EXPECT_EQ(u->handling_unit_id, "propam");
  EXPECT_THAT(u->event.internal_note, HasSubstr("handling unit: propam"));
}

TEST_F(CaseActionTest, AssignmentToANamedUnitOverridesTheRule) {
  absl::StatusOr<ComplaintUpdate> u =
      Staff(Role::kSupervisor, Action::kAssign, ComplaintIn(ComplaintState::kVerified),
            {.handling_unit_id = "sat-reskrim"});
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->handling_unit_id, "sat-reskrim");
  ASSERT_EQ(u->notifications.size(), 1u);
  EXPECT_THAT(u->notifications[0].text, HasSubstr("Sat Reskrim"));
}

TEST_F(CaseActionTest, AssignmentWithoutARuleNeedsAUnit) {
  Complaint c = ComplaintIn(ComplaintState::kVerified);
  c.category_id = "diskriminasi";  // no rule in this test
  absl::StatusOr<ComplaintUpdate> u = Staff(Role::kSupervisor, Action::kAssign, c);
  EXPECT_EQ(u.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(u.status().message()), HasSubstr("handling_unit"));
}

TEST_F(CaseActionTest, NeverAssignedToTheUnitItIsAbout) {
  Complaint c = ComplaintIn(ComplaintState::kVerified);
  EXPECT_EQ(Staff(Role::kSupervisor, Action::kAssign, c, {.handling_unit_id = "sat-lantas"})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  // Nor through the rule.
  c.subject.unit_id = "propam";
  EXPECT_EQ(Staff(Role::kSupervisor, Action::kAssign, c).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(CaseActionTest, FirstDispositionSendsTheSp3dAndStartsTheResultDeadline) {
  absl::StatusOr<ComplaintUpdate> u =
      Staff(Role::kSupervisor, Action::kAssign, ComplaintIn(ComplaintState::kVerified));
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->sp3d_time, kNow);
  EXPECT_EQ(u->result_due_date, kResultDue);
  ASSERT_EQ(u->notifications.size(), 1u);
  EXPECT_EQ(u->notifications[0].kind, NotificationKind::kSp3d);
}

TEST_F(CaseActionTest, DispositionAfterReopeningStartsANewResultDeadline) {
  Complaint c = ComplaintIn(ComplaintState::kReopened);
  c.handling_unit_id = "propam";
  c.sp3d_time = kNow - absl::Hours(24 * 90);
  c.result_due_date = absl::CivilDay(2026, 1, 5);
  absl::StatusOr<ComplaintUpdate> u = Staff(Role::kSupervisor, Action::kAssign, c);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->result_due_date, kResultDue);
  EXPECT_FALSE(u->sp3d_time.has_value());  // the SP3D deadline was settled long ago
  ASSERT_EQ(u->notifications.size(), 1u);  // but the complainant hears who handles it now
  EXPECT_EQ(u->notifications[0].kind, NotificationKind::kSp3d);
}

TEST_F(CaseActionTest, ResumingAReopenedComplaintStartsANewResultDeadline) {
  Complaint c = ComplaintIn(ComplaintState::kReopened);
  c.handling_unit_id = "propam";
  c.sp3d_time = kNow - absl::Hours(24 * 90);
  c.result_due_date = absl::CivilDay(2026, 1, 5);
  absl::StatusOr<ComplaintUpdate> u = Staff(Role::kSupervisor, Action::kStartInvestigation, c);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->result_due_date, kResultDue);
  // An ordinary start keeps the deadline.
  c.state = ComplaintState::kAssigned;
  u = Staff(Role::kSupervisor, Action::kStartInvestigation, c);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_FALSE(u->result_due_date.has_value());
}

TEST_F(CaseActionTest, DisputeAndReopeningClearTheAnswerButNotItsHistory) {
  Complaint answered = ComplaintIn(ComplaintState::kAnswered);
  answered.answer_text = "Jawaban resmi.";
  answered.answer_time = kNow - absl::Hours(24);
  absl::StatusOr<ComplaintUpdate> dispute = PlanComplainantAction(
      Action::kDispute, answered, {.text = "Saya tidak setuju dengan jawaban ini."}, context_);
  ASSERT_TRUE(dispute.ok()) << dispute.status();
  EXPECT_EQ(dispute->state, ComplaintState::kReopened);
  EXPECT_TRUE(dispute->clear_answer);
  const Complaint after = ApplyUpdate(answered, *dispute);
  EXPECT_TRUE(after.answer_text.empty());
  EXPECT_FALSE(after.answer_time.has_value());

  absl::StatusOr<ComplaintUpdate> reopen =
      Staff(Role::kSupervisor, Action::kReopen, answered, {.internal_note = "Banding lisan."});
  ASSERT_TRUE(reopen.ok()) << reopen.status();
  EXPECT_TRUE(reopen->clear_answer);

  // The answer itself stays on the timeline: its event carries it.
  absl::StatusOr<ComplaintUpdate> answer =
      Staff(Role::kSupervisor, Action::kAnswer, ComplaintIn(ComplaintState::kConcluded),
            {.answer = "Petugas telah diberi sanksi disiplin."});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_TRUE(answer->event.is_public);
  EXPECT_THAT(answer->event.public_message, HasSubstr("Petugas telah diberi sanksi disiplin."));
  EXPECT_EQ(answer->answer_time, kNow);
}

TEST_F(CaseActionTest, RejectionAsIncompleteNeedsAnOpenClarificationRequest) {
  Complaint c = ComplaintIn(ComplaintState::kReceived);
  const ActionInput incomplete{.public_reason = "Data tidak lengkap.",
                               .rejection_reason = RejectionReason::kIncomplete};
  EXPECT_EQ(Staff(Role::kIntake, Action::kReject, c, incomplete).status().code(),
            absl::StatusCode::kFailedPrecondition);
  c.clarification_pending = true;
  c.clarification_question = "Kapan kejadiannya?";
  absl::StatusOr<ComplaintUpdate> u = Staff(Role::kIntake, Action::kReject, c, incomplete);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->clarification_pending, false);
  EXPECT_THAT(u->event.internal_note, HasSubstr("INCOMPLETE"));
  // Other reasons need none.
  c.clarification_pending = false;
  EXPECT_TRUE(Staff(Role::kIntake, Action::kReject, c,
                    {.public_reason = "Sudah terdaftar.",
                     .rejection_reason = RejectionReason::kDuplicate})
                  .ok());
}

TEST_F(CaseActionTest, TheComplainantAnswersOnlyAnOpenRequest) {
  Complaint c = ComplaintIn(ComplaintState::kVerified);
  EXPECT_EQ(PlanComplainantAction(Action::kRespondToClarification, c, {.text = "Jam 8 pagi."},
                                  context_)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  c.clarification_pending = true;
  absl::StatusOr<ComplaintUpdate> u =
      PlanComplainantAction(Action::kRespondToClarification, c, {.text = "Jam 8 pagi."}, context_);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->clarification_pending, false);
  EXPECT_EQ(u->event.actor_principal_id, 0);
}

TEST_F(CaseActionTest, StaffAndComplainantActionsDoNotMix) {
  const Complaint c = ComplaintIn(ComplaintState::kAnswered);
  EXPECT_EQ(Staff(Role::kSupervisor, Action::kDispute, c).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanComplainantAction(Action::kClose, c, {}, context_).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanComplainantAction(Action::kRate, c, {.rating = 6}, context_).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<ComplaintUpdate> rated =
      PlanComplainantAction(Action::kRate, c, {.rating = 4, .comment = "Cukup."}, context_);
  ASSERT_TRUE(rated.ok()) << rated.status();
  EXPECT_EQ(rated->satisfaction_rating, 4);
}

}  // namespace
}  // namespace dumas
