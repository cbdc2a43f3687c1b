#include "storage/keyring.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace dumas {
namespace {

constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kMaxKeyFileBytes = 1 << 20;
constexpr size_t kMaxKeyIdChars = 32;

static_assert(kNonceBytes + kTagBytes == Keyring::kCiphertextOverhead);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == Keyring::kKeyBytes);
static_assert(crypto_kdf_KEYBYTES == Keyring::kKeyBytes);

// Subkeys of the index key: one KDF context (8 bytes) and id per purpose.
constexpr char kNikContext[crypto_kdf_CONTEXTBYTES + 1] = "dumasNIK";
constexpr char kTrackingContext[crypto_kdf_CONTEXTBYTES + 1] = "dumasTRK";
constexpr char kFingerprintContext[crypto_kdf_CONTEXTBYTES + 1] = "dumasREQ";
constexpr char kThrottleContext[crypto_kdf_CONTEXTBYTES + 1] = "dumasTHR";
constexpr char kLogMacContext[crypto_kdf_CONTEXTBYTES + 1] = "dumasLOG";
constexpr char kSigningContext[crypto_kdf_CONTEXTBYTES + 1] = "dumasSIG";

// Debian's Abseil has its own absl::string_view (not std::string_view).
absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }
std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

bool ValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdChars) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

// Decodes exactly 64 hex digits into key[32].
bool DecodeKey(std::string_view hex, unsigned char* key) {
  if (hex.size() != 2 * Keyring::kKeyBytes) return false;
  size_t decoded = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(key, Keyring::kKeyBytes, hex.data(), hex.size(), nullptr, &decoded,
                     &end) != 0) {
    return false;
  }
  return decoded == Keyring::kKeyBytes && end == hex.data() + hex.size();
}

std::string HexKey(const unsigned char* key) {
  std::string hex(2 * Keyring::kKeyBytes + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), key, Keyring::kKeyBytes);
  hex.pop_back();  // the terminating NUL
  return hex;
}

// BLAKE2b of length-prefixed parts under `key`: unambiguous for any parts.
std::string KeyedHash(const unsigned char* key, std::initializer_list<std::string_view> parts) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key, Keyring::kKeyBytes, Keyring::kHashBytes);
  for (std::string_view part : parts) {
    unsigned char length[8];
    uint64_t n = part.size();
    for (unsigned char& byte : length) {
      byte = static_cast<unsigned char>(n & 0xff);
      n >>= 8;
    }
    crypto_generichash_update(&state, length, sizeof length);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                              part.size());
  }
  std::string out(Keyring::kHashBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  sodium_memzero(&state, sizeof state);
  return out;
}

// Creates the missing directories of `path`'s parent with mode 0700.
absl::Status MakeParentDirectories(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return absl::OkStatus();
  const std::string parent = path.substr(0, slash);
  for (size_t i = 1; i <= parent.size(); ++i) {
    if (i != parent.size() && parent[i] != '/') continue;
    const std::string prefix = parent.substr(0, i);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::InternalError(absl::StrCat("cannot create directory ", prefix, " for the key file: ",
                                              std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("cannot write the key file: ", std::strerror(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// Reads the key file at `path` after checking that it is a regular file that
// only its owner may access. Errors as Keyring::LoadFromFile's.
absl::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(
          "key file ", path, " does not exist; create one with 'dumasd keygen'"));
    }
    return absl::InternalError(
        absl::StrCat("cannot open key file ", path, ": ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int error = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat("cannot stat key file ", path, ": ", std::strerror(error)));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("key file ", path, " is not a regular file"));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return absl::FailedPreconditionError(absl::StrCat(
        "key file ", path, " is accessible by group or others (mode ", mode,
        "); restrict it to its owner with: chmod 600 ", path));
  }
  if (static_cast<size_t>(st.st_size) > kMaxKeyFileBytes) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat("key file ", path, " is larger than 1 MiB"));
  }
  std::string contents(static_cast<size_t>(st.st_size), '\0');
  size_t filled = 0;
  while (filled < contents.size()) {
    const ssize_t n = read(fd, contents.data() + filled, contents.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    filled += static_cast<size_t>(n);
  }
  close(fd);
  contents.resize(filled);
  return contents;
}

// Writes `contents` to `path` atomically: a new file (mode 0600) in the same
// directory, synced, renamed over `path`, and the directory synced, so that a
// crash leaves the old file or the new one.
absl::Status ReplaceKeyFile(const std::string& path, std::string_view contents) {
  std::string temporary = path + ".new-XXXXXX";
  const int fd = mkstemp(temporary.data());
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create a new key file beside ", path, ": ", std::strerror(errno)));
  }
  absl::Status status = WriteAll(fd, contents);
  if (status.ok() && fchmod(fd, 0600) != 0) {
    status = absl::InternalError(absl::StrCat("cannot chmod the key file: ", std::strerror(errno)));
  }
  if (status.ok() && fsync(fd) != 0) {
    status = absl::InternalError(absl::StrCat("cannot sync the key file: ", std::strerror(errno)));
  }
  if (close(fd) != 0 && status.ok()) {
    status = absl::InternalError(absl::StrCat("cannot close the key file: ", std::strerror(errno)));
  }
  if (status.ok() && rename(temporary.c_str(), path.c_str()) != 0) {
    status = absl::InternalError(
        absl::StrCat("cannot replace the key file ", path, ": ", std::strerror(errno)));
  }
  if (!status.ok()) {
    unlink(temporary.c_str());
    return status;
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return absl::OkStatus();
}

// A new data key id: "k" + today (UTC) + "-" + 8 random hex digits.
std::string NewKeyId() {
  unsigned char suffix[4];
  randombytes_buf(suffix, sizeof suffix);
  char suffix_hex[2 * sizeof suffix + 1];
  sodium_bin2hex(suffix_hex, sizeof suffix_hex, suffix, sizeof suffix);
  return absl::StrCat("k", absl::FormatTime("%Y%m%d", absl::Now(), absl::UTCTimeZone()), "-",
                      suffix_hex);
}

// The first two fields of a key file line ("data", "k2026..."), empty for
// comments and blank lines.
std::pair<std::string, std::string> LineKind(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  if (line.empty() || line.front() == '#') return {};
  std::vector<absl::string_view> fields =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  return {std::string(fields[0]), fields.size() > 1 ? std::string(fields[1]) : std::string()};
}

absl::Status InitSodium() {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  return absl::OkStatus();
}

}  // namespace

struct Keyring::Material {
  struct DataKey {
    std::string id;
    unsigned char key[kKeyBytes];
    ~DataKey() { sodium_memzero(key, sizeof key); }
  };
  // Each key in its own allocation, so that no key is ever copied (and left
  // behind unwiped) when the vector grows.
  std::vector<std::unique_ptr<DataKey>> data_keys;
  size_t current = 0;  // the data key that encrypts
  unsigned char nik_key[kKeyBytes];
  unsigned char tracking_key[kKeyBytes];
  unsigned char fingerprint_key[kKeyBytes];
  unsigned char throttle_key[kKeyBytes];
  unsigned char log_mac_key[kKeyBytes];
  unsigned char signing_seed[kKeyBytes];

  ~Material() {
    sodium_memzero(nik_key, sizeof nik_key);
    sodium_memzero(tracking_key, sizeof tracking_key);
    sodium_memzero(fingerprint_key, sizeof fingerprint_key);
    sodium_memzero(throttle_key, sizeof throttle_key);
    sodium_memzero(log_mac_key, sizeof log_mac_key);
    sodium_memzero(signing_seed, sizeof signing_seed);
  }

  const DataKey* Find(std::string_view id) const {
    for (const auto& key : data_keys) {
      if (key->id == id) return key.get();
    }
    return nullptr;
  }
};

Keyring::Keyring(std::unique_ptr<Material> material) : material_(std::move(material)) {}
Keyring::Keyring(Keyring&& other) noexcept = default;
Keyring& Keyring::operator=(Keyring&& other) noexcept = default;
Keyring::~Keyring() = default;

absl::StatusOr<Keyring> Keyring::Parse(std::string_view path, std::string_view contents) {
  auto material = std::make_unique<Material>();
  unsigned char index_key[kKeyBytes];
  int index_keys = 0;
  int signing_keys = 0;
  int line_number = 0;
  std::string current_id;
  int current_line = 0;
  auto malformed = [&](std::string_view what) {
    sodium_memzero(index_key, sizeof index_key);
    return absl::InvalidArgumentError(
        absl::StrCat("key file ", Absl(path), " line ", line_number, ": ", Absl(what)));
  };
  for (absl::string_view line : absl::StrSplit(Absl(contents), '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> fields;
    for (absl::string_view field : absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      fields.push_back(Std(field));
    }
    if (fields[0] == "data") {
      if (fields.size() != 3) return malformed("expected 'data <key_id> <64 hex digits>'");
      if (!ValidKeyId(fields[1])) {
        return malformed("the key id must be 1-32 characters of A-Z a-z 0-9 . _ -");
      }
      if (material->Find(fields[1]) != nullptr) return malformed("duplicate key id");
      auto key = std::make_unique<Material::DataKey>();
      key->id = std::string(fields[1]);
      if (!DecodeKey(fields[2], key->key)) return malformed("the key must be 64 hex digits");
      material->data_keys.push_back(std::move(key));
    } else if (fields[0] == "current") {
      if (fields.size() != 2) return malformed("expected 'current <key_id>'");
      if (!current_id.empty()) return malformed("a second 'current' line; there may be one");
      if (!ValidKeyId(fields[1])) {
        return malformed("the key id must be 1-32 characters of A-Z a-z 0-9 . _ -");
      }
      current_id = std::string(fields[1]);
      current_line = line_number;
    } else if (fields[0] == "index") {
      if (fields.size() != 2) return malformed("expected 'index <64 hex digits>'");
      if (++index_keys > 1) return malformed("a second index key; there must be exactly one");
      if (!DecodeKey(fields[1], index_key)) return malformed("the key must be 64 hex digits");
    } else if (fields[0] == "sign") {
      if (fields.size() != 2) return malformed("expected 'sign <64 hex digits>'");
      if (++signing_keys > 1) return malformed("a second signing key; there may be one");
      if (!DecodeKey(fields[1], material->signing_seed)) {
        return malformed("the key must be 64 hex digits");
      }
    } else {
      return malformed(
          "expected 'data <key_id> <64 hex digits>', 'current <key_id>', "
          "'index <64 hex digits>', 'sign <64 hex digits>' or a '#' comment");
    }
  }
  if (material->data_keys.empty()) {
    sodium_memzero(index_key, sizeof index_key);
    return absl::InvalidArgumentError(
        absl::StrCat("key file ", Absl(path), " has no 'data <key_id> <64 hex digits>' line"));
  }
  if (index_keys != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("key file ", Absl(path), " has no 'index <64 hex digits>' line"));
  }
  material->current = material->data_keys.size() - 1;
  if (!current_id.empty()) {
    const Material::DataKey* current = material->Find(current_id);
    if (current == nullptr) {
      line_number = current_line;
      return malformed("'current' names no data key of the file");
    }
    for (size_t i = 0; i < material->data_keys.size(); ++i) {
      if (material->data_keys[i].get() == current) material->current = i;
    }
  }
  crypto_kdf_derive_from_key(material->nik_key, kKeyBytes, 1, kNikContext, index_key);
  crypto_kdf_derive_from_key(material->tracking_key, kKeyBytes, 2, kTrackingContext, index_key);
  crypto_kdf_derive_from_key(material->fingerprint_key, kKeyBytes, 3, kFingerprintContext,
                             index_key);
  crypto_kdf_derive_from_key(material->throttle_key, kKeyBytes, 4, kThrottleContext, index_key);
  crypto_kdf_derive_from_key(material->log_mac_key, kKeyBytes, 5, kLogMacContext, index_key);
  // Without a 'sign' line, the log's signing key derives from the index key,
  // so every key file has one.
  if (signing_keys == 0) {
    crypto_kdf_derive_from_key(material->signing_seed, kKeyBytes, 6, kSigningContext, index_key);
  }
  sodium_memzero(index_key, sizeof index_key);
  return Keyring(std::move(material));
}

absl::StatusOr<Keyring> Keyring::LoadFromFile(std::string_view path_view) {
  if (absl::Status status = InitSodium(); !status.ok()) return status;
  const std::string path(path_view);
  absl::StatusOr<std::string> contents = ReadKeyFile(path);
  if (!contents.ok()) return contents.status();
  absl::StatusOr<Keyring> keyring = Parse(path, *contents);
  sodium_memzero(contents->data(), contents->size());
  return keyring;
}

absl::Status Keyring::GenerateFile(std::string_view path_view) {
  if (absl::Status status = InitSodium(); !status.ok()) return status;
  const std::string path(path_view);
  if (path.empty()) return absl::InvalidArgumentError("the key file path is empty");
  if (absl::Status status = MakeParentDirectories(path); !status.ok()) return status;
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat("key file ", path, " already exists; it is never overwritten"));
    }
    return absl::InternalError(
        absl::StrCat("cannot create key file ", path, ": ", std::strerror(errno)));
  }
  unsigned char data_key[kKeyBytes];
  unsigned char index_key[kKeyBytes];
  crypto_aead_xchacha20poly1305_ietf_keygen(data_key);
  crypto_kdf_keygen(index_key);
  const std::string key_id = NewKeyId();
  std::string data_hex = HexKey(data_key);
  std::string index_hex = HexKey(index_key);
  std::string contents = absl::StrCat(
      "# Dumas key file: keep it outside the database, mode 0600, and back it up\n"
      "# apart from the database. Losing it makes stored identities unreadable.\n"
      "# Rotate the data key with dumasd add-key, set-current-key, reencrypt and\n"
      "# remove-key (README.md, \"Key rotation\"). Never change the index key.\n",
      "data ", key_id, " ", data_hex, "\n", "index ", index_hex, "\n");
  sodium_memzero(data_key, sizeof data_key);
  sodium_memzero(index_key, sizeof index_key);
  sodium_memzero(data_hex.data(), data_hex.size());
  sodium_memzero(index_hex.data(), index_hex.size());
  absl::Status status = WriteAll(fd, contents);
  sodium_memzero(contents.data(), contents.size());
  if (status.ok() && fchmod(fd, 0600) != 0) {
    status = absl::InternalError(absl::StrCat("cannot chmod the key file: ", std::strerror(errno)));
  }
  if (status.ok() && fsync(fd) != 0) {
    status = absl::InternalError(absl::StrCat("cannot sync the key file: ", std::strerror(errno)));
  }
  if (close(fd) != 0 && status.ok()) {
    status = absl::InternalError(absl::StrCat("cannot close the key file: ", std::strerror(errno)));
  }
  if (!status.ok()) unlink(path.c_str());
  return status;
}

absl::Status Keyring::RewriteKeyFile(
    const std::string& path,
    absl::FunctionRef<absl::Status(const Keyring&, std::vector<std::string>&)> edit) {
  if (absl::Status status = InitSodium(); !status.ok()) return status;
  absl::StatusOr<std::string> contents = ReadKeyFile(path);
  if (!contents.ok()) return contents.status();
  std::string next;
  absl::Status status;
  {
    absl::StatusOr<Keyring> keyring = Parse(path, *contents);
    if (!keyring.ok()) {
      status = keyring.status();
    } else {
      std::vector<std::string> lines = absl::StrSplit(*contents, '\n');
      if (!lines.empty() && lines.back().empty()) lines.pop_back();
      status = edit(*keyring, lines);
      if (status.ok()) next = absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
      for (std::string& line : lines) sodium_memzero(line.data(), line.size());
    }
  }
  sodium_memzero(contents->data(), contents->size());
  if (status.ok()) status = Parse(path, next).status();
  if (status.ok()) status = ReplaceKeyFile(path, next);
  sodium_memzero(next.data(), next.size());
  return status;
}

namespace {

// Drops the 'current' line and puts `added` right after the last data line.
void ReplaceCurrentLine(std::vector<std::string>& lines, std::vector<std::string> added) {
  std::vector<std::string> kept;
  size_t last_data = 0;
  for (std::string& line : lines) {
    const auto [kind, id] = LineKind(line);
    if (kind == "current") continue;
    kept.push_back(std::move(line));
    if (kind == "data") last_data = kept.size();
  }
  kept.insert(kept.begin() + static_cast<long>(last_data), std::make_move_iterator(added.begin()),
              std::make_move_iterator(added.end()));
  for (std::string& line : lines) sodium_memzero(line.data(), line.size());
  lines = std::move(kept);
}

absl::Status NoSuchDataKey(const std::string& path, std::string_view key_id) {
  return absl::NotFoundError(absl::StrCat("key file ", path, " has no data key ", Absl(key_id)));
}

}  // namespace

absl::StatusOr<std::string> Keyring::AddDataKey(std::string_view path_view, bool make_current) {
  std::string key_id;
  absl::Status status = RewriteKeyFile(
      std::string(path_view),
      [&](const Keyring& keyring, std::vector<std::string>& lines) -> absl::Status {
        do {
          key_id = NewKeyId();
        } while (keyring.HasDataKey(key_id));
        unsigned char key[kKeyBytes];
        crypto_aead_xchacha20poly1305_ietf_keygen(key);
        std::string hex = HexKey(key);
        sodium_memzero(key, sizeof key);
        // The new key goes after the last data line, followed by the
        // 'current' line (moved there, or added to keep the current key
        // current).
        const std::string current = make_current ? key_id : keyring.active_key_id();
        std::vector<std::string> added;
        added.push_back(absl::StrCat("data ", key_id, " ", hex));
        added.push_back(absl::StrCat("current ", current));
        ReplaceCurrentLine(lines, std::move(added));
        sodium_memzero(hex.data(), hex.size());
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return key_id;
}

absl::Status Keyring::SetCurrentKey(std::string_view path_view, std::string_view key_id) {
  const std::string path(path_view);
  return RewriteKeyFile(
      path, [&](const Keyring& keyring, std::vector<std::string>& lines) -> absl::Status {
        if (!keyring.HasDataKey(key_id)) return NoSuchDataKey(path, key_id);
        ReplaceCurrentLine(lines, {absl::StrCat("current ", Absl(key_id))});
        return absl::OkStatus();
      });
}

absl::Status Keyring::RemoveDataKey(std::string_view path_view, std::string_view key_id) {
  const std::string path(path_view);
  return RewriteKeyFile(
      path, [&](const Keyring& keyring, std::vector<std::string>& lines) -> absl::Status {
        if (!keyring.HasDataKey(key_id)) return NoSuchDataKey(path, key_id);
        if (keyring.active_key_id() == key_id) {
          return absl::FailedPreconditionError(absl::StrCat(
              "data key ", Absl(key_id),
              " is the current key; make another current first (dumasd set-current-key)"));
        }
        // Without a 'current' line the last data line is current, and it is
        // not the one removed: which key is current does not change.
        std::vector<std::string> kept;
        for (std::string& line : lines) {
          const auto [kind, id] = LineKind(line);
          if (kind == "data" && id == key_id) {
            sodium_memzero(line.data(), line.size());
            continue;
          }
          kept.push_back(std::move(line));
        }
        lines = std::move(kept);
        return absl::OkStatus();
      });
}

const std::string& Keyring::active_key_id() const {
  return material_->data_keys[material_->current]->id;
}

std::vector<std::string> Keyring::data_key_ids() const {
  std::vector<std::string> ids;
  for (const auto& key : material_->data_keys) ids.push_back(key->id);
  return ids;
}

bool Keyring::HasDataKey(std::string_view key_id) const {
  return material_->Find(key_id) != nullptr;
}

bool Keyring::SameIndexAndSigningKeys(const Keyring& other) const {
  const Material& a = *material_;
  const Material& b = *other.material_;
  // Every subkey derives from the index key: one equal subkey per context
  // means the same index key; the signing seed may be its own.
  return sodium_memcmp(a.nik_key, b.nik_key, kKeyBytes) == 0 &&
         sodium_memcmp(a.tracking_key, b.tracking_key, kKeyBytes) == 0 &&
         sodium_memcmp(a.fingerprint_key, b.fingerprint_key, kKeyBytes) == 0 &&
         sodium_memcmp(a.throttle_key, b.throttle_key, kKeyBytes) == 0 &&
         sodium_memcmp(a.log_mac_key, b.log_mac_key, kKeyBytes) == 0 &&
         sodium_memcmp(a.signing_seed, b.signing_seed, kKeyBytes) == 0;
}

std::string Keyring::Encrypt(std::string_view plaintext, std::string_view associated_data) const {
  const Material::DataKey& key = *material_->data_keys[material_->current];
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonceBytes, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), reinterpret_cast<const unsigned char*>(associated_data.data()),
      associated_data.size(), nullptr, nonce, key.key);
  out.resize(kNonceBytes + written);
  return out;
}

absl::StatusOr<std::string> Keyring::Decrypt(std::string_view key_id, std::string_view ciphertext,
                                             std::string_view associated_data) const {
  const Material::DataKey* key = material_->Find(key_id);
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        "data was encrypted with a key that is not in the key file; restore its 'data' line");
  }
  if (ciphertext.size() < kNonceBytes + kTagBytes) {
    return absl::DataLossError("an encrypted value is truncated");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(ciphertext.data());
  std::string plaintext(ciphertext.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &written, nullptr,
          nonce + kNonceBytes, ciphertext.size() - kNonceBytes,
          reinterpret_cast<const unsigned char*>(associated_data.data()), associated_data.size(),
          nonce, key->key) != 0) {
    return absl::DataLossError("an encrypted value failed authentication");
  }
  plaintext.resize(written);
  return plaintext;
}

std::string Keyring::NikBlindIndex(std::string_view nik) const {
  return KeyedHash(material_->nik_key, {nik});
}

std::string Keyring::TrackingCodeHash(std::string_view reference_number,
                                      std::string_view tracking_code) const {
  return KeyedHash(material_->tracking_key, {reference_number, tracking_code});
}

std::string Keyring::RequestFingerprint(std::string_view fingerprint) const {
  return KeyedHash(material_->fingerprint_key, {fingerprint});
}

std::string Keyring::ThrottleKeyHash(std::string_view client_key) const {
  return KeyedHash(material_->throttle_key, {client_key});
}

std::string Keyring::LogEntryMac(std::string_view entry) const {
  return KeyedHash(material_->log_mac_key, {entry});
}

std::string Keyring::LogSigningSeed() const {
  return std::string(reinterpret_cast<const char*>(material_->signing_seed), kKeyBytes);
}

}  // namespace dumas
