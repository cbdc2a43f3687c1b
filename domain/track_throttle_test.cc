#include "domain/track_throttle.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace dumas {
namespace {

TEST(ClientNetworkTest, Ipv4IsItself) {
  EXPECT_EQ(ClientNetwork("203.0.113.7"), "203.0.113.7");
  EXPECT_EQ(ClientNetwork("127.0.0.1"), "127.0.0.1");
}

TEST(ClientNetworkTest, Ipv6IsItsSlash64) {
  EXPECT_EQ(ClientNetwork("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  // Two addresses of one household share the key; another /64 does not.
  EXPECT_EQ(ClientNetwork("2001:db8:1:2::ffff"), ClientNetwork("2001:db8:1:2:aaaa::1"));
  EXPECT_NE(ClientNetwork("2001:db8:1:3::1"), ClientNetwork("2001:db8:1:2::1"));
  EXPECT_EQ(ClientNetwork("::1"), "::/64");
}

TEST(ClientNetworkTest, MappedIpv4IsTheIpv4Address) {
  EXPECT_EQ(ClientNetwork("::ffff:203.0.113.7"), "203.0.113.7");
}

TEST(ClientNetworkTest, AnythingElseIsNoAddress) {
  for (const char* text : {"", "localhost", "203.0.113", "203.0.113.7:50051", "[::1]",
                           "2001:db8::1/64", "unix:/tmp/x", "999.1.1.1"}) {
    EXPECT_FALSE(ClientNetwork(text).has_value()) << text;
  }
}

TEST(TrackThrottleKeyTest, StrangersAreKeyedByTheirConnection) {
  EXPECT_EQ(TrackThrottleKey({.peer_address = "198.51.100.4"}).value(), "peer:198.51.100.4");
  EXPECT_EQ(TrackThrottleKey({.peer_address = "2001:db8:1:2::9"}).value(),
            "peer:2001:db8:1:2::/64");
  EXPECT_EQ(TrackThrottleKey({.peer_address = ""}).value(), "peer:local");
}

TEST(TrackThrottleKeyTest, AStrangerCannotChooseItsKey) {
  // Without an authenticated gateway the stated end client is ignored.
  EXPECT_EQ(TrackThrottleKey({.peer_address = "198.51.100.4", .stated_end_client = "10.9.9.9"})
                .value(),
            "peer:198.51.100.4");
}

TEST(TrackThrottleKeyTest, AGatewaySpeaksForEachCitizen) {
  EXPECT_EQ(TrackThrottleKey({.peer_address = "10.0.0.2", .gateway_id = 7,
                              .stated_end_client = "203.0.113.7"})
                .value(),
            "gateway:7:203.0.113.7");
  EXPECT_NE(TrackThrottleKey({.peer_address = "10.0.0.2", .gateway_id = 7,
                              .stated_end_client = "203.0.113.8"})
                .value(),
            TrackThrottleKey({.peer_address = "10.0.0.2", .gateway_id = 7,
                              .stated_end_client = "203.0.113.7"})
                .value());
  EXPECT_EQ(TrackThrottleKey({.peer_address = "10.0.0.2", .gateway_id = 7}).value(),
            "gateway:7");
}

TEST(TrackThrottleKeyTest, AGatewayMustStateAnAddress) {
  const absl::StatusOr<std::string> key = TrackThrottleKey(
      {.peer_address = "10.0.0.2", .gateway_id = 7, .stated_end_client = "citizen-42"});
  EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  // The message never repeats the value.
  EXPECT_EQ(std::string(key.status().message()).find("citizen-42"), std::string::npos);
}

TEST(ThrottledClientsTest, RemembersUntilTheEnd) {
  ThrottledClients clients(10);
  const absl::Time t0 = absl::FromUnixSeconds(1'780'000'000);
  EXPECT_FALSE(clients.Contains("peer:1.2.3.4", t0));
  clients.Add("peer:1.2.3.4", t0 + absl::Minutes(15));
  EXPECT_TRUE(clients.Contains("peer:1.2.3.4", t0 + absl::Minutes(14)));
  EXPECT_FALSE(clients.Contains("peer:1.2.3.4", t0 + absl::Minutes(15)));
  EXPECT_FALSE(clients.Contains("peer:1.2.3.5", t0));
}

TEST(ThrottledClientsTest, StaysWithinItsCapacity) {
  ThrottledClients clients(100);
  const absl::Time later = absl::Now() + absl::Hours(1);
  for (int i = 0; i < 10000; ++i) {
    clients.Add("peer:" + std::to_string(i), later + absl::Seconds(i));
  }
  int kept = 0;
  for (int i = 0; i < 10000; ++i) kept += clients.Contains("peer:" + std::to_string(i), absl::Now());
  EXPECT_LE(kept, 100);
  // The newest is kept.
  EXPECT_TRUE(clients.Contains("peer:9999", absl::Now()));
}

}  // namespace
}  // namespace dumas
