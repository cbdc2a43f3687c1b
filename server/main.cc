// dumasd: the Dumas server and its administrative commands. Flags are parsed
// here only; everything else lives in the libraries.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/complaint.h"
#include "domain/signed_note.h"
#include "server/dumas_server.h"
#include "server/log.h"
#include "storage/keyring.h"
#include "storage/migrator.h"
#include "storage/mysql_change_log.h"
#include "storage/mysql_store.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "host:port to serve gRPC on");
ABSL_FLAG(std::string, mysql_host, "127.0.0.1", "MariaDB/MySQL host");
ABSL_FLAG(int, mysql_port, 3306, "MariaDB/MySQL TCP port");
ABSL_FLAG(std::string, mysql_socket, "", "MariaDB/MySQL Unix socket; used instead of host:port when set");
ABSL_FLAG(std::string, mysql_user, "root", "database user");
ABSL_FLAG(std::string, mysql_password_file, "", "file whose first line is the database password; empty: no password");
ABSL_FLAG(std::string, mysql_database, "dumas", "database (schema) name");
ABSL_FLAG(std::string, mysql_ssl_ca, "", "CA certificate; when set, TLS to the database is required and verified");
ABSL_FLAG(int, pool_size, 64, "database connections");
ABSL_FLAG(absl::Duration, tracking_cache_ttl, absl::Seconds(2),
          "how long a tracking answer is reused; changes through another server show after at "
          "most this long; 0 disables");
ABSL_FLAG(std::string, key_file, ".local/keys/dumas.keys", "key file (AEAD and index keys), kept outside the database");
ABSL_FLAG(int, max_threads, 512, "upper bound of gRPC handler threads");
ABSL_FLAG(int, min_pollers, 64, "gRPC handler threads kept waiting for calls");
ABSL_FLAG(int, max_receive_message_bytes, 256 * 1024, "largest request accepted, in bytes");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10), "time in-flight calls get to finish on SIGTERM");
ABSL_FLAG(absl::Duration, startup_timeout, absl::Seconds(60), "how long serve waits for the database at start");
ABSL_FLAG(std::string, log_origin, "dumas.polres-palu.polri.go.id/log",
          "the transparency log's origin: the first line of its checkpoints, and the name of "
          "its key; one per resort");
ABSL_FLAG(absl::Duration, checkpoint_interval, absl::Seconds(10),
          "how often the transparency log signs a checkpoint while it grows");
ABSL_FLAG(bool, reflection, true,
          "serve gRPC server reflection (grpcurl, buf curl); switch off in production and "
          "give callers dumas.protoset instead");
ABSL_FLAG(std::string, role, "", "create-token: GATEWAY, INTAKE, UNIT, SUPERVISOR, OVERSIGHT or ADMIN");
ABSL_FLAG(std::string, name, "", "create-token: the principal's unique name");
ABSL_FLAG(std::string, unit, "", "create-token: the unit id, for UNIT principals");
ABSL_FLAG(std::string, channels, "",
          "create-token: for GATEWAY principals (required), the channels it serves, "
          "comma-separated: WEB, FACEBOOK, EMAIL, TWITTER, WHATSAPP, PHONE, WALK_IN, KOMPOLNAS");
ABSL_FLAG(bool, replace, false, "create-token: revoke an active principal of the same name first");

namespace dumas {
namespace {

constexpr char kUsage[] = R"(Dumas: the public-complaint service of Polres Palu.

Usage: dumasd [command] [flags]

Commands:
  serve          migrate the database, then serve gRPC until SIGTERM or SIGINT (default)
  migrate        create the database if missing and apply migrations
  keygen         write a new key file at --key_file (refuses to overwrite)
  create-token   create a principal (--role, --name, [--unit], [--channels], [--replace]) and
                 print its bearer token; a GATEWAY needs --channels
  log-key        print the transparency log's verifier key (of --key_file and --log_origin),
                 to hand to Kompolnas and other verifiers out of band
)";

absl::StatusOr<MySqlOptions> DatabaseOptions() {
  MySqlOptions options;
  options.host = absl::GetFlag(FLAGS_mysql_host);
  options.port = absl::GetFlag(FLAGS_mysql_port);
  options.socket = absl::GetFlag(FLAGS_mysql_socket);
  options.user = absl::GetFlag(FLAGS_mysql_user);
  options.database = absl::GetFlag(FLAGS_mysql_database);
  options.ssl_ca = absl::GetFlag(FLAGS_mysql_ssl_ca);
  options.pool_size = absl::GetFlag(FLAGS_pool_size);
  options.tracking_cache_ttl = absl::GetFlag(FLAGS_tracking_cache_ttl);
  if (const std::string file = absl::GetFlag(FLAGS_mysql_password_file); !file.empty()) {
    std::ifstream in(file);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read --mysql_password_file ", file));
    std::getline(in, options.password);
  }
  return options;
}

// Signals are blocked in every thread and taken by sigwait, so a handler never
// runs inside library code.
sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Waits up to `timeout` for SIGINT/SIGTERM; true if one came.
bool StopRequestedWithin(absl::Duration timeout) {
  const sigset_t set = StopSignals();
  const timespec ts = absl::ToTimespec(timeout);
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

int Fail(absl::string_view event, const absl::Status& status) {
  Log(LogLevel::kError, event,
      {{"code", absl::StatusCodeToString(status.code())}, {"detail", status.message()}});
  return 1;
}

// Prints the log's verifier key: verifiers must get it from the resort, not
// from the server they check.
int PrintLogKey() {
  absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(absl::GetFlag(FLAGS_key_file));
  if (!keyring.ok()) return Fail("key_file_unreadable", keyring.status());
  absl::StatusOr<NoteSigner> signer =
      NoteSigner::FromSeed(absl::GetFlag(FLAGS_log_origin), keyring->LogSigningSeed());
  if (!signer.ok()) return Fail("bad_flags", signer.status());
  std::printf("%s\n", signer->verifier_key().Text().c_str());
  return 0;
}

// Applies migrations, retrying while the database is unreachable.
absl::Status MigrateWhenReachable(const MySqlOptions& options, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    absl::Status status = Migrate(options);
    if (!absl::IsUnavailable(status) || absl::Now() >= deadline) return status;
    Log(LogLevel::kWarning, "database_unreachable", {{"retry_in_ms", int64_t{1000}}});
    if (StopRequestedWithin(absl::Seconds(1))) return absl::CancelledError("stopped while starting");
  }
}

absl::StatusOr<std::unique_ptr<MySqlStore>> OpenStore(const MySqlOptions& options) {
  absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(absl::GetFlag(FLAGS_key_file));
  if (!keyring.ok()) return keyring.status();
  return MySqlStore::Open(options, *std::move(keyring));
}

int Serve(const MySqlOptions& db) {
  if (absl::Status status = MigrateWhenReachable(db, absl::GetFlag(FLAGS_startup_timeout));
      !status.ok()) {
    return absl::IsCancelled(status) ? 0 : Fail("migrate_failed", status);
  }
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = OpenStore(db);
  if (!store.ok()) return Fail("store_open_failed", store.status());

  ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.max_threads = absl::GetFlag(FLAGS_max_threads);
  options.min_pollers = absl::GetFlag(FLAGS_min_pollers);
  options.max_receive_message_bytes = absl::GetFlag(FLAGS_max_receive_message_bytes);
  options.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  options.reflection = absl::GetFlag(FLAGS_reflection);
  MySqlChangeLog::Options log_options;
  log_options.origin = absl::GetFlag(FLAGS_log_origin);
  log_options.checkpoint_interval = absl::GetFlag(FLAGS_checkpoint_interval);
  absl::StatusOr<std::unique_ptr<MySqlChangeLog>> change_log =
      MySqlChangeLog::Start(**store, db, log_options);
  if (!change_log.ok()) return Fail("change_log_failed", change_log.status());
  absl::StatusOr<std::unique_ptr<DumasServer>> server =
      DumasServer::Start(options, StoresOf(**store, **change_log));
  if (!server.ok()) return Fail("listen_failed", server.status());
  Log(LogLevel::kInfo, "serving",
      {{"listen", options.listen}, {"port", int64_t{(*server)->port()}}});

  std::thread stopper([s = server->get()] {
    const sigset_t set = StopSignals();
    int signal = 0;
    sigwait(&set, &signal);
    Log(LogLevel::kInfo, "signal", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    s->Shutdown();
  });
  (*server)->Wait();
  stopper.join();
  server->reset();
  change_log->reset();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

int CreateToken(const MySqlOptions& db) {
  const std::optional<Role> role =
      RoleFromName(absl::AsciiStrToUpper(absl::GetFlag(FLAGS_role)));
  const std::string name = absl::GetFlag(FLAGS_name);
  if (!role.has_value() || name.empty()) {
    std::fprintf(stderr, "create-token needs --role (GATEWAY, INTAKE, UNIT, SUPERVISOR, "
                         "OVERSIGHT or ADMIN) and --name\n");
    return 2;
  }
  ChannelSet channels;
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_channels), ',', absl::SkipWhitespace())) {
    const std::optional<Channel> channel =
        ChannelFromName(absl::AsciiStrToUpper(absl::StripAsciiWhitespace(part)));
    if (!channel.has_value()) {
      std::fprintf(stderr, "--channels: '%s' is not a channel (WEB, FACEBOOK, EMAIL, TWITTER, "
                           "WHATSAPP, PHONE, WALK_IN, KOMPOLNAS)\n",
                   std::string(part).c_str());
      return 2;
    }
    channels.insert(*channel);
  }
  if (*role == Role::kGateway && channels.empty()) {
    std::fprintf(stderr, "create-token: a GATEWAY serves one or more channels: pass --channels, "
                         "such as --channels=WHATSAPP\n");
    return 2;
  }
  if (*role != Role::kGateway && !channels.empty()) {
    std::fprintf(stderr, "create-token: --channels is only for GATEWAY principals\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = OpenStore(db);
  if (!store.ok()) return Fail("store_open_failed", store.status());
  if (absl::GetFlag(FLAGS_replace)) {
    absl::Status revoked = (*store)->RevokePrincipal(name);
    if (!revoked.ok() && !absl::IsNotFound(revoked)) return Fail("revoke_failed", revoked);
  }
  absl::StatusOr<std::string> token =
      (*store)->CreatePrincipal(name, *role, absl::GetFlag(FLAGS_unit), channels);
  if (!token.ok()) return Fail("create_token_failed", token.status());
  std::printf("%s\n", token->c_str());
  return 0;
}

int Main(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask.
  const sigset_t stop = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Debian builds Abseil without NDEBUG, which leaves deadlock detection on:
  // bookkeeping on every absl::Mutex operation, gRPC's own included.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  absl::SetProgramUsageMessage(kUsage);
  const std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string command = args.size() > 1 ? args[1] : "serve";
  if (args.size() > 2) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  if (command == "keygen") {
    absl::Status status = Keyring::GenerateFile(absl::GetFlag(FLAGS_key_file));
    return status.ok() ? 0 : Fail("keygen_failed", status);
  }
  if (command == "log-key") return PrintLogKey();
  absl::StatusOr<MySqlOptions> db = DatabaseOptions();
  if (!db.ok()) return Fail("bad_flags", db.status());
  if (command == "serve") return Serve(*db);
  if (command == "migrate") {
    absl::Status status = Migrate(*db);
    return status.ok() ? 0 : Fail("migrate_failed", status);
  }
  if (command == "create-token") return CreateToken(*db);
  std::fprintf(stderr, "unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}

}  // namespace
}  // namespace dumas

int main(int argc, char** argv) { return dumas::Main(argc, argv); }
