#include "domain/signed_note.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

std::string Bytes(const char* hex) { return absl::HexStringToBytes(hex); }

// The example key and note of Go's reference implementation,
// golang.org/x/mod/sumdb/note (github.com/golang/mod, sumdb/note/note_test.go
// at 02c991387e35f9e4c0a9b7ce137717055f8d716d). The seed is the private key
// "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
// without its leading type byte.
constexpr const char* kPeterVkey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr const char* kPeterSeedHex =
    "810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173";
constexpr const char* kPeterText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr const char* kPeterSig =
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr const char* kEnochVkey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr const char* kEnochSig =
    "\u2014 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

// The example of c2sp.org/signed-note, "Verifier keys"
// (github.com/C2SP/C2SP, signed-note.md at 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9).
constexpr const char* kExampleVkey =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
constexpr const char* kExampleNote =
    "This is an example message.\n"
    "\n"
    "\u2014 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
    "\n";

// The example of c2sp.org/tlog-cosignature (same commit, tlog-cosignature.md):
// a checkpoint with the log's signature and a witness's cosignature.
constexpr const char* kSofaBody =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr const char* kSofaSignatures =
    "\u2014 example.com/behind-the-sofa "
    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\u2014 witness.example.com/w1 "
    "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+"
    "mbIUBkBIfZ+qnA==\n";

// Dumas' own vectors, computed by a separate implementation of the C2SP texts
// (Python's `cryptography` Ed25519) and kept for other implementations: the
// checkpoint of the 8-leaf RFC 6962 reference tree (merkle_tree_test.cc),
// signed by a log key of seed 00 01 ... 1f and cosigned at time 1772400000
// by a witness key of seed 20 21 ... 3f.
constexpr const char* kLogOrigin = "dumas.polres-palu.polri.go.id/log";
constexpr const char* kLogSeedHex =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kWitnessSeedHex =
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
constexpr const char* kDumasBody =
    "dumas.polres-palu.polri.go.id/log\n"
    "8\n"
    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
constexpr const char* kDumasLogVkey =
    "dumas.polres-palu.polri.go.id/log+0116bdc2+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
constexpr const char* kDumasLogLine =
    "\u2014 dumas.polres-palu.polri.go.id/log "
    "ARa9wiGaHNuQfzSXLL0YCAYEyQRvMXvAec1NrjEF7G6q42SmR+vWZ2vDvOG71CrGqKYka5v+uqYrs36eIKFPbgWHrwY="
    "\n";
constexpr const char* kWitnessVkey =
    "kompolnas.go.id/witness+4440f299+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X";
constexpr const char* kWitnessLine =
    "\u2014 kompolnas.go.id/witness "
    "REDymQAAAABppK2AQtPjIDBi05id0vz7a1TZUsxMzAYC3q9LqIeXNxuSam4LM6NavAenVguJJStr7uQuH4QlITWuuigF"
    "jSCxO48oCQ==\n";
constexpr uint64_t kWitnessTime = 1772400000;

VerifierKey Key(const char* vkey) {
  absl::StatusOr<VerifierKey> key = VerifierKey::Parse(vkey);
  EXPECT_TRUE(key.ok()) << vkey << ": " << key.status();
  return key.ok() ? *key : VerifierKey();
}

SignedNote Note(const std::string& text) {
  absl::StatusOr<SignedNote> note = SignedNote::Parse(text);
  EXPECT_TRUE(note.ok()) << note.status();
  return note.ok() ? *note : SignedNote();
}

TEST(SignedNoteTest, GoReferenceKeyAndNote) {
  const VerifierKey peter = Key(kPeterVkey);
  EXPECT_EQ(peter.name, "PeterNeumann");
  EXPECT_EQ(peter.key_id, 0xc74f20a3u);
  EXPECT_EQ(peter.type, kEd25519NoteSignature);
  EXPECT_EQ(peter.public_key.size(), 32u);
  EXPECT_EQ(peter.Text(), kPeterVkey);
  EXPECT_EQ(NoteKeyId(peter.name, peter.type, peter.public_key), 0xc74f20a3u);

  // Ed25519 is deterministic: our signer writes Go's note byte for byte.
  absl::StatusOr<NoteSigner> signer = NoteSigner::FromSeed("PeterNeumann", Bytes(kPeterSeedHex));
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ(signer->verifier_key(), peter);
  SignedNote signed_note{kPeterText, {signer->Sign(kPeterText)}};
  const std::string want = absl::StrCat(kPeterText, "\n", kPeterSig);
  EXPECT_EQ(signed_note.Text(), want);

  const SignedNote parsed = Note(want);
  EXPECT_EQ(parsed, signed_note);
  EXPECT_TRUE(VerifyNoteSignature(parsed, peter).ok());
}

TEST(SignedNoteTest, GoReferenceNoteWithTwoKeys) {
  const VerifierKey peter = Key(kPeterVkey);
  const VerifierKey enoch = Key(kEnochVkey);
  const SignedNote note = Note(absl::StrCat(kPeterText, "\n", kPeterSig, kEnochSig));
  ASSERT_EQ(note.signatures.size(), 2u);
  EXPECT_EQ(note.signatures[1].name, "EnochRoot");
  EXPECT_EQ(note.signatures[1].key_id, 0xaf0cfe78u);
  EXPECT_TRUE(VerifyNoteSignature(note, peter).ok());
  EXPECT_TRUE(VerifyNoteSignature(note, enoch).ok());

  const SignedNote peter_only = Note(absl::StrCat(kPeterText, "\n", kPeterSig));
  EXPECT_EQ(VerifyNoteSignature(peter_only, enoch).code(), absl::StatusCode::kNotFound);
}

TEST(SignedNoteTest, SpecificationExamples) {
  const VerifierKey example = Key(kExampleVkey);
  const SignedNote note = Note(kExampleNote);
  EXPECT_EQ(note.body, "This is an example message.\n");
  EXPECT_TRUE(VerifyNoteSignature(note, example).ok());
  EXPECT_EQ(note.Text(), kExampleNote);

  // The tlog-cosignature example parses (its keys are not published).
  const std::string sofa = absl::StrCat(kSofaBody, "\n", kSofaSignatures);
  const SignedNote cosigned = Note(sofa);
  EXPECT_EQ(cosigned.body, kSofaBody);
  ASSERT_EQ(cosigned.signatures.size(), 2u);
  EXPECT_EQ(cosigned.signatures[1].name, "witness.example.com/w1");
  EXPECT_EQ(cosigned.signatures[1].signature.size(), 72u);  // timestamp and signature
  EXPECT_EQ(cosigned.Text(), sofa);
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::ParseBody(cosigned.body);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(checkpoint->tree_size, 20852163u);
  EXPECT_TRUE(checkpoint->extension_lines.empty());
  EXPECT_EQ(checkpoint->Body(), kSofaBody);
}

TEST(SignedNoteTest, DumasCheckpointSignedAndCosigned) {
  Checkpoint checkpoint;
  checkpoint.origin = kLogOrigin;
  checkpoint.tree_size = 8;
  const std::string root =
      Bytes("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  std::copy(root.begin(), root.end(), checkpoint.root_hash.begin());
  const std::string body = checkpoint.Body();
  EXPECT_EQ(body, kDumasBody);

  absl::StatusOr<NoteSigner> log = NoteSigner::FromSeed(kLogOrigin, Bytes(kLogSeedHex));
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->verifier_key().Text(), kDumasLogVkey);
  absl::StatusOr<Cosigner> witness =
      Cosigner::FromSeed("kompolnas.go.id/witness", Bytes(kWitnessSeedHex));
  ASSERT_TRUE(witness.ok()) << witness.status();
  EXPECT_EQ(witness->verifier_key().Text(), kWitnessVkey);
  EXPECT_EQ(witness->verifier_key().type, kEd25519Cosignature);

  SignedNote note{body, {log->Sign(body)}};
  EXPECT_EQ(SignatureLine(note.signatures[0]), kDumasLogLine);
  const NoteSignature cosignature = witness->Cosign(body, kWitnessTime);
  EXPECT_EQ(SignatureLine(cosignature), kWitnessLine);
  note.signatures.push_back(cosignature);

  const std::string text = absl::StrCat(kDumasBody, "\n", kDumasLogLine, kWitnessLine);
  EXPECT_EQ(note.Text(), text);
  const SignedNote parsed = Note(text);
  EXPECT_EQ(parsed, note);
  EXPECT_EQ(*Checkpoint::ParseBody(parsed.body), checkpoint);

  const VerifierKey log_key = Key(kDumasLogVkey);
  const VerifierKey witness_key = Key(kWitnessVkey);
  EXPECT_TRUE(VerifyNoteSignature(parsed, log_key).ok());
  EXPECT_TRUE(VerifyNoteSignature(parsed, witness_key).ok());
  absl::StatusOr<uint64_t> time = VerifyCosignature(parsed, witness_key);
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, kWitnessTime);
  EXPECT_EQ(VerifyCosignature(parsed, log_key).status().code(), absl::StatusCode::kInvalidArgument);

  // The cosignature signs the timestamp: another time does not verify.
  SignedNote retimed = parsed;
  retimed.signatures[1].signature[7] ^= 1;
  EXPECT_EQ(VerifyCosignature(retimed, witness_key).status().code(), absl::StatusCode::kDataLoss);
  // Nor does the log's signature read as a cosignature, or the reverse: the
  // same seed under the other type is another key id.
  absl::StatusOr<Cosigner> log_as_witness = Cosigner::FromSeed(kLogOrigin, Bytes(kLogSeedHex));
  ASSERT_TRUE(log_as_witness.ok());
  EXPECT_NE(log_as_witness->verifier_key().key_id, log_key.key_id);
  EXPECT_EQ(VerifyNoteSignature(parsed, log_as_witness->verifier_key()).code(),
            absl::StatusCode::kNotFound);
}

TEST(SignedNoteTest, AddingACosignatureFromItsParts) {
  // AddCosignature's inputs: a body, one line and a vkey.
  absl::StatusOr<NoteSignature> line = ParseSignatureLine(kWitnessLine);
  ASSERT_TRUE(line.ok()) << line.status();
  std::string without_newline = kWitnessLine;
  without_newline.pop_back();
  EXPECT_EQ(*ParseSignatureLine(without_newline), *line);
  const SignedNote one{kDumasBody, {*line}};
  absl::StatusOr<uint64_t> time = VerifyCosignature(one, Key(kWitnessVkey));
  ASSERT_TRUE(time.ok()) << time.status();
  EXPECT_EQ(*time, kWitnessTime);

  for (const std::string& bad :
       {std::string("- kompolnas.go.id/witness AAAAAAA="),
        std::string("\u2014 kompolnas.go.id/witness"), std::string("\u2014  AAAAAAA="),
        std::string("\u2014 a+b AAAAAAA="), std::string("\u2014 name AAAA"),
        std::string("\u2014 name AAAAAAA"), absl::StrCat(kWitnessLine, "\n"),
        std::string("\u2014 name AAAAAAB=")}) {
    EXPECT_EQ(ParseSignatureLine(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SignedNoteTest, TamperedNotesDoNotVerify) {
  const VerifierKey peter = Key(kPeterVkey);
  SignedNote note = Note(absl::StrCat(kPeterText, "\n", kPeterSig));
  SignedNote changed = note;
  ASSERT_EQ(changed.body[24], 'y');
  changed.body[24] = 'Y';  // "cryptographY", as Go's tests do
  EXPECT_EQ(VerifyNoteSignature(changed, peter).code(), absl::StatusCode::kDataLoss);

  // Go's "invalid signature": four base64 characters slipped into the line.
  const std::string sig = kPeterSig;
  const SignedNote longer =
      Note(absl::StrCat(kPeterText, "\n", sig.substr(0, 60), "ABCD", sig.substr(60)));
  EXPECT_EQ(VerifyNoteSignature(longer, peter).code(), absl::StatusCode::kDataLoss);

  for (size_t i = 0; i < note.signatures[0].signature.size(); ++i) {
    SignedNote flipped = note;
    flipped.signatures[0].signature[i] ^= 0x10;
    EXPECT_EQ(VerifyNoteSignature(flipped, peter).code(), absl::StatusCode::kDataLoss) << i;
  }

  // Signed with key A, checked with key B of the same name: B's key id
  // differs, so the note has no signature of B.
  absl::StatusOr<NoteSigner> other = NoteSigner::FromSeed("PeterNeumann", Bytes(kWitnessSeedHex));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(VerifyNoteSignature(note, other->verifier_key()).code(), absl::StatusCode::kNotFound);
  // And if B's key id were the same (as a forger would choose), the
  // signature still fails under B's key.
  VerifierKey impostor = other->verifier_key();
  impostor.key_id = peter.key_id;
  EXPECT_EQ(VerifyNoteSignature(note, impostor).code(), absl::StatusCode::kDataLoss);
}

TEST(SignedNoteTest, MalformedNotesAreRefused) {
  const std::string text = kPeterText;
  const std::string sig = kPeterSig;
  std::string many;
  for (int i = 0; i <= 100; ++i) {
    many += SignatureLine({absl::StrCat("key", i), static_cast<uint32_t>(i), "signature"});
  }
  const struct {
    const char* name;
    std::string note;
  } kCases[] = {
      // golang.org/x/mod/sumdb/note's badMsgs.
      {"no signatures", text},
      {"blank line, no signatures", text + "\n"},
      {"no final newline", text + "\n" + sig.substr(0, sig.size() - 1)},
      {"control character", "\x01" + text + "\n" + sig},
      {"not UTF-8", "\xff" + text + "\n" + sig},
      {"space in name",
       text + "\n" +
           "\u2014 Bad Name "
           "x08go/ZJkuBS9UG/"
           "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"},
      {"a line that is no signature", text + "\n" + sig + "Unexpected line.\n"},
      // And more.
      {"no blank line", text + sig},
      {"hyphen for the dash", text + "\n-" + sig.substr(3)},
      {"en dash for the em dash", text + "\n\u2013" + sig.substr(3)},
      {"no space after the dash", text + "\n\u2014" + sig.substr(4)},
      {"two spaces after the name", text + "\n\u2014 PeterNeumann  " + sig.substr(17)},
      {"plus in name", text + "\n\u2014 Peter+Neumann " + sig.substr(17)},
      {"no-break space in name", text + "\n\u2014 Peter\u00a0Neumann " + sig.substr(17)},
      {"carriage return", text + "\n" + sig.substr(0, sig.size() - 1) + "\r\n"},
      {"tab in body", "a\tb\n\n" + sig},
      {"duplicate signature", text + "\n" + sig + sig},
      {"101 signatures", text + "\n" + many},
      {"base64 without padding", text + "\n" + sig.substr(0, sig.size() - 2) + "\n"},
      {"base64 with stray bits", text + "\n" + sig.substr(0, sig.size() - 3) + "N=\n"},
      {"URL-safe base64", text + "\n\u2014 PeterNeumann AAAA_-__\n"},
      {"space in the base64", text + "\n\u2014 PeterNeumann x08go w==\n"},
      {"signature of only a key id", text + "\n\u2014 PeterNeumann x08gow==\n"},
      {"empty signature line", text + "\n" + sig + "\n"},
      {"empty", ""},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(SignedNote::Parse(c.note).status().code(), absl::StatusCode::kInvalidArgument)
        << c.name;
  }
  // The limits: a hundred signatures, and a body with blank lines of its own.
  std::string hundred;
  for (int i = 0; i < 100; ++i) {
    hundred += SignatureLine({absl::StrCat("key", i), static_cast<uint32_t>(i), "signature"});
  }
  EXPECT_TRUE(SignedNote::Parse(text + "\n" + hundred).ok());
  const SignedNote blank_lines = Note("a\n\nb\n\n" + sig);
  EXPECT_EQ(blank_lines.body, "a\n\nb\n");
  // One key under two ids, or two keys under one name, are two signatures.
  EXPECT_TRUE(
      SignedNote::Parse(text + "\n" + sig + SignatureLine({"PeterNeumann", 1, "signature"})).ok());
}

TEST(SignedNoteTest, VerifierKeysAreStrict) {
  // Go's TestNewVerifier: every proper substring and every one-byte
  // increment of the key is refused.
  const std::string vkey = kPeterVkey;
  for (size_t i = 0; i <= vkey.size(); ++i) {
    for (size_t j = i + 1; j <= vkey.size(); ++j) {
      if (i == 0 && j == vkey.size()) continue;
      EXPECT_FALSE(VerifierKey::Parse(vkey.substr(i, j - i)).ok()) << vkey.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < vkey.size(); ++i) {
    std::string changed = vkey;
    ++changed[i];
    EXPECT_EQ(VerifierKey::Parse(changed).status().code(), absl::StatusCode::kInvalidArgument)
        << changed;
  }
  for (const char* bad : {
           // Go's: a key of the wrong length, and an unknown type, each with
           // the key id adjusted to match.
           "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
           "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           // Upper-case hex, a short key id, no padding, a space in the name.
           "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
           "",
           "++",
       }) {
    EXPECT_EQ(VerifierKey::Parse(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  // The right key id for a type-0x02 (ECDSA) key is still refused: only
  // Ed25519 is supported.
  VerifierKey peter = Key(kPeterVkey);
  peter.type = 0x02;
  peter.key_id = NoteKeyId(peter.name, peter.type, peter.public_key);
  EXPECT_EQ(VerifierKey::Parse(peter.Text()).status().code(), absl::StatusCode::kInvalidArgument);
  // A small-order point (the identity) with a matching key id.
  VerifierKey identity = Key(kPeterVkey);
  identity.public_key = std::string(32, '\0');
  identity.public_key[0] = 1;
  identity.key_id = NoteKeyId(identity.name, identity.type, identity.public_key);
  EXPECT_EQ(VerifierKey::Parse(identity.Text()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SignedNoteTest, SignersRefuseBadNamesAndSeeds) {
  const std::string seed = Bytes(kLogSeedHex);
  for (const char* name : {"", "a b", "a+b", "a\nb", "a\u3000b"}) {
    EXPECT_EQ(NoteSigner::FromSeed(name, seed).status().code(), absl::StatusCode::kInvalidArgument)
        << name;
    EXPECT_EQ(Cosigner::FromSeed(name, seed).status().code(), absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_EQ(NoteSigner::FromSeed("log", seed.substr(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Cosigner::FromSeed("log", seed + "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  // Names may be any UTF-8 without spaces.
  EXPECT_TRUE(NoteSigner::FromSeed("polres-palu.polri.go.id/\u00e9", seed).ok());
}

TEST(SignedNoteTest, CheckpointBodiesAreStrict) {
  // 32 zero bytes in base64: 43 'A's and one '='.
  const std::string root = std::string(43, 'A') + "=";
  Checkpoint with_extensions;
  with_extensions.origin = "example.com/log";
  with_extensions.tree_size = 0;
  with_extensions.extension_lines = {"first extension", "second"};
  const std::string body = with_extensions.Body();
  EXPECT_EQ(body, "example.com/log\n0\n" + root + "\nfirst extension\nsecond\n");
  EXPECT_EQ(*Checkpoint::ParseBody(body), with_extensions);
  absl::StatusOr<Checkpoint> largest =
      Checkpoint::ParseBody("o\n18446744073709551615\n" + root + "\n");
  ASSERT_TRUE(largest.ok()) << largest.status();
  EXPECT_EQ(largest->tree_size, UINT64_MAX);

  for (const std::string& bad : {
           "o\n1\n" + root,                            // no final newline
           std::string("o\n1\n"),                      // no root
           "\n1\n" + root + "\n",                      // empty origin
           "o\n01\n" + root + "\n",                    // leading zero
           "o\n+1\n" + root + "\n",                    // sign
           "o\n-0\n" + root + "\n",                    //
           "o\n1 \n" + root + "\n",                    // space
           "o\n18446744073709551616\n" + root + "\n",  // 2^64
           "o\n\n" + root + "\n",                      // no size
           "o\n1\n" + std::string(43, 'A') + "\n",     // no padding
           "o\n1\n" + std::string(42, 'A') + "B=\n",   // stray bits
           "o\n1\n" + std::string(42, 'A') + "==\n",   // 31 bytes
           "o\n1\n" + std::string(44, 'A') + "\n",     // 33 bytes
           "o\n1\n" + std::string(42, 'A') + "-=\n",   // URL-safe
           "o\n1\n" + root + "\n\n",                   // empty extension line
           "o\r\n1\n" + root + "\n",                   // control character
           "o\n1\n" + root + "\nx\xff\n",              // not UTF-8
       }) {
    EXPECT_EQ(Checkpoint::ParseBody(bad).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(SignedNoteTest, CosignatureMessageIsTheSpecifications) {
  // c2sp.org/tlog-cosignature, "Ed25519 signed message".
  EXPECT_EQ(CosignatureMessage(kSofaBody, 1679315147),
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
            "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
  EXPECT_EQ(CosignatureMessage("b\n", 0), "cosignature/v1\ntime 0\nb\n");
}

TEST(SignedNoteTest, CosignaturesBeyond2To63AreRefused) {
  absl::StatusOr<Cosigner> witness = Cosigner::FromSeed("w", Bytes(kWitnessSeedHex));
  ASSERT_TRUE(witness.ok());
  const uint64_t too_late = uint64_t{1} << 63;
  const SignedNote note{kDumasBody, {witness->Cosign(kDumasBody, too_late)}};
  EXPECT_EQ(VerifyCosignature(note, witness->verifier_key()).status().code(),
            absl::StatusCode::kDataLoss);
  const SignedNote latest{kDumasBody, {witness->Cosign(kDumasBody, too_late - 1)}};
  EXPECT_EQ(*VerifyCosignature(latest, witness->verifier_key()), too_late - 1);
  // A cosignature cut to an Ed25519 signature's length is refused too.
  SignedNote cut = latest;
  cut.signatures[0].signature.resize(64);
  EXPECT_EQ(VerifyNoteSignature(cut, witness->verifier_key()).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace dumas
