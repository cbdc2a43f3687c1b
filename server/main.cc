// dumasd: the Dumas server and its administrative commands. Flags are parsed
// here only; everything else lives in the libraries.
#include <signal.h>

#include <algorithm>
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
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/certificate_identity.h"
#include "domain/complaint.h"
#include "domain/signed_note.h"
#include "domain/string_view_interop.h"
#include "server/dumas_server.h"
#include "server/identity_retention.h"
#include "server/key_rotation.h"
#include "server/log.h"
#include "server/tls_credentials.h"
#include "storage/database_accounts.h"
#include "storage/keyring.h"
#include "storage/migrator.h"
#include "storage/mysql_change_log.h"
#include "storage/mysql_store.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "host:port to serve plaintext gRPC on, loopback only (see "
          "--allow_plaintext_on_any_address); empty: no plaintext");
ABSL_FLAG(bool, allow_plaintext_on_any_address, false,
          "let --listen be an address other than loopback: only behind a TLS-terminating "
          "proxy on this host");
ABSL_FLAG(std::string, tls_listen, "", "host:port to serve gRPC over TLS on; empty: no TLS");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM: the server's certificate and its chain (re-read on SIGHUP)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM: the server's private key, unencrypted (re-read on SIGHUP)");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM: the CAs that issue client certificates (re-read on SIGHUP)");
ABSL_FLAG(std::string, tls_client_certificates, "none",
          "none: clients present no certificate; optional: verified when presented; "
          "required: every TLS client presents one the client CA verifies");
ABSL_FLAG(bool, allow_privileged_database_account, false,
          "serve although the database account has global privileges (such as root)");
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
ABSL_FLAG(int, max_calls_in_flight, 128,
          "calls using the database admitted at once (about twice --pool_size); more are refused "
          "at once with RESOURCE_EXHAUSTED; 0 for no limit");
ABSL_FLAG(int, min_pollers, 64, "gRPC handler threads kept waiting for calls");
ABSL_FLAG(int, max_receive_message_bytes, 256 * 1024, "largest request accepted, in bytes");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10), "time in-flight calls get to finish on SIGTERM");
ABSL_FLAG(absl::Duration, shutdown_drain, absl::Seconds(1),
          "on SIGTERM, how long health says NOT_SERVING while calls are still served, before "
          "the port closes");
ABSL_FLAG(absl::Duration, startup_timeout, absl::Seconds(60), "how long serve waits for the database at start");
ABSL_FLAG(std::string, log_origin, "dumas.polres-palu.polri.go.id/log",
          "the transparency log's origin: the first line of its checkpoints, and the name of "
          "its key; one per resort");
ABSL_FLAG(absl::Duration, checkpoint_interval, absl::Seconds(10),
          "how often the transparency log signs a checkpoint while it grows");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9464",
          "host:port of the Prometheus metrics endpoint (GET /metrics); empty: none");
ABSL_FLAG(absl::Duration, statistics_interval, absl::Seconds(15),
          "how often the outbox, overdue-complaint and schema figures of the metrics are read");
ABSL_FLAG(absl::Duration, public_report_max_age, absl::Seconds(60),
          "how long a public Anev report (GetPublicAnevReport) is served again before it is"
          " computed anew; 0: computed for each call");
ABSL_FLAG(absl::Duration, outbox_stall_after, absl::Hours(1),
          "the health of 'dumas.outbox' is NOT_SERVING while a notification has waited longer "
          "than this for its gateway");
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
ABSL_FLAG(std::string, cert_identity, "",
          "create-token: bind the principal to a client-certificate identity (dns:NAME, uri:URI, "
          "email:ADDRESS, cn:NAME, subject:RFC2253, sha256:HEX); its calls then come over "
          "mutual TLS with that certificate");
ABSL_FLAG(bool, cert_only, false,
          "create-token: with --cert_identity, the certificate alone authenticates (no token is "
          "issued); without it, every call needs the certificate and the token");
ABSL_FLAG(std::string, migration_account, "dumas_migrate@localhost",
          "create-accounts: the migration account, user@host");
ABSL_FLAG(std::string, migration_password_file, "",
          "create-accounts: file whose first line is the migration account's password");
ABSL_FLAG(std::string, service_accounts, "dumas_service@localhost",
          "create-accounts: the service accounts, user@host, comma-separated");
ABSL_FLAG(std::string, service_password_file, "",
          "create-accounts: file whose first line is the service accounts' password");
ABSL_FLAG(bool, accounts_require_tls, false,
          "create-accounts: the accounts may connect only over TLS");
ABSL_FLAG(std::string, key_id, "", "set-current-key, remove-key: the data key's id");
ABSL_FLAG(bool, make_current, false,
          "add-key: make the new key current at once (one server; with several, add it to "
          "every key file first and make it current afterwards)");
ABSL_FLAG(int, batch_size, 500, "reencrypt, purge-identities: rows per transaction, 1-1000");
ABSL_FLAG(absl::Duration, batch_pause, absl::ZeroDuration(),
          "reencrypt: pause between batches, to leave the database to the service");
ABSL_FLAG(absl::Duration, identity_retention, dumas::kDefaultIdentityRetention,
          "purge-identities: how long after a complaint was closed its complainant's identity "
          "is kept (default 5 years)");

namespace dumas {
namespace {

constexpr char kUsage[] = R"(Dumas: the public-complaint service of Polres Palu.

Usage: dumasd [command] [flags]

Commands:
  serve            check the database account and schema (migrating when the account may),
                   then serve gRPC until SIGTERM or SIGINT; SIGHUP re-reads the TLS files
                   (default)
  migrate          create the database if missing, apply migrations, and grant the service
                   role its privileges; run as the migration account
  create-accounts  as a database administrator: create the migration account, the service
                   role and the service accounts (--migration_account,
                   --migration_password_file, --service_accounts, --service_password_file,
                   [--accounts_require_tls])
  keygen           write a new key file at --key_file (refuses to overwrite)
  create-token     create a principal (--role, --name, [--unit], [--channels], [--replace],
                   [--cert_identity [--cert_only]]) and print its bearer token; a GATEWAY
                   needs --channels
  log-key          print the transparency log's verifier key (of --key_file and --log_origin),
                   to hand to Kompolnas and other verifiers out of band

Rotation of the key that encrypts personal data (README.md, "Key rotation"):
  add-key          add a new data key to --key_file ([--make_current]); prints its id
  set-current-key  make --key_id the key that encrypts new values
  key-usage        list the data keys and the rows each encrypts
  reencrypt        move every row to the current key, in batches ([--batch_size],
                   [--batch_pause]); safe while dumasd serves
  remove-key       drop --key_id from --key_file; refused while any row uses it
A serving dumasd reads --key_file (and the TLS files) again on SIGHUP.

The complainant's personal data:
  purge-identities destroy the identities of complaints closed longer than
                   --identity_retention ago; prints the counts
)";

// The first line of a password file.
absl::StatusOr<std::string> ReadPasswordFile(const std::string& file, absl::string_view flag) {
  std::ifstream in(file);
  if (file.empty() || !in) return absl::NotFoundError(absl::StrCat("cannot read ", flag, " ", file));
  std::string password;
  std::getline(in, password);
  return password;
}

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
    absl::StatusOr<std::string> password = ReadPasswordFile(file, "--mysql_password_file");
    if (!password.ok()) return password.status();
    options.password = *std::move(password);
  }
  return options;
}

// The listeners of serve, from the flags.
absl::StatusOr<ServerOptions> ListenOptions() {
  ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.allow_plaintext_on_any_address = absl::GetFlag(FLAGS_allow_plaintext_on_any_address);
  options.tls_listen = absl::GetFlag(FLAGS_tls_listen);
  options.tls.certificate_file = absl::GetFlag(FLAGS_tls_cert_file);
  options.tls.private_key_file = absl::GetFlag(FLAGS_tls_key_file);
  options.tls.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  const std::optional<ClientCertificates> clients =
      ClientCertificatesFromName(absl::GetFlag(FLAGS_tls_client_certificates));
  if (!clients.has_value()) {
    return absl::InvalidArgumentError("--tls_client_certificates is none, optional or required");
  }
  options.tls.client_certificates = *clients;
  const bool tls_files = !options.tls.certificate_file.empty() ||
                         !options.tls.private_key_file.empty() ||
                         !options.tls.client_ca_file.empty() ||
                         *clients != ClientCertificates::kNone;
  if (options.tls_listen.empty() && tls_files) {
    return absl::InvalidArgumentError("the --tls_* files are given but --tls_listen is empty");
  }
  return options;
}

// Signals are blocked in every thread and taken by sigwait, so a handler never
// runs inside library code. SIGHUP (read the key file again) too.
sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Waits up to `timeout` for SIGINT/SIGTERM; true if one came. A SIGHUP while
// starting is dropped: the key file and the TLS files are read once the
// server starts.
bool StopRequestedWithin(absl::Duration timeout) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
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

// Runs `step` until it answers something other than UNAVAILABLE, for at
// most until `deadline`; CANCELLED when a stop signal comes meanwhile.
template <typename Step>
auto WhenReachable(absl::Time deadline, Step step) -> decltype(step()) {
  while (true) {
    auto result = step();
    if (!absl::IsUnavailable(result.status()) || absl::Now() >= deadline) return result;
    Log(LogLevel::kWarning, "database_unreachable",
        {{"retry_in_ms", int64_t{1000}}, {"detail", result.status().message()}});
    if (StopRequestedWithin(absl::Seconds(1))) return absl::CancelledError("stopped while starting");
  }
}

// Applies the migrations and grants the service role its privileges (a
// database without the role, such as one migrated as root for tests, gets
// none, and the log says so).
absl::Status MigrateAndGrant(const MySqlOptions& options) {
  if (absl::Status status = Migrate(options); !status.ok()) return status;
  absl::Status granted = GrantServiceRole(options);
  if (absl::IsNotFound(granted)) {
    Log(LogLevel::kWarning, "service_role_missing",
        {{"role", ServiceRoleName(options.database)}, {"detail", granted.message()}});
    return absl::OkStatus();
  }
  return granted;
}

// Before serving: the account must not be a superuser (unless allowed), and
// the schema must be current; a schema behind this binary is migrated when
// the account may (it is the migration account or an administrator), else
// the operator is told to run `dumasd migrate`.
absl::Status PrepareDatabase(const MySqlOptions& db) {
  const absl::Time deadline = absl::Now() + absl::GetFlag(FLAGS_startup_timeout);
  absl::StatusOr<AccountPrivileges> privileges =
      WhenReachable(deadline, [&] { return InspectAccount(db); });
  if (!privileges.ok()) return privileges.status();
  if (!privileges->global.empty()) {
    const std::string global = absl::StrJoin(privileges->global, ", ");
    if (!absl::GetFlag(FLAGS_allow_privileged_database_account)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the database account has global privileges (", global,
          "): dumasd serves as the service account of least privilege (dumasd "
          "create-accounts; docs/operations.md), or with --allow_privileged_database_account"));
    }
    Log(LogLevel::kWarning, "database_account_privileged", {{"global_privileges", global}});
  }
  if (!privileges->other_databases.empty()) {
    Log(LogLevel::kWarning, "database_account_reaches_other_databases",
        {{"databases", absl::StrJoin(privileges->other_databases, ", ")}});
  }
  absl::StatusOr<SchemaState> schema = WhenReachable(deadline, [&] { return CheckSchema(db); });
  if (!schema.ok()) return schema.status();
  if (*schema == SchemaState::kCurrent) return absl::OkStatus();
  absl::Status migrated = WhenReachable(deadline, [&]() -> absl::StatusOr<bool> {
    absl::Status status = MigrateAndGrant(db);
    if (!status.ok()) return status;
    return true;
  }).status();
  if (absl::IsPermissionDenied(migrated)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is ", *schema == SchemaState::kMissing ? "missing" : "behind",
        " this dumasd (version ", LatestSchemaVersion(),
        ") and this account may not migrate it: run dumasd migrate as the migration account "
        "first"));
  }
  return migrated;
}

absl::StatusOr<std::unique_ptr<MySqlStore>> OpenStore(const MySqlOptions& options) {
  absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(absl::GetFlag(FLAGS_key_file));
  if (!keyring.ok()) return keyring.status();
  return MySqlStore::Open(options, *std::move(keyring));
}

// FAILED_PRECONDITION naming the data keys that rows use and the key file
// lacks: a server without them could not read those rows.
absl::Status CheckKeysInUse(MySqlStore& store) {
  absl::StatusOr<std::vector<KeyUsage>> usage = store.ListKeyUsage();
  if (!usage.ok()) return usage.status();
  const std::vector<std::string> missing = MissingKeys(*usage, *store.keyring());
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("rows are encrypted with data keys that ", absl::GetFlag(FLAGS_key_file),
                   " lacks: ", absl::StrJoin(missing, "; "),
                   "; restore their 'data' lines (from the key file's backup)"));
}

// Reads the key file again for the running store (SIGHUP): a rotated key
// takes effect without a restart.
void ReloadKeys(MySqlStore& store) {
  absl::StatusOr<Keyring> keyring = Keyring::LoadFromFile(absl::GetFlag(FLAGS_key_file));
  absl::Status status = keyring.status();
  std::string current;
  if (keyring.ok()) {
    current = keyring->active_key_id();
    status = store.ReplaceKeyring(*std::move(keyring));
  }
  if (!status.ok()) {
    Log(LogLevel::kError, "keys_reload_failed",
        {{"code", absl::StatusCodeToString(status.code())}, {"detail", status.message()}});
    return;
  }
  Log(LogLevel::kInfo, "keys_reloaded", {{"current_key", current}});
}

int Serve(const MySqlOptions& db) {
  absl::StatusOr<ServerOptions> listen = ListenOptions();
  if (!listen.ok()) return Fail("bad_flags", listen.status());
  ServerOptions options = *std::move(listen);
  // Bad listening flags and TLS files are reported before waiting for the
  // database.
  if (absl::Status status = DumasServer::CheckOptions(options); !status.ok()) {
    return Fail("bad_flags", status);
  }
  if (absl::Status status = PrepareDatabase(db); !status.ok()) {
    return absl::IsCancelled(status) ? 0 : Fail("database_not_ready", status);
  }
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = OpenStore(db);
  if (!store.ok()) return Fail("store_open_failed", store.status());
  if (absl::Status keys = CheckKeysInUse(**store); !keys.ok()) {
    return Fail("key_file_incomplete", keys);
  }

  options.max_threads = absl::GetFlag(FLAGS_max_threads);
  options.min_pollers = absl::GetFlag(FLAGS_min_pollers);
  options.max_calls_in_flight = absl::GetFlag(FLAGS_max_calls_in_flight);
  options.max_receive_message_bytes = absl::GetFlag(FLAGS_max_receive_message_bytes);
  options.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.statistics_interval = absl::GetFlag(FLAGS_statistics_interval);
  options.outbox_stall_after = absl::GetFlag(FLAGS_outbox_stall_after);
  options.anev.public_max_age = absl::GetFlag(FLAGS_public_report_max_age);
  options.shutdown_drain = absl::GetFlag(FLAGS_shutdown_drain);
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
      {{"listen", options.listen},
       {"port", int64_t{(*server)->port()}},
       {"tls_listen", options.tls_listen},
       {"tls_port", int64_t{(*server)->tls_port()}},
       {"tls_client_certificates", absl::GetFlag(FLAGS_tls_client_certificates)},
       {"metrics_port", int64_t{(*server)->metrics_port()}}});

  // SIGHUP re-reads the key file and the TLS files; SIGTERM or SIGINT stops.
  std::thread stopper([s = server->get(), keys = store->get(), tls = !options.tls_listen.empty()] {
    const sigset_t set = StopSignals();
    int signal = 0;
    while (sigwait(&set, &signal) == 0 && signal == SIGHUP) {
      Log(LogLevel::kInfo, "signal", {{"signal", "SIGHUP"}});
      ReloadKeys(*keys);
      if (!tls) continue;
      absl::StatusOr<TlsMaterialInfo> reloaded = s->ReloadTls();
      if (reloaded.ok()) {
        Log(LogLevel::kInfo, "tls_reloaded",
            {{"certificate_sha256", reloaded->certificate_sha256},
             {"not_after", absl::FormatTime(reloaded->not_after)},
             {"client_cas", int64_t{reloaded->client_cas}}});
      } else {
        Log(LogLevel::kError, "tls_reload_failed",
            {{"code", absl::StatusCodeToString(reloaded.status().code())},
             {"detail", reloaded.status().message()},
             {"kept", "the certificate and key in use"}});
      }
    }
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

int CreateAccounts(const MySqlOptions& admin) {
  AccountSetup setup;
  setup.require_tls = absl::GetFlag(FLAGS_accounts_require_tls);
  absl::StatusOr<DatabaseAccount> migration =
      ParseDatabaseAccount(absl::GetFlag(FLAGS_migration_account));
  if (!migration.ok()) return Fail("bad_flags", migration.status());
  setup.migration = *std::move(migration);
  absl::StatusOr<std::string> migration_password = ReadPasswordFile(
      absl::GetFlag(FLAGS_migration_password_file), "--migration_password_file");
  if (!migration_password.ok()) return Fail("bad_flags", migration_password.status());
  setup.migration.password = *std::move(migration_password);
  absl::StatusOr<std::string> service_password =
      ReadPasswordFile(absl::GetFlag(FLAGS_service_password_file), "--service_password_file");
  if (!service_password.ok()) return Fail("bad_flags", service_password.status());
  for (absl::string_view part : absl::StrSplit(absl::GetFlag(FLAGS_service_accounts), ',',
                                               absl::SkipWhitespace())) {
    absl::StatusOr<DatabaseAccount> account =
        ParseDatabaseAccount(ToStd(absl::StripAsciiWhitespace(part)));
    if (!account.ok()) return Fail("bad_flags", account.status());
    account->password = *service_password;
    setup.service.push_back(*std::move(account));
  }
  absl::Status status = CreateDatabaseAccounts(admin, setup);
  if (!status.ok()) return Fail("create_accounts_failed", status);
  Log(LogLevel::kInfo, "accounts_ready",
      {{"database", admin.database},
       {"service_role", ServiceRoleName(admin.database)},
       {"service_accounts", int64_t(setup.service.size())}});
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
  int position = 0;
  for (absl::string_view part :
       absl::StrSplit(absl::GetFlag(FLAGS_channels), ',', absl::SkipWhitespace())) {
    ++position;
    const std::optional<Channel> channel =
        ChannelFromName(absl::AsciiStrToUpper(absl::StripAsciiWhitespace(part)));
    if (!channel.has_value()) {
      // The value is not repeated: whatever was typed stays out of logs.
      std::fprintf(stderr, "--channels: item %d is not a channel (WEB, FACEBOOK, EMAIL, TWITTER, "
                           "WHATSAPP, PHONE, WALK_IN, KOMPOLNAS)\n",
                   position);
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
  Principal principal;
  principal.name = name;
  principal.role = *role;
  principal.unit_id = absl::GetFlag(FLAGS_unit);
  principal.channels = channels;
  if (const std::string identity = absl::GetFlag(FLAGS_cert_identity); !identity.empty()) {
    absl::StatusOr<std::string> canonical = CanonicalCertificateIdentity(identity);
    if (!canonical.ok()) {
      std::fprintf(stderr, "--cert_identity: %s\n", std::string(canonical.status().message()).c_str());
      return 2;
    }
    principal.certificate_identity = *std::move(canonical);
  }
  principal.token_required = !absl::GetFlag(FLAGS_cert_only);
  if (!principal.token_required && principal.certificate_identity.empty()) {
    std::fprintf(stderr, "create-token: --cert_only needs --cert_identity\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = OpenStore(db);
  if (!store.ok()) return Fail("store_open_failed", store.status());
  if (absl::GetFlag(FLAGS_replace)) {
    absl::Status revoked = (*store)->RevokePrincipal(name);
    if (!revoked.ok() && !absl::IsNotFound(revoked)) return Fail("revoke_failed", revoked);
  }
  absl::StatusOr<std::pair<Principal, std::string>> created =
      (*store)->CreatePrincipalWithToken(principal);
  if (!created.ok()) return Fail("create_token_failed", created.status());
  // A principal of the certificate alone has no token to print.
  if (!created->second.empty()) std::printf("%s\n", created->second.c_str());
  return 0;
}

// --- Rotation of the data key ---------------------------------------------------

int AddKey() {
  absl::StatusOr<std::string> id =
      Keyring::AddDataKey(absl::GetFlag(FLAGS_key_file), absl::GetFlag(FLAGS_make_current));
  if (!id.ok()) return Fail("add_key_failed", id.status());
  std::printf("%s\n", id->c_str());
  return 0;
}

int SetCurrentKey() {
  const std::string key_id = absl::GetFlag(FLAGS_key_id);
  if (key_id.empty()) {
    std::fprintf(stderr, "set-current-key needs --key_id\n");
    return 2;
  }
  absl::Status status = Keyring::SetCurrentKey(absl::GetFlag(FLAGS_key_file), key_id);
  return status.ok() ? 0 : Fail("set_current_key_failed", status);
}

int ListKeys(const MySqlOptions& db) {
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = OpenStore(db);
  if (!store.ok()) return Fail("store_open_failed", store.status());
  absl::StatusOr<std::vector<KeyUsage>> usage = (*store)->ListKeyUsage();
  if (!usage.ok()) return Fail("key_usage_failed", usage.status());
  const std::shared_ptr<const Keyring> keyring = (*store)->keyring();
  std::vector<std::string> ids = keyring->data_key_ids();
  for (const KeyUsage& u : *usage) {
    if (std::find(ids.begin(), ids.end(), u.key_id) == ids.end()) ids.push_back(u.key_id);
  }
  std::printf("%-32s %-8s %-8s %12s %17s %14s\n", "key_id", "in_file", "current", "complaints",
              "idempotency_keys", "notifications");
  bool missing = false;
  for (const std::string& id : ids) {
    int64_t rows[3] = {0, 0, 0};
    for (const KeyUsage& u : *usage) {
      if (u.key_id == id) rows[static_cast<int>(u.table)] += u.rows;
    }
    const bool in_file = keyring->HasDataKey(id);
    missing = missing || !in_file;
    std::printf("%-32s %-8s %-8s %12lld %17lld %14lld\n", id.c_str(), in_file ? "yes" : "NO",
                id == keyring->active_key_id() ? "yes" : "no", static_cast<long long>(rows[0]),
                static_cast<long long>(rows[1]), static_cast<long long>(rows[2]));
  }
  return missing ? 1 : 0;
}

int Reencrypt(const MySqlOptions& db) {
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = OpenStore(db);
  if (!store.ok()) return Fail("store_open_failed", store.status());
  if (absl::Status keys = CheckKeysInUse(**store); !keys.ok()) {
    return Fail("key_file_incomplete", keys);
  }
  ReencryptionOptions options;
  options.batch_size = absl::GetFlag(FLAGS_batch_size);
  options.pause = absl::GetFlag(FLAGS_batch_pause);
  const std::string current = (*store)->keyring()->active_key_id();
  absl::StatusOr<ReencryptionReport> report =
      ReencryptAll(**store, current, options, [](const KeyUsage& done) {
        Log(LogLevel::kInfo, "reencrypt_progress",
            {{"key_id", done.key_id}, {"table", std::string(EncryptedTableName(done.table))},
             {"rows", done.rows}});
      });
  if (!report.ok()) return Fail("reencrypt_failed", report.status());
  const double seconds = absl::ToDoubleSeconds(report->elapsed);
  std::printf("re-encrypted %lld rows under %s in %.1f s (%.0f rows/s); %lld could not be "
              "decrypted\n",
              static_cast<long long>(report->rewritten), current.c_str(), seconds,
              seconds > 0 ? static_cast<double>(report->rewritten) / seconds : 0.0,
              static_cast<long long>(report->failed));
  for (const KeyUsage& left : report->remaining) {
    std::printf("still under %s: %s %lld\n", left.key_id.c_str(),
                std::string(EncryptedTableName(left.table)).c_str(),
                static_cast<long long>(left.rows));
  }
  return report->remaining.empty() ? 0 : 1;
}

int RemoveKey(const MySqlOptions& db) {
  const std::string key_id = absl::GetFlag(FLAGS_key_id);
  if (key_id.empty()) {
    std::fprintf(stderr, "remove-key needs --key_id\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = OpenStore(db);
  if (!store.ok()) return Fail("store_open_failed", store.status());
  absl::StatusOr<std::vector<KeyUsage>> rows = RowsUsingKey(**store, key_id);
  if (!rows.ok()) return Fail("key_usage_failed", rows.status());
  if (!rows->empty()) {
    std::vector<std::string> tables;
    for (const KeyUsage& u : *rows) {
      tables.push_back(absl::StrCat(std::string(EncryptedTableName(u.table)), ": ", u.rows));
    }
    return Fail("remove_key_refused",
                absl::FailedPreconditionError(absl::StrCat(
                    "rows still use data key ", key_id, " (", absl::StrJoin(tables, ", "),
                    "); run dumasd reencrypt first")));
  }
  absl::Status status = Keyring::RemoveDataKey(absl::GetFlag(FLAGS_key_file), key_id);
  return status.ok() ? 0 : Fail("remove_key_failed", status);
}

// --- The retention of identities ---------------------------------------------------

int PurgeIdentities(const MySqlOptions& db) {
  absl::StatusOr<std::unique_ptr<MySqlStore>> store = OpenStore(db);
  if (!store.ok()) return Fail("store_open_failed", store.status());
  const absl::Duration retention = absl::GetFlag(FLAGS_identity_retention);
  absl::StatusOr<RetentionReport> report = PurgeExpiredIdentities(
      **store, retention, absl::Now(), absl::GetFlag(FLAGS_batch_size));
  if (!report.ok()) return Fail("purge_identities_failed", report.status());
  std::printf("destroyed the identities of %lld complaints closed before %s (%lld undelivered "
              "notifications dropped) in %.1f s\n",
              static_cast<long long>(report->complaints),
              absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", absl::Now() - retention,
                               absl::UTCTimeZone())
                  .c_str(),
              static_cast<long long>(report->notifications),
              absl::ToDoubleSeconds(report->elapsed));
  return 0;
}

int Main(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask.
  const sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
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
  if (command == "add-key") return AddKey();
  if (command == "set-current-key") return SetCurrentKey();
  absl::StatusOr<MySqlOptions> db = DatabaseOptions();
  if (!db.ok()) return Fail("bad_flags", db.status());
  if (command == "serve") return Serve(*db);
  if (command == "migrate") {
    absl::Status status = MigrateAndGrant(*db);
    return status.ok() ? 0 : Fail("migrate_failed", status);
  }
  if (command == "create-accounts") return CreateAccounts(*db);
  if (command == "create-token") return CreateToken(*db);
  if (command == "key-usage") return ListKeys(*db);
  if (command == "reencrypt") return Reencrypt(*db);
  if (command == "remove-key") return RemoveKey(*db);
  if (command == "purge-identities") return PurgeIdentities(*db);
  std::fprintf(stderr, "unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}

}  // namespace
}  // namespace dumas

int main(int argc, char** argv) { return dumas::Main(argc, argv); }
