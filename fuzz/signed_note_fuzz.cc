// Signed notes and checkpoints (domain/signed_note.h). The parsers are
// strict: what parses writes back (Text, Body, SignatureLine) to the very
// same bytes, so that the bytes a witness signs have one reading. A note
// verifies under the log's key only with the signature that key makes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "domain/signed_note.h"
#include "fuzz/fuzz_support.h"

namespace dumas {
namespace {

// The keys of domain/signed_note_test.cc: seeds 00 01 .. 1f and 20 21 .. 3f.
std::string Seed(uint8_t first) {
  std::string seed(32, '\0');
  for (int i = 0; i < 32; ++i) seed[i] = static_cast<char>(first + i);
  return seed;
}
const NoteSigner& LogSigner() {
  static const auto* signer =
      new NoteSigner(*NoteSigner::FromSeed("dumas.polres-palu.polri.go.id/log", Seed(0x00)));
  return *signer;
}
const Cosigner& Witness() {
  static const auto* witness =
      new Cosigner(*Cosigner::FromSeed("kompolnas.go.id/witness", Seed(0x20)));
  return *witness;
}

bool IsRefusal(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument;
}

void CheckCheckpoint(std::string_view body) {
  const absl::StatusOr<Checkpoint> checkpoint = Checkpoint::ParseBody(body);
  if (!checkpoint.ok()) {
    DUMAS_FUZZ_CHECK(IsRefusal(checkpoint.status()), "a bad checkpoint is not INVALID_ARGUMENT");
    return;
  }
  DUMAS_FUZZ_CHECK(checkpoint->Body() == body, "a parsed checkpoint does not write back to it");
}

void CheckNote(std::string_view text) {
  const absl::StatusOr<SignedNote> note = SignedNote::Parse(text);
  if (!note.ok()) {
    DUMAS_FUZZ_CHECK(IsRefusal(note.status()), "a bad note is not INVALID_ARGUMENT");
    return;
  }
  DUMAS_FUZZ_CHECK(note->Text() == text, "a parsed note does not write back to its text");
  DUMAS_FUZZ_CHECK(!note->body.empty() && note->body.back() == '\n',
                   "a note's body is empty or does not end in a newline");
  DUMAS_FUZZ_CHECK(!note->signatures.empty() && note->signatures.size() <= kMaxNoteSignatures,
                   "a note has no signature, or too many");
  CheckCheckpoint(note->body);
  const absl::StatusOr<SignedNote> reparsed = SignedNote::Parse(note->Text());
  DUMAS_FUZZ_CHECK(reparsed.ok() && *reparsed == *note, "a note's text re-parses differently");

  const absl::Status log = VerifyNoteSignature(*note, LogSigner().verifier_key());
  DUMAS_FUZZ_CHECK(log.ok() || log.code() == absl::StatusCode::kNotFound ||
                       log.code() == absl::StatusCode::kDataLoss,
                   "verifying a note failed otherwise than NOT_FOUND or DATA_LOSS");
  if (log.ok()) {
    // Ed25519 signatures are deterministic: the only line that verifies is
    // the one the key writes.
    const NoteSignature expected = LogSigner().Sign(note->body);
    for (const NoteSignature& line : note->signatures) {
      if (line.name == expected.name && line.key_id == expected.key_id) {
        DUMAS_FUZZ_CHECK(line == expected, "a signature verified that the key did not make");
      }
    }
  }
  const absl::StatusOr<uint64_t> cosigned = VerifyCosignature(*note, Witness().verifier_key());
  DUMAS_FUZZ_CHECK(cosigned.ok() || cosigned.status().code() == absl::StatusCode::kNotFound ||
                       cosigned.status().code() == absl::StatusCode::kDataLoss,
                   "verifying a cosignature failed otherwise than NOT_FOUND or DATA_LOSS");
  if (cosigned.ok()) {
    DUMAS_FUZZ_CHECK(*cosigned < (uint64_t{1} << 63), "a cosignature's time is 2^63 or more");
    const NoteSignature expected = Witness().Cosign(note->body, *cosigned);
    for (const NoteSignature& line : note->signatures) {
      if (line.name == expected.name && line.key_id == expected.key_id) {
        DUMAS_FUZZ_CHECK(line == expected, "a cosignature verified that the witness did not make");
      }
    }
  }
}

void CheckSignatureLine(std::string_view line) {
  const absl::StatusOr<NoteSignature> signature = ParseSignatureLine(line);
  if (!signature.ok()) {
    DUMAS_FUZZ_CHECK(IsRefusal(signature.status()),
                     "a bad signature line is not INVALID_ARGUMENT");
    return;
  }
  std::string written = SignatureLine(*signature);
  if (line.empty() || line.back() != '\n') written.pop_back();
  DUMAS_FUZZ_CHECK(written == line, "a parsed signature line does not write back to it");
}

void CheckVerifierKey(std::string_view vkey) {
  const absl::StatusOr<VerifierKey> key = VerifierKey::Parse(vkey);
  if (!key.ok()) {
    DUMAS_FUZZ_CHECK(IsRefusal(key.status()), "a bad verifier key is not INVALID_ARGUMENT");
    return;
  }
  DUMAS_FUZZ_CHECK(key->Text() == vkey, "a parsed verifier key does not write back to it");
  DUMAS_FUZZ_CHECK(key->key_id == NoteKeyId(key->name, key->type, key->public_key),
                   "a verifier key's id does not match its key");
}

}  // namespace
}  // namespace dumas

// Every input goes to every parser: a note is also a checkpoint body, a
// signature line and a verifier key to refuse, and its first line also each
// of those.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = dumas::fuzz::Bytes(data, size);
  dumas::CheckNote(text);
  dumas::CheckCheckpoint(text);
  dumas::CheckSignatureLine(text);
  dumas::CheckVerifierKey(text);
  const std::string_view first_line = text.substr(0, text.find('\n'));
  dumas::CheckSignatureLine(first_line);
  dumas::CheckVerifierKey(first_line);
  return 0;
}
