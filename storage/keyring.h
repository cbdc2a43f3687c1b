// Keyring: the keys that protect personal data at rest, read from a key file
// kept outside the database.
//
// Key file format (text, one entry a line, '#' starts a comment line, blank
// lines ignored):
//   data <key_id> <64 hex digits>   an AEAD key; one or more. The LAST data
//                                   line is the active key for encryption;
//                                   earlier ones still decrypt old rows, so a
//                                   key is rotated by appending a new line.
//                                   key_id: 1-32 of [A-Za-z0-9._-], unique.
//   sign <64 hex digits>            at most one: the Ed25519 seed that signs
//                                   the transparency log's checkpoints; when
//                                   absent it derives from the index key.
//   index <64 hex digits>           exactly one: the root of the keyed hashes
//                                   (NIK blind index, tracking-code hash,
//                                   request fingerprints, throttle keys). Never rotated: the
//                                   hashes stored in the database depend on it.
//
// Encryption is libsodium's crypto_aead_xchacha20poly1305_ietf with a random
// 192-bit nonce per value; the associated data binds a ciphertext to its row
// and column (such as "complaints.nik_ct:" + reference number), so a
// ciphertext copied to another row or column fails to decrypt. Keyed hashes
// are BLAKE2b (crypto_generichash) under subkeys derived from the index key
// with crypto_kdf_derive_from_key, one context per purpose.
//
// Keys are wiped (sodium_memzero) when the Keyring is destroyed and never
// appear in a message or log. Thread safety: a Keyring is immutable after
// loading; all const methods are safe to call concurrently.
#ifndef DUMAS_STORAGE_KEYRING_H_
#define DUMAS_STORAGE_KEYRING_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace dumas {

class Keyring {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr size_t kHashBytes = 32;  // every keyed hash
  // Ciphertext = nonce (24) || encrypted plaintext || tag (16).
  static constexpr size_t kCiphertextOverhead = 24 + 16;

  // Reads and checks a key file.
  //   NOT_FOUND            the file does not exist.
  //   FAILED_PRECONDITION  the file is readable or writable by group or
  //                        others, or is not a regular file (the message says
  //                        how to fix it: chmod 600).
  //   INVALID_ARGUMENT     a malformed line (the message names the line
  //                        number, never its content), a duplicate key id, no
  //                        data key, or not exactly one index key.
  //   INTERNAL             the file cannot be read, or libsodium fails to start.
  static absl::StatusOr<Keyring> LoadFromFile(std::string_view path);

  // Writes a new key file at `path` with one fresh data key and one index key,
  // mode 0600, creating missing parent directories with mode 0700.
  //   ALREADY_EXISTS  a file exists at `path` (it is never overwritten).
  //   INTERNAL        the file or a directory cannot be created or written.
  static absl::Status GenerateFile(std::string_view path);

  Keyring(Keyring&& other) noexcept;
  Keyring& operator=(Keyring&& other) noexcept;
  ~Keyring();

  // The id of the key Encrypt uses (the last data line of the file).
  const std::string& active_key_id() const;

  // Encrypts `plaintext` under the active key, bound to `associated_data`.
  // Returns nonce || ciphertext || tag (plaintext size + kCiphertextOverhead).
  std::string Encrypt(std::string_view plaintext, std::string_view associated_data) const;

  // Decrypts what Encrypt returned under the key `key_id`, with the same
  // associated data.
  //   FAILED_PRECONDITION  `key_id` is not in the key file (restore the old
  //                        data line).
  //   DATA_LOSS            the ciphertext is truncated, was altered, belongs
  //                        to another row or column, or was made with another
  //                        key of the same id.
  absl::StatusOr<std::string> Decrypt(std::string_view key_id, std::string_view ciphertext,
                                      std::string_view associated_data) const;

  // Keyed hashes, kHashBytes each, under separate subkeys of the index key.
  // The blind index of a canonical NIK (16 digits): equal NIKs, equal indexes.
  std::string NikBlindIndex(std::string_view nik) const;
  // The stored form of a complaint's tracking code, bound to its reference
  // number so that equal codes of two complaints hash differently.
  std::string TrackingCodeHash(std::string_view reference_number,
                               std::string_view tracking_code) const;
  // The stored form of a request's fingerprint (a digest the caller computed
  // of the request, personal data included): keyed, so it cannot be tested
  // against guesses without the key.
  std::string RequestFingerprint(std::string_view fingerprint) const;
  // The stored form of a tracking throttle key (it names a client address).
  std::string ThrottleKeyHash(std::string_view client_key) const;

  // The authentication code of a transparency-log entry (docs/
  // transparency-log.md), written with the event by the server.
  std::string LogEntryMac(std::string_view entry) const;

  // The 32-byte Ed25519 seed that signs the log's checkpoints. Secret.
  std::string LogSigningSeed() const;

 private:
  struct Material;
  explicit Keyring(std::unique_ptr<Material> material);
  static absl::StatusOr<Keyring> Parse(std::string_view path, std::string_view contents);

  std::unique_ptr<Material> material_;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_KEYRING_H_
