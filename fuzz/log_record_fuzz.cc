// The canonical encodings of the log's leaves (domain/log_entry.h): an event
// (EncodeEntry) and a record of the resort (ValidateRecord, EncodeRecord).
// Another implementation reads these bytes back (docs/transparency-log.md),
// so each must be unambiguous: a reader following the documented layout
// recovers exactly the fields encoded, and an event never encodes like a
// record. The input is cut at NUL into the fields of a record and an event.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "domain/log_entry.h"
#include "fuzz/fuzz_support.h"

namespace {

// A reader of the documented layout, independent of the encoder.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  bool Header(std::string_view header) {
    if (rest_.substr(0, header.size()) != header) return false;
    rest_.remove_prefix(header.size());
    return true;
  }
  std::optional<uint64_t> BigEndian(size_t bytes) {
    if (rest_.size() < bytes) return std::nullopt;
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; ++i) value = value << 8 | static_cast<uint8_t>(rest_[i]);
    rest_.remove_prefix(bytes);
    return value;
  }
  std::optional<std::string> Str() {
    const std::optional<uint64_t> length = BigEndian(4);
    if (!length || rest_.size() < *length) return std::nullopt;
    std::string value(rest_.substr(0, *length));
    rest_.remove_prefix(*length);
    return value;
  }
  bool AtEnd() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

int64_t Signed(uint64_t value) { return static_cast<int64_t>(value); }

int64_t Micros(absl::Time time) { return absl::ToUnixMicros(time); }

// The first 8 bytes of `bytes`, big-endian, as two's complement.
int64_t FromBytes(std::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    value = value << 8 | static_cast<uint8_t>(bytes[i]);
  }
  return static_cast<int64_t>(value);
}

absl::Time FromMicros(std::string_view bytes) { return absl::FromUnixMicros(FromBytes(bytes)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto fields = dumas::fuzz::Fields(dumas::fuzz::Bytes(data, size), 13);

  // A record: validation decides; what validates reads back as it was.
  dumas::LogRecord record;
  record.kind = std::string(fields[0]);
  record.name = std::string(fields[1]);
  record.time = FromMicros(fields[2]);
  record.digest = std::string(fields[3]);
  const absl::Status valid = dumas::ValidateRecord(record);
  if (!valid.ok()) {
    DUMAS_FUZZ_CHECK(valid.code() == absl::StatusCode::kInvalidArgument,
                     "an invalid record is not INVALID_ARGUMENT");
  } else {
    const std::string encoded = dumas::EncodeRecord(record);
    Reader reader(encoded);
    DUMAS_FUZZ_CHECK(reader.Header("dumas-log-record/v1\n"), "a record lacks its header");
    const std::optional<std::string> kind = reader.Str();
    const std::optional<std::string> name = reader.Str();
    const std::optional<uint64_t> micros = reader.BigEndian(8);
    const std::optional<std::string> digest = reader.Str();
    DUMAS_FUZZ_CHECK(kind && name && micros && digest && reader.AtEnd(),
                     "a record does not read back in the documented layout");
    DUMAS_FUZZ_CHECK(*kind == record.kind && *name == record.name &&
                         Signed(*micros) == Micros(record.time) && *digest == record.digest,
                     "a record reads back different fields");
    DUMAS_FUZZ_CHECK(dumas::RecordLeafHash(record) == dumas::LeafHash(encoded),
                     "a record's leaf hash is not that of its encoding");
  }

  // An event: any fields encode, and read back as they were.
  dumas::LogEntry entry;
  entry.reference_number = std::string(fields[4]);
  entry.type = std::string(fields[5]);
  entry.time = FromMicros(fields[6]);
  entry.actor = FromBytes(fields[7]);
  entry.from_state = fields[8].empty() ? 0 : static_cast<uint8_t>(fields[8][0]);
  entry.to_state = fields[8].size() < 2 ? 0 : static_cast<uint8_t>(fields[8][1]);
  entry.is_public = fields[9].size() % 2 == 1;
  entry.public_message = std::string(fields[10]);
  entry.internal_note = std::string(fields[11]);
  entry.details = std::string(fields[12]);
  const std::string encoded = dumas::EncodeEntry(entry);
  Reader reader(encoded);
  DUMAS_FUZZ_CHECK(reader.Header("dumas-log-entry/v1\n"), "an event lacks its header");
  DUMAS_FUZZ_CHECK(!encoded.starts_with("dumas-log-record/"), "an event encodes like a record");
  const std::optional<std::string> reference = reader.Str();
  const std::optional<std::string> type = reader.Str();
  const std::optional<uint64_t> micros = reader.BigEndian(8);
  const std::optional<uint64_t> actor = reader.BigEndian(8);
  const std::optional<uint64_t> from = reader.BigEndian(1);
  const std::optional<uint64_t> to = reader.BigEndian(1);
  const std::optional<uint64_t> is_public = reader.BigEndian(1);
  const std::optional<std::string> message = reader.Str();
  const std::optional<std::string> note = reader.Str();
  const std::optional<std::string> details = reader.Str();
  DUMAS_FUZZ_CHECK(reference && type && micros && actor && from && to && is_public && message &&
                       note && details && reader.AtEnd(),
                   "an event does not read back in the documented layout");
  DUMAS_FUZZ_CHECK(*reference == entry.reference_number && *type == entry.type &&
                       Signed(*micros) == Micros(entry.time) && Signed(*actor) == entry.actor &&
                       static_cast<int>(*from) == entry.from_state &&
                       static_cast<int>(*to) == entry.to_state &&
                       (*is_public == 1) == entry.is_public && *is_public <= 1 &&
                       *message == entry.public_message && *note == entry.internal_note &&
                       *details == entry.details,
                   "an event reads back different fields");
  DUMAS_FUZZ_CHECK(dumas::EntryLeafHash(entry) == dumas::LeafHash(encoded),
                   "an event's leaf hash is not that of its encoding");
  return 0;
}
