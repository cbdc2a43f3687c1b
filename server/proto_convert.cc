#include "server/proto_convert.h"

#include "domain/case_action.h"
#include "domain/log_entry.h"
#include "domain/string_view_interop.h"

#include "absl/strings/str_cat.h"
#include "domain/lifecycle.h"
#include "domain/working_day_calendar.h"

namespace dumas {
namespace {

// The Timestamp range of google/protobuf/timestamp.proto.
constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z

}  // namespace

void ToProto(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

void ToProto(absl::CivilDay day, google::type::Date* out) {
  out->set_year(static_cast<int32_t>(day.year()));
  out->set_month(day.month());
  out->set_day(day.day());
}

absl::Time FromProto(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() < kMinTimestampSeconds ||
      timestamp.seconds() > kMaxTimestampSeconds || timestamp.nanos() < 0 ||
      timestamp.nanos() >= 1000000000) {
    return absl::InfinitePast();
  }
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

ComplaintSubmission SubmissionFromProto(const v1::Complaint& complaint) {
  ComplaintSubmission s;
  s.description = complaint.description();
  if (complaint.has_incident_time()) s.incident_time = FromProto(complaint.incident_time());
  s.incident_location = complaint.incident_location();
  s.category = complaint.category();
  s.channel = complaint.channel();
  s.reply_address = complaint.reply_address();
  s.has_subject = complaint.has_subject();
  s.subject_unit = complaint.subject().unit();
  s.officer_name = complaint.subject().officer_name();
  s.officer_description = complaint.subject().officer_description();
  s.has_complainant = complaint.has_complainant();
  s.full_name = complaint.complainant().full_name();
  s.nik = complaint.complainant().nik();
  s.phone = complaint.complainant().phone();
  s.email = complaint.complainant().email();
  s.address = complaint.complainant().address();
  s.confidential = complaint.confidential();
  s.share_identity_with_kompolnas = complaint.share_identity_with_kompolnas();
  return s;
}

std::string Etag(const Complaint& complaint) { return ComplaintEtag(complaint); }

void ToProto(const Complaint& complaint, absl::CivilDay today, v1::Complaint* out) {
  out->set_name(absl::StrCat("complaints/", complaint.reference_number));
  out->set_reference_number(complaint.reference_number);
  out->set_state(static_cast<v1::ComplaintState>(complaint.state));
  out->set_description(complaint.description);
  ToProto(complaint.incident_time, out->mutable_incident_time());
  out->set_incident_location(complaint.incident_location);
  out->set_category(absl::StrCat("categories/", complaint.category_id));
  out->set_channel(static_cast<v1::Channel>(complaint.channel));
  v1::ComplaintSubject* subject = out->mutable_subject();
  if (!complaint.subject.unit_id.empty()) {
    subject->set_unit(absl::StrCat("units/", complaint.subject.unit_id));
  }
  subject->set_officer_name(complaint.subject.officer_name);
  subject->set_officer_description(complaint.subject.officer_description);
  if (complaint.identity.has_value()) {
    // The reply address is personal data too: it goes with the identity.
    out->set_reply_address(complaint.reply_address);
    v1::Complainant* complainant = out->mutable_complainant();
    complainant->set_full_name(complaint.identity->full_name);
    complainant->set_nik(complaint.identity->nik);
    complainant->set_phone(complaint.identity->phone);
    complainant->set_email(complaint.identity->email);
    complainant->set_address(complaint.identity->address);
  }
  out->set_confidential(complaint.confidential);
  out->set_share_identity_with_kompolnas(complaint.share_identity_with_kompolnas);
  out->set_external_id(complaint.external_id);
  if (complaint.external_receive_time.has_value()) {
    ToProto(*complaint.external_receive_time, out->mutable_external_receive_time());
  }
  ToProto(complaint.create_time, out->mutable_create_time());
  ToProto(complaint.update_time, out->mutable_update_time());
  out->set_etag(Etag(complaint));
  ToProto(complaint.sp3d_due_date, out->mutable_sp3d_due_date());
  if (!complaint.handling_unit_id.empty()) {
    out->set_handling_unit(absl::StrCat("units/", complaint.handling_unit_id));
  }
  DeadlineFacts facts;
  facts.state = complaint.state;
  facts.sp3d_due = complaint.sp3d_due_date;
  if (complaint.sp3d_time.has_value()) {
    ToProto(*complaint.sp3d_time, out->mutable_sp3d_time());
    facts.sp3d_sent = absl::ToCivilDay(*complaint.sp3d_time, PaluTimeZone());
  }
  if (complaint.result_due_date.has_value()) {
    ToProto(*complaint.result_due_date, out->mutable_result_due_date());
    facts.result_due = complaint.result_due_date;
  }
  if (complaint.answer_time.has_value()) {
    ToProto(*complaint.answer_time, out->mutable_answer_time());
    facts.answered = absl::ToCivilDay(*complaint.answer_time, PaluTimeZone());
  }
  out->set_sp3d_status(static_cast<v1::DeadlineStatus>(Sp3dStatus(facts, today)));
  out->set_result_status(static_cast<v1::DeadlineStatus>(ResultStatus(facts, today)));
  out->set_outcome(static_cast<v1::Outcome>(complaint.outcome));
  out->set_clarification_pending(complaint.clarification_pending);
  out->set_satisfaction_rating(complaint.satisfaction_rating);
  out->set_sp3d_due_date_provisional(complaint.sp3d_due_provisional);
  out->set_result_due_date_provisional(complaint.result_due_date.has_value() &&
                                       complaint.result_due_provisional);
}

void ToProto(const TrackedComplaint& complaint, v1::TrackedComplaint* out) {
  out->set_reference_number(complaint.reference_number);
  out->set_state(static_cast<v1::ComplaintState>(complaint.state));
  out->set_category(absl::StrCat("categories/", complaint.category_id));
  ToProto(complaint.create_time, out->mutable_create_time());
  for (const PublicEvent& event : complaint.timeline) {
    v1::PublicEvent* e = out->add_timeline();
    ToProto(event.time, e->mutable_event_time());
    e->set_state(static_cast<v1::ComplaintState>(event.state));
    e->set_message(event.message);
  }
  ToProto(complaint.sp3d_due_date, out->mutable_sp3d_due_date());
  out->set_sp3d_sent(complaint.sp3d_sent);
  if (complaint.answer.has_value()) {
    out->mutable_answer()->set_text(complaint.answer->text);
    ToProto(complaint.answer->time, out->mutable_answer()->mutable_answer_time());
  }
  if (complaint.result_due_date.has_value()) {
    ToProto(*complaint.result_due_date, out->mutable_result_due_date());
  }
  out->set_clarification_question(complaint.clarification_question);
  out->set_satisfaction_rating(complaint.satisfaction_rating);
  out->set_sp3d_due_date_provisional(complaint.sp3d_due_provisional);
  out->set_result_due_date_provisional(complaint.result_due_date.has_value() &&
                                       complaint.result_due_provisional);
  out->set_share_identity_with_kompolnas(complaint.share_identity_with_kompolnas);
  out->set_receipt_revision(complaint.receipt_revision);
  out->set_receipt_leaf_hash(complaint.receipt_leaf_hash);
}

void ToProto(const ComplaintEventRecord& event, std::string_view reference,
             v1::ComplaintEvent* out) {
  out->set_name(absl::StrCat("complaints/", ToAbsl(reference), "/events/", event.id));
  ToProto(event.time, out->mutable_event_time());
  out->set_type(event.type);
  out->set_actor(event.actor_principal_id == 0
                     ? std::string("complainant")
                     : absl::StrCat("principals/", event.actor_principal_id));
  if (event.from_state.has_value()) {
    out->set_from_state(static_cast<v1::ComplaintState>(*event.from_state));
  }
  if (event.to_state.has_value()) {
    out->set_to_state(static_cast<v1::ComplaintState>(*event.to_state));
  }
  out->set_public_(event.is_public);
  out->set_public_message(event.public_message);
  out->set_internal_note(event.internal_note);
  out->set_revision(event.revision);
}

absl::Status DetailsToProto(std::string_view encoded, v1::ComplaintDetails* out) {
  absl::StatusOr<ComplaintDetails> decoded = DecodeDetails(encoded);
  if (!decoded.ok()) return absl::DataLossError("a logged event's details do not decode");
  const ComplaintDetails& d = *decoded;
  if (d.description) out->set_description(*d.description);
  if (d.incident_time) ToProto(*d.incident_time, out->mutable_incident_time());
  if (d.incident_location) out->set_incident_location(*d.incident_location);
  if (d.category_id) out->set_category(absl::StrCat("categories/", *d.category_id));
  if (d.channel) out->set_channel(static_cast<v1::Channel>(*d.channel));
  if (d.subject_unit_id) {
    out->set_subject_unit(d.subject_unit_id->empty() ? ""
                                                     : absl::StrCat("units/", *d.subject_unit_id));
  }
  if (d.officer_name) out->set_officer_name(*d.officer_name);
  if (d.officer_description) out->set_officer_description(*d.officer_description);
  if (d.confidential) out->set_confidential(*d.confidential);
  if (d.share_identity_with_kompolnas) {
    out->set_share_identity_with_kompolnas(*d.share_identity_with_kompolnas);
  }
  if (d.external_id) out->set_external_id(*d.external_id);
  if (d.external_receive_time) {
    ToProto(*d.external_receive_time, out->mutable_external_receive_time());
  }
  if (d.identity_commitment) out->set_identity_commitment(*d.identity_commitment);
  if (d.sp3d_due_date) ToProto(*d.sp3d_due_date, out->mutable_sp3d_due_date());
  if (d.state) out->set_state(static_cast<v1::ComplaintState>(*d.state));
  if (d.handling_unit_id) out->set_handling_unit(absl::StrCat("units/", *d.handling_unit_id));
  if (d.sp3d_time) ToProto(*d.sp3d_time, out->mutable_sp3d_time());
  if (d.result_due_date) ToProto(*d.result_due_date, out->mutable_result_due_date());
  if (d.answer_time) ToProto(*d.answer_time, out->mutable_answer_time());
  if (d.answer_text) out->set_answer_text(*d.answer_text);
  if (d.outcome) out->set_outcome(static_cast<v1::Outcome>(*d.outcome));
  if (d.clarification_pending) out->set_clarification_pending(*d.clarification_pending);
  if (d.clarification_question) out->set_clarification_question(*d.clarification_question);
  if (d.satisfaction_rating) {
    out->set_satisfaction_rating(static_cast<int32_t>(*d.satisfaction_rating));
  }
  if (d.version) out->set_version(*d.version);
  if (d.answer_cleared) out->set_answer_cleared(true);
  return absl::OkStatus();
}

void ToProto(const Category& category, v1::Category* out) {
  out->set_name(absl::StrCat("categories/", category.id));
  out->set_indonesian_name(category.indonesian_name);
  out->set_english_name(category.english_name);
}

void ToProto(const Unit& unit, v1::Unit* out) {
  out->set_name(absl::StrCat("units/", unit.id));
  out->set_display_name(unit.display_name);
}

}  // namespace dumas
