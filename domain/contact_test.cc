#include "domain/contact.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace dumas {
namespace {

struct Case {
  std::string input;
  std::optional<std::string> expected;  // nullopt: rejected
};

TEST(NormalizeIndonesianPhoneTest, Table) {
  const Case cases[] = {
      // Mobile numbers in every accepted prefix form.
      {"+62 812-3456-7890", "+6281234567890"},
      {"+6281234567890", "+6281234567890"},
      {"6281234567890", "+6281234567890"},
      {"081234567890", "+6281234567890"},
      {"0812 3456 7890", "+6281234567890"},
      {"0812.3456.7890", "+6281234567890"},
      {"+62 (812) 3456 7890", "+6281234567890"},
      // The Palu landline, with and without the area code in parentheses.
      {"(0451) 421234", "+62451421234"},
      {"0451-421234", "+62451421234"},
      {"+62 451 421234", "+62451421234"},
      // National numbers of 8 and 12 digits are the bounds.
      {"021-1234567", "+62211234567"},            // 9 digits
      {"0811-23456", "+6281123456"},              // 8 digits
      {"+62 8123 4567 8901", "+62812345678901"},  // 12 digits
      // Rejected: other countries, international prefix, trunk 0 after +62.
      {"+1 650 253 0000", std::nullopt},
      {"+44 20 7946 0958", std::nullopt},
      {"+620812345678", std::nullopt},
      {"620812345678", std::nullopt},
      {"0062812345678", std::nullopt},
      {"00812345678", std::nullopt},
      {"+0812345678", std::nullopt},
      {"0112345678", std::nullopt},  // national numbers start with 2-9
      // Too short or too long.
      {"0811-2345", std::nullopt},             // 7 digits
      {"+62 8123 4567 89012", std::nullopt},   // 13 digits
      {"08123456789012345678901234567890", std::nullopt},
      // Letters and other characters.
      {"0812-CALL-POLRES", std::nullopt},
      {"0812345678a", std::nullopt},
      {"0812/3456/7890", std::nullopt},
      {"0812345678 ext 12", std::nullopt},
      {"+62+812345678", std::nullopt},
      {"62+812345678", std::nullopt},
      {"0812\n3456 7890", std::nullopt},
      {"８１２３４５６７８", std::nullopt},  // full-width digits
      {"812345678", std::nullopt},          // no prefix at all
      {"", std::nullopt},
      {"+", std::nullopt},
      {"+62", std::nullopt},
      {"()- .", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NormalizeIndonesianPhone(c.input), c.expected) << c.input;
  }
}

TEST(NormalizeEmailTest, Table) {
  const std::string local64(64, 'a');
  const std::string label63(63, 'b');
  // 64 + 1 + 63 + 1 + 63 + 1 + 57 + 1 + 3 = 254 characters.
  const std::string longest =
      local64 + "@" + label63 + "." + label63 + "." + std::string(57, 'c') + ".com";
  const Case cases[] = {
      {"warga@example.com", "warga@example.com"},
      {"Warga.Palu@Example.CO.ID", "Warga.Palu@example.co.id"},  // local part kept
      {"first.last+dumas@mail.polri.go.id", "first.last+dumas@mail.polri.go.id"},
      {"o'brien_1@sub-domain.example.org", "o'brien_1@sub-domain.example.org"},
      {"a@b.cd", "a@b.cd"},
      {local64 + "@example.com", local64 + "@example.com"},
      {longest, longest},
      // Rejected shapes.
      {"", std::nullopt},
      {"warga", std::nullopt},
      {"warga@", std::nullopt},
      {"@example.com", std::nullopt},
      {"warga@example", std::nullopt},  // no top-level domain
      {"warga@example.c", std::nullopt},  // one-letter top-level domain
      {"warga@example.c0m", std::nullopt},
      {"warga@@example.com", std::nullopt},
      {"wa@rga@example.com", std::nullopt},
      {"warga palu@example.com", std::nullopt},
      {" warga@example.com", std::nullopt},
      {"warga@example.com ", std::nullopt},
      {"warga@exa mple.com", std::nullopt},
      {"warga@-example.com", std::nullopt},
      {"warga@example-.com", std::nullopt},
      {"warga@example..com", std::nullopt},
      {"warga@.example.com", std::nullopt},
      {"warga@example.com.", std::nullopt},
      {"warga@exam_ple.com", std::nullopt},
      {".warga@example.com", std::nullopt},
      {"warga.@example.com", std::nullopt},
      {"war..ga@example.com", std::nullopt},
      {"<warga>@example.com", std::nullopt},
      {"\"warga\"@example.com", std::nullopt},
      {"warga,x@example.com", std::nullopt},
      {"warga\n@example.com", std::nullopt},
      {"wärga@example.com", std::nullopt},
      {"warga@exämple.com", std::nullopt},
      {local64 + "a@example.com", std::nullopt},  // local part of 65
      {"a@" + std::string(64, 'b') + ".com", std::nullopt},  // label of 64
      {longest + "m", std::nullopt},  // 255 characters
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NormalizeEmail(c.input), c.expected) << c.input;
  }
}

TEST(NormalizeTwitterHandleTest, Table) {
  const Case cases[] = {
      {"@warga_palu", "@warga_palu"},
      {"warga_palu", "@warga_palu"},
      {"@HumasPolresPalu1", std::nullopt},  // 16 characters
      {"@HumasPolresPalu", "@HumasPolresPalu"},  // 15
      {"x", "@x"},
      {"@123", "@123"},
      {"", std::nullopt},
      {"@", std::nullopt},
      {"@@warga", std::nullopt},
      {"@warga palu", std::nullopt},
      {"@warga-palu", std::nullopt},
      {"@warga.palu", std::nullopt},
      {"@wargä", std::nullopt},
      {"https://x.com/warga", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NormalizeTwitterHandle(c.input), c.expected) << c.input;
  }
}

}  // namespace
}  // namespace dumas
