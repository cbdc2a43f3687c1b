// storage_bench: load on MySqlStore alone, without gRPC, to see what the
// storage layer costs and how close it gets to raw MariaDB.
//
//   storage_bench --socket=/tmp/storage-db/mysqld.sock [--threads=64] [--seconds=10]
//
// In a fresh database dumas_bench_<hex> (dropped at the end) it measures, in
// this order: raw single-row INSERT transactions (autocommit, the durable
// ceiling), MySqlStore::Submit with a request_id and a receipt (as the
// server submits), MySqlStore::Track of the complaints just submitted, and
// MySqlStore::Mutate (a state transition with its event, and one that also
// queues a notification), each caller on its own complaints. Prints calls/s
// and p50/p99 latency of each.
//
// With --list_complaints=N it then tops the table up to N complaints, spreads
// them over states, handling and subject units, categories and deadlines,
// and measures ListComplaints pages of 51 rows (the server asks for
// page_size + 1) at the newest end and 90% deep into the ordering:
// unfiltered, by states, in a UNIT scope, overdue only, and by subject unit,
// category and handling unit; one caller at a time, the median of
// --list_iterations calls each.
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cppconn/connection.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/reference_number.h"
#include "storage/connection_pool.h"
#include "storage/keyring.h"
#include "storage/migrator.h"
#include "storage/mysql_store.h"

ABSL_FLAG(std::string, socket, "", "MariaDB Unix socket");
ABSL_FLAG(std::string, host, "127.0.0.1", "MariaDB host (when no socket)");
ABSL_FLAG(int, port, 3306, "MariaDB port (when no socket)");
ABSL_FLAG(int, threads, 64, "concurrent callers");
ABSL_FLAG(int, seconds, 10, "duration of each phase");
ABSL_FLAG(bool, raw, true, "measure raw INSERT transactions too");
ABSL_FLAG(int, server_pid, 0, "MariaDB's pid: also print its CPU time per call");
ABSL_FLAG(bool, keep_database, false, "keep the database for inspection");
ABSL_FLAG(bool, mutate, true, "measure MySqlStore::Mutate");
ABSL_FLAG(int, list_complaints, 0,
          "complaints to load before measuring ListComplaints first vs deep pages (0: skip)");
ABSL_FLAG(int, list_iterations, 300, "calls per ListComplaints measurement");

namespace dumas {
namespace {

constexpr char kCreateRawTable[] =
    "CREATE TABLE bench_raw (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
    " payload VARCHAR(255) NOT NULL) ENGINE=InnoDB";
constexpr char kInsertRaw[] = "INSERT INTO bench_raw (payload) VALUES (?)";

// CPU time (user + system) of a process so far: /proc/<pid>/stat.
absl::Duration ProcessCpu(int pid) {
  FILE* f = std::fopen(absl::StrCat("/proc/", pid, "/stat").c_str(), "r");
  if (f == nullptr) return absl::ZeroDuration();
  char buf[1024];
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // Fields after the command name, which is in parentheses.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return absl::ZeroDuration();
  long long utime = 0, stime = 0;
  std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld", &utime, &stime);
  return absl::Seconds(static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK));
}

struct Result {
  absl::Duration server_cpu;
  absl::Duration client_cpu;
  int64_t calls = 0;
  int64_t errors = 0;
  std::vector<int64_t> micros;
};

// Runs `call` (returning success) on `threads` threads for `duration`.
Result RunPhase(int threads, absl::Duration duration, const std::function<bool(int)>& call) {
  std::vector<Result> results(threads);
  std::vector<std::thread> workers;
  const int server = absl::GetFlag(FLAGS_server_pid);
  const absl::Duration server_cpu = ProcessCpu(server);
  const absl::Duration client_cpu = ProcessCpu(getpid());
  const absl::Time end = absl::Now() + duration;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Result& r = results[t];
      while (absl::Now() < end) {
        const absl::Time start = absl::Now();
        const bool ok = call(t);
        r.micros.push_back(absl::ToInt64Microseconds(absl::Now() - start));
        ++r.calls;
        if (!ok) ++r.errors;
      }
    });
  }
  for (std::thread& w : workers) w.join();
  Result total;
  total.server_cpu = ProcessCpu(server) - server_cpu;
  total.client_cpu = ProcessCpu(getpid()) - client_cpu;
  for (Result& r : results) {
    total.calls += r.calls;
    total.errors += r.errors;
    total.micros.insert(total.micros.end(), r.micros.begin(), r.micros.end());
  }
  std::sort(total.micros.begin(), total.micros.end());
  return total;
}

void Print(const char* name, const Result& r, absl::Duration duration) {
  auto pct = [&](double p) -> double {
    if (r.micros.empty()) return 0;
    return r.micros[std::min(r.micros.size() - 1, static_cast<size_t>(p * r.micros.size()))] /
           1000.0;
  };
  const double calls = std::max<int64_t>(r.calls, 1);
  std::printf(
      "%-26s %7.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  errors %lld  cpu/call: client %4.0f us, "
      "server %4.0f us\n",
      name, r.calls / absl::ToDoubleSeconds(duration), pct(0.50), pct(0.99),
      static_cast<long long>(r.errors), absl::ToDoubleMicroseconds(r.client_cpu) / calls,
      absl::ToDoubleMicroseconds(r.server_cpu) / calls);
}

NewComplaint SampleComplaint(int64_t principal, int n) {
  NewComplaint c;
  c.draft.description = absl::StrCat(
      "Petugas di loket SPKT meminta uang tambahan untuk pengurusan laporan kehilangan. ", n);
  c.draft.incident_time = absl::Now() - absl::Hours(48);
  c.draft.incident_location = "Jl. Sam Ratulangi, Palu";
  c.draft.category_id = "pelayanan-buruk";
  c.draft.channel = Channel::kWeb;
  c.draft.reply_address = "warga@example.com";
  c.draft.subject.unit_id = "spkt";
  c.draft.subject.officer_name = "Bripka X";
  c.draft.identity = Identity{"Siti Aminah", "7271014501900001", "+6281234567890",
                              "warga@example.com", "Jl. Contoh No. 1, Palu"};
  c.tracking_code = TrackingCode::Generate();
  c.sp3d_due_date = absl::CivilDay(2026, 2, 1);
  c.submitted_by = principal;
  unsigned char id[16];
  randombytes_buf(id, sizeof id);
  c.request_id = std::string(reinterpret_cast<char*>(id), sizeof id);
  c.request_fingerprint = absl::StrCat("fp", n);
  // As the server does: the receipt, holding the tracking code, is queued in
  // the submission's transaction.
  c.receipt_text = [code = c.tracking_code](const std::string& reference) {
    return absl::StrCat("Yth. Pelapor, pengaduan Anda telah kami terima dengan nomor ", reference,
                        ". Kode pelacakan (rahasiakan): ", code,
                        ". Polres Palu - Layanan Pengaduan Masyarakat (Dumas)");
  };
  return c;
}

// Runs `sql` on a connection of its own (setup of the list benchmark only).
bool Execute(const MySqlOptions& options, const std::string& sql) {
  absl::StatusOr<std::unique_ptr<sql::Connection>> c = DialMySql(options, true);
  if (!c.ok()) return false;
  std::unique_ptr<sql::Statement> s((*c)->createStatement());
  s->execute(sql);
  return true;
}

// The (create_time, id) of the row at `offset` in ListComplaints' order.
std::optional<ComplaintCursor> CursorAt(const MySqlOptions& options, int offset) {
  absl::StatusOr<std::unique_ptr<sql::Connection>> c = DialMySql(options, true);
  if (!c.ok()) return std::nullopt;
  std::unique_ptr<sql::Statement> s((*c)->createStatement());
  std::unique_ptr<sql::ResultSet> rs(s->executeQuery(absl::StrCat(
      "SELECT DATE_FORMAT(create_time, '%Y-%m-%d %H:%i:%s.%f'), id FROM complaints"
      " ORDER BY create_time DESC, id DESC LIMIT 1 OFFSET ",
      offset)));
  if (!rs->next()) return std::nullopt;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%E*S", rs->getString(1).asStdString(),
                       absl::UTCTimeZone(), &t, &error)) {
    return std::nullopt;
  }
  return ComplaintCursor{t, rs->getInt64(2)};
}

bool BenchListComplaints(MySqlStore& store, const MySqlOptions& options, int64_t principal,
                         int threads, int wanted) {
  // Top up to `wanted` complaints with Submit (so every row decrypts).
  std::atomic<int> have{0};
  {
    absl::StatusOr<std::unique_ptr<sql::Connection>> c = DialMySql(options, true);
    if (!c.ok()) return false;
    std::unique_ptr<sql::Statement> s((*c)->createStatement());
    std::unique_ptr<sql::ResultSet> rs(s->executeQuery("SELECT COUNT(*) FROM complaints"));
    rs->next();
    have = static_cast<int>(rs->getInt64(1));
  }
  const absl::Time load_start = absl::Now();
  std::vector<std::thread> loaders;
  for (int t = 0; t < threads; ++t) {
    loaders.emplace_back([&, t] {
      for (int n = have++; n < wanted; n = have++) {
        NewComplaint c = SampleComplaint(principal, n + 1000000 * (t + 1));
        c.request_id.clear();
        if (!store.Submit(c, [] { return ReferenceNumber::Generate(); }).ok()) return;
      }
    });
  }
  for (std::thread& t : loaders) t.join();
  std::printf("loaded up to %d complaints in %.1f s\n", wanted,
              absl::ToDoubleSeconds(absl::Now() - load_start));
  // Spread them over states, handling units and deadlines, as years of
  // handling would (the bench's own SQL, not the store's).
  if (!Execute(options,
               "UPDATE complaints SET state = 1 + id % 10,"
               " handling_unit_id = IF(id % 10 < 4, NULL, ELT(1 + id % 4, 'propam', 'siwas',"
               " 'sat-reskrim', 'sat-lantas')),"
               " sp3d_sent_at = IF(id % 10 < 4, NULL, create_time),"
               " result_due_date = IF(id % 10 < 4, NULL, '2026-01-01'),"
               " sp3d_due_date = IF(id % 3 = 0, '2026-01-01', '2099-01-01'),"
               " subject_unit_id = ELT(1 + id % 8, NULL, 'spkt', 'spkt', 'spkt', 'sat-lantas',"
               " 'sat-lantas', 'polsek-palu-barat', 'sat-narkoba'),"
               " category_id = ELT(1 + id % 6, 'pelayanan-buruk', 'pelayanan-buruk',"
               " 'pelayanan-buruk', 'korupsi', 'diskriminasi', 'pelanggaran-ham')") ||
      !Execute(options, "ANALYZE TABLE complaints")) {
    return false;
  }
  const std::optional<ComplaintCursor> deep = CursorAt(options, wanted * 9 / 10);
  if (!deep.has_value()) return false;

  struct Case {
    const char* name;
    ComplaintFilter filter;
  };
  std::vector<Case> cases(7);
  cases[0].name = "all";
  cases[1].name = "states ASSIGNED|CLOSED";
  cases[1].filter.states = {ComplaintState::kAssigned, ComplaintState::kClosed};
  cases[2].name = "UNIT scope (sat-reskrim)";
  cases[2].filter.scope_handling_unit_id = "sat-reskrim";
  cases[2].filter.scope_exclude_subject_unit_id = "sat-reskrim";
  cases[3].name = "overdue";
  cases[3].filter.overdue_only = true;
  cases[3].filter.today = absl::CivilDay(2026, 6, 1);
  cases[4].name = "subject spkt (3/8)";
  cases[4].filter.subject_unit_id = "spkt";
  cases[5].name = "category korupsi (1/6)";
  cases[5].filter.category_id = "korupsi";
  cases[6].name = "handling propam (3/20)";
  cases[6].filter.handling_unit_id = "propam";
  const int iterations = absl::GetFlag(FLAGS_list_iterations);
  for (const Case& c : cases) {
    double micros[2] = {0, 0};
    size_t rows[2] = {0, 0};
    for (int which = 0; which < 2; ++which) {
      const std::optional<ComplaintCursor> after =
          which == 0 ? std::nullopt : std::optional<ComplaintCursor>(deep);
      std::vector<int64_t> samples;
      for (int i = 0; i < iterations; ++i) {
        const absl::Time start = absl::Now();
        absl::StatusOr<std::vector<ListedComplaint>> page =
            store.ListComplaints(c.filter, after, 51);
        samples.push_back(absl::ToInt64Microseconds(absl::Now() - start));
        if (!page.ok()) {
          std::fprintf(stderr, "list: %s\n", page.status().ToString().c_str());
          return false;
        }
        rows[which] = page->size();
      }
      std::sort(samples.begin(), samples.end());
      micros[which] = static_cast<double>(samples[samples.size() / 2]);
    }
    std::printf("ListComplaints %-26s first page %7.0f us (%zu rows)  90%% deep %7.0f us (%zu rows)"
                "  deep/first %.2f\n",
                c.name, micros[0], rows[0], micros[1], rows[1], micros[1] / micros[0]);
  }
  return true;
}

int Main() {
  if (sodium_init() < 0) return 1;
  MySqlOptions options;
  options.socket = absl::GetFlag(FLAGS_socket);
  options.host = absl::GetFlag(FLAGS_host);
  options.port = absl::GetFlag(FLAGS_port);
  const int threads = absl::GetFlag(FLAGS_threads);
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  options.pool_size = threads;
  unsigned char suffix[6];
  randombytes_buf(suffix, sizeof suffix);
  char hex[2 * sizeof suffix + 1];
  sodium_bin2hex(hex, sizeof hex, suffix, sizeof suffix);
  options.database = absl::StrCat("dumas_bench_", hex);

  const std::filesystem::path key_file =
      std::filesystem::temp_directory_path() / absl::StrCat("dumas_bench_", hex, ".keys");
  if (absl::Status s = Keyring::GenerateFile(key_file.string()); !s.ok()) {
    std::fprintf(stderr, "keygen: %s\n", s.ToString().c_str());
    return 1;
  }
  absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(key_file.string());
  std::filesystem::remove(key_file);
  if (!keyring.ok()) return 1;
  if (absl::Status s = Migrate(options); !s.ok()) {
    std::fprintf(stderr, "migrate: %s\n", s.ToString().c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = MySqlStore::Open(options, *std::move(keyring));
  if (!store.ok()) return 1;
  absl::StatusOr<std::string> token = (*store)->CreatePrincipal("bench", Role::kGateway, "");
  absl::StatusOr<Principal> principal = (*store)->Authenticate(*token);
  if (!principal.ok()) return 1;

  std::printf("storage_bench: %d threads, %d s per phase, database %s\n", threads,
              absl::GetFlag(FLAGS_seconds), options.database.c_str());

  // The ceiling: one durable single-row INSERT per transaction.
  if (absl::GetFlag(FLAGS_raw)) {
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(options);
    if (!pool.ok()) return 1;
    (void)(*pool)->Run([](PooledConnection& c) {
      std::unique_ptr<sql::Statement> s(c.connection().createStatement());
      s->execute(kCreateRawTable);
      return absl::OkStatus();
    });
    Result raw = RunPhase(threads, duration, [&](int) {
      return (*pool)
          ->Run([](PooledConnection& c) {
            sql::PreparedStatement& s = c.Statement(kInsertRaw);
            s.setString(1, "payload of a typical size for a small row");
            s.executeUpdate();
            return absl::OkStatus();
          })
          .ok();
    });
    Print("raw INSERT (autocommit)", raw, duration);
  }

  std::vector<std::vector<std::pair<std::string, std::string>>> submitted(threads);
  std::atomic<int> counter{0};
  Result submit = RunPhase(threads, duration, [&](int t) {
    NewComplaint c = SampleComplaint(principal->id, counter++);
    absl::StatusOr<SubmittedComplaint> r =
        (*store)->Submit(c, [] { return ReferenceNumber::Generate(); });
    if (!r.ok()) {
      std::fprintf(stderr, "submit: %s\n", r.status().ToString().c_str());
      return false;
    }
    submitted[t].emplace_back(r->complaint.reference_number, r->tracking_code);
    return true;
  });
  Print("MySqlStore::Submit", submit, duration);

  std::vector<size_t> next(threads, 0);
  Result track = RunPhase(threads, duration, [&](int t) {
    const auto& mine = submitted[t];
    if (mine.empty()) return false;
    const auto& [reference, code] = mine[next[t]++ % mine.size()];
    return (*store)->Track(reference, code).ok();
  });
  Print("MySqlStore::Track", track, duration);

  if (absl::GetFlag(FLAGS_mutate)) {
    // A transition on the caller's own complaints: the state goes round
    // VERIFIED and back (the cost is the same whatever the states), with an
    // event, and in the second phase a notification too.
    for (const bool notify : {false, true}) {
      std::vector<size_t> cursor(threads, 0);
      Result mutate = RunPhase(threads, duration, [&](int t) {
        const auto& mine = submitted[t];
        if (mine.empty()) return false;
        const std::string& reference = mine[cursor[t]++ % mine.size()].first;
        ChangeRequest change;
        change.actor_principal_id = principal->id;
        absl::StatusOr<Complaint> changed = (*store)->Mutate(
            reference, change, [](const Complaint&) { return absl::OkStatus(); },
            [&](const Complaint& current) -> absl::StatusOr<ComplaintUpdate> {
              ComplaintUpdate u;
              u.state = current.state == ComplaintState::kVerified ? ComplaintState::kReceived
                                                                   : ComplaintState::kVerified;
              u.event.type = "VERIFIED";
              u.event.from_state = current.state;
              u.event.to_state = u.state;
              u.event.is_public = true;
              u.event.public_message = "Pengaduan telah diverifikasi.";
              u.event.internal_note = "bench";
              if (notify) {
                u.notifications.push_back(
                    {NotificationKind::kSp3d,
                     "Yth. Pelapor, pengaduan Anda telah didisposisikan kepada Si Propam."});
              }
              return u;
            });
        if (!changed.ok()) {
          std::fprintf(stderr, "mutate: %s\n", changed.status().ToString().c_str());
        }
        return changed.ok();
      });
      Print(notify ? "Mutate (+1 notification)" : "Mutate (transition)", mutate, duration);
    }
  }

  if (const int wanted = absl::GetFlag(FLAGS_list_complaints); wanted > 0) {
    if (!BenchListComplaints(**store, options, principal->id, threads, wanted)) return 1;
  }

  store->reset();
  if (absl::GetFlag(FLAGS_keep_database)) return 0;
  absl::StatusOr<std::unique_ptr<sql::Connection>> admin = DialMySql(options, false);
  if (admin.ok()) {
    std::unique_ptr<sql::Statement> s((*admin)->createStatement());
    s->execute(absl::StrCat("DROP DATABASE `", options.database, "`"));
  }
  return 0;
}

}  // namespace
}  // namespace dumas

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return dumas::Main();
}
