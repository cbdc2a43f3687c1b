#include "domain/complaint_update.h"

namespace dumas {

Complaint ApplyUpdate(Complaint c, const ComplaintUpdate& u) {
  c.state = u.state;
  if (u.handling_unit_id.has_value()) c.handling_unit_id = *u.handling_unit_id;
  if (u.sp3d_time.has_value()) c.sp3d_time = *u.sp3d_time;
  if (u.result_due_date.has_value()) c.result_due_date = *u.result_due_date;
  if (u.clear_answer) {
    c.answer_text.clear();
    c.answer_time.reset();
  }
  if (u.answer_time.has_value()) c.answer_time = *u.answer_time;
  if (u.answer_text.has_value()) c.answer_text = *u.answer_text;
  if (u.outcome.has_value()) c.outcome = *u.outcome;
  if (u.clarification_pending.has_value()) c.clarification_pending = *u.clarification_pending;
  if (u.clarification_question.has_value()) c.clarification_question = *u.clarification_question;
  if (u.satisfaction_rating.has_value()) c.satisfaction_rating = *u.satisfaction_rating;
  if (u.result_start_date.has_value()) c.result_start_date = *u.result_start_date;
  if (u.result_due_provisional.has_value()) c.result_due_provisional = *u.result_due_provisional;
  return c;
}

}  // namespace dumas
