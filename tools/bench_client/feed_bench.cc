// dumas_feed_bench: the measuring client of tools/bench-feed (the change feed
// and the transparency log). Every line it prints for the script starts with
// a keyword followed by key=value fields.
//
//   dumas_feed_bench --mode=seed_events --mysql_socket=S --key_file=F --count=N
//       --actor=ID [--batch=2000]
//       appends N internal NOTE events, spread over the complaints already in
//       the database, straight through the storage layer in transactions of
//       --batch events, each queued for the log's sequencer as dumasd queues
//       its own (the API would take hours for a million). Prints SEEDED.
//   dumas_feed_bench --mode=catchup --target=T --token_file=OVERSIGHT --expect=N
//       WatchChanges from revision 0 until revision N arrived; checks that the
//       revisions follow one another. Prints CATCHUP.
//   dumas_feed_bench --mode=log --target=T --token_file=OVERSIGHT [--proofs=2000]
//       makes a checkpoint, fetches every change with ListChanges, recomputes
//       every leaf and the root on one core (the fetch is timed apart), checks
//       the root against the checkpoint's, then asks for --proofs inclusion and
//       --proofs consistency proofs at random sizes up to the checkpoint's,
//       one at a time, and verifies each. Prints FETCH, RECOMPUTE, INCLUSION
//       and CONSISTENCY.
//   dumas_feed_bench --mode=live --target=T --token_file=SUPERVISOR
//       --watch_token_file=OVERSIGHT --pairs_in=F [--rate=500] [--duration=20s]
//       VerifyComplaint of the complaints of F at a fixed rate (open loop) while
//       a consumer watches the feed; the time from each call's answer to its
//       change reaching the consumer. Prints LIVE.
#include <cppconn/resultset.h>
#include <cppconn/prepared_statement.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
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
#include "domain/log_entry.h"
#include "domain/merkle_tree.h"
#include "dumas/v1/complaint_service.grpc.pb.h"
#include "dumas/v1/integration_service.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "storage/connection_pool.h"
#include "storage/keyring.h"
#include "storage/mysql_options.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"
#include "tools/bench_client/bench_calls.h"
#include "tools/bench_client/latency_histogram.h"
#include "tools/log_verifier/log_verifier.h"

ABSL_FLAG(std::string, mode, "", "seed_events, catchup, log or live");
ABSL_FLAG(std::string, target, "127.0.0.1:50051", "server address, host:port");
ABSL_FLAG(std::string, token_file, "", "file holding the bearer token");
ABSL_FLAG(std::string, watch_token_file, "", "live: the OVERSIGHT token of the consumer");
ABSL_FLAG(std::string, mysql_socket, "", "seed_events: MariaDB's Unix socket");
ABSL_FLAG(std::string, mysql_user, "root", "seed_events: MariaDB user");
ABSL_FLAG(std::string, mysql_database, "dumas", "seed_events: the schema");
ABSL_FLAG(std::string, key_file, "", "seed_events: dumasd's key file");
ABSL_FLAG(int64_t, count, 1000000, "seed_events: events to append");
ABSL_FLAG(int64_t, batch, 2000, "seed_events: events a transaction");
ABSL_FLAG(int64_t, actor, 0, "seed_events: the principal id the notes are by");
ABSL_FLAG(int64_t, expect, 0, "catchup: the revision to read up to");
ABSL_FLAG(int, proofs, 2000, "log: inclusion and consistency proofs to ask for, each");
ABSL_FLAG(std::string, pairs_in, "", "live: reference/code pairs of RECEIVED complaints");
ABSL_FLAG(double, rate, 500, "live: transitions per second");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(20), "live: how long to send");

namespace dumas::bench {
namespace {

using ::dumas::v1::IntegrationService;

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "dumas_feed_bench: %s\n", status.ToString().c_str());
  return 1;
}

absl::StatusOr<std::string> ReadToken(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("a token file is required");
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) {
    return absl::NotFoundError(absl::StrCat("cannot read a token from ", path));
  }
  token = std::string(absl::StripAsciiWhitespace(token));
  if (token.empty()) return absl::InvalidArgumentError(absl::StrCat(path, " is empty"));
  return token;
}

absl::Duration ThreadCpuTime() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return absl::DurationFromTimeval(usage.ru_utime) + absl::DurationFromTimeval(usage.ru_stime);
}

std::string Ms(absl::Duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", absl::ToDoubleMilliseconds(d));
  return text;
}

absl::Status StatusOf(const grpc::Status& status, absl::string_view what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

void Authorize(grpc::ClientContext& context, const std::string& token,
               absl::Duration timeout = absl::Seconds(30)) {
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

std::shared_ptr<grpc::Channel> Connect() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_target),
                                   grpc::InsecureChannelCredentials(), args);
}

// --mode=seed_events.
int SeedEvents() {
  MySqlOptions options;
  options.socket = absl::GetFlag(FLAGS_mysql_socket);
  options.user = absl::GetFlag(FLAGS_mysql_user);
  options.database = absl::GetFlag(FLAGS_mysql_database);
  options.pool_size = 2;
  options.read_timeout = absl::Minutes(10);
  options.write_timeout = absl::Minutes(10);
  absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(absl::GetFlag(FLAGS_key_file));
  if (!keyring.ok()) return Fail(keyring.status());
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(options);
  if (!pool.ok()) return Fail(pool.status());

  struct Target {
    int64_t id;
    std::string reference_number;
  };
  std::vector<Target> complaints;
  absl::Status listed = (*pool)->Run([&](PooledConnection& c) {
    std::unique_ptr<sql::ResultSet> rows(
        c.Statement(sql_text::kSelectAllReferenceNumbers).executeQuery());
    while (rows->next()) {
      complaints.push_back({rows->getInt64(1), std::string(rows->getString(2))});
    }
    return absl::OkStatus();
  });
  if (!listed.ok()) return Fail(listed);
  if (complaints.empty()) return Fail(absl::FailedPreconditionError("no complaints to note on"));

  const int64_t count = absl::GetFlag(FLAGS_count);
  const int64_t batch = std::max<int64_t>(1, absl::GetFlag(FLAGS_batch));
  const int64_t actor = absl::GetFlag(FLAGS_actor);
  const absl::Time start = absl::Now();
  int64_t written = 0;
  while (written < count) {
    const int64_t n = std::min(batch, count - written);
    absl::Status status = (*pool)->RunTransaction(
        [&](PooledConnection& c) -> absl::StatusOr<ConnectionPool::TransactionEnd> {
          for (int64_t i = 0; i < n; ++i) {
            const int64_t k = written + i;
            const Target& t = complaints[static_cast<size_t>(k) % complaints.size()];
            LogEntry entry;
            entry.reference_number = t.reference_number;
            entry.type = "NOTE";
            entry.time = absl::FromUnixMicros(absl::ToUnixMicros(absl::Now()));
            entry.actor = actor;
            entry.internal_note = absl::StrCat("Catatan pemeriksaan nomor ", k + 1, ".");
            mysql_store_internal::InsertEvent(c, *keyring, t.id, entry);
          }
          return ConnectionPool::TransactionEnd::kCommit;
        },
        /*idempotent=*/false);
    if (!status.ok()) return Fail(status);
    written += n;
  }
  const absl::Duration took = absl::Now() - start;
  std::printf("SEEDED events=%" PRId64 " complaints=%zu seconds=%.1f events_per_s=%.0f\n", written,
              complaints.size(), absl::ToDoubleSeconds(took),
              static_cast<double>(written) / absl::ToDoubleSeconds(took));
  return 0;
}

// --mode=catchup.
int Catchup() {
  absl::StatusOr<std::string> token = ReadToken(absl::GetFlag(FLAGS_token_file));
  if (!token.ok()) return Fail(token.status());
  const int64_t expect = absl::GetFlag(FLAGS_expect);
  auto stub = IntegrationService::NewStub(Connect());
  grpc::ClientContext context;
  Authorize(context, *token, absl::Minutes(30));
  v1::WatchChangesRequest request;
  const absl::Time start = absl::Now();
  std::unique_ptr<grpc::ClientReader<v1::WatchChangesResponse>> reader =
      stub->WatchChanges(&context, request);
  v1::WatchChangesResponse message;
  int64_t last = 0;
  int64_t bytes = 0;
  absl::Time first_change;
  while (last < expect && reader->Read(&message)) {
    if (!message.has_change()) continue;
    if (last == 0) first_change = absl::Now();
    if (message.change().revision() != last + 1) {
      return Fail(absl::DataLossError(absl::StrCat("revision ", message.change().revision(),
                                                   " came after ", last)));
    }
    last = message.change().revision();
    bytes += static_cast<int64_t>(message.ByteSizeLong());
  }
  const absl::Duration took = absl::Now() - start;
  context.TryCancel();
  reader->Finish();
  if (last < expect) {
    return Fail(absl::UnavailableError(absl::StrCat("the stream ended at ", last, " of ", expect)));
  }
  std::printf(
      "CATCHUP events=%" PRId64 " seconds=%.2f events_per_s=%.0f first_change_ms=%s "
      "mb_per_s=%.1f bytes_per_change=%.0f\n",
      last, absl::ToDoubleSeconds(took), static_cast<double>(last) / absl::ToDoubleSeconds(took),
      Ms(first_change - start).c_str(), static_cast<double>(bytes) / 1e6 / absl::ToDoubleSeconds(took),
      static_cast<double>(bytes) / static_cast<double>(last));
  return 0;
}

std::string Quantiles(const LatencyHistogram& h) {
  return absl::StrCat("calls=", h.count(), " p50_ms=", Ms(h.Quantile(0.5)),
                      " p99_ms=", Ms(h.Quantile(0.99)), " max_ms=", Ms(h.max()));
}

Hash HashOf(const std::string& bytes) {
  Hash hash{};
  if (bytes.size() == hash.size()) std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

std::vector<Hash> HashesOf(const google::protobuf::RepeatedPtrField<std::string>& bytes) {
  std::vector<Hash> hashes;
  hashes.reserve(bytes.size());
  for (const std::string& b : bytes) hashes.push_back(HashOf(b));
  return hashes;
}

// --mode=log.
int Log() {
  absl::StatusOr<std::string> token = ReadToken(absl::GetFlag(FLAGS_token_file));
  if (!token.ok()) return Fail(token.status());
  auto stub = IntegrationService::NewStub(Connect());

  v1::CreateCheckpointResponse checkpoint;
  {
    grpc::ClientContext context;
    Authorize(context, *token);
    grpc::Status status = stub->CreateCheckpoint(&context, {}, &checkpoint);
    if (!status.ok()) return Fail(StatusOf(status, "CreateCheckpoint"));
  }
  const int64_t size = checkpoint.tree_size();
  if (size < 2) return Fail(absl::FailedPreconditionError("the log is nearly empty"));

  // Every change, page by page; the leaves recomputed on this thread, timed
  // by its CPU clock apart from the fetching.
  MerkleTree tree;
  absl::Duration recompute_cpu;
  const absl::Time fetch_start = absl::Now();
  int64_t after = 0;
  while (after < size) {
    v1::ListChangesRequest request;
    request.set_after_revision(after);
    request.set_page_size(1000);
    v1::ListChangesResponse page;
    grpc::ClientContext context;
    Authorize(context, *token);
    grpc::Status status = stub->ListChanges(&context, request, &page);
    if (!status.ok()) return Fail(StatusOf(status, "ListChanges"));
    if (page.changes().empty()) {
      return Fail(absl::DataLossError(absl::StrCat("the feed ended at ", after, " of ", size)));
    }
    const absl::Duration cpu0 = ThreadCpuTime();
    for (const v1::Change& change : page.changes()) {
      if (change.revision() != after + 1) {
        return Fail(absl::DataLossError(absl::StrCat("revision ", change.revision(),
                                                     " came after ", after)));
      }
      if (change.revision() > size) break;
      absl::StatusOr<Hash> leaf = LeafOfChange(change);
      if (!leaf.ok()) return Fail(leaf.status());
      if (*leaf != HashOf(change.leaf_hash())) {
        return Fail(absl::DataLossError(
            absl::StrCat("revision ", change.revision(), " does not hash to its leaf")));
      }
      tree.Append(*leaf);
      after = change.revision();
    }
    recompute_cpu += ThreadCpuTime() - cpu0;
  }
  const absl::Time root_start = absl::Now();
  const absl::Duration root_cpu0 = ThreadCpuTime();
  const Hash root = tree.Root();
  recompute_cpu += ThreadCpuTime() - root_cpu0;
  const absl::Duration fetch_took = root_start - fetch_start;
  if (root != HashOf(checkpoint.root_hash())) {
    return Fail(absl::DataLossError("the recomputed root is not the checkpoint's"));
  }
  std::printf("FETCH changes=%" PRId64 " seconds=%.2f changes_per_s=%.0f\n", size,
              absl::ToDoubleSeconds(fetch_took),
              static_cast<double>(size) / absl::ToDoubleSeconds(fetch_took));
  std::printf("RECOMPUTE leaves=%" PRId64 " cpu_seconds=%.3f leaves_per_s=%.0f root=match\n", size,
              absl::ToDoubleSeconds(recompute_cpu),
              static_cast<double>(size) / absl::ToDoubleSeconds(recompute_cpu));

  // Proofs at random points, verified against the tree recomputed above.
  std::mt19937_64 random(std::random_device{}());
  const int proofs = std::max(1, absl::GetFlag(FLAGS_proofs));
  LatencyHistogram inclusion;
  for (int i = 0; i < proofs; ++i) {
    const int64_t tree_size = std::uniform_int_distribution<int64_t>(size / 2, size)(random);
    const int64_t revision = std::uniform_int_distribution<int64_t>(1, tree_size)(random);
    v1::GetInclusionProofRequest request;
    request.set_revision(revision);
    request.set_tree_size(tree_size);
    v1::GetInclusionProofResponse proof;
    grpc::ClientContext context;
    Authorize(context, *token);
    const absl::Time t0 = absl::Now();
    grpc::Status status = stub->GetInclusionProof(&context, request, &proof);
    inclusion.Record(absl::Now() - t0);
    if (!status.ok()) return Fail(StatusOf(status, "GetInclusionProof"));
    absl::StatusOr<Hash> tree_root = tree.RootAt(static_cast<uint64_t>(tree_size));
    if (!tree_root.ok()) return Fail(tree_root.status());
    absl::Status verified =
        VerifyInclusion(static_cast<uint64_t>(revision - 1), static_cast<uint64_t>(tree_size),
                        tree.LeafAt(static_cast<uint64_t>(revision - 1)), HashesOf(proof.hashes()),
                        *tree_root);
    if (!verified.ok()) return Fail(verified);
  }
  std::printf("INCLUSION tree_size=%" PRId64 " %s\n", size, Quantiles(inclusion).c_str());

  LatencyHistogram consistency;
  for (int i = 0; i < proofs; ++i) {
    const int64_t second = std::uniform_int_distribution<int64_t>(size / 2, size)(random);
    const int64_t first = std::uniform_int_distribution<int64_t>(1, second)(random);
    v1::GetConsistencyProofRequest request;
    request.set_first_tree_size(first);
    request.set_second_tree_size(second);
    v1::GetConsistencyProofResponse proof;
    grpc::ClientContext context;
    Authorize(context, *token);
    const absl::Time t0 = absl::Now();
    grpc::Status status = stub->GetConsistencyProof(&context, request, &proof);
    consistency.Record(absl::Now() - t0);
    if (!status.ok()) return Fail(StatusOf(status, "GetConsistencyProof"));
    absl::StatusOr<Hash> first_root = tree.RootAt(static_cast<uint64_t>(first));
    absl::StatusOr<Hash> second_root = tree.RootAt(static_cast<uint64_t>(second));
    if (!first_root.ok() || !second_root.ok()) return Fail(absl::InternalError("no root"));
    absl::Status verified =
        VerifyConsistency(static_cast<uint64_t>(first), static_cast<uint64_t>(second), *first_root,
                          *second_root, HashesOf(proof.hashes()));
    if (!verified.ok()) return Fail(verified);
  }
  std::printf("CONSISTENCY tree_size=%" PRId64 " %s\n", size, Quantiles(consistency).c_str());
  return 0;
}

// --mode=live.
int Live() {
  absl::StatusOr<std::string> token = ReadToken(absl::GetFlag(FLAGS_token_file));
  if (!token.ok()) return Fail(token.status());
  absl::StatusOr<std::string> watch_token = ReadToken(absl::GetFlag(FLAGS_watch_token_file));
  if (!watch_token.ok()) return Fail(watch_token.status());
  absl::StatusOr<std::vector<TrackingPair>> pairs =
      ReadTrackingPairs(absl::GetFlag(FLAGS_pairs_in));
  if (!pairs.ok()) return Fail(pairs.status());
  const double rate = std::max(1.0, absl::GetFlag(FLAGS_rate));
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  const size_t calls = std::min(pairs->size(), static_cast<size_t>(rate * absl::ToDoubleSeconds(duration)));

  std::shared_ptr<grpc::Channel> channel = Connect();
  auto feed = IntegrationService::NewStub(channel);
  auto complaints = v1::ComplaintService::NewStub(channel);

  // Where the feed is now: the consumer starts there.
  int64_t head = 0;
  {
    v1::ListChangesRequest request;
    request.set_page_size(1);
    v1::ListChangesResponse response;
    grpc::ClientContext context;
    Authorize(context, *watch_token);
    grpc::Status status = feed->ListChanges(&context, request, &response);
    if (!status.ok()) return Fail(StatusOf(status, "ListChanges"));
    head = response.head_revision();
  }

  // The answer and arrival time of each complaint's VERIFIED change; the
  // latency is known once both are.
  absl::Mutex mu;
  absl::flat_hash_map<std::string, absl::Time> answered;  // complaint name -> answer time
  absl::flat_hash_map<std::string, absl::Time> arrived;   // complaint name -> arrival time
  LatencyHistogram latency;
  int64_t early = 0;  // changes that reached the consumer before the caller had its answer
  auto settle = [&](absl::Time answer, absl::Time arrival) {
    if (arrival < answer) ++early;
    latency.Record(std::max(absl::ZeroDuration(), arrival - answer));
  };

  grpc::ClientContext watch_context;
  Authorize(watch_context, *watch_token, duration + absl::Minutes(5));
  v1::WatchChangesRequest watch_request;
  watch_request.set_after_revision(head);
  std::unique_ptr<grpc::ClientReader<v1::WatchChangesResponse>> reader =
      feed->WatchChanges(&watch_context, watch_request);
  std::atomic<int64_t> seen{0};
  std::thread watcher([&] {
    v1::WatchChangesResponse message;
    while (reader->Read(&message)) {
      if (!message.has_change() || message.change().event().type() != "VERIFIED") continue;
      const absl::Time now = absl::Now();
      const std::string& name = message.change().complaint();
      absl::MutexLock lock(&mu);
      if (auto it = answered.find(name); it != answered.end()) {
        settle(it->second, now);
        answered.erase(it);
      } else {
        arrived[name] = now;
      }
      seen.fetch_add(1);
    }
  });

  // Open loop: call i is due at start + i / rate, whoever is free sends it.
  constexpr int kSenders = 32;
  std::atomic<size_t> next{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> late_starts{0};
  const absl::Time start = absl::Now() + absl::Milliseconds(200);
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&] {
      for (size_t i = next.fetch_add(1); i < calls; i = next.fetch_add(1)) {
        const absl::Time due = start + absl::Seconds(static_cast<double>(i) / rate);
        const absl::Time now = absl::Now();
        if (due > now) {
          absl::SleepFor(due - now);
        } else if (now - due > absl::Milliseconds(50)) {
          late_starts.fetch_add(1);
        }
        v1::VerifyComplaintRequest request;
        const std::string name = absl::StrCat("complaints/", (*pairs)[i].reference_number);
        request.set_name(name);
        request.set_etag("v1");
        v1::VerifyComplaintResponse response;
        grpc::ClientContext context;
        Authorize(context, *token);
        grpc::Status status = complaints->VerifyComplaint(&context, request, &response);
        const absl::Time answer = absl::Now();
        if (!status.ok()) {
          failed.fetch_add(1);
          continue;
        }
        absl::MutexLock lock(&mu);
        if (auto it = arrived.find(name); it != arrived.end()) {
          settle(answer, it->second);
          arrived.erase(it);
        } else {
          answered[name] = answer;
        }
      }
    });
  }
  for (std::thread& t : senders) t.join();
  const absl::Duration sent_in = absl::Now() - start;
  const int64_t ok = static_cast<int64_t>(calls) - failed.load();
  // Wait for the last changes (a few seconds at most), then stop watching.
  const absl::Time wait_until = absl::Now() + absl::Seconds(10);
  while (seen.load() < ok && absl::Now() < wait_until) absl::SleepFor(absl::Milliseconds(10));
  watch_context.TryCancel();
  watcher.join();
  reader->Finish();

  absl::MutexLock lock(&mu);
  std::printf(
      "LIVE rate=%.0f sent=%zu seconds=%.1f ok=%" PRId64 " failed=%" PRId64 " late_starts=%" PRId64
      " seen=%" PRId64 " missing=%zu early=%" PRId64 " %s\n",
      rate, calls, absl::ToDoubleSeconds(sent_in), ok, failed.load(), late_starts.load(),
      seen.load(), answered.size(), early, Quantiles(latency).c_str());
  return answered.empty() ? 0 : 1;
}

}  // namespace
}  // namespace dumas::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "dumas_feed_bench --mode=seed_events|catchup|log|live (see tools/bench-feed)");
  absl::ParseCommandLine(argc, argv);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "seed_events") return dumas::bench::SeedEvents();
  if (mode == "catchup") return dumas::bench::Catchup();
  if (mode == "log") return dumas::bench::Log();
  if (mode == "live") return dumas::bench::Live();
  std::fprintf(stderr, "dumas_feed_bench: --mode must be seed_events, catchup, log or live\n");
  return 2;
}
