#include "domain/log_entry.h"

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

std::string Hex(std::string_view bytes) {
  return absl::BytesToHexString(absl::string_view(bytes.data(), bytes.size()));
}
std::string Hex(const Hash& h) {
  return Hex(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}
std::string Bytes(const char* hex) { return absl::HexStringToBytes(hex); }

absl::Time Utc(int y, int mo, int d, int h, int mi, int s, int64_t micros = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone()) +
         absl::Microseconds(micros);
}

std::string Salt() {
  std::string salt;
  for (int i = 0; i < 32; ++i) salt.push_back(static_cast<char>(i));
  return salt;
}

Identity SomeIdentity() {
  return {.full_name = "Siti Rahmawati",
          .nik = "7271014501900001",
          .phone = "+6281234567890",
          .email = "siti@example.id",
          .address = "Jl. Moh. Hatta No. 5, Palu"};
}

// Every tag set. (No single event sets both tags 1-14 and 20-31; the
// encoding does not forbid it, and the vector covers every tag at once.)
ComplaintDetails EveryTag() {
  ComplaintDetails d;
  d.description = "Petugas meminta uang di pos lantas \u2014 tanpa tilang.";
  d.incident_time = Utc(2026, 2, 28, 6, 30, 0, 250);
  d.incident_location = "Jl. Sis Aljufri, Palu";
  d.category_id = "pungli";
  d.channel = static_cast<int64_t>(Channel::kWeb);
  d.subject_unit_id = "satlantas";
  d.officer_name = "Bripka A.";
  d.officer_description = "Bertubuh tinggi, berkacamata";
  d.confidential = true;
  d.share_identity_with_kompolnas = false;
  d.external_id = "KOMPOLNAS-2026-000123";
  d.external_receive_time = Utc(2026, 3, 1, 0, 0, 0);
  d.identity_commitment = IdentityCommitment(Salt(), SomeIdentity());
  d.sp3d_due_date = absl::CivilDay(2026, 3, 16);
  d.state = static_cast<int64_t>(ComplaintState::kVerified);
  d.handling_unit_id = "propam";
  d.sp3d_time = Utc(2026, 3, 3, 2, 0, 0);
  d.result_due_date = absl::CivilDay(2026, 4, 28);
  d.answer_time = Utc(2026, 4, 20, 6, 15, 0, 500'000);
  d.answer_text = "Pengaduan terbukti; petugas menjalani sidang disiplin.";
  d.outcome = static_cast<int64_t>(Outcome::kSubstantiated);
  d.clarification_pending = false;
  d.clarification_question = "Mohon sebutkan jam kejadian.";
  d.satisfaction_rating = 4;
  d.version = 7;
  d.answer_cleared = true;
  return d;
}

LogEntry GoldenEntry() {
  return {.reference_number = "K7QM-4R9X-2HTZ",
          .type = "RECEIVED",
          .time = Utc(2026, 3, 2, 1, 23, 45, 678'901),
          .actor = 42,
          .from_state = 0,
          .to_state = static_cast<int>(ComplaintState::kReceived),
          .is_public = true,
          .public_message = "Pengaduan Anda telah diterima.",
          .internal_note = "",
          .details = EncodeDetails(EveryTag())};
}

// The golden vector: computed once by a separate encoder written from
// docs/transparency-log.md alone (Python's struct and hashlib), checked
// field by field against the document, and kept here for any other
// implementation to test against. The identity commitment is of
// SomeIdentity() under the salt 00 01 02 ... 1f.
constexpr const char* kGoldenCommitment =
    "afe7fad3fb757a84fb643900735424e07388a28f9973befe3c1901bf5d98a22a";
// clang-format off: one field per line.
constexpr const char* kGoldenDetails =
    // 1 description: length 0x34, UTF-8 with an em dash (e2 80 94)
    "01"
    "00000034"
    "50657475676173206d656d696e74612075616e6720646920706f73206c616e74617320e280942074616e"
    "70612074696c616e672e"
    "02"
    "00064bdc7babaafa"  // 2 incident_time 2026-02-28T06:30:00.000250Z
    "03"
    "00000015"
    "4a6c2e2053697320416c6a756672692c2050616c75"  // 3 incident_location
    "04"
    "00000006"
    "70756e676c69"  // 4 category "pungli"
    "05"
    "0000000000000001"  // 5 channel WEB
    "06"
    "00000009"
    "7361746c616e746173"  // 6 subject_unit "satlantas"
    "07"
    "00000009"
    "427269706b6120412e"  // 7 officer_name
    "08"
    "0000001c"
    "42657274756275682074696e6767692c206265726b6163616d617461"  // 8
    "09"
    "01"  // 9 confidential
    "0a"
    "00"  // 10 share_identity_with_kompolnas
    "0b"
    "00000015"
    "4b4f4d504f4c4e41532d323032362d303030313233"  // 11 external_id
    "0c"
    "00064beb26c36000"  // 12 external_receive_time 2026-03-01T00:00:00Z
    "0d"
    "00000020"  // 13 identity_commitment, 32 bytes
    "afe7fad3fb757a84fb643900735424e07388a28f9973befe3c1901bf5d98a22a"
    "0e"
    "0000000000005030"  // 14 sp3d_due_date 2026-03-16: day 20528
    "14"
    "0000000000000002"  // 20 state VERIFIED
    "15"
    "00000006"
    "70726f70616d"  // 21 handling_unit "propam"
    "16"
    "00064c150f996800"  // 22 sp3d_time 2026-03-03T02:00:00Z
    "17"
    "000000000000505b"  // 23 result_due_date 2026-04-28: day 20571
    "18"
    "00064fde37f68220"  // 24 answer_time 2026-04-20T06:15:00.5Z
    "19"
    "00000036"  // 25 answer_text
    "50656e67616475616e2074657262756b74693b2070657475676173206d656e6a616c616e6920736964616e"
    "672064697369706c696e2e"
    "1a"
    "0000000000000001"  // 26 outcome SUBSTANTIATED
    "1b"
    "00"  // 27 clarification_pending
    "1c"
    "0000001c"
    "4d6f686f6e2073656275746b616e206a616d206b656a616469616e2e"  // 28
    "1d"
    "0000000000000004"  // 29 satisfaction_rating
    "1e"
    "0000000000000007"  // 30 version
    "1f"
    "01";  // 31 answer_cleared
constexpr const char* kGoldenEntryHead =
    "64756d61732d6c6f672d656e7472792f76310a"  // "dumas-log-entry/v1\n"
    "0000000e"
    "4b37514d2d345239582d3248545a"  // reference number
    "00000008"
    "5245434549564544"  // "RECEIVED"
    "00064c0070288635"  // 2026-03-02T01:23:45.678901Z
    "000000000000002a"  // actor 42
    "00"
    "01"
    "01"  // from 0, to RECEIVED, public
    "0000001e"
    "50656e67616475616e20416e64612074656c6168206469746572696d612e"
    "00000000"   // no internal note
    "000001ac";  // the details: 428 bytes, as above
// clang-format on
constexpr const char* kGoldenLeafHash =
    "9d4c50e5188d3bf34d48e3ff2792a3d0483fc74762547827fd6a7d1eeac4edcf";

TEST(LogEntryTest, GoldenVector) {
  EXPECT_EQ(Hex(IdentityCommitment(Salt(), SomeIdentity())), kGoldenCommitment);
  EXPECT_EQ(Hex(EncodeDetails(EveryTag())), kGoldenDetails);
  const std::string entry = EncodeEntry(GoldenEntry());
  EXPECT_EQ(Hex(entry), std::string(kGoldenEntryHead) + kGoldenDetails);
  EXPECT_EQ(entry.size(), 538u);
  EXPECT_EQ(Hex(EntryLeafHash(GoldenEntry())), kGoldenLeafHash);
  EXPECT_EQ(EntryLeafHash(GoldenEntry()), LeafHash(entry));
}

TEST(LogEntryTest, GoldenDetailsDecode) {
  absl::StatusOr<ComplaintDetails> decoded = DecodeDetails(Bytes(kGoldenDetails));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, EveryTag());
  EXPECT_TRUE(ValidateDetails(EveryTag()).ok());
}

TEST(LogEntryTest, NoDetailsEncodeAsNothing) {
  EXPECT_TRUE(ComplaintDetails().empty());
  EXPECT_EQ(EncodeDetails(ComplaintDetails()), "");
  absl::StatusOr<ComplaintDetails> decoded = DecodeDetails("");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());

  ComplaintDetails d;
  d.subject_unit_id = "";  // set to empty is not unset
  EXPECT_FALSE(d.empty());
  EXPECT_EQ(Hex(EncodeDetails(d)), "0600000000");
  ComplaintDetails cleared;
  cleared.answer_cleared = true;
  EXPECT_FALSE(cleared.empty());
  EXPECT_EQ(Hex(EncodeDetails(cleared)), "1f01");
}

TEST(LogEntryTest, EachFieldAloneRoundTrips) {
  // Field by field: the encoding of a field alone is its part of the golden
  // vector, and it decodes to the field alone.
  const ComplaintDetails all = EveryTag();
  const std::string golden = Bytes(kGoldenDetails);
  size_t offset = 0;
  int fields = 0;
  const auto check = [&](auto member, int tag) {
    ComplaintDetails one;
    one.*member = all.*member;
    const std::string encoded = EncodeDetails(one);
    ASSERT_FALSE(encoded.empty());
    EXPECT_EQ(static_cast<uint8_t>(encoded[0]), tag);
    EXPECT_EQ(golden.substr(offset, encoded.size()), encoded) << "tag " << tag;
    offset += encoded.size();
    ++fields;
    absl::StatusOr<ComplaintDetails> decoded = DecodeDetails(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, one) << "tag " << tag;
  };
  check(&ComplaintDetails::description, 1);
  check(&ComplaintDetails::incident_time, 2);
  check(&ComplaintDetails::incident_location, 3);
  check(&ComplaintDetails::category_id, 4);
  check(&ComplaintDetails::channel, 5);
  check(&ComplaintDetails::subject_unit_id, 6);
  check(&ComplaintDetails::officer_name, 7);
  check(&ComplaintDetails::officer_description, 8);
  check(&ComplaintDetails::confidential, 9);
  check(&ComplaintDetails::share_identity_with_kompolnas, 10);
  check(&ComplaintDetails::external_id, 11);
  check(&ComplaintDetails::external_receive_time, 12);
  check(&ComplaintDetails::identity_commitment, 13);
  check(&ComplaintDetails::sp3d_due_date, 14);
  check(&ComplaintDetails::state, 20);
  check(&ComplaintDetails::handling_unit_id, 21);
  check(&ComplaintDetails::sp3d_time, 22);
  check(&ComplaintDetails::result_due_date, 23);
  check(&ComplaintDetails::answer_time, 24);
  check(&ComplaintDetails::answer_text, 25);
  check(&ComplaintDetails::outcome, 26);
  check(&ComplaintDetails::clarification_pending, 27);
  check(&ComplaintDetails::clarification_question, 28);
  check(&ComplaintDetails::satisfaction_rating, 29);
  check(&ComplaintDetails::version, 30);
  check(&ComplaintDetails::answer_cleared, 31);
  EXPECT_EQ(fields, 26);
  EXPECT_EQ(offset, golden.size());
}

TEST(LogEntryTest, MalformedDetailsAreRefused) {
  // clang-format off
  const struct {
    const char* name;
    std::string hex;
  } kCases[] = {
      {"out of order", "0300000000" "0100000000"},
      {"repeated", "0100000000" "0100000000"},
      {"unknown tag 0", "00"},
      {"unknown tag 15", "0f0000000000000000"},
      {"unknown tag 19", "130000000000000000"},
      {"unknown tag 32", "2001"},
      {"unknown tag 255", "ff"},
      {"trailing byte", "1f01" "00"},
      {"trailing tag without value", "0100000000" "02"},
      {"string cut short", "0100000005" "6162"},
      {"length cut short", "01000000"},
      {"int cut short", "05000000000000"},
      {"bool missing", "09"},
      {"bool 2", "0902"},
      {"bool ff", "1bff"},
      {"share bool 2", "0a02"},
      {"answer_cleared 0", "1f00"},
      {"answer_cleared 2", "1f02"},
      {"commitment of 31 bytes",
       "0d0000001f" "00000000000000000000000000000000000000000000000000000000000000"},
      {"commitment of 33 bytes",
       "0d00000021" "000000000000000000000000000000000000000000000000000000000000000000"},
      {"not UTF-8", "0100000002" "c328"},
      {"surrogate", "0100000003" "eda080"},
      {"channel 0", "050000000000000000"},
      {"channel 9", "050000000000000009"},
      {"state 0", "140000000000000000"},
      {"state 11", "14000000000000000b"},
      {"outcome 0", "1a0000000000000000"},
      {"outcome 9", "1a0000000000000009"},
      {"rating 0", "1d0000000000000000"},
      {"rating 6", "1d0000000000000006"},
      {"version 0", "1e0000000000000000"},
      {"version -1", "1effffffffffffffff"},
      {"time after 9999", "027fffffffffffffff"},
      {"time before year 1", "028000000000000000"},
      {"time at 10000-01-01", "020384440ccc736000"},
      {"time just before 0001-01-01", "02ff23400100d43fff"},
      {"date after 9999", "0e00000000002cc0a1"},  // day 2932897: 10000-01-01
      {"date before year 1", "0efffffffffff506c5"},  // day -719163: 0000-12-31
  };
  // clang-format on
  for (const auto& c : kCases) {
    absl::StatusOr<ComplaintDetails> decoded = DecodeDetails(Bytes(c.hex.c_str()));
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
  }
  // The limits themselves are accepted.
  for (const char* hex :
       {"0e00000000002cc0a0", "0efffffffffff506c6", "050000000000000008", "1d0000000000000001",
        "1d0000000000000005", "1e7fffffffffffffff", "020384440ccc735fff", "02ff23400100d44000"}) {
    EXPECT_TRUE(DecodeDetails(Bytes(hex)).ok()) << hex;
  }
}

TEST(LogEntryTest, ValidateRefusesWhatDecodeRefuses) {
  const auto refused = [](void (*change)(ComplaintDetails&)) {
    ComplaintDetails d = EveryTag();
    change(d);
    return ValidateDetails(d).code() == absl::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.identity_commitment = "short"; }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.channel = 0; }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.state = kMaxComplaintState + 1; }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.outcome = -1; }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.satisfaction_rating = 6; }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.version = 0; }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.answer_text = "\xff"; }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.answer_time = absl::InfiniteFuture(); }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.sp3d_time = absl::InfinitePast(); }));
  EXPECT_TRUE(
      refused([](ComplaintDetails& d) { d.result_due_date = absl::CivilDay(10000, 1, 1); }));
  EXPECT_TRUE(refused([](ComplaintDetails& d) { d.sp3d_due_date = absl::CivilDay(0, 12, 31); }));
}

// Whatever DecodeDetails accepts encodes back to the same bytes: checked on
// every prefix and every one-byte change of the golden details, and on
// random byte strings built from valid fields and noise.
TEST(LogEntryTest, EverythingAcceptedRoundTrips) {
  const std::string golden = Bytes(kGoldenDetails);
  int accepted = 0;
  const auto check = [&](const std::string& bytes) {
    absl::StatusOr<ComplaintDetails> decoded = DecodeDetails(bytes);
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
      return;
    }
    ++accepted;
    EXPECT_EQ(Hex(EncodeDetails(*decoded)), Hex(bytes));
  };
  for (size_t n = 0; n <= golden.size(); ++n) check(golden.substr(0, n));
  for (size_t i = 0; i < golden.size(); ++i) {
    for (int delta : {1, 0x80, 0xff}) {
      std::string changed = golden;
      changed[i] = static_cast<char>(changed[i] + delta);
      check(changed);
    }
  }
  std::mt19937 random(20260302);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    uint8_t tag = 0;
    const int fields = random() % 4;
    for (int f = 0; f < fields; ++f) {
      tag = static_cast<uint8_t>(tag + 1 + random() % 8);
      bytes.push_back(static_cast<char>(tag));
      const int length = random() % 12;
      for (int b = 0; b < length; ++b) bytes.push_back(static_cast<char>(random() % 3));
    }
    check(bytes);
  }
  EXPECT_GT(accepted, 26 + 100);  // the field-boundary prefixes, and more
}

TEST(LogEntryTest, TimesAreTruncatedToMicroseconds) {
  LogEntry exact = GoldenEntry();
  LogEntry finer = exact;
  finer.time += absl::Nanoseconds(999);
  EXPECT_EQ(EncodeEntry(finer), EncodeEntry(exact));

  ComplaintDetails d;
  d.answer_time = Utc(2026, 4, 20, 6, 15, 0, 1) + absl::Nanoseconds(999);
  ComplaintDetails whole;
  whole.answer_time = Utc(2026, 4, 20, 6, 15, 0, 1);
  EXPECT_EQ(Hex(EncodeDetails(d)), Hex(EncodeDetails(whole)));
  absl::StatusOr<ComplaintDetails> decoded = DecodeDetails(EncodeDetails(d));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded->answer_time, Utc(2026, 4, 20, 6, 15, 0, 1));

  // Before 1970 the truncation still goes down, as a Timestamp's whole
  // seconds and non-negative nanoseconds do: -1 ns is -1 µs.
  ComplaintDetails early;
  early.incident_time = absl::FromUnixNanos(-1);
  EXPECT_EQ(Hex(EncodeDetails(early)), "02ffffffffffffffff");
}

TEST(LogEntryTest, EntryFieldsAreLengthPrefixedAndBigEndian) {
  LogEntry e;
  e.reference_number = "A";
  e.type = "NOTE";
  e.time = absl::FromUnixMicros(1);
  e.actor = -2;
  e.from_state = 8;
  e.to_state = 9;
  e.is_public = false;
  e.internal_note = "\xC3\xA9";
  // clang-format off
  EXPECT_EQ(Hex(EncodeEntry(e)),
            "64756d61732d6c6f672d656e7472792f76310a"
            "00000001" "41"
            "00000004" "4e4f5445"
            "0000000000000001"
            "fffffffffffffffe"
            "08" "09" "00"
            "00000000"
            "00000002" "c3a9"
            "00000000");
  // clang-format on
}

TEST(LogEntryTest, IdentityCommitmentBindsEveryFieldAndTheSalt) {
  const std::string base = IdentityCommitment(Salt(), SomeIdentity());
  EXPECT_EQ(base.size(), 32u);
  std::string other_salt = Salt();
  other_salt[31] ^= 1;
  EXPECT_NE(IdentityCommitment(other_salt, SomeIdentity()), base);
  for (std::string Identity::*field : {&Identity::full_name, &Identity::nik, &Identity::phone,
                                       &Identity::email, &Identity::address}) {
    Identity changed = SomeIdentity();
    changed.*field += "x";
    EXPECT_NE(IdentityCommitment(Salt(), changed), base);
  }
  // Lengths keep field boundaries apart.
  Identity a = SomeIdentity();
  Identity b = SomeIdentity();
  a.email = "ab";
  a.address = "c";
  b.email = "a";
  b.address = "bc";
  EXPECT_NE(IdentityCommitment(Salt(), a), IdentityCommitment(Salt(), b));
}

}  // namespace
}  // namespace dumas
