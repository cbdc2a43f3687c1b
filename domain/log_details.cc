#include "domain/log_details.h"

namespace dumas {

ComplaintDetails RegistrationDetails(const Complaint& c, std::string_view identity_commitment) {
  ComplaintDetails d;
  d.description = c.description;
  d.incident_time = c.incident_time;
  d.incident_location = c.incident_location;
  d.category_id = c.category_id;
  d.channel = static_cast<int64_t>(c.channel);
  d.subject_unit_id = c.subject.unit_id;
  d.officer_name = c.subject.officer_name;
  d.officer_description = c.subject.officer_description;
  d.confidential = c.confidential;
  d.share_identity_with_kompolnas = c.share_identity_with_kompolnas;
  if (!c.external_id.empty()) d.external_id = c.external_id;
  if (c.external_receive_time.has_value()) d.external_receive_time = *c.external_receive_time;
  d.identity_commitment = std::string(identity_commitment);
  d.sp3d_due_date = c.sp3d_due_date;
  d.state = static_cast<int64_t>(c.state);
  d.version = c.version;
  return d;
}

ComplaintDetails ChangeDetails(const ComplaintUpdate& u, const Complaint& after) {
  ComplaintDetails d;
  d.state = static_cast<int64_t>(after.state);
  d.version = after.version;
  if (u.handling_unit_id.has_value()) d.handling_unit_id = *u.handling_unit_id;
  if (u.sp3d_time.has_value() && after.sp3d_time.has_value()) d.sp3d_time = *after.sp3d_time;
  if (u.result_due_date.has_value()) d.result_due_date = *u.result_due_date;
  if (u.clear_answer) d.answer_cleared = true;
  if (u.answer_time.has_value() && after.answer_time.has_value()) {
    d.answer_time = *after.answer_time;
  }
  if (u.answer_text.has_value()) d.answer_text = *u.answer_text;
  if (u.outcome.has_value()) d.outcome = *u.outcome;
  if (u.clarification_pending.has_value()) d.clarification_pending = *u.clarification_pending;
  if (u.clarification_question.has_value()) d.clarification_question = *u.clarification_question;
  if (u.satisfaction_rating.has_value()) d.satisfaction_rating = *u.satisfaction_rating;
  return d;
}

}  // namespace dumas
