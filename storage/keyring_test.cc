#include "storage/keyring.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKeyA[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr char kKeyB[] = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
constexpr char kIndex[] = "5f5e5d5c5b5a595857565554535251504f4e4d4c4b4a49484746454443424140";

class KeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "keyring_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `contents` to a new file in the temp dir with `mode`.
  std::string Write(const std::string& name, const std::string& contents, mode_t mode = 0600) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << contents;
    chmod(path.c_str(), mode);
    return path;
  }

  Keyring Load(const std::string& contents) {
    absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(Write("keys", contents));
    EXPECT_TRUE(keyring.ok()) << keyring.status();
    return *std::move(keyring);
  }

  std::filesystem::path dir_;
};

TEST_F(KeyringTest, GeneratedFileRoundTrips) {
  const std::string path = (dir_ / "a" / "b" / "dumas.keys").string();
  ASSERT_TRUE(Keyring::GenerateFile(path).ok());

  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir_ / "a" / "b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(path);
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  const std::string ciphertext = keyring->Encrypt("Siti Aminah", "complaints.full_name_ct:R1");
  EXPECT_EQ(ciphertext.size(), 11 + Keyring::kCiphertextOverhead);
  EXPECT_THAT(ciphertext, Not(HasSubstr("Siti")));
  absl::StatusOr<std::string> plaintext =
      keyring->Decrypt(keyring->active_key_id(), ciphertext, "complaints.full_name_ct:R1");
  ASSERT_TRUE(plaintext.ok()) << plaintext.status();
  EXPECT_EQ(*plaintext, "Siti Aminah");
}

TEST_F(KeyringTest, GenerateRefusesToOverwrite) {
  const std::string path = Write("existing", "keep me");
  EXPECT_EQ(Keyring::GenerateFile(path).code(), absl::StatusCode::kAlreadyExists);
  std::ifstream in(path);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "keep me");
}

TEST_F(KeyringTest, EncryptionIsRandomised) {
  Keyring keyring = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\n"));
  EXPECT_NE(keyring.Encrypt("x", "ad"), keyring.Encrypt("x", "ad"));
}

TEST_F(KeyringTest, EmptyPlaintextRoundTrips) {
  Keyring keyring = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\n"));
  absl::StatusOr<std::string> plaintext = keyring.Decrypt("k1", keyring.Encrypt("", "ad"), "ad");
  ASSERT_TRUE(plaintext.ok());
  EXPECT_EQ(*plaintext, "");
}

TEST_F(KeyringTest, DetectsTampering) {
  Keyring keyring = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\n"));
  const std::string ciphertext = keyring.Encrypt("3271014501900001", "complaints.nik_ct:R1");
  for (size_t i = 0; i < ciphertext.size(); ++i) {
    std::string altered = ciphertext;
    altered[i] ^= 0x01;
    EXPECT_EQ(keyring.Decrypt("k1", altered, "complaints.nik_ct:R1").status().code(),
              absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
  EXPECT_EQ(keyring.Decrypt("k1", ciphertext.substr(0, 39), "complaints.nik_ct:R1").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(keyring.Decrypt("k1", ciphertext.substr(0, ciphertext.size() - 1),
                            "complaints.nik_ct:R1")
                .status()
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, AssociatedDataMismatchFails) {
  Keyring keyring = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\n"));
  const std::string ciphertext = keyring.Encrypt("secret", "complaints.nik_ct:AAAA-BBBB-CCCC");
  // Another row, another column.
  EXPECT_EQ(keyring.Decrypt("k1", ciphertext, "complaints.nik_ct:AAAA-BBBB-CCCD").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(
      keyring.Decrypt("k1", ciphertext, "complaints.phone_ct:AAAA-BBBB-CCCC").status().code(),
      absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, RotationKeepsOldKeysForDecryption) {
  Keyring before = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\n"));
  const std::string old_ciphertext = before.Encrypt("old", "ad");
  const std::string old_index = before.NikBlindIndex("3271014501900001");

  Keyring after = Load(absl::StrCat("# rotated\ndata k1 ", kKeyA, "\n\ndata k2 ", kKeyB,
                                    "\nindex ", kIndex, "\n"));
  EXPECT_EQ(after.active_key_id(), "k2");
  absl::StatusOr<std::string> old_plaintext = after.Decrypt("k1", old_ciphertext, "ad");
  ASSERT_TRUE(old_plaintext.ok()) << old_plaintext.status();
  EXPECT_EQ(*old_plaintext, "old");

  const std::string new_ciphertext = after.Encrypt("new", "ad");
  EXPECT_EQ(after.Decrypt("k1", new_ciphertext, "ad").status().code(),
            absl::StatusCode::kDataLoss);
  absl::StatusOr<std::string> new_plaintext = after.Decrypt("k2", new_ciphertext, "ad");
  ASSERT_TRUE(new_plaintext.ok());
  EXPECT_EQ(*new_plaintext, "new");
  // A key file without the old key cannot read old rows.
  EXPECT_EQ(before.Decrypt("k2", new_ciphertext, "ad").status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The index key is not rotated: blind indexes stay valid.
  EXPECT_EQ(after.NikBlindIndex("3271014501900001"), old_index);
}

TEST_F(KeyringTest, KeyedHashesAreStableAndSeparated) {
  Keyring keyring = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\n"));
  const std::string nik = keyring.NikBlindIndex("3271014501900001");
  EXPECT_EQ(nik.size(), Keyring::kHashBytes);
  EXPECT_EQ(nik, keyring.NikBlindIndex("3271014501900001"));
  EXPECT_NE(nik, keyring.NikBlindIndex("3271014501900002"));
  EXPECT_NE(nik, keyring.RequestFingerprint("3271014501900001"));
  EXPECT_NE(keyring.TrackingCodeHash("AAAA-BBBB-CCCC", "CODE"),
            keyring.TrackingCodeHash("AAAA-BBBB-CCCD", "CODE"));
  EXPECT_EQ(keyring.TrackingCodeHash("AAAA-BBBB-CCCC", "CODE"),
            keyring.TrackingCodeHash("AAAA-BBBB-CCCC", "CODE"));
  // Another index key, other hashes.
  Keyring other = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kKeyB, "\n"));
  EXPECT_NE(other.NikBlindIndex("3271014501900001"), nik);
}

TEST_F(KeyringTest, RefusesFileAccessibleByOthers) {
  for (mode_t mode : {0640, 0604, 0660, 0644, 0610}) {
    const std::string path =
        Write(absl::StrCat("keys", mode), absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\n"),
              mode);
    absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(path);
    EXPECT_EQ(keyring.status().code(), absl::StatusCode::kFailedPrecondition) << mode;
    EXPECT_THAT(keyring.status().message(), HasSubstr("chmod 600"));
  }
}

TEST_F(KeyringTest, MissingFileIsNotFound) {
  EXPECT_EQ(Keyring::LoadFromFile((dir_ / "absent").string()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(KeyringTest, RejectsMalformedFiles) {
  const std::string data = absl::StrCat("data k1 ", kKeyA, "\n");
  const std::string index = absl::StrCat("index ", kIndex, "\n");
  struct Case {
    std::string contents;
    std::string message;  // a substring of the error
  };
  const Case cases[] = {
      {absl::StrCat(data, "index 0011\n"), "line 2"},
      {absl::StrCat(data, "index ", std::string(64, 'g'), "\n"), "line 2"},
      {absl::StrCat("# comment\n", data, "data k1 ", kKeyB, "\n", index), "line 3: duplicate"},
      {absl::StrCat("data bad/id ", kKeyA, "\n", index), "line 1"},
      {absl::StrCat("data k1\n", index), "line 1"},
      {absl::StrCat(data, "secret ", kKeyB, "\n", index), "line 2"},
      {absl::StrCat(data, index, index), "line 3"},
      {absl::StrCat(data, "index ", kKeyB, " extra\n"), "line 2"},
      {index, "no 'data"},
      {data, "no 'index"},
      {"", "no 'data"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(Write("bad", c.contents));
    EXPECT_EQ(keyring.status().code(), absl::StatusCode::kInvalidArgument) << c.contents;
    EXPECT_THAT(keyring.status().message(), HasSubstr(c.message)) << c.contents;
    // Never the key material.
    EXPECT_THAT(keyring.status().message(), Not(HasSubstr(kKeyA)));
    EXPECT_THAT(keyring.status().message(), Not(HasSubstr(kKeyB)));
    EXPECT_THAT(keyring.status().message(), Not(HasSubstr(kIndex)));
    std::filesystem::remove(dir_ / "bad");
  }
}

TEST_F(KeyringTest, AcceptsCommentsBlankLinesAndCrLf) {
  absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(
      Write("keys", absl::StrCat("# a comment\r\n\r\n  data\tk1  ", kKeyA, " \r\nindex ", kIndex,
                                 "\r\n")));
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  EXPECT_EQ(keyring->active_key_id(), "k1");
}

TEST_F(KeyringTest, CurrentLineChoosesTheEncryptingKey) {
  Keyring keyring = Load(absl::StrCat("data k1 ", kKeyA, "\ncurrent k1\ndata k2 ", kKeyB,
                                      "\nindex ", kIndex, "\n"));
  EXPECT_EQ(keyring.active_key_id(), "k1");
  EXPECT_TRUE(keyring.Decrypt("k1", keyring.Encrypt("x", "ad"), "ad").ok());
  EXPECT_EQ(keyring.data_key_ids(), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_TRUE(keyring.HasDataKey("k2"));
  EXPECT_FALSE(keyring.HasDataKey("k3"));

  const std::string data = absl::StrCat("data k1 ", kKeyA, "\n");
  const std::string index = absl::StrCat("index ", kIndex, "\n");
  for (const std::string& bad : {absl::StrCat(data, "current k9\n", index),
                                 absl::StrCat(data, "current k1\ncurrent k1\n", index),
                                 absl::StrCat(data, "current\n", index)}) {
    EXPECT_EQ(Keyring::LoadFromFile(Write("bad", bad)).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
    std::filesystem::remove(dir_ / "bad");
  }
}

TEST_F(KeyringTest, AddSetAndRemoveDataKeysInTheFile) {
  const std::string path = (dir_ / "dumas.keys").string();
  ASSERT_TRUE(Keyring::GenerateFile(path).ok());
  absl::StatusOr<Keyring> first = Keyring::LoadFromFile(path);
  ASSERT_TRUE(first.ok());
  const std::string old_id = first->active_key_id();
  const std::string old_ciphertext = first->Encrypt("old", "ad");

  // Added but not current: every server can learn it before any uses it.
  absl::StatusOr<std::string> added = Keyring::AddDataKey(path, /*make_current=*/false);
  ASSERT_TRUE(added.ok()) << added.status();
  absl::StatusOr<Keyring> second = Keyring::LoadFromFile(path);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->active_key_id(), old_id);
  EXPECT_EQ(second->data_key_ids(), (std::vector<std::string>{old_id, *added}));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_TRUE(Keyring::SetCurrentKey(path, *added).ok());
  absl::StatusOr<Keyring> third = Keyring::LoadFromFile(path);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->active_key_id(), *added);
  // The old key still decrypts; new values use the new key.
  EXPECT_EQ(*third->Decrypt(old_id, old_ciphertext, "ad"), "old");
  EXPECT_TRUE(third->Decrypt(*added, third->Encrypt("new", "ad"), "ad").ok());
  // Everything keyed by the index key and the signing seed is unchanged.
  EXPECT_TRUE(third->SameIndexAndSigningKeys(*first));
  EXPECT_EQ(third->NikBlindIndex("3271014501900001"), first->NikBlindIndex("3271014501900001"));
  EXPECT_EQ(third->TrackingCodeHash("AAAA-BBBB-CCCC", "C"),
            first->TrackingCodeHash("AAAA-BBBB-CCCC", "C"));
  EXPECT_EQ(third->LogEntryMac("entry"), first->LogEntryMac("entry"));
  EXPECT_EQ(third->LogSigningSeed(), first->LogSigningSeed());

  // The current key cannot go; an old one can.
  EXPECT_EQ(Keyring::RemoveDataKey(path, *added).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Keyring::RemoveDataKey(path, "absent").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Keyring::SetCurrentKey(path, "absent").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(Keyring::RemoveDataKey(path, old_id).ok());
  absl::StatusOr<Keyring> fourth = Keyring::LoadFromFile(path);
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(fourth->data_key_ids(), (std::vector<std::string>{*added}));
  EXPECT_EQ(fourth->Decrypt(old_id, old_ciphertext, "ad").status().code(),
            absl::StatusCode::kFailedPrecondition);

  // Made current at once.
  absl::StatusOr<std::string> third_key = Keyring::AddDataKey(path, /*make_current=*/true);
  ASSERT_TRUE(third_key.ok());
  EXPECT_EQ(Keyring::LoadFromFile(path)->active_key_id(), *third_key);
  // No file is left behind beside it.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(KeyringTest, AnotherIndexKeyIsNotTheSameKeys) {
  Keyring a = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\n"));
  Keyring b = Load(absl::StrCat("data k1 ", kKeyA, "\ndata k2 ", kKeyB, "\nindex ", kIndex, "\n"));
  Keyring c = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kKeyB, "\n"));
  Keyring d = Load(absl::StrCat("data k1 ", kKeyA, "\nindex ", kIndex, "\nsign ", kKeyB, "\n"));
  EXPECT_TRUE(a.SameIndexAndSigningKeys(b));
  EXPECT_FALSE(a.SameIndexAndSigningKeys(c));
  EXPECT_FALSE(a.SameIndexAndSigningKeys(d));
}

}  // namespace
}  // namespace dumas
