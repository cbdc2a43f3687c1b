// Checkpoints of the transparency log and their signatures, as C2SP defines
// them (docs/transparency-log.md): signed notes (c2sp.org/signed-note),
// checkpoints (c2sp.org/tlog-checkpoint), and Ed25519 cosignatures
// (c2sp.org/tlog-cosignature, cosignature/v1). Only Ed25519 is supported:
// signature type 0x01 for the log's own signature, 0x04 for witnesses'.
//
// Every parser here is strict: it accepts exactly the texts its Text(),
// Body() or SignatureLine() counterpart writes (a signature line also
// without its final newline), so that the bytes a witness signs have one
// reading. Errors are INVALID_ARGUMENT with what is wrong,
// never repeating secret material.
#ifndef DUMAS_DOMAIN_SIGNED_NOTE_H_
#define DUMAS_DOMAIN_SIGNED_NOTE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/merkle_tree.h"

namespace dumas {

// Signature types of signed notes (c2sp.org/signed-note, "Signature types").
inline constexpr uint8_t kEd25519NoteSignature = 0x01;
inline constexpr uint8_t kEd25519Cosignature = 0x04;

// The most signature lines a note may carry (the limit of Go's
// golang.org/x/mod/sumdb/note; the specification requires at least 16).
inline constexpr size_t kMaxNoteSignatures = 100;

// A checkpoint's body (c2sp.org/tlog-checkpoint): the log's origin, the tree
// size and the root hash, then optional extension lines.
struct Checkpoint {
  std::string origin;
  uint64_t tree_size = 0;
  Hash root_hash{};
  std::vector<std::string> extension_lines;  // each without its newline

  // "<origin>\n<tree size>\n<base64(root hash)>\n" and each extension line
  // with a newline. Requires the origin and extension lines to be non-empty
  // and without newlines (what ParseBody accepts).
  std::string Body() const;

  // The checkpoint of `body`. INVALID_ARGUMENT unless the body is UTF-8
  // without control characters other than newline, ends in a newline, and
  // has at least three lines, all non-empty: the origin, the tree size in
  // decimal without leading zeros (below 2^64), and the root hash as standard
  // base64 with padding of exactly 32 bytes, in its one canonical spelling.
  static absl::StatusOr<Checkpoint> ParseBody(std::string_view body);

  bool operator==(const Checkpoint&) const = default;
};

// One signature line of a signed note.
struct NoteSignature {
  std::string name;       // the key name
  uint32_t key_id = 0;    // the first four bytes of the decoded signature
  std::string signature;  // the bytes after the key id

  bool operator==(const NoteSignature&) const = default;
};

// "— <name> <base64(key id || signature)>\n": the em dash U+2014, a space,
// the name, a space, the standard base64 of the big-endian key id and the
// signature, and a newline.
std::string SignatureLine(const NoteSignature& signature);

// The signature of one line as SignatureLine writes it, with or without its
// final newline. INVALID_ARGUMENT when it does not start with "— ", the name
// is not a valid key name, or the base64 is not canonical or holds fewer
// than 5 bytes.
absl::StatusOr<NoteSignature> ParseSignatureLine(std::string_view line);

// A signed note (c2sp.org/signed-note): a body and its signature lines.
struct SignedNote {
  std::string body;  // the text, final newline included
  std::vector<NoteSignature> signatures;

  // The note of `text`. INVALID_ARGUMENT unless the text is UTF-8 without
  // control characters other than newline; it splits at its last blank line
  // into a body (non-empty, ending in a newline) and 1 to kMaxNoteSignatures
  // signature lines, each as ParseSignatureLine accepts and ending in a
  // newline. Stricter than the specification in one respect: two lines with
  // the same key name and key id are refused, as a key signs a note once.
  static absl::StatusOr<SignedNote> Parse(std::string_view text);

  // The body, a blank line and each signature's line, in order.
  std::string Text() const;

  bool operator==(const SignedNote&) const = default;
};

// A verifier key, "vkey" (c2sp.org/signed-note, "Verifier keys"):
// "<name>+<key id, 8 lowercase hex digits>+<base64(type || public key)>".
struct VerifierKey {
  std::string name;
  uint32_t key_id = 0;
  uint8_t type = 0;        // kEd25519NoteSignature or kEd25519Cosignature
  std::string public_key;  // the 32-byte Ed25519 public key

  // The key of `vkey`. INVALID_ARGUMENT when it is not three parts joined by
  // '+', the name is not a valid key name, the key id is not 8 lowercase hex
  // digits, the base64 is not canonical, the type is not 0x01 or 0x04, the
  // key is not an Ed25519 public key (32 bytes, a canonical point of the
  // prime-order subgroup), or the key id is not NoteKeyId of the name, type
  // and key.
  static absl::StatusOr<VerifierKey> Parse(std::string_view vkey);

  std::string Text() const;

  bool operator==(const VerifierKey&) const = default;
};

// SHA-256(name || 0x0A || type || public key)[:4], big-endian: the key id
// of a key (c2sp.org/signed-note; c2sp.org/tlog-cosignature for type 0x04).
uint32_t NoteKeyId(std::string_view name, uint8_t type, std::string_view public_key);

// Signs note bodies with an Ed25519 key (type 0x01), as the log signs its
// checkpoints. Immutable after construction: safe to share between threads.
class NoteSigner {
 public:
  // The signer of the 32-byte Ed25519 seed (RFC 8032 private key) under key
  // name `name`. INVALID_ARGUMENT when the name is not a valid key name
  // (non-empty UTF-8 without spaces, control characters or '+') or the seed
  // is not 32 bytes.
  static absl::StatusOr<NoteSigner> FromSeed(std::string_view name, std::string_view seed32);

  NoteSigner(const NoteSigner&) = default;
  NoteSigner& operator=(const NoteSigner&) = default;
  NoteSigner(NoteSigner&&) = default;
  NoteSigner& operator=(NoteSigner&&) = default;
  ~NoteSigner();

  const VerifierKey& verifier_key() const { return verifier_key_; }

  // The Ed25519 signature of `body` (final newline included), as a
  // signature of this key. Requires a note body: non-empty and ending in a
  // newline.
  NoteSignature Sign(std::string_view body) const;

 private:
  NoteSigner() = default;

  VerifierKey verifier_key_;
  std::array<uint8_t, 64> secret_key_{};  // libsodium's seed || public key
};

// Cosigns checkpoints with an Ed25519 key (type 0x04, cosignature/v1), as a
// witness does. Immutable after construction: safe to share between threads.
class Cosigner {
 public:
  // As NoteSigner::FromSeed.
  static absl::StatusOr<Cosigner> FromSeed(std::string_view name, std::string_view seed32);

  Cosigner(const Cosigner&) = default;
  Cosigner& operator=(const Cosigner&) = default;
  Cosigner(Cosigner&&) = default;
  Cosigner& operator=(Cosigner&&) = default;
  ~Cosigner();

  const VerifierKey& verifier_key() const { return verifier_key_; }

  // The cosignature of `checkpoint_body` at POSIX time `timestamp` (seconds):
  // signature = u64 big-endian timestamp || the Ed25519 signature of
  // CosignatureMessage(checkpoint_body, timestamp). Requires timestamp <
  // 2^63 (verifiers refuse larger ones).
  NoteSignature Cosign(std::string_view checkpoint_body, uint64_t timestamp) const;

 private:
  Cosigner() = default;

  VerifierKey verifier_key_;
  std::array<uint8_t, 64> secret_key_{};
};

// "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint body: what
// an Ed25519 cosignature signs.
std::string CosignatureMessage(std::string_view checkpoint_body, uint64_t timestamp);

// Verifies the signature of `key` on `note`: the lines with the key's name
// and key id (lines of other keys are ignored, as the specification asks).
// For a type 0x01 key each must be an Ed25519 signature of the body; for a
// type 0x04 key, a cosignature of the body (see VerifyCosignature). OK when
// there is at least one and all verify. Errors:
//   NOT_FOUND  no line of this key;
//   DATA_LOSS  a line of this key does not verify (of the wrong length, or a
//              signature of other bytes): the note was altered or forged.
absl::Status VerifyNoteSignature(const SignedNote& note, const VerifierKey& key);

// As VerifyNoteSignature for a cosigner's key (type 0x04), returning the
// POSIX timestamp (seconds) the witness signed; DATA_LOSS also for a
// timestamp of 2^63 or more, which the specification forbids;
// INVALID_ARGUMENT when the key is not of type 0x04. With several lines of
// the key (which SignedNote::Parse refuses), the latest timestamp.
absl::StatusOr<uint64_t> VerifyCosignature(const SignedNote& note, const VerifierKey& key);

}  // namespace dumas

#endif  // DUMAS_DOMAIN_SIGNED_NOTE_H_
