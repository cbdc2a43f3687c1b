// What each kind of event records in the transparency log's details
// (docs/transparency-log.md): the complaint as registered, or the fields a
// change set. Plain C++.
#ifndef DUMAS_DOMAIN_LOG_DETAILS_H_
#define DUMAS_DOMAIN_LOG_DETAILS_H_

#include <string>
#include <string_view>

#include "domain/complaint.h"
#include "domain/complaint_update.h"
#include "domain/log_entry.h"

namespace dumas {

// The details of a registration (RECEIVED): the complaint as stored, its
// state and version 1, and the commitment to its identity.
ComplaintDetails RegistrationDetails(const Complaint& registered,
                                     std::string_view identity_commitment);

// The details of a change: the state and version after it (`after`), and
// every field `update` set.
ComplaintDetails ChangeDetails(const ComplaintUpdate& update, const Complaint& after);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_LOG_DETAILS_H_
