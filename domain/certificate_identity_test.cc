#include "domain/certificate_identity.h"

#include <string>

#include "gtest/gtest.h"

namespace dumas {
namespace {

struct Case {
  const char* in;
  const char* canonical;  // nullptr: INVALID_ARGUMENT
};

TEST(CanonicalCertificateIdentityTest, Table) {
  const Case cases[] = {
      {"dns:Gateway-WA.Polres-Palu.Polri.go.id.", "dns:gateway-wa.polres-palu.polri.go.id"},
      {"DNS:localhost", "dns:localhost"},
      {"uri:spiffe://polri.go.id/Dumas", "uri:spiffe://polri.go.id/Dumas"},
      {"email:Ops@Kompolnas.go.id", "email:ops@kompolnas.go.id"},
      {"cn:Kompolnas Dumas", "cn:Kompolnas Dumas"},
      {"subject:CN=Kompolnas,O=Kompolnas,C=ID", "subject:CN=Kompolnas,O=Kompolnas,C=ID"},
      {"sha256:9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:"
       "15:B0:F0:0A:08",
       "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
      {"localhost", nullptr},
      {"dns:", nullptr},
      {"ip:127.0.0.1", nullptr},
      {"sha256:abcd", nullptr},
      {"sha256:zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", nullptr},
      {"cn:line\nbreak", nullptr},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> got = CanonicalCertificateIdentity(c.in);
    if (c.canonical == nullptr) {
      EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.in;
    } else {
      ASSERT_TRUE(got.ok()) << c.in << ": " << got.status();
      EXPECT_EQ(*got, c.canonical);
    }
  }
  EXPECT_EQ(CanonicalCertificateIdentity("cn:" + std::string(253, 'x')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CanonicalCertificateIdentity("cn:" + std::string(252, 'x')).ok());
}

}  // namespace
}  // namespace dumas
