#include "server/listen_address.h"

#include "gtest/gtest.h"

namespace dumas {
namespace {

TEST(IsLoopbackListenAddressTest, Table) {
  struct Case {
    const char* address;
    bool loopback;
  };
  const Case cases[] = {
      {"127.0.0.1:50051", true},
      {"127.8.9.10:0", true},
      {"localhost:50051", true},
      {"LOCALHOST:1", true},
      {"[::1]:50051", true},
      {"[::ffff:127.0.0.1]:50051", true},
      {"unix:/run/dumas/dumasd.sock", true},
      {"unix-abstract:dumas", true},
      {"0.0.0.0:50051", false},
      {"[::]:50051", false},
      {"10.20.30.40:50051", false},
      {"128.0.0.1:50051", false},
      {"[::ffff:10.0.0.1]:50051", false},
      {"dumas.polres-palu.polri.go.id:50051", false},
      {"localhost.example.com:50051", false},
      {":50051", false},
      {"127.0.0.1", false},
      {"::1:50051", false},
      {"[::1]", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsLoopbackListenAddress(c.address), c.loopback) << c.address;
  }
}

}  // namespace
}  // namespace dumas
