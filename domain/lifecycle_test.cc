#include "domain/lifecycle.h"

#include <array>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace dumas {
namespace {

using absl::CivilDay;
using State = ComplaintState;

constexpr std::array<Action, kActionCount> kAllActions = {
    Action::kVerify,   Action::kArchive, Action::kReject,  Action::kAssign,
    Action::kStartInvestigation,         Action::kRequestClarification,
    Action::kConclude, Action::kAnswer,  Action::kClose,   Action::kReopen,
    Action::kDispute,  Action::kAddNote, Action::kRespondToClarification,
    Action::kRate};

// ---------------------------------------------------------------------------
// The transition table.

// Short names keep the table one row per state.
constexpr std::optional<State> kNo = std::nullopt;  // not allowed
constexpr std::optional<State> RCV = State::kReceived;
constexpr std::optional<State> VER = State::kVerified;
constexpr std::optional<State> ARC = State::kArchived;
constexpr std::optional<State> REJ = State::kRejected;
constexpr std::optional<State> ASG = State::kAssigned;
constexpr std::optional<State> INV = State::kUnderInvestigation;
constexpr std::optional<State> CON = State::kConcluded;
constexpr std::optional<State> ANS = State::kAnswered;
constexpr std::optional<State> CLO = State::kClosed;
constexpr std::optional<State> REO = State::kReopened;

struct TransitionRow {
  State from;
  // In the order of kAllActions.
  std::array<std::optional<State>, kActionCount> next;
};

// clang-format off
constexpr TransitionRow kTransitions[] = {
    //         Verify Archive Reject Assign Start ReqCl Concl Answer Close Reopen Disp  Note  Resp  Rate
    {State::kUnspecified,
              {kNo,   kNo,    kNo,   kNo,   kNo,  kNo,  kNo,  kNo,   kNo,  kNo,   kNo,  kNo,  kNo,  kNo}},
    {State::kReceived,
              {VER,   ARC,    REJ,   kNo,   kNo,  RCV,  kNo,  kNo,   kNo,  kNo,   kNo,  RCV,  RCV,  kNo}},
    {State::kVerified,
              {kNo,   kNo,    REJ,   ASG,   kNo,  VER,  kNo,  kNo,   kNo,  kNo,   kNo,  VER,  VER,  kNo}},
    {State::kArchived,
              {kNo,   kNo,    kNo,   kNo,   kNo,  kNo,  kNo,  kNo,   CLO,  kNo,   kNo,  ARC,  kNo,  kNo}},
    {State::kRejected,
              {kNo,   kNo,    kNo,   kNo,   kNo,  kNo,  kNo,  kNo,   CLO,  kNo,   kNo,  REJ,  kNo,  kNo}},
    {State::kAssigned,
              {kNo,   kNo,    kNo,   kNo,   INV,  kNo,  kNo,  kNo,   kNo,  kNo,   kNo,  ASG,  ASG,  kNo}},
    {State::kUnderInvestigation,
              {kNo,   kNo,    kNo,   kNo,   kNo,  INV,  CON,  kNo,   kNo,  kNo,   kNo,  INV,  INV,  kNo}},
    {State::kConcluded,
              {kNo,   kNo,    kNo,   kNo,   kNo,  kNo,  kNo,  ANS,   kNo,  kNo,   kNo,  CON,  CON,  kNo}},
    {State::kAnswered,
              {kNo,   kNo,    kNo,   kNo,   kNo,  kNo,  kNo,  kNo,   CLO,  REO,   REO,  ANS,  ANS,  ANS}},
    {State::kClosed,
              {kNo,   kNo,    kNo,   kNo,   kNo,  kNo,  kNo,  kNo,   kNo,  REO,   REO,  CLO,  kNo,  CLO}},
    {State::kReopened,
              {kNo,   kNo,    kNo,   ASG,   INV,  REO,  kNo,  kNo,   kNo,  kNo,   kNo,  REO,  REO,  kNo}},
};
// clang-format on

TEST(NextStateTest, EveryStateAndAction) {
  static_assert(std::size(kTransitions) == kMaxComplaintState + 1, "a row per state");
  std::set<State> seen;
  for (const TransitionRow& row : kTransitions) {
    seen.insert(row.from);
    for (int a = 0; a < kActionCount; ++a) {
      const Action action = kAllActions[a];
      SCOPED_TRACE(testing::Message() << "state " << ComplaintStateName(row.from) << ", action "
                                      << ActionEventType(action));
      const absl::StatusOr<State> next = NextState(row.from, action);
      if (row.next[a].has_value()) {
        ASSERT_TRUE(next.ok()) << next.status();
        EXPECT_EQ(*next, *row.next[a]);
      } else {
        ASSERT_FALSE(next.ok()) << ComplaintStateName(*next);
        EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
        const std::string in_state =
            std::string("in state ") + std::string(ComplaintStateName(row.from)) + ";";
        EXPECT_NE(next.status().message().find(in_state), absl::string_view::npos)
            << next.status();
      }
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMaxComplaintState + 1));
}

TEST(NextStateTest, MessageNamesStateActionAndAllowedStates) {
  EXPECT_EQ(NextState(State::kAssigned, Action::kVerify).status().message(),
            "cannot verify a complaint in state ASSIGNED; verify is allowed from RECEIVED");
  EXPECT_EQ(NextState(State::kReceived, Action::kStartInvestigation).status().message(),
            "cannot start investigating a complaint in state RECEIVED; start investigation is "
            "allowed from ASSIGNED, REOPENED");
  EXPECT_EQ(NextState(State::kConcluded, Action::kClose).status().message(),
            "cannot close a complaint in state CONCLUDED; close is allowed from ARCHIVED, "
            "REJECTED, ANSWERED");
}

TEST(NextStateTest, RejectsValuesOutsideTheEnums) {
  EXPECT_EQ(NextState(State::kReceived, static_cast<Action>(kActionCount)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NextState(State::kReceived, static_cast<Action>(-1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NextState(static_cast<State>(42), Action::kAddNote).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(NextState(static_cast<State>(-3), Action::kAddNote).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ActionEventTypeTest, NamesEveryActionDistinctly) {
  std::set<std::string> types;
  for (Action action : kAllActions) {
    const absl::string_view type = ActionEventType(action);
    EXPECT_FALSE(type.empty());
    for (char c : type) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '_') << type;
    types.insert(std::string(type));
  }
  EXPECT_EQ(types.size(), static_cast<size_t>(kActionCount));
  EXPECT_EQ(ActionEventType(Action::kVerify), "VERIFIED");
  EXPECT_EQ(ActionEventType(Action::kAddNote), "NOTE");
  EXPECT_EQ(ActionEventType(Action::kRequestClarification), "CLARIFICATION_REQUESTED");
  EXPECT_EQ(ActionEventType(Action::kRespondToClarification), "CLARIFICATION_ANSWERED");
  EXPECT_EQ(ActionEventType(Action::kRate), "RATED");
}

TEST(IsTerminalTest, ArchivedRejectedAndClosed) {
  const std::set<State> terminal = {State::kArchived, State::kRejected, State::kClosed};
  for (int i = 0; i <= kMaxComplaintState; ++i) {
    const auto state = static_cast<State>(i);
    EXPECT_EQ(IsTerminal(state), terminal.count(state) == 1) << ComplaintStateName(state);
  }
}

TEST(ClosedForRetentionTest, TerminalStatesAndAnswered) {
  const std::set<State> closed = {State::kArchived, State::kRejected, State::kAnswered,
                                  State::kClosed};
  for (int i = 0; i <= kMaxComplaintState; ++i) {
    const auto state = static_cast<State>(i);
    EXPECT_EQ(ClosedForRetention(state), closed.count(state) == 1) << ComplaintStateName(state);
  }
}

// ---------------------------------------------------------------------------
// Authorization.

constexpr char kHandlingUnit[] = "propam";
constexpr char kSubjectUnit[] = "sat-lantas";
constexpr char kOtherUnit[] = "sat-reskrim";

// How the principal's unit relates to the complaint.
enum class Relation { kHandling, kOther, kSubject, kNone };
constexpr std::array<Relation, 4> kAllRelations = {Relation::kHandling, Relation::kOther,
                                                   Relation::kSubject, Relation::kNone};
constexpr std::array<Role, kMaxRole + 1> kAllRoles = {
    Role::kUnspecified, Role::kGateway,   Role::kIntake, Role::kUnit,
    Role::kSupervisor,  Role::kOversight, Role::kAdmin};

const char* RelationName(Relation relation) {
  switch (relation) {
    case Relation::kHandling: return "own unit handles it";
    case Relation::kOther: return "other unit";
    case Relation::kSubject: return "own unit is the subject";
    case Relation::kNone: return "no unit";
  }
  return "?";
}

Principal MakePrincipal(Role role, Relation relation) {
  Principal principal;
  principal.id = 7;
  principal.name = "test";
  principal.role = role;
  switch (relation) {
    case Relation::kHandling: principal.unit_id = kHandlingUnit; break;
    case Relation::kOther: principal.unit_id = kOtherUnit; break;
    case Relation::kSubject: principal.unit_id = kSubjectUnit; break;
    case Relation::kNone: break;
  }
  return principal;
}

ComplaintScope Scope(bool confidential = false) {
  return ComplaintScope{kHandlingUnit, kSubjectUnit, confidential, false};
}

struct ReadCase {
  Role role;
  Relation relation;
  bool read;
  bool identity;               // not confidential
  bool confidential_identity;  // confidential
};

// clang-format off
constexpr ReadCase kReadCases[] = {
    {Role::kUnspecified, Relation::kHandling, false, false, false},
    {Role::kUnspecified, Relation::kOther,    false, false, false},
    {Role::kUnspecified, Relation::kSubject,  false, false, false},
    {Role::kUnspecified, Relation::kNone,     false, false, false},
    {Role::kGateway,     Relation::kHandling, false, false, false},
    {Role::kGateway,     Relation::kOther,    false, false, false},
    {Role::kGateway,     Relation::kSubject,  false, false, false},
    {Role::kGateway,     Relation::kNone,     false, false, false},
    {Role::kIntake,      Relation::kHandling, true,  true,  true},
    {Role::kIntake,      Relation::kOther,    true,  true,  true},
    {Role::kIntake,      Relation::kSubject,  false, false, false},
    {Role::kIntake,      Relation::kNone,     true,  true,  true},
    {Role::kUnit,        Relation::kHandling, true,  true,  false},
    {Role::kUnit,        Relation::kOther,    false, false, false},
    {Role::kUnit,        Relation::kSubject,  false, false, false},
    {Role::kUnit,        Relation::kNone,     false, false, false},
    {Role::kSupervisor,  Relation::kHandling, true,  true,  true},
    {Role::kSupervisor,  Relation::kOther,    true,  true,  true},
    {Role::kSupervisor,  Relation::kSubject,  false, false, false},
    {Role::kSupervisor,  Relation::kNone,     true,  true,  true},
    {Role::kOversight,   Relation::kHandling, true,  false, false},
    {Role::kOversight,   Relation::kOther,    true,  false, false},
    {Role::kOversight,   Relation::kSubject,  false, false, false},
    {Role::kOversight,   Relation::kNone,     true,  false, false},
    {Role::kAdmin,       Relation::kHandling, false, false, false},
    {Role::kAdmin,       Relation::kOther,    false, false, false},
    {Role::kAdmin,       Relation::kSubject,  false, false, false},
    {Role::kAdmin,       Relation::kNone,     false, false, false},
};
// clang-format on

TEST(MayReadTest, EveryRoleAndRelation) {
  static_assert(std::size(kReadCases) == kAllRoles.size() * kAllRelations.size());
  for (const ReadCase& c : kReadCases) {
    SCOPED_TRACE(testing::Message() << RoleName(c.role) << ", " << RelationName(c.relation));
    const Principal principal = MakePrincipal(c.role, c.relation);
    EXPECT_EQ(MayRead(principal, Scope()), c.read);
    EXPECT_EQ(MayRead(principal, Scope(/*confidential=*/true)), c.read);
    EXPECT_EQ(MayReadIdentity(principal, Scope()), c.identity);
    EXPECT_EQ(MayReadIdentity(principal, Scope(/*confidential=*/true)), c.confidential_identity);
  }
}

TEST(MayReadTest, UnassignedComplaintIsNoUnitsToSee) {
  const ComplaintScope unassigned{"", kSubjectUnit, false};
  EXPECT_FALSE(MayRead(MakePrincipal(Role::kUnit, Relation::kHandling), unassigned));
  // A UNIT principal without a unit must not match the empty handling unit.
  EXPECT_FALSE(MayRead(MakePrincipal(Role::kUnit, Relation::kNone), unassigned));
  EXPECT_TRUE(MayRead(MakePrincipal(Role::kIntake, Relation::kHandling), unassigned));
}

TEST(MayReadTest, ComplaintNamingNoUnitHasNoConflict) {
  const ComplaintScope no_subject{kHandlingUnit, "", false};
  EXPECT_TRUE(MayRead(MakePrincipal(Role::kSupervisor, Relation::kNone), no_subject));
  EXPECT_TRUE(MayRead(MakePrincipal(Role::kUnit, Relation::kHandling), no_subject));
}

// The roles that may take an action in a state; UNIT means the handling unit.
struct ActCase {
  Action action;
  State state;
  std::set<Role> roles;
};

const ActCase kActCases[] = {
    {Action::kVerify, State::kReceived, {Role::kIntake, Role::kSupervisor}},
    {Action::kArchive, State::kReceived, {Role::kIntake, Role::kSupervisor}},
    {Action::kReject, State::kReceived, {Role::kIntake, Role::kSupervisor}},
    {Action::kReject, State::kVerified, {Role::kIntake, Role::kSupervisor}},
    {Action::kAssign, State::kVerified, {Role::kSupervisor}},
    {Action::kAssign, State::kReopened, {Role::kSupervisor}},
    {Action::kStartInvestigation, State::kAssigned, {Role::kUnit, Role::kSupervisor}},
    {Action::kStartInvestigation, State::kReopened, {Role::kUnit, Role::kSupervisor}},
    {Action::kRequestClarification, State::kReceived, {Role::kIntake, Role::kSupervisor}},
    {Action::kRequestClarification, State::kVerified, {Role::kIntake, Role::kSupervisor}},
    {Action::kRequestClarification, State::kUnderInvestigation, {Role::kUnit, Role::kSupervisor}},
    {Action::kRequestClarification, State::kReopened, {Role::kUnit, Role::kSupervisor}},
    // Not allowed in ASSIGNED: the union, so that NextState reports the state.
    {Action::kRequestClarification, State::kAssigned,
     {Role::kIntake, Role::kUnit, Role::kSupervisor}},
    {Action::kConclude, State::kUnderInvestigation, {Role::kUnit, Role::kSupervisor}},
    {Action::kAnswer, State::kConcluded, {Role::kSupervisor}},
    {Action::kClose, State::kAnswered, {Role::kSupervisor}},
    {Action::kClose, State::kArchived, {Role::kSupervisor}},
    {Action::kReopen, State::kClosed, {Role::kSupervisor}},
    {Action::kAddNote, State::kReceived, {Role::kIntake, Role::kUnit, Role::kSupervisor}},
    {Action::kAddNote, State::kUnderInvestigation,
     {Role::kIntake, Role::kUnit, Role::kSupervisor}},
    {Action::kAddNote, State::kClosed, {Role::kIntake, Role::kUnit, Role::kSupervisor}},
    // The complainant's actions: no staff role.
    {Action::kDispute, State::kAnswered, {}},
    {Action::kRespondToClarification, State::kVerified, {}},
    {Action::kRate, State::kAnswered, {}},
};

TEST(MayActTest, EveryActionRoleAndRelation) {
  std::set<Action> covered;
  for (const ActCase& c : kActCases) {
    covered.insert(c.action);
    for (Role role : kAllRoles) {
      for (Relation relation : kAllRelations) {
        SCOPED_TRACE(testing::Message()
                     << ActionEventType(c.action) << " in " << ComplaintStateName(c.state)
                     << " by " << RoleName(role) << ", " << RelationName(relation));
        // A role of the action may take it unless it may not see the
        // complaint: never the subject unit, and UNIT only its own cases.
        const bool expected = c.roles.count(role) == 1 && relation != Relation::kSubject &&
                              (role != Role::kUnit || relation == Relation::kHandling);
        const Principal principal = MakePrincipal(role, relation);
        EXPECT_EQ(MayAct(principal, c.action, c.state, Scope()), expected);
        EXPECT_EQ(MayAct(principal, c.action, c.state, Scope(/*confidential=*/true)), expected);
      }
    }
  }
  EXPECT_EQ(covered.size(), static_cast<size_t>(kActionCount));
}

TEST(MayActTest, UnknownActionOrRoleMayDoNothing) {
  const Principal supervisor = MakePrincipal(Role::kSupervisor, Relation::kNone);
  EXPECT_FALSE(MayAct(supervisor, static_cast<Action>(kActionCount), State::kReceived, Scope()));
  Principal odd = supervisor;
  odd.role = static_cast<Role>(99);
  EXPECT_FALSE(MayRead(odd, Scope()));
  EXPECT_FALSE(MayAct(odd, Action::kAddNote, State::kReceived, Scope()));
}

// ---------------------------------------------------------------------------
// What the complainant is told.

TEST(PublicMessageForTest, EveryVisibleChangeHasPoliteIndonesianText) {
  for (Action action : kAllActions) {
    SCOPED_TRACE(ActionEventType(action));
    std::optional<State> to;
    for (const TransitionRow& row : kTransitions) {
      const absl::StatusOr<State> next = NextState(row.from, action);
      if (next.ok()) to = *next;
    }
    ASSERT_TRUE(to.has_value());
    const std::string message = PublicMessageFor(action, *to);
    if (action == Action::kAddNote) {
      EXPECT_EQ(message, "");  // a public note is its own text
      continue;
    }
    EXPECT_FALSE(message.empty());
    EXPECT_EQ(message.back(), '.');
    // Addressed to the complainant, not about staff.
    EXPECT_EQ(message.find("petugas"), std::string::npos);
    EXPECT_EQ(message.find("Petugas"), std::string::npos);
    EXPECT_EQ(message.find("penyidik"), std::string::npos);
  }
  EXPECT_NE(PublicMessageFor(Action::kVerify, State::kVerified).find("diverifikasi"),
            std::string::npos);
  EXPECT_NE(PublicMessageFor(Action::kAssign, State::kAssigned).find("SP3D"), std::string::npos);
  EXPECT_NE(PublicMessageFor(Action::kArchive, State::kArchived).find("diarsipkan"),
            std::string::npos);
  EXPECT_NE(PublicMessageFor(Action::kClose, State::kClosed).find("ditutup"), std::string::npos);
  EXPECT_NE(PublicMessageFor(Action::kReopen, State::kReopened).find("dibuka kembali"),
            std::string::npos);
}

TEST(PublicMessageForTest, ConclusionTellsNoFindings) {
  const std::string message = PublicMessageFor(Action::kConclude, State::kConcluded);
  for (const char* finding : {"terbukti", "tidak terbukti", "sanksi", "bersalah"}) {
    EXPECT_EQ(message.find(finding), std::string::npos) << finding;
  }
}

TEST(PublicMessageForTest, StateChangesReadDifferently) {
  std::set<std::string> messages;
  for (Action action : kAllActions) messages.insert(PublicMessageFor(action, State::kUnspecified));
  EXPECT_EQ(messages.size(), static_cast<size_t>(kActionCount));
}

// ---------------------------------------------------------------------------
// Deadlines.

constexpr CivilDay kSp3dDue(2026, 2, 3);
constexpr CivilDay kResultDue(2026, 4, 1);

struct DeadlineCase {
  const char* name;
  State state;
  std::optional<CivilDay> sp3d_sent;
  std::optional<CivilDay> answered;
  CivilDay today;
  DeadlineStatus sp3d;
  DeadlineStatus result;
};

const DeadlineCase kDeadlineCases[] = {
    {"received, before due", State::kReceived, {}, {}, CivilDay(2026, 1, 20),
     DeadlineStatus::kPending, DeadlineStatus::kUnspecified},
    {"received, on the due day", State::kReceived, {}, {}, kSp3dDue, DeadlineStatus::kPending,
     DeadlineStatus::kUnspecified},
    {"received, a day late", State::kReceived, {}, {}, kSp3dDue + 1, DeadlineStatus::kOverdue,
     DeadlineStatus::kUnspecified},
    {"verified, late", State::kVerified, {}, {}, kSp3dDue + 30, DeadlineStatus::kOverdue,
     DeadlineStatus::kUnspecified},
    {"archived before due", State::kArchived, {}, {}, CivilDay(2026, 1, 20),
     DeadlineStatus::kNotApplicable, DeadlineStatus::kNotApplicable},
    {"rejected after due", State::kRejected, {}, {}, kSp3dDue + 10,
     DeadlineStatus::kNotApplicable, DeadlineStatus::kNotApplicable},
    {"closed without SP3D", State::kClosed, {}, {}, kSp3dDue + 100,
     DeadlineStatus::kNotApplicable, DeadlineStatus::kNotApplicable},
    {"assigned on the due day", State::kAssigned, kSp3dDue, {}, kSp3dDue,
     DeadlineStatus::kMet, DeadlineStatus::kPending},
    {"assigned early", State::kAssigned, kSp3dDue - 10, {}, kSp3dDue + 5, DeadlineStatus::kMet,
     DeadlineStatus::kPending},
    {"assigned late", State::kAssigned, kSp3dDue + 1, {}, kSp3dDue + 1, DeadlineStatus::kMissed,
     DeadlineStatus::kPending},
    {"investigating, result due today", State::kUnderInvestigation, kSp3dDue, {}, kResultDue,
     DeadlineStatus::kMet, DeadlineStatus::kPending},
    {"investigating, result overdue", State::kUnderInvestigation, kSp3dDue, {}, kResultDue + 1,
     DeadlineStatus::kMet, DeadlineStatus::kOverdue},
    {"concluded, result overdue", State::kConcluded, kSp3dDue + 2, {}, kResultDue + 9,
     DeadlineStatus::kMissed, DeadlineStatus::kOverdue},
    {"answered on the due day", State::kAnswered, kSp3dDue, kResultDue, kResultDue + 50,
     DeadlineStatus::kMet, DeadlineStatus::kMet},
    {"answered late", State::kAnswered, kSp3dDue, kResultDue + 1, kResultDue + 1,
     DeadlineStatus::kMet, DeadlineStatus::kMissed},
    {"closed after a timely answer", State::kClosed, kSp3dDue, kResultDue - 5, kResultDue + 99,
     DeadlineStatus::kMet, DeadlineStatus::kMet},
    {"closed with SP3D but no answer", State::kClosed, kSp3dDue, {}, kResultDue + 99,
     DeadlineStatus::kMet, DeadlineStatus::kNotApplicable},
    {"reopened after a late answer", State::kReopened, kSp3dDue, kResultDue + 3,
     kResultDue + 20, DeadlineStatus::kMet, DeadlineStatus::kMissed},
};

TEST(DeadlineStatusTest, Cases) {
  for (const DeadlineCase& c : kDeadlineCases) {
    SCOPED_TRACE(c.name);
    DeadlineFacts facts;
    facts.state = c.state;
    facts.sp3d_due = kSp3dDue;
    facts.sp3d_sent = c.sp3d_sent;
    if (c.sp3d_sent.has_value()) facts.result_due = kResultDue;
    facts.answered = c.answered;
    EXPECT_EQ(Sp3dStatus(facts, c.today), c.sp3d);
    EXPECT_EQ(ResultStatus(facts, c.today), c.result);
  }
}

}  // namespace
}  // namespace dumas
