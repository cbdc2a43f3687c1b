// The complainant's rights over their personal data (UU 27/2022 on personal
// data protection): a copy of what Dumas holds about them and who read their
// identity, the correction of their contact details, and the destruction of
// the identity once its retention period after closure ends. What the
// complainant is told, and what the events record. Plain C++: no gRPC, no
// SQL.
#ifndef DUMAS_DOMAIN_PERSONAL_DATA_H_
#define DUMAS_DOMAIN_PERSONAL_DATA_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/complaint_validation.h"

namespace dumas {

// Event types (complaint_events.type) and the public messages (Indonesian)
// of the events these rights record. Neither the message nor the internal
// note of any of them carries personal data.
inline constexpr char kPersonalDataRequestedEvent[] = "PERSONAL_DATA_REQUESTED";
inline constexpr char kContactCorrectedEvent[] = "CONTACT_CORRECTED";
inline constexpr char kIdentityPurgedEvent[] = "IDENTITY_PURGED";
inline constexpr char kPersonalDataRequestedMessage[] =
    "Pengadu meminta salinan data pribadinya; salinan dikirim melalui kanal pengaduan.";
inline constexpr char kContactCorrectedMessage[] =
    "Data kontak pengadu diperbarui atas permintaan pengadu.";
inline constexpr char kIdentityPurgedMessage[] =
    "Data identitas pengadu telah dimusnahkan karena masa retensinya berakhir.";

// The internal note of a correction: which details changed, by name, never
// their values ("Diperbarui: nomor telepon, alamat balasan.").
std::string ContactCorrectedNote(const ContactDetails& changed);

// One read of the complainant's identity, as the complainant is told of it:
// the reader's role and unit, never the reader's name.
struct IdentityReadFact {
  absl::Time time;
  Role role = Role::kUnspecified;
  std::string unit_name;  // the unit's display name; empty when the reader has none
};

// What Dumas holds about a complainant, for the copy they asked for.
struct PersonalDataFacts {
  std::string reference_number;
  Identity identity;
  std::string reply_address;
  Channel channel = Channel::kUnspecified;
  absl::Time create_time;
  ComplaintState state = ComplaintState::kUnspecified;
  std::string description;
  absl::Time incident_time;
  std::string incident_location;
  std::string category_name;
  std::string subject_unit_name;  // empty when no unit is named
  std::string officer_name;
  std::string officer_description;
  bool confidential = false;
  bool share_identity_with_kompolnas = false;
  std::vector<IdentityReadFact> identity_reads;  // oldest first
};

// The most identity reads the copy lists one by one; older ones are counted.
inline constexpr size_t kMaxListedIdentityReads = 500;

// The copy as the message delivered to the complainant (Indonesian, plain
// text, channel-neutral): the identity and contact details, the complaint,
// and every read of the identity with its time (WITA), the reader's role
// and unit. Signed like every notification (domain/notification_text.h).
std::string PersonalDataCopyText(const PersonalDataFacts& facts);

// "petugas SPKT/penerimaan pengaduan", "Kompolnas", ...: the role as the
// complainant is told it.
std::string RoleDescription(Role role);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_PERSONAL_DATA_H_
