// The domain types of Dumas: complaints, their states and the people and
// systems that handle them. Plain C++: no gRPC, no SQL.
#ifndef DUMAS_DOMAIN_COMPLAINT_H_
#define DUMAS_DOMAIN_COMPLAINT_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace dumas {

// The medium a complaint came in through. Values equal dumas.v1.Channel.
enum class Channel : int {
  kUnspecified = 0,
  kWeb = 1,
  kFacebook = 2,
  kEmail = 3,
  kTwitter = 4,
  kWhatsapp = 5,
  kPhone = 6,
  kWalkIn = 7,
  kKompolnas = 8,
};
inline constexpr int kMaxChannel = 8;

// Where a complaint stands. Values equal dumas.v1.ComplaintState.
enum class ComplaintState : int {
  kUnspecified = 0,
  kReceived = 1,
  kVerified = 2,
  kArchived = 3,
  kRejected = 4,
  kAssigned = 5,
  kUnderInvestigation = 6,
  kConcluded = 7,
  kAnswered = 8,
  kClosed = 9,
  kReopened = 10,
};
inline constexpr int kMaxComplaintState = 10;

// The role of an authenticated principal (PRODUCT.md, "Roles").
enum class Role : int {
  kUnspecified = 0,
  kGateway = 1,     // channel systems: submit, fetch and acknowledge notifications
  kIntake = 2,      // SPKT/Humas: register, verify, archive, reject
  kUnit = 3,        // a handling unit: only complaints assigned to it
  kSupervisor = 4,  // leadership, Propam, Si Was: everything of the resort
  kOversight = 5,   // Kompolnas: read-only, identity redacted
  kAdmin = 6,       // tokens, units, routing, calendar
};
inline constexpr int kMaxRole = 6;

// The finding of an investigation. Values equal dumas.v1.Outcome.
enum class Outcome : int {
  kUnspecified = 0,
  kSubstantiated = 1,
  kPartlySubstantiated = 2,
  kNotSubstantiated = 3,
  kExonerated = 4,
  kUnfounded = 5,
  kInsufficientEvidence = 6,
  kServiceFailure = 7,
  kResolvedInformally = 8,
};
inline constexpr int kMaxOutcome = 8;

// Why a complaint was rejected. Values equal dumas.v1.RejectionReason.
enum class RejectionReason : int {
  kUnspecified = 0,
  kDuplicate = 1,
  kMisuse = 2,
  kIncomplete = 3,
};
inline constexpr int kMaxRejectionReason = 3;

// Stable upper-case names ("GATEWAY", ...), for storage and the command line.
absl::string_view RoleName(Role role);
std::optional<Role> RoleFromName(absl::string_view name);
absl::string_view ChannelName(Channel channel);
std::optional<Channel> ChannelFromName(absl::string_view name);
absl::string_view ComplaintStateName(ComplaintState state);
absl::string_view OutcomeName(Outcome outcome);            // "SUBSTANTIATED", ...
absl::string_view RejectionReasonName(RejectionReason reason);  // "DUPLICATE", ...

// A set of channels, such as those a GATEWAY principal serves. Stored as a
// bit mask: bit n is Channel n (bit 0, UNSPECIFIED, is never set).
class ChannelSet {
 public:
  constexpr ChannelSet() = default;
  ChannelSet(std::initializer_list<Channel> channels);
  // The set of a stored mask; nullopt when it has bits of no channel.
  static std::optional<ChannelSet> FromMask(uint32_t mask);

  // Adds a known channel (UNSPECIFIED and unknown values are ignored).
  void insert(Channel channel);
  bool contains(Channel channel) const;
  bool empty() const { return mask_ == 0; }
  uint32_t mask() const { return mask_; }
  // The channels, in enum order.
  std::vector<Channel> channels() const;
  // "WHATSAPP, EMAIL".
  std::string Names() const;

  bool operator==(const ChannelSet&) const = default;

 private:
  uint32_t mask_ = 0;
};

// The complainant's identity: personal data, encrypted at rest.
struct Identity {
  std::string full_name;
  std::string nik;      // 16 digits
  std::string phone;    // E.164 after validation, or empty
  std::string email;    // or empty
  std::string address;  // or empty
};

// The unit and/or officer complained about.
struct Subject {
  std::string unit_id;  // a units.id, or empty
  std::string officer_name;
  std::string officer_description;
};

// What a complainant submits. After ValidateComplaintDraft it is normalised:
// text trimmed, phone numbers in E.164, resource names reduced to ids.
struct ComplaintDraft {
  std::string description;
  absl::Time incident_time = absl::InfinitePast();
  std::string incident_location;
  std::string category_id;
  Channel channel = Channel::kUnspecified;
  std::string reply_address;
  Subject subject;
  Identity identity;
  bool confidential = false;
  // The complainant consents to share the identity with Kompolnas.
  bool share_identity_with_kompolnas = false;
};

// A stored complaint.
struct Complaint {
  int64_t id = 0;
  std::string reference_number;  // canonical, "XXXX-XXXX-XXXX"
  ComplaintState state = ComplaintState::kUnspecified;
  std::string description;
  absl::Time incident_time;
  std::string incident_location;
  std::string category_id;
  Channel channel = Channel::kUnspecified;
  std::string reply_address;
  Subject subject;
  std::optional<Identity> identity;  // set only when read with identity
  bool confidential = false;
  absl::Time create_time;
  absl::Time update_time;
  int64_t version = 0;  // grows with every change; the etag derives from it
  absl::CivilDay sp3d_due_date;
  // Case handling (all unset until the step happened).
  std::string handling_unit_id;
  std::optional<absl::Time> sp3d_time;           // the SP3D went out
  std::optional<absl::CivilDay> result_due_date;  // 40 working days after the SP3D
  std::optional<absl::Time> answer_time;         // the official answer was given
  int outcome = 0;                               // dumas.v1.Outcome
  bool clarification_pending = false;
  std::string clarification_question;            // while pending; public
  std::string answer_text;                       // the official answer; public
  int satisfaction_rating = 0;                   // 1-5, 0 until rated
  // The day the result deadline counts from (the SP3D's day): recomputing
  // the deadline starts here.
  std::optional<absl::CivilDay> result_start_date;
  // Whether a due date reaches into a year whose holidays are not loaded
  // (WorkingDayCalendar::IsProvisional), so that it may still move.
  bool sp3d_due_provisional = false;
  bool result_due_provisional = false;
  // The national integration.
  bool share_identity_with_kompolnas = false;
  std::string external_id;                        // Kompolnas' reference, if imported
  std::optional<absl::Time> external_receive_time;  // when Kompolnas received it
};

// A step of a complaint's handling that the complainant may see.
struct PublicEvent {
  absl::Time time;
  ComplaintState state = ComplaintState::kUnspecified;
  std::string message;  // Indonesian, for the complainant
};

// The official answer to the complainant.
struct OfficialAnswer {
  std::string text;
  absl::Time time;
};

// The complainant's view of a complaint (TrackComplaint).
struct TrackedComplaint {
  std::string reference_number;
  ComplaintState state = ComplaintState::kUnspecified;
  std::string category_id;
  absl::Time create_time;
  std::vector<PublicEvent> timeline;  // oldest first
  absl::CivilDay sp3d_due_date;
  bool sp3d_sent = false;
  std::optional<OfficialAnswer> answer;
  std::optional<absl::CivilDay> result_due_date;  // once the SP3D went out
  std::string clarification_question;             // while a request is open
  int satisfaction_rating = 0;                    // 1-5, 0 until rated
  // Whether the due dates are provisional (see Complaint).
  bool sp3d_due_provisional = false;
  bool result_due_provisional = false;
  bool share_identity_with_kompolnas = false;
  // The registration in the transparency log; 0 and empty until logged.
  int64_t receipt_revision = 0;
  std::string receipt_leaf_hash;
};

// An authenticated caller: a system or a member of staff, with a role and,
// for UNIT principals, a unit.
struct Principal {
  int64_t id = 0;
  std::string name;
  Role role = Role::kUnspecified;
  std::string unit_id;  // empty unless the role is bound to a unit
  ChannelSet channels;  // GATEWAY: the channels it serves (one or more); empty otherwise
  // The client-certificate identity bound to it (domain/certificate_identity.h,
  // canonical), or empty for a principal that authenticates by token alone.
  // A principal with one presents a certificate carrying it on every call.
  std::string certificate_identity;
  // With a certificate identity: whether every call also carries the bearer
  // token (two factors). False: the certificate alone (no usable token).
  bool token_required = true;
  absl::Time create_time;
  std::optional<absl::Time> revoke_time;
};

// What kind of day off a holiday is (SKB 3 Menteri on the holidays of a
// year). Values equal dumas.v1.HolidayKind.
enum class HolidayKind : int {
  kUnspecified = 0,
  kLiburNasional = 1,  // a national public holiday: never a working day
  kCutiBersama = 2,    // collective leave: government offices do not work
};
inline constexpr int kMaxHolidayKind = 2;

// A holiday of the working-day calendar.
struct Holiday {
  absl::CivilDay day;
  std::string name;
  HolidayKind kind = HolidayKind::kLiburNasional;
};

// A routing rule: the default handling unit of a category (tupoksi).
struct RoutingRule {
  std::string category_id;
  std::string unit_id;
};

// A complaint category, such as penyalahgunaan-wewenang.
struct Category {
  std::string id;
  std::string indonesian_name;
  std::string english_name;
};

// A unit of Polres Palu, such as sat-lantas.
struct Unit {
  std::string id;
  std::string display_name;
};

}  // namespace dumas

#endif  // DUMAS_DOMAIN_COMPLAINT_H_
