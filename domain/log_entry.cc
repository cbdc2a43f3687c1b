#include "domain/log_entry.h"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/string_view_interop.h"
#include "domain/utf8.h"

namespace dumas {
namespace {

constexpr std::string_view kEntryHeader = "dumas-log-entry/v1\n";
static_assert(kEntryHeader.size() == 19);
constexpr std::string_view kIdentityHeader = "dumas-identity/v1\n";
constexpr std::string_view kRecordHeader = "dumas-log-record/v1\n";
static_assert(kRecordHeader.size() == 20);
constexpr size_t kCommitmentBytes = 32;

// The tags of docs/transparency-log.md, "Canonical encoding of the details".
enum Tag : uint8_t {
  kDescription = 1,
  kIncidentTime = 2,
  kIncidentLocation = 3,
  kCategory = 4,
  kChannel = 5,
  kSubjectUnit = 6,
  kOfficerName = 7,
  kOfficerDescription = 8,
  kConfidential = 9,
  kShareIdentityWithKompolnas = 10,
  kExternalId = 11,
  kExternalReceiveTime = 12,
  kIdentityCommitment = 13,
  kSp3dDueDate = 14,
  kState = 20,
  kHandlingUnit = 21,
  kSp3dTime = 22,
  kResultDueDate = 23,
  kAnswerTime = 24,
  kAnswerText = 25,
  kOutcome = 26,
  kClarificationPending = 27,
  kClarificationQuestion = 28,
  kSatisfactionRating = 29,
  kVersion = 30,
  kAnswerCleared = 31,
};

// Calls visit(tag, field) for each field of `d` in tag order: the one table
// of which field has which tag, shared by the encoder and the decoder.
template <typename Details, typename Visit>
void ForEachField(Details& d, Visit&& visit) {
  visit(kDescription, d.description);
  visit(kIncidentTime, d.incident_time);
  visit(kIncidentLocation, d.incident_location);
  visit(kCategory, d.category_id);
  visit(kChannel, d.channel);
  visit(kSubjectUnit, d.subject_unit_id);
  visit(kOfficerName, d.officer_name);
  visit(kOfficerDescription, d.officer_description);
  visit(kConfidential, d.confidential);
  visit(kShareIdentityWithKompolnas, d.share_identity_with_kompolnas);
  visit(kExternalId, d.external_id);
  visit(kExternalReceiveTime, d.external_receive_time);
  visit(kIdentityCommitment, d.identity_commitment);
  visit(kSp3dDueDate, d.sp3d_due_date);
  visit(kState, d.state);
  visit(kHandlingUnit, d.handling_unit_id);
  visit(kSp3dTime, d.sp3d_time);
  visit(kResultDueDate, d.result_due_date);
  visit(kAnswerTime, d.answer_time);
  visit(kAnswerText, d.answer_text);
  visit(kOutcome, d.outcome);
  visit(kClarificationPending, d.clarification_pending);
  visit(kClarificationQuestion, d.clarification_question);
  visit(kSatisfactionRating, d.satisfaction_rating);
  visit(kVersion, d.version);
  visit(kAnswerCleared, d.answer_cleared);
}

// google.protobuf.Timestamp's range, 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z, in whole microseconds.
constexpr int64_t kMinTimeMicros = -62'135'596'800 * int64_t{1'000'000};
constexpr int64_t kMaxTimeMicros = 253'402'300'799 * int64_t{1'000'000} + 999'999;

const absl::CivilDay kEpochDay(1970, 1, 1);

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }  // rounds down
int64_t Days(absl::CivilDay d) { return d - kEpochDay; }

void PutInt(uint64_t v, int bytes, std::string& out) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutInt64(int64_t v, std::string& out) { PutInt(static_cast<uint64_t>(v), 8, out); }
void PutStr(std::string_view s, std::string& out) {
  PutInt(s.size(), 4, out);
  out.append(s);
}

// Appends the tagged field when it is set.
void Put(Tag tag, const std::optional<std::string>& v, std::string& out) {
  if (!v) return;
  out.push_back(static_cast<char>(tag));
  PutStr(*v, out);
}
void Put(Tag tag, const std::optional<int64_t>& v, std::string& out) {
  if (!v) return;
  out.push_back(static_cast<char>(tag));
  PutInt64(*v, out);
}
void Put(Tag tag, const std::optional<absl::Time>& v, std::string& out) {
  if (v) Put(tag, std::optional<int64_t>(Micros(*v)), out);
}
void Put(Tag tag, const std::optional<absl::CivilDay>& v, std::string& out) {
  if (v) Put(tag, std::optional<int64_t>(Days(*v)), out);
}
void Put(Tag tag, const std::optional<bool>& v, std::string& out) {
  if (!v) return;
  out.push_back(static_cast<char>(tag));
  out.push_back(*v ? 1 : 0);
}
// answer_cleared: present only when set, as 1.
void Put(Tag tag, bool v, std::string& out) {
  if (v) Put(tag, std::optional<bool>(true), out);
}

// Reads the fields of an encoding front to back.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool done() const { return in_.empty(); }

  bool Byte(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool Int64(int64_t* v) {
    if (in_.size() < 8) return false;
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool Str(std::string* v) {
    if (in_.size() < 4) return false;
    uint64_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(in_[i]);
    if (in_.size() - 4 < n) return false;
    v->assign(in_.substr(4, n));
    in_.remove_prefix(4 + n);
    return true;
  }

 private:
  std::string_view in_;
};

absl::Status Truncated(uint8_t tag) {
  return absl::InvalidArgumentError(
      absl::StrCat("details: the value of tag ", tag, " is cut short"));
}

// Reads the value of `tag` into `field`.
absl::Status Read(Reader& r, uint8_t tag, std::optional<std::string>& field) {
  std::string v;
  if (!r.Str(&v)) return Truncated(tag);
  field = std::move(v);
  return absl::OkStatus();
}
absl::Status Read(Reader& r, uint8_t tag, std::optional<int64_t>& field) {
  int64_t v;
  if (!r.Int64(&v)) return Truncated(tag);
  field = v;
  return absl::OkStatus();
}
absl::Status Read(Reader& r, uint8_t tag, std::optional<absl::Time>& field) {
  int64_t v;
  if (!r.Int64(&v)) return Truncated(tag);
  // Checked here, not only by ValidateDetails: a value beyond the range
  // would not survive the round trip through absl::Time.
  if (v < kMinTimeMicros || v > kMaxTimeMicros) {
    return absl::InvalidArgumentError(
        absl::StrCat("details: the time of tag ", tag, " is not within years 1-9999"));
  }
  field = absl::FromUnixMicros(v);
  return absl::OkStatus();
}
absl::Status Read(Reader& r, uint8_t tag, std::optional<absl::CivilDay>& field) {
  int64_t v;
  if (!r.Int64(&v)) return Truncated(tag);
  // Bounded before the civil arithmetic, which must not overflow.
  const int64_t min_days = Days(absl::CivilDay(1, 1, 1));
  const int64_t max_days = Days(absl::CivilDay(9999, 12, 31));
  if (v < min_days || v > max_days) {
    return absl::InvalidArgumentError(
        absl::StrCat("details: the date of tag ", tag, " is not within years 1-9999"));
  }
  field = kEpochDay + v;
  return absl::OkStatus();
}
absl::Status Read(Reader& r, uint8_t tag, std::optional<bool>& field) {
  uint8_t v;
  if (!r.Byte(&v)) return Truncated(tag);
  if (v > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("details: the boolean of tag ", tag, " is ", v, ", not 0 or 1"));
  }
  field = v == 1;
  return absl::OkStatus();
}

absl::Status Read(Reader& r, uint8_t tag, bool& field) {
  std::optional<bool> v;
  if (absl::Status s = Read(r, tag, v); !s.ok()) return s;
  if (!*v) {
    return absl::InvalidArgumentError(
        absl::StrCat("details: tag ", tag, " is encoded only when set, as 1"));
  }
  field = true;
  return absl::OkStatus();
}

absl::Status CheckText(const char* field, const std::optional<std::string>& v) {
  if (!v) return absl::OkStatus();
  if (v->size() > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is longer than 2^32 - 1 bytes"));
  }
  if (!IsUtf8(*v)) return absl::InvalidArgumentError(absl::StrCat(field, " is not UTF-8"));
  return absl::OkStatus();
}
absl::Status CheckTime(const char* field, const std::optional<absl::Time>& v) {
  if (v && (Micros(*v) < kMinTimeMicros || Micros(*v) > kMaxTimeMicros)) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is not within years 1-9999"));
  }
  return absl::OkStatus();
}
absl::Status CheckDate(const char* field, const std::optional<absl::CivilDay>& v) {
  if (v && (v->year() < 1 || v->year() > 9999)) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is not within years 1-9999"));
  }
  return absl::OkStatus();
}
absl::Status CheckRange(const char* field, const std::optional<int64_t>& v, int64_t min,
                        int64_t max) {
  if (v && (*v < min || *v > max)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", *v, ", not within ", min, "-", max));
  }
  return absl::OkStatus();
}

}  // namespace

bool ComplaintDetails::empty() const { return *this == ComplaintDetails(); }

absl::Status ValidateDetails(const ComplaintDetails& d) {
  constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
  for (absl::Status s : {
           CheckText("description", d.description),
           CheckTime("incident_time", d.incident_time),
           CheckText("incident_location", d.incident_location),
           CheckText("category", d.category_id),
           CheckRange("channel", d.channel, 1, kMaxChannel),
           CheckText("subject_unit", d.subject_unit_id),
           CheckText("officer_name", d.officer_name),
           CheckText("officer_description", d.officer_description),
           CheckText("external_id", d.external_id),
           CheckTime("external_receive_time", d.external_receive_time),
           CheckDate("sp3d_due_date", d.sp3d_due_date),
           CheckRange("state", d.state, 1, kMaxComplaintState),
           CheckText("handling_unit", d.handling_unit_id),
           CheckTime("sp3d_time", d.sp3d_time),
           CheckDate("result_due_date", d.result_due_date),
           CheckTime("answer_time", d.answer_time),
           CheckText("answer_text", d.answer_text),
           CheckRange("outcome", d.outcome, 1, kMaxOutcome),
           CheckText("clarification_question", d.clarification_question),
           CheckRange("satisfaction_rating", d.satisfaction_rating, 1, 5),
           CheckRange("version", d.version, 1, kMaxInt64),
       }) {
    if (!s.ok()) return s;
  }
  if (d.identity_commitment && d.identity_commitment->size() != kCommitmentBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity_commitment has ", d.identity_commitment->size(), " bytes, not 32"));
  }
  return absl::OkStatus();
}

std::string EncodeDetails(const ComplaintDetails& d) {
  std::string out;
  ForEachField(d, [&](Tag tag, const auto& field) { Put(tag, field, out); });
  return out;
}

absl::StatusOr<ComplaintDetails> DecodeDetails(std::string_view encoded) {
  ComplaintDetails d;
  Reader r(encoded);
  int last_tag = -1;
  while (!r.done()) {
    uint8_t tag;
    r.Byte(&tag);
    if (tag == last_tag) {
      return absl::InvalidArgumentError(absl::StrCat("details: tag ", tag, " is repeated"));
    }
    if (tag < last_tag) {
      return absl::InvalidArgumentError(
          absl::StrCat("details: tag ", tag, " comes after tag ", last_tag));
    }
    bool known = false;
    absl::Status s;
    ForEachField(d, [&](Tag field_tag, auto& field) {
      if (field_tag != tag) return;
      known = true;
      s = Read(r, tag, field);
    });
    if (!known) return absl::InvalidArgumentError(absl::StrCat("details: unknown tag ", tag));
    if (!s.ok()) return s;
    last_tag = tag;
  }
  if (absl::Status s = ValidateDetails(d); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("details: ", s.message()));
  }
  return d;
}

std::string EncodeEntry(const LogEntry& e) {
  std::string out(kEntryHeader);
  PutStr(e.reference_number, out);
  PutStr(e.type, out);
  PutInt64(Micros(e.time), out);
  PutInt64(e.actor, out);
  out.push_back(static_cast<char>(static_cast<uint8_t>(e.from_state)));
  out.push_back(static_cast<char>(static_cast<uint8_t>(e.to_state)));
  out.push_back(e.is_public ? 1 : 0);
  PutStr(e.public_message, out);
  PutStr(e.internal_note, out);
  PutStr(e.details, out);
  return out;
}

Hash EntryLeafHash(const LogEntry& entry) { return LeafHash(EncodeEntry(entry)); }

absl::Status ValidateRecord(const LogRecord& r) {
  if (r.kind.empty() || r.kind.size() > 32 ||
      !std::all_of(r.kind.begin(), r.kind.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return absl::InvalidArgumentError("kind must be 1-32 of A-Z, 0-9 and '_'");
  }
  if (r.name.empty() || r.name.size() > 255 || !IsUtf8(r.name)) {
    return absl::InvalidArgumentError("name must be 1-255 bytes of UTF-8");
  }
  if (Micros(r.time) < kMinTimeMicros || Micros(r.time) > kMaxTimeMicros) {
    return absl::InvalidArgumentError("time is not within years 1-9999");
  }
  if (r.digest.size() != 32) return absl::InvalidArgumentError("digest must be 32 bytes");
  return absl::OkStatus();
}

std::string EncodeRecord(const LogRecord& r) {
  std::string out(kRecordHeader);
  PutStr(r.kind, out);
  PutStr(r.name, out);
  PutInt64(Micros(r.time), out);
  PutStr(r.digest, out);
  return out;
}

Hash RecordLeafHash(const LogRecord& record) { return LeafHash(EncodeRecord(record)); }

std::string IdentityCommitment(std::string_view salt32, const Identity& identity) {
  std::string input(kIdentityHeader);
  input.append(salt32);
  for (const std::string* field :
       {&identity.full_name, &identity.nik, &identity.phone, &identity.email, &identity.address}) {
    PutStr(*field, input);
  }
  std::string commitment(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(commitment.data()),
                     reinterpret_cast<const unsigned char*>(input.data()), input.size());
  sodium_memzero(input.data(), input.size());  // it held the identity
  return commitment;
}

}  // namespace dumas
