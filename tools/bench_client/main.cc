// dumas_bench: the load client of tools/bench. Flags are parsed here only.
//
//   dumas_bench --mode=wait_ready --target=HOST:PORT [--timeout=60s]
//       waits until grpc.health.v1.Health/Check("") answers SERVING
//   dumas_bench --mode=seed --target=... --token_file=F --count=N --pairs_out=F
//       submits N complaints and writes their reference/code pairs to F
//   dumas_bench --mode=load --target=... --method=health|track|submit
//       --concurrency=C --warmup=2s --duration=8s [--token_file=F] [--pairs_in=F]
//       runs a closed-loop load and prints one RESULT line
//   dumas_bench --mode=load --method=transition --token_file=SUPERVISOR --pairs_in=F
//       [--pairs_skip=N]: VerifyComplaint of each complaint of F (after the first
//       N) once, ending early when they are used up (exhausted=1)
//   dumas_bench --mode=load --method=list --token_file=SUPERVISOR [--page_size=50]
//       [--page_token_file=F]: ListComplaints of the first page, or of the page
//       whose token F holds
//   dumas_bench --mode=list_walk --target=... --token_file=SUPERVISOR --depth=N
//       --token_out=F: pages through ListComplaints (newest first) until N
//       complaints are behind, writes the next page's token to F, prints WALK
//
// Every line it prints for a script starts with a keyword (READY, SEED,
// RESULT, WALK) followed by key=value fields.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "tools/bench_client/bench_calls.h"
#include "tools/bench_client/closed_loop_load.h"

ABSL_FLAG(std::string, mode, "load", "wait_ready, seed, load or list_walk");
ABSL_FLAG(std::string, target, "127.0.0.1:50051", "server address, host:port");
ABSL_FLAG(std::string, method, "health", "load: health, track, submit, transition or list");
ABSL_FLAG(int, concurrency, 1, "calls in flight");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2), "load: time before measuring");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(8), "load: measured time");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(30), "deadline of each call");
ABSL_FLAG(absl::Duration, refused_backoff, absl::ZeroDuration(),
          "load: after a RESOURCE_EXHAUSTED or UNAVAILABLE answer a slot waits about this long "
          "(jittered) before its next call; 0 retries at once");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(60), "wait_ready: how long to wait");
ABSL_FLAG(int, channels, 4, "separate HTTP/2 connections the calls are spread over");
ABSL_FLAG(int, poll_threads, 1, "client threads polling completion queues");
ABSL_FLAG(std::string, token_file, "", "file holding the GATEWAY bearer token (submit, seed)");
ABSL_FLAG(std::string, pairs_in, "", "track: file of reference/code pairs (from seed)");
ABSL_FLAG(std::string, pairs_out, "", "seed: where to write the reference/code pairs");
ABSL_FLAG(int64_t, count, 2000, "seed: complaints to submit");
ABSL_FLAG(int64_t, pairs_skip, 0, "transition: pairs of --pairs_in to leave out, from the start");
ABSL_FLAG(int, page_size, 50, "list, list_walk: ListComplaints page size");
ABSL_FLAG(std::string, page_token_file, "", "list: file holding the page token (none: first page)");
ABSL_FLAG(int64_t, depth, 90000, "list_walk: complaints to page past");
ABSL_FLAG(std::string, token_out, "", "list_walk: where to write the page token");

namespace dumas::bench {
namespace {

constexpr char kUsage[] = R"(dumas_bench: load client for the Dumas gRPC server.

  dumas_bench --mode=wait_ready --target=HOST:PORT [--timeout=60s]
  dumas_bench --mode=seed --target=HOST:PORT --token_file=F --count=N --pairs_out=F
  dumas_bench --mode=load --target=HOST:PORT --method=health|track|submit|transition|list
              --concurrency=C [--warmup=2s] [--duration=8s] [--token_file=F] [--pairs_in=F]
              [--pairs_skip=N] [--page_size=50] [--page_token_file=F]
  dumas_bench --mode=list_walk --target=HOST:PORT --token_file=F --depth=N --token_out=F
)";

// Channels whose arguments differ, with a local subchannel pool each, so that
// every one has its own HTTP/2 connection.
std::vector<std::shared_ptr<grpc::Channel>> OpenChannels(const std::string& target, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < std::max(1, count); ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("dumas.bench.channel", i);
    channels.push_back(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

absl::StatusOr<std::string> ReadToken(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("--token_file is required");
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) {
    return absl::NotFoundError(absl::StrCat("cannot read a token from ", path));
  }
  token = std::string(absl::StripAsciiWhitespace(token));
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(path, " is empty"));
  return token;
}

uint64_t RandomSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device() ^
         static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
}

std::string CodeSummary(const CodeCounts& counts) {
  std::string out;
  for (size_t c = 1; c < counts.size(); ++c) {
    if (counts[c] == 0) continue;
    // gRPC and Abseil share the canonical codes; only Abseil names them.
    absl::StrAppend(&out, out.empty() ? "" : ",",
                    absl::StatusCodeToString(static_cast<absl::StatusCode>(c)), ":", counts[c]);
  }
  return out.empty() ? "-" : out;
}

// CPU time (user + system) of this process so far.
absl::Duration ProcessCpuTime() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return absl::DurationFromTimeval(usage.ru_utime) + absl::DurationFromTimeval(usage.ru_stime);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "dumas_bench: %s\n", status.ToString().c_str());
  return 1;
}

int WaitReady(const std::string& target) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  const absl::Time deadline = absl::Now() + absl::GetFlag(FLAGS_timeout);
  std::string last = "no answer";
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = stub->Check(&context, request, &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      std::printf("READY target=%s\n", target.c_str());
      return 0;
    }
    last = status.ok() ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                             response.status())
                       : absl::StrCat("code ", status.error_code(), " ", status.error_message());
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::fprintf(stderr, "dumas_bench: %s not SERVING within %s (last: %s)\n", target.c_str(),
               absl::FormatDuration(absl::GetFlag(FLAGS_timeout)).c_str(), last.c_str());
  return 1;
}

LoadOptions OptionsFromFlags() {
  LoadOptions options;
  options.concurrency = std::max(1, absl::GetFlag(FLAGS_concurrency));
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.measure = absl::GetFlag(FLAGS_duration);
  options.call_timeout = absl::GetFlag(FLAGS_call_timeout);
  options.refused_backoff = absl::GetFlag(FLAGS_refused_backoff);
  options.poll_threads = absl::GetFlag(FLAGS_poll_threads);
  return options;
}

int Seed(const std::string& target) {
  absl::StatusOr<std::string> token = ReadToken(absl::GetFlag(FLAGS_token_file));
  if (!token.ok()) return Fail(token.status());
  const std::string pairs_out = absl::GetFlag(FLAGS_pairs_out);
  if (pairs_out.empty()) return Fail(absl::InvalidArgumentError("--pairs_out is required"));
  LoadOptions options = OptionsFromFlags();
  options.warmup = absl::ZeroDuration();
  options.measure = absl::InfiniteDuration();
  options.max_calls = std::max<int64_t>(1, absl::GetFlag(FLAGS_count));

  auto channels = OpenChannels(target, absl::GetFlag(FLAGS_channels));
  std::vector<std::unique_ptr<dumas::v1::ComplaintService::Stub>> stubs;
  for (auto& channel : channels) stubs.push_back(dumas::v1::ComplaintService::NewStub(channel));
  std::vector<std::vector<TrackingPair>> per_slot(static_cast<size_t>(options.concurrency));
  const uint64_t seed = RandomSeed();
  const LoadResult result = RunClosedLoopLoad(options, [&](int slot) {
    return std::make_unique<SubmitComplaintSlot>(stubs[slot % stubs.size()].get(), *token, seed,
                                                 slot, options.concurrency, &per_slot[slot]);
  });
  std::vector<TrackingPair> pairs;
  for (auto& slot_pairs : per_slot) {
    for (auto& pair : slot_pairs) pairs.push_back(std::move(pair));
  }
  if (absl::Status status = WriteTrackingPairs(pairs_out, pairs); !status.ok()) {
    return Fail(status);
  }
  std::printf("SEED ok=%" PRId64 " errors=%" PRId64 " error_codes=%s seconds=%.3f\n",
              result.total_ok, result.TotalErrorCount(), CodeSummary(result.total_errors).c_str(),
              absl::ToDoubleSeconds(result.measured_time));
  return result.TotalErrorCount() == 0 ? 0 : 1;
}

int Load(const std::string& target) {
  const std::string method = absl::GetFlag(FLAGS_method);
  const LoadOptions options = OptionsFromFlags();
  auto channels = OpenChannels(target, absl::GetFlag(FLAGS_channels));
  std::function<std::unique_ptr<CallSlot>(int)> make_slot;

  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_stubs;
  std::vector<std::unique_ptr<dumas::v1::ComplaintService::Stub>> stubs;
  for (auto& channel : channels) {
    health_stubs.push_back(grpc::health::v1::Health::NewStub(channel));
    stubs.push_back(dumas::v1::ComplaintService::NewStub(channel));
  }
  std::vector<dumas::v1::TrackComplaintRequest> track_requests;
  std::vector<dumas::v1::VerifyComplaintRequest> verify_requests;
  std::atomic<size_t> verify_next{0};
  dumas::v1::ListComplaintsRequest list_request;
  std::string token;
  const uint64_t seed = RandomSeed();

  if (method == "health") {
    make_slot = [&](int slot) {
      return std::make_unique<HealthCheckSlot>(health_stubs[slot % health_stubs.size()].get(), "");
    };
  } else if (method == "track") {
    absl::StatusOr<std::vector<TrackingPair>> pairs =
        ReadTrackingPairs(absl::GetFlag(FLAGS_pairs_in));
    if (!pairs.ok()) return Fail(pairs.status());
    for (const TrackingPair& pair : *pairs) {
      dumas::v1::TrackComplaintRequest& request = track_requests.emplace_back();
      request.set_reference_number(pair.reference_number);
      request.set_tracking_code(pair.tracking_code);
    }
    make_slot = [&](int slot) {
      return std::make_unique<TrackComplaintSlot>(stubs[slot % stubs.size()].get(),
                                                  &track_requests, slot, options.concurrency);
    };
  } else if (method == "submit") {
    absl::StatusOr<std::string> read = ReadToken(absl::GetFlag(FLAGS_token_file));
    if (!read.ok()) return Fail(read.status());
    token = *std::move(read);
    make_slot = [&](int slot) {
      return std::make_unique<SubmitComplaintSlot>(stubs[slot % stubs.size()].get(), token, seed,
                                                   slot, options.concurrency, nullptr);
    };
  } else if (method == "transition") {
    absl::StatusOr<std::string> read = ReadToken(absl::GetFlag(FLAGS_token_file));
    if (!read.ok()) return Fail(read.status());
    token = *std::move(read);
    absl::StatusOr<std::vector<TrackingPair>> pairs =
        ReadTrackingPairs(absl::GetFlag(FLAGS_pairs_in));
    if (!pairs.ok()) return Fail(pairs.status());
    const size_t skip = static_cast<size_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_pairs_skip)));
    for (size_t i = skip; i < pairs->size(); ++i) {
      dumas::v1::VerifyComplaintRequest& request = verify_requests.emplace_back();
      // A freshly submitted complaint is RECEIVED with etag "v1".
      request.set_name(absl::StrCat("complaints/", (*pairs)[i].reference_number));
      request.set_etag("v1");
    }
    make_slot = [&](int slot) {
      return std::make_unique<VerifyComplaintSlot>(stubs[slot % stubs.size()].get(), token,
                                                   &verify_requests, &verify_next);
    };
  } else if (method == "list") {
    absl::StatusOr<std::string> read = ReadToken(absl::GetFlag(FLAGS_token_file));
    if (!read.ok()) return Fail(read.status());
    token = *std::move(read);
    list_request.set_page_size(absl::GetFlag(FLAGS_page_size));
    if (const std::string path = absl::GetFlag(FLAGS_page_token_file); !path.empty()) {
      absl::StatusOr<std::string> page_token = ReadToken(path);
      if (!page_token.ok()) return Fail(page_token.status());
      list_request.set_page_token(*page_token);
    }
    make_slot = [&](int slot) {
      return std::make_unique<ListComplaintsSlot>(stubs[slot % stubs.size()].get(), token,
                                                  &list_request);
    };
  } else {
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        "--method must be health, track, submit, transition or list, not '", method, "'")));
  }

  const LoadResult result = RunClosedLoopLoad(options, make_slot);
  const double seconds = absl::ToDoubleSeconds(result.measured_time);
  const double rate = seconds > 0 ? static_cast<double>(result.measured_ok) / seconds : 0;
  const int64_t calls = result.measured_ok + result.MeasuredErrorCount();
  std::printf(
      "RESULT method=%s concurrency=%d seconds=%.3f ok=%" PRId64 " calls_per_s=%.1f "
      "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%" PRId64 " error_codes=%s "
      "total_ok=%" PRId64 " total_errors=%" PRId64 " client_cpu_us_per_call=%.1f "
      "client_cpu_total_s=%.3f used=%zu exhausted=%d\n",
      method.c_str(), options.concurrency, seconds, result.measured_ok, rate,
      absl::ToDoubleMilliseconds(result.measured_latency.Quantile(0.50)),
      absl::ToDoubleMilliseconds(result.measured_latency.Quantile(0.99)),
      absl::ToDoubleMilliseconds(result.measured_latency.max()), result.MeasuredErrorCount(),
      CodeSummary(result.measured_errors).c_str(), result.total_ok, result.TotalErrorCount(),
      calls > 0 ? absl::ToDoubleMicroseconds(result.measured_cpu) / static_cast<double>(calls)
                : 0.0,
      absl::ToDoubleSeconds(ProcessCpuTime()),
      std::min(verify_next.load(), verify_requests.size()),
      method == "transition" && verify_next.load() >= verify_requests.size() ? 1 : 0);
  return 0;
}

// Pages through ListComplaints, newest first, until `--depth` complaints are
// behind, and writes the token of the page that follows.
int ListWalk(const std::string& target) {
  absl::StatusOr<std::string> token = ReadToken(absl::GetFlag(FLAGS_token_file));
  if (!token.ok()) return Fail(token.status());
  const std::string token_out = absl::GetFlag(FLAGS_token_out);
  if (token_out.empty()) return Fail(absl::InvalidArgumentError("--token_out is required"));
  const int64_t depth = absl::GetFlag(FLAGS_depth);
  auto stub = dumas::v1::ComplaintService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  dumas::v1::ListComplaintsRequest request;
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  int64_t behind = 0;
  int64_t pages = 0;
  const absl::Time start = absl::Now();
  while (behind < depth) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_call_timeout)));
    context.AddMetadata("authorization", absl::StrCat("Bearer ", *token));
    dumas::v1::ListComplaintsResponse response;
    const grpc::Status status = stub->ListComplaints(&context, request, &response);
    if (!status.ok()) {
      return Fail(absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                               absl::StrCat("ListComplaints page ", pages + 1, ": ",
                                            status.error_message())));
    }
    ++pages;
    behind += response.complaints_size();
    if (response.next_page_token().empty()) {
      return Fail(absl::OutOfRangeError(
          absl::StrCat("only ", behind, " complaints listed, fewer than --depth=", depth)));
    }
    request.set_page_token(response.next_page_token());
  }
  std::ofstream out(token_out, std::ios::trunc);
  out << request.page_token() << '\n';
  out.close();
  if (!out) return Fail(absl::UnavailableError(absl::StrCat("cannot write ", token_out)));
  std::printf("WALK depth=%" PRId64 " pages=%" PRId64 " seconds=%.3f\n", behind, pages,
              absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}

int Main(int argc, char** argv) {
  // Debian builds Abseil without NDEBUG, which leaves absl::Mutex deadlock
  // detection on; gRPC's own locks are absl::Mutex, so it would tax every call
  // the client makes.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(kUsage);
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() > 1) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  const std::string mode = absl::GetFlag(FLAGS_mode);
  const std::string target = absl::GetFlag(FLAGS_target);
  if (mode == "wait_ready") return WaitReady(target);
  if (mode == "seed") return Seed(target);
  if (mode == "load") return Load(target);
  if (mode == "list_walk") return ListWalk(target);
  std::fprintf(stderr, "dumas_bench: unknown --mode '%s'\n\n%s", mode.c_str(), kUsage);
  return 2;
}

}  // namespace
}  // namespace dumas::bench

int main(int argc, char** argv) { return dumas::bench::Main(argc, argv); }
