#include "domain/signed_note.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "domain/string_view_interop.h"
#include "domain/utf8.h"

namespace dumas {
namespace {

static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_PUBLICKEYBYTES == 32);
static_assert(crypto_sign_SEEDBYTES == 32);
static_assert(crypto_sign_BYTES == 64);

// The em dash U+2014 and a space that open every signature line.
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";
constexpr size_t kTimestampBytes = 8;
constexpr uint64_t kMaxTimestamp = std::numeric_limits<int64_t>::max();

// libsodium must be initialised once before use; sodium_init() is itself
// thread-safe, and the function-local static runs it only once.
void EnsureSodium() {
  static const bool initialised = sodium_init() >= 0;
  if (!initialised) std::abort();
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Go's unicode.IsSpace, which golang.org/x/mod/sumdb/note applies to names.
bool IsUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// A key name: non-empty UTF-8 without Unicode spaces, '+' or control
// characters (which no note may contain).
bool IsKeyName(std::string_view name) {
  if (name.empty()) return false;
  bool ok = true;
  const bool utf8 = ForEachCodePoint(name, [&](char32_t c) {
    if (c < 0x20 || c == '+' || IsUnicodeSpace(c)) ok = false;
  });
  return utf8 && ok;
}

// UTF-8 without ASCII control characters other than newline.
bool IsNoteText(std::string_view text) {
  bool ok = true;
  const bool utf8 = ForEachCodePoint(text, [&](char32_t c) {
    if (c < 0x20 && c != '\n') ok = false;
  });
  return utf8 && ok;
}

// Standard base64 with padding, in the one spelling Base64Escape writes:
// no missing or extra padding, no stray bits in the last character, nothing
// else. False otherwise.
bool DecodeCanonicalBase64(std::string_view in, std::string* out) {
  return absl::Base64Unescape(ToAbsl(in), out) && absl::Base64Escape(*out) == ToAbsl(in);
}

std::string Base64(std::string_view bytes) { return absl::Base64Escape(ToAbsl(bytes)); }

uint32_t LoadBigEndian32(std::string_view b) {
  return (uint32_t{static_cast<uint8_t>(b[0])} << 24) |
         (uint32_t{static_cast<uint8_t>(b[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[2])} << 8) | uint32_t{static_cast<uint8_t>(b[3])};
}

uint64_t LoadBigEndian64(std::string_view b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

void AppendBigEndian(uint64_t v, int bytes, std::string& out) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A decimal without sign or leading zeros ("0" alone may start with 0) that
// fits in 64 bits.
bool ParseCanonicalDecimal(std::string_view s, uint64_t* value) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = c - '0';
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *value = v;
  return true;
}

std::string KeyLabel(std::string_view name, uint32_t key_id) {
  return absl::StrFormat("%s+%08x", ToAbsl(name), key_id);
}

// The key pair of `seed32` under `name`, for FromSeed of both signers.
absl::Status KeyFromSeed(std::string_view name, std::string_view seed32, uint8_t type,
                         VerifierKey& verifier_key, std::array<uint8_t, 64>& secret_key) {
  if (!IsKeyName(name)) {
    return absl::InvalidArgumentError(
        "a key name must be non-empty UTF-8 without spaces, control characters or '+'");
  }
  if (seed32.size() != crypto_sign_SEEDBYTES) {
    return absl::InvalidArgumentError(
        absl::StrCat("an Ed25519 seed has 32 bytes, not ", seed32.size()));
  }
  EnsureSodium();
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> public_key;
  crypto_sign_seed_keypair(public_key.data(), secret_key.data(), Bytes(seed32));
  verifier_key.name = std::string(name);
  verifier_key.type = type;
  verifier_key.public_key.assign(public_key.begin(), public_key.end());
  verifier_key.key_id = NoteKeyId(name, type, verifier_key.public_key);
  return absl::OkStatus();
}

std::string Ed25519Sign(const std::array<uint8_t, 64>& secret_key, std::string_view message) {
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr, Bytes(message),
                       message.size(), secret_key.data());
  return signature;
}

bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  return signature.size() == crypto_sign_BYTES && public_key.size() == crypto_sign_PUBLICKEYBYTES &&
         crypto_sign_verify_detached(Bytes(signature), Bytes(message), message.size(),
                                     Bytes(public_key)) == 0;
}

// Verifies every line of `key` on `note`; the latest cosignature timestamp
// (0 for a type 0x01 key).
absl::StatusOr<uint64_t> VerifyLinesOfKey(const SignedNote& note, const VerifierKey& key) {
  if (key.type != kEd25519NoteSignature && key.type != kEd25519Cosignature) {
    return absl::InvalidArgumentError(
        absl::StrFormat("unsupported signature type 0x%02x", key.type));
  }
  EnsureSodium();
  const std::string label = KeyLabel(key.name, key.key_id);
  bool found = false;
  uint64_t latest = 0;
  for (const NoteSignature& line : note.signatures) {
    if (line.name != key.name || line.key_id != key.key_id) continue;
    found = true;
    if (key.type == kEd25519NoteSignature) {
      if (!Ed25519Verify(key.public_key, note.body, line.signature)) {
        return absl::DataLossError(
            absl::StrCat("the signature of key ", label, " does not verify on this note"));
      }
      continue;
    }
    if (line.signature.size() != kTimestampBytes + crypto_sign_BYTES) {
      return absl::DataLossError(absl::StrCat("the cosignature of key ", label, " has ",
                                              line.signature.size(), " bytes, not 72"));
    }
    const std::string_view signature = line.signature;
    const uint64_t timestamp = LoadBigEndian64(signature);
    if (timestamp > kMaxTimestamp) {
      return absl::DataLossError(
          absl::StrCat("the cosignature of key ", label, " has a timestamp above 2^63 - 1"));
    }
    if (!Ed25519Verify(key.public_key, CosignatureMessage(note.body, timestamp),
                       signature.substr(kTimestampBytes))) {
      return absl::DataLossError(
          absl::StrCat("the cosignature of key ", label, " does not verify on this checkpoint"));
    }
    latest = std::max(latest, timestamp);
  }
  if (!found) return absl::NotFoundError(absl::StrCat("the note has no signature of key ", label));
  return latest;
}

}  // namespace

std::string Checkpoint::Body() const {
  std::string body = absl::StrCat(
      origin, "\n", tree_size, "\n",
      Base64(std::string_view(reinterpret_cast<const char*>(root_hash.data()), root_hash.size())),
      "\n");
  for (const std::string& line : extension_lines) absl::StrAppend(&body, line, "\n");
  return body;
}

absl::StatusOr<Checkpoint> Checkpoint::ParseBody(std::string_view body) {
  if (!IsNoteText(body)) {
    return absl::InvalidArgumentError(
        "a checkpoint must be UTF-8 without control characters other than newline");
  }
  if (body.empty() || body.back() != '\n') {
    return absl::InvalidArgumentError("a checkpoint must end in a newline");
  }
  const std::vector<absl::string_view> lines =
      absl::StrSplit(ToAbsl(body.substr(0, body.size() - 1)), '\n');
  if (lines.size() < 3) {
    return absl::InvalidArgumentError(
        "a checkpoint has at least three lines: origin, tree size and root hash");
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", i + 1, " of the checkpoint is empty"));
    }
  }
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  if (!ParseCanonicalDecimal(ToStd(lines[1]), &checkpoint.tree_size)) {
    return absl::InvalidArgumentError(
        "the tree size of a checkpoint must be a decimal number without leading zeros, below "
        "2^64");
  }
  std::string root;
  if (!DecodeCanonicalBase64(ToStd(lines[2]), &root) ||
      root.size() != checkpoint.root_hash.size()) {
    return absl::InvalidArgumentError(
        "the root hash of a checkpoint must be 32 bytes in standard base64 with padding");
  }
  std::copy(root.begin(), root.end(), checkpoint.root_hash.begin());
  for (size_t i = 3; i < lines.size(); ++i) checkpoint.extension_lines.emplace_back(lines[i]);
  return checkpoint;
}

std::string SignatureLine(const NoteSignature& signature) {
  std::string blob;
  AppendBigEndian(signature.key_id, 4, blob);
  blob += signature.signature;
  return absl::StrCat(ToAbsl(kSignaturePrefix), signature.name, " ", Base64(blob), "\n");
}

absl::StatusOr<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
    return absl::InvalidArgumentError(
        "a signature line starts with an em dash (U+2014) and a space");
  }
  line.remove_prefix(kSignaturePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return absl::InvalidArgumentError("a signature line is \"— <key name> <base64>\"");
  }
  NoteSignature signature;
  const std::string_view name = line.substr(0, space);
  if (!IsKeyName(name)) {
    return absl::InvalidArgumentError(
        "the key name of a signature line must be non-empty UTF-8 without spaces, control "
        "characters or '+'");
  }
  std::string blob;
  if (!DecodeCanonicalBase64(line.substr(space + 1), &blob) || blob.size() < 5) {
    return absl::InvalidArgumentError(
        "the signature of a signature line must be standard base64 with padding of a 4-byte key "
        "id and at least one byte");
  }
  signature.name = std::string(name);
  signature.key_id = LoadBigEndian32(blob);
  signature.signature = blob.substr(4);
  return signature;
}

absl::StatusOr<SignedNote> SignedNote::Parse(std::string_view text) {
  if (!IsNoteText(text)) {
    return absl::InvalidArgumentError(
        "a signed note must be UTF-8 without control characters other than newline");
  }
  // The body ends at the last blank line; it may hold blank lines itself.
  const size_t split = text.rfind("\n\n");
  if (split == std::string_view::npos) {
    return absl::InvalidArgumentError("a signed note needs a blank line before its signatures");
  }
  SignedNote note;
  note.body = std::string(text.substr(0, split + 1));
  std::string_view lines = text.substr(split + 2);
  if (lines.empty()) return absl::InvalidArgumentError("a signed note needs a signature line");
  if (lines.back() != '\n') {
    return absl::InvalidArgumentError("the last signature line of a note must end in a newline");
  }
  lines.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(ToAbsl(lines), '\n')) {
    if (note.signatures.size() == kMaxNoteSignatures) {
      return absl::InvalidArgumentError(
          absl::StrCat("a signed note has at most ", kMaxNoteSignatures, " signatures"));
    }
    absl::StatusOr<NoteSignature> signature = ParseSignatureLine(ToStd(line));
    if (!signature.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("signature line ", note.signatures.size() + 1,
                                                     ": ", signature.status().message()));
    }
    for (const NoteSignature& earlier : note.signatures) {
      if (earlier.name == signature->name && earlier.key_id == signature->key_id) {
        return absl::InvalidArgumentError(absl::StrCat("the note has two signatures of key ",
                                                       KeyLabel(earlier.name, earlier.key_id)));
      }
    }
    note.signatures.push_back(*std::move(signature));
  }
  return note;
}

std::string SignedNote::Text() const {
  std::string text = body;
  text += '\n';
  for (const NoteSignature& signature : signatures) text += SignatureLine(signature);
  return text;
}

absl::StatusOr<VerifierKey> VerifierKey::Parse(std::string_view vkey) {
  // The name holds no '+', so the first two end the name and the key id;
  // the base64 after them may hold more.
  const size_t first = vkey.find('+');
  const size_t second =
      first == std::string_view::npos ? std::string_view::npos : vkey.find('+', first + 1);
  if (second == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "a verifier key is <name>+<key id in 8 hex digits>+<base64 of type and key>");
  }
  const std::string_view name = vkey.substr(0, first);
  const std::string_view hex = vkey.substr(first + 1, second - first - 1);
  const std::string_view encoded = vkey.substr(second + 1);
  if (!IsKeyName(name)) {
    return absl::InvalidArgumentError(
        "the name of a verifier key must be non-empty UTF-8 without spaces, control characters "
        "or '+'");
  }
  if (hex.size() != 8 || !std::all_of(hex.begin(), hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return absl::InvalidArgumentError("the key id of a verifier key is 8 lowercase hex digits");
  }
  std::string key;
  if (!DecodeCanonicalBase64(encoded, &key) || key.empty()) {
    return absl::InvalidArgumentError(
        "the key of a verifier key must be standard base64 with padding of its type and key");
  }
  VerifierKey parsed;
  parsed.name = std::string(name);
  parsed.key_id = static_cast<uint32_t>(std::strtoul(std::string(hex).c_str(), nullptr, 16));
  parsed.type = static_cast<uint8_t>(key[0]);
  parsed.public_key = key.substr(1);
  if (parsed.type != kEd25519NoteSignature && parsed.type != kEd25519Cosignature) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "unsupported signature type 0x%02x: only Ed25519 (0x01) and its cosignatures (0x04)",
        parsed.type));
  }
  EnsureSodium();
  if (parsed.public_key.size() != crypto_sign_PUBLICKEYBYTES ||
      crypto_core_ed25519_is_valid_point(Bytes(parsed.public_key)) != 1) {
    return absl::InvalidArgumentError("the key of a verifier key is not an Ed25519 public key");
  }
  if (NoteKeyId(parsed.name, parsed.type, parsed.public_key) != parsed.key_id) {
    return absl::InvalidArgumentError("the key id of the verifier key does not match its key");
  }
  return parsed;
}

std::string VerifierKey::Text() const {
  std::string blob(1, static_cast<char>(type));
  blob += public_key;
  return absl::StrCat(KeyLabel(name, key_id), "+", Base64(blob));
}

uint32_t NoteKeyId(std::string_view name, uint8_t type, std::string_view public_key) {
  const unsigned char separator[2] = {'\n', type};
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, Bytes(name), name.size());
  crypto_hash_sha256_update(&state, separator, sizeof(separator));
  crypto_hash_sha256_update(&state, Bytes(public_key), public_key.size());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  return LoadBigEndian32(std::string_view(reinterpret_cast<const char*>(digest), 4));
}

absl::StatusOr<NoteSigner> NoteSigner::FromSeed(std::string_view name, std::string_view seed32) {
  NoteSigner signer;
  if (absl::Status s = KeyFromSeed(name, seed32, kEd25519NoteSignature, signer.verifier_key_,
                                   signer.secret_key_);
      !s.ok()) {
    return s;
  }
  return signer;
}

NoteSigner::~NoteSigner() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

NoteSignature NoteSigner::Sign(std::string_view body) const {
  return {verifier_key_.name, verifier_key_.key_id, Ed25519Sign(secret_key_, body)};
}

absl::StatusOr<Cosigner> Cosigner::FromSeed(std::string_view name, std::string_view seed32) {
  Cosigner cosigner;
  if (absl::Status s = KeyFromSeed(name, seed32, kEd25519Cosignature, cosigner.verifier_key_,
                                   cosigner.secret_key_);
      !s.ok()) {
    return s;
  }
  return cosigner;
}

Cosigner::~Cosigner() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

NoteSignature Cosigner::Cosign(std::string_view checkpoint_body, uint64_t timestamp) const {
  std::string signature;
  AppendBigEndian(timestamp, kTimestampBytes, signature);
  signature += Ed25519Sign(secret_key_, CosignatureMessage(checkpoint_body, timestamp));
  return {verifier_key_.name, verifier_key_.key_id, std::move(signature)};
}

std::string CosignatureMessage(std::string_view checkpoint_body, uint64_t timestamp) {
  return absl::StrCat("cosignature/v1\ntime ", timestamp, "\n", ToAbsl(checkpoint_body));
}

absl::Status VerifyNoteSignature(const SignedNote& note, const VerifierKey& key) {
  return VerifyLinesOfKey(note, key).status();
}

absl::StatusOr<uint64_t> VerifyCosignature(const SignedNote& note, const VerifierKey& key) {
  if (key.type != kEd25519Cosignature) {
    return absl::InvalidArgumentError(absl::StrCat("key ", KeyLabel(key.name, key.key_id),
                                                   " is not a cosignature key (type 0x04)"));
  }
  return VerifyLinesOfKey(note, key);
}

}  // namespace dumas
