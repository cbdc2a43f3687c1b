// Keyring: the keys that protect personal data at rest, read from a key file
// kept outside the database.
//
// Key file format (text, one entry a line, '#' starts a comment line, blank
// lines ignored):
//   data <key_id> <64 hex digits>   an AEAD key for personal data; one or
//                                   more. key_id: 1-32 of [A-Za-z0-9._-],
//                                   unique. Every data key decrypts the rows
//                                   written with it; one encrypts.
//   current <key_id>                at most one: the data key that encrypts
//                                   new values. Without it, the last data
//                                   line does.
//   sign <64 hex digits>            at most one: the Ed25519 seed that signs
//                                   the transparency log's checkpoints; when
//                                   absent it derives from the index key.
//   index <64 hex digits>           exactly one: the root of the keyed hashes
//                                   (NIK blind index, tracking-code hash,
//                                   request fingerprints, throttle keys, the
//                                   log's authentication codes). Never
//                                   rotated: the hashes stored in the
//                                   database depend on it.
//
// Rotating the data key (see README.md, "Key rotation"): AddDataKey puts a
// new key in the file (as current, or not yet, so that every server can learn
// it before any encrypts with it), SetCurrentKey makes it current, the
// store re-encrypts the old rows (MySqlStore::ReencryptBatch), and
// RemoveDataKey drops the old key once no row uses it. The index and signing
// keys, and everything derived from them, stay as they are throughout.
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
#include <vector>

#include "absl/functional/function_ref.h"
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

  // Adds a fresh data key to the key file at `path` and returns its id. With
  // `make_current` it becomes the current key; without, the current key stays
  // (a 'current' line is written if the file had none). The file is checked
  // as LoadFromFile checks it, and replaced atomically (a new file renamed
  // over it, mode 0600), so a reader sees the old file or the new one.
  // Errors as LoadFromFile's; INTERNAL when the new file cannot be written.
  static absl::StatusOr<std::string> AddDataKey(std::string_view path, bool make_current);

  // Makes the data key `key_id` of the key file current, atomically.
  // NOT_FOUND when the file has no such data key; otherwise as AddDataKey.
  static absl::Status SetCurrentKey(std::string_view path, std::string_view key_id);

  // Removes the data key `key_id` from the key file, atomically. Whether
  // rows still use it is the caller's check (dumasd remove-key asks the
  // database first). NOT_FOUND when there is no such data key;
  // FAILED_PRECONDITION when it is the current key; otherwise as AddDataKey.
  static absl::Status RemoveDataKey(std::string_view path, std::string_view key_id);

  // The id of the key Encrypt uses: the current key.
  const std::string& active_key_id() const;

  // The ids of every data key, in the file's order.
  std::vector<std::string> data_key_ids() const;
  bool HasDataKey(std::string_view key_id) const;

  // Whether `other` has the same index key and signing seed (so the same
  // blind indexes, hashes, authentication codes and log signatures): the
  // condition for using it in place of this one while the server runs.
  bool SameIndexAndSigningKeys(const Keyring& other) const;

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
  // Rewrites the key file at `path`: reads and parses it, lets `edit` change
  // its lines (without the final newline) given the parsed keys, checks that
  // the result parses, and replaces the file atomically. Every copy of the
  // key material is zeroed, whatever the outcome. The file is unchanged when
  // `edit` or the check fails.
  static absl::Status RewriteKeyFile(
      const std::string& path,
      absl::FunctionRef<absl::Status(const Keyring&, std::vector<std::string>&)> edit);

  std::unique_ptr<Material> material_;
};

}  // namespace dumas

#endif  // DUMAS_STORAGE_KEYRING_H_
