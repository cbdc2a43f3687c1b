#include "storage/mysql_change_log.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "domain/field_violations.h"
#include "domain/log_entry.h"
#include "domain/string_view_interop.h"
#include "storage/connection_pool.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"
#include "storage/sql_error.h"

namespace dumas {
namespace {

using TransactionEnd = ConnectionPool::TransactionEnd;
using mysql_store_internal::Aad;
using mysql_store_internal::Absl;
using mysql_store_internal::DecryptColumn;
using mysql_store_internal::EqualSecrets;
using mysql_store_internal::FormatDateTime;
using mysql_store_internal::InsertEvent;
using mysql_store_internal::kAadIdentitySalt;
using mysql_store_internal::kAadReplyAddress;
using mysql_store_internal::kMaxListLimit;
using mysql_store_internal::ParseDateTime;
using mysql_store_internal::Sql;
using mysql_store_internal::TruncateToMicros;

constexpr char kEventReceived[] = "RECEIVED";
constexpr char kEventIdentityRead[] = "IDENTITY_READ";
constexpr int kLeavesPerRead = 50000;
// The signature type of Ed25519 cosignature/v1 verifier keys (C2SP).
constexpr uint8_t kCosignatureType = 0x04;
// Cosignatures dated further ahead than this are refused.
constexpr absl::Duration kCosignatureClockSkew = absl::Minutes(10);


std::string HashBytes(const Hash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

absl::StatusOr<Hash> HashOf(std::string_view bytes) {
  Hash hash;
  if (bytes.size() != hash.size()) return absl::InternalError("a stored hash is not 32 bytes");
  std::memcpy(hash.data(), bytes.data(), hash.size());
  return hash;
}

// Runs `body` on the sequencer's own connection, turning exceptions into
// statuses; a connection-level failure marks the connection broken.
template <typename Body>
auto OnConnection(PooledConnection& c, Body body) -> decltype(body()) {
  try {
    return body();
  } catch (const sql::SQLException& e) {
    if (IsConnectionError(e)) c.MarkBroken();
    return SqlErrorToStatus(e);
  } catch (const std::exception& e) {
    c.MarkBroken();
    return UnexpectedErrorToStatus(e);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<MySqlChangeLog>> MySqlChangeLog::Start(
    MySqlStore& store, const MySqlOptions& database, Options options) {
  if (options.origin.empty() || options.origin.size() > 200) {
    return absl::InvalidArgumentError("the log origin must be 1-200 characters");
  }
  if (options.batch_size < 1 || options.batch_size > 10000) {
    return absl::InvalidArgumentError("the batch size must be 1-10000");
  }
  absl::StatusOr<NoteSigner> signer =
      NoteSigner::FromSeed(options.origin, store.keyring()->LogSigningSeed());
  if (!signer.ok()) return signer.status();
  std::unique_ptr<MySqlChangeLog> log(
      new MySqlChangeLog(store, database, std::move(options), *std::move(signer)));
  // The leaves numbered so far; a database that is down is caught up with
  // once it answers.
  (void)log->CatchUp();
  store.SetEventsCommittedListener([raw = log.get()] { raw->Poke(); });
  log->thread_ = std::thread([raw = log.get()] { raw->Run(); });
  return log;
}

MySqlChangeLog::MySqlChangeLog(MySqlStore& store, const MySqlOptions& database, Options options,
                               NoteSigner signer)
    : store_(store),
      database_(database),
      options_(std::move(options)),
      signer_(std::move(signer)),
      verifier_key_(signer_.verifier_key().Text()),
      lock_name_(absl::StrCat("dumas_log_sequencer_", database.database)) {}

MySqlChangeLog::~MySqlChangeLog() {
  store_.SetEventsCommittedListener(nullptr);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void MySqlChangeLog::Poke() {
  absl::MutexLock lock(&mu_);
  poked_ = true;
}

bool MySqlChangeLog::sequencing() const {
  absl::MutexLock lock(&mu_);
  return sequencing_;
}

int64_t MySqlChangeLog::HeadRevision() {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(tree_.size());
}

bool MySqlChangeLog::AwaitRevisionAbove(int64_t revision, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto ready = [this, revision]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return static_cast<int64_t>(tree_.size()) > revision || stopping_;
  };
  mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
  return static_cast<int64_t>(tree_.size()) > revision;
}

absl::Status MySqlChangeLog::AddLeaves(int64_t first_revision, const std::vector<Hash>& leaves) {
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < leaves.size(); ++i) {
    const uint64_t index = static_cast<uint64_t>(first_revision) - 1 + i;
    if (index < tree_.size()) {
      if (tree_.LeafAt(index) != leaves[i]) {
        return absl::InternalError(
            absl::StrCat("the leaf of revision ", index + 1, " changed in the database"));
      }
      continue;
    }
    if (index != tree_.size()) {
      return absl::InternalError(absl::StrCat("revision ", index + 1, " comes after a gap"));
    }
    tree_.Append(leaves[i]);
  }
  return absl::OkStatus();
}

absl::Status MySqlChangeLog::CatchUp() {
  while (true) {
    int64_t after = HeadRevision();
    std::vector<Hash> leaves;
    int64_t first = 0;
    absl::Status status = store_.connection_pool().Run([&](PooledConnection& c) -> absl::Status {
      leaves.clear();
      first = 0;
      sql::PreparedStatement& s = c.Statement(sql_text::kSelectLogLeaves);
      s.setInt64(1, after);
      s.setInt(2, kLeavesPerRead);
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      int64_t expected = after + 1;
      while (rs->next()) {
        const int64_t revision = rs->getInt64(1);
        if (revision != expected) {
          return absl::DataLossError(
              absl::StrCat("the log has no revision ", expected, " (the next is ", revision, ")"));
        }
        if (first == 0) first = revision;
        absl::StatusOr<Hash> hash = HashOf(rs->getString(2).asStdString());
        if (!hash.ok()) return hash.status();
        leaves.push_back(*hash);
        ++expected;
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    if (leaves.empty()) return absl::OkStatus();
    if (absl::Status added = AddLeaves(first, leaves); !added.ok()) return added;
    if (leaves.size() < static_cast<size_t>(kLeavesPerRead)) return absl::OkStatus();
  }
}

absl::StatusOr<int> MySqlChangeLog::SequenceBatch(PooledConnection& c) {
  return OnConnection(c, [&]() -> absl::StatusOr<int> {
    if (legacy_max_event_id_ < 0) {
      std::unique_ptr<sql::ResultSet> rs(
          c.Statement(sql_text::kSelectLegacyMaxEventId).executeQuery());
      legacy_max_event_id_ = rs->next() ? rs->getInt64(1) : 0;
      c.Execute(sql_text::kCommit);
    }
    // An event of a complaint, or a record of the resort itself.
    struct Pending {
      int64_t event_id = 0;
      int64_t record_id = 0;
      bool logged = false;  // in the log already: only taken off the queue
      LogEntry entry;
      LogRecord record;
      std::string mac;
      bool mac_null;
    };
    std::vector<Pending> pending;
    {
      sql::PreparedStatement& s = c.Statement(sql_text::kSelectPendingRecords);
      s.setInt(1, options_.batch_size);
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      while (rs->next()) {
        Pending& p = pending.emplace_back();
        p.record_id = rs->getInt64(1);
        p.logged = !rs->isNull(2);
        p.record.kind = rs->getString(3).asStdString();
        p.record.name = rs->getString(4).asStdString();
        absl::StatusOr<absl::Time> time = ParseDateTime(rs->getString(5));
        if (!time.ok()) return time.status();
        p.record.time = *time;
        p.record.digest = rs->getString(6).asStdString();
        p.mac_null = rs->isNull(7);
        if (!p.mac_null) p.mac = rs->getString(7).asStdString();
      }
    }
    if (pending.size() < static_cast<size_t>(options_.batch_size)) {
      sql::PreparedStatement& s = c.Statement(sql_text::kSelectPendingEvents);
      s.setInt(1, options_.batch_size - static_cast<int>(pending.size()));
      std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
      while (rs->next()) {
        Pending& p = pending.emplace_back();
        p.event_id = rs->getInt64(1);
        p.logged = !rs->isNull(2);
        p.entry.reference_number = rs->getString(3).asStdString();
        absl::StatusOr<absl::Time> time = ParseDateTime(rs->getString(4));
        if (!time.ok()) return time.status();
        p.entry.time = *time;
        p.entry.actor = rs->getInt64(5);
        p.entry.type = rs->getString(6).asStdString();
        p.entry.from_state = rs->getInt(7);
        p.entry.to_state = rs->getInt(8);
        p.entry.is_public = rs->getBoolean(9);
        p.entry.public_message = rs->getString(10).asStdString();
        p.entry.internal_note = rs->getString(11).asStdString();
        p.entry.details = rs->getString(12).asStdString();
        p.mac_null = rs->isNull(13);
        if (!p.mac_null) p.mac = rs->getString(13).asStdString();
      }
    }
    if (pending.empty()) {
      c.Execute(sql_text::kCommit);  // ends the read's snapshot
      return 0;
    }
    int64_t next;
    {
      absl::MutexLock lock(&mu_);
      next = static_cast<int64_t>(tree_.size()) + 1;
    }
    std::vector<std::string> rows;
    std::vector<Hash> leaves;
    std::vector<int64_t> done_events;
    std::vector<int64_t> done_records;
    const std::string now_text = FormatDateTime(TruncateToMicros(absl::Now()));
    for (const Pending& p : pending) {
      const bool is_record = p.record_id > 0;
      (is_record ? done_records : done_events).push_back(is_record ? p.record_id : p.event_id);
      if (p.logged) continue;
      const std::string encoded = is_record ? EncodeRecord(p.record) : EncodeEntry(p.entry);
      // An event written before the log carries no code; any other event or
      // record must carry the code of its own entry, or dumasd did not write it.
      const bool authentic =
          p.mac_null ? !is_record && p.event_id <= legacy_max_event_id_
                     : EqualSecrets(store_.keyring()->LogEntryMac(encoded), p.mac);
      const bool well_formed =
          is_record ? ValidateRecord(p.record).ok() : DecodeDetails(p.entry.details).ok();
      if (!authentic || !well_formed) {
        sql::PreparedStatement& reject = c.Statement(sql_text::kInsertLogRejected);
        if (is_record) {
          reject.setNull(1, sql::DataType::BIGINT);
          reject.setInt64(2, p.record_id);
        } else {
          reject.setInt64(1, p.event_id);
          reject.setNull(2, sql::DataType::BIGINT);
        }
        reject.setString(3, !authentic   ? "BAD_AUTHENTICATION_CODE"
                            : is_record ? "MALFORMED_RECORD"
                                        : "MALFORMED_DETAILS");
        reject.setString(4, now_text);
        reject.executeUpdate();
        continue;
      }
      const Hash leaf = LeafHash(encoded);
      const int64_t revision = next + static_cast<int64_t>(leaves.size());
      leaves.push_back(leaf);
      rows.push_back(absl::StrCat("[", revision, ",", p.event_id, ",", p.record_id, ",\"",
                                  absl::BytesToHexString(Absl(HashBytes(leaf))), "\"]"));
    }
    if (!rows.empty()) {
      sql::PreparedStatement& insert = c.Statement(sql_text::kInsertLogEntries);
      insert.setString(1, now_text);
      insert.setString(2, absl::StrCat("[", absl::StrJoin(rows, ","), "]"));
      insert.executeUpdate();
    }
    if (!done_events.empty()) {
      sql::PreparedStatement& clear = c.Statement(sql_text::kClearLogPendingEvents);
      clear.setString(1, absl::StrCat("[", absl::StrJoin(done_events, ","), "]"));
      clear.executeUpdate();
    }
    if (!done_records.empty()) {
      sql::PreparedStatement& clear = c.Statement(sql_text::kClearLogPendingRecords);
      clear.setString(1, absl::StrCat("[", absl::StrJoin(done_records, ","), "]"));
      clear.executeUpdate();
    }
    c.Execute(sql_text::kCommit);
    if (absl::Status added = AddLeaves(next, leaves); !added.ok()) return added;
    return static_cast<int>(pending.size());
  });
}

void MySqlChangeLog::Run() {
  std::unique_ptr<PooledConnection> lock_connection;
  absl::Time next_checkpoint = absl::Now() + options_.checkpoint_interval;
  absl::Time retry_lock = absl::InfinitePast();
  int64_t checkpointed = -1;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    bool leader = false;
    {
      absl::MutexLock lock(&mu_);
      leader = sequencing_;
    }
    if (!leader && absl::Now() >= retry_lock) {
      // Try to become the sequencer: a connection of our own holding the lock.
      retry_lock = absl::Now() + absl::Seconds(1);
      if (lock_connection == nullptr || lock_connection->broken()) {
        lock_connection.reset();
        absl::StatusOr<std::unique_ptr<sql::Connection>> dialled = DialMySql(database_, true);
        if (dialled.ok()) lock_connection = std::make_unique<PooledConnection>(*std::move(dialled));
      }
      if (lock_connection != nullptr) {
        absl::StatusOr<bool> taken = OnConnection(*lock_connection, [&]() -> absl::StatusOr<bool> {
          sql::PreparedStatement& s = lock_connection->Statement(sql_text::kTryLogSequencerLock);
          s.setString(1, lock_name_);
          std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
          const bool got = rs->next() && !rs->isNull(1) && rs->getInt(1) == 1;
          if (got) lock_connection->Execute(sql_text::kAutocommitOff);
          return got;
        });
        // Before numbering, the tree must hold every leaf numbered so far.
        if (taken.ok() && *taken && CatchUp().ok()) {
          absl::MutexLock lock(&mu_);
          sequencing_ = true;
          leader = true;
          legacy_max_event_id_ = -1;
        } else if (taken.ok() && *taken) {
          lock_connection.reset();  // releases the lock; try again later
        }
      }
    }
    absl::Time batch_started = absl::InfinitePast();
    if (leader) {
      batch_started = absl::Now();
      absl::StatusOr<int> numbered = SequenceBatch(*lock_connection);
      if (!numbered.ok() || lock_connection->broken()) {
        // The connection (and with it the lock) may be gone: stand down.
        if (lock_connection != nullptr && !lock_connection->broken()) {
          try {
            lock_connection->Execute(sql_text::kRollback);
          } catch (const std::exception&) {
            lock_connection->MarkBroken();
          }
        }
        lock_connection.reset();
        absl::MutexLock lock(&mu_);
        sequencing_ = false;
        continue;
      }
      if (*numbered == options_.batch_size) continue;  // more waiting
      if (absl::Now() >= next_checkpoint) {
        next_checkpoint = absl::Now() + options_.checkpoint_interval;
        const int64_t size = HeadRevision();
        if (size > 0 && size != checkpointed && SignCheckpoint(size).ok()) checkpointed = size;
      }
    } else {
      (void)CatchUp();
    }
    absl::MutexLock lock(&mu_);
    // Pokes within the batch gap wait for its end: their events go together.
    const absl::Duration gap_left = batch_started + options_.batch_gap - absl::Now();
    if (gap_left > absl::ZeroDuration()) {
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stopping), gap_left);
    }
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return poked_ || stopping_; };
    mu_.AwaitWithTimeout(absl::Condition(&woken), options_.poll_interval);
    poked_ = false;
  }
  if (lock_connection != nullptr) {
    try {
      lock_connection->Execute(sql_text::kRollback);
    } catch (const std::exception&) {
    }
  }
}

absl::StatusOr<std::vector<ChangeRecord>> MySqlChangeLog::ListChanges(int64_t after_revision,
                                                                      int limit,
                                                                      const Principal& reader) {
  if (after_revision < 0) return absl::InvalidArgumentError("after_revision must not be negative");
  if (limit < 1 || limit > kMaxListLimit) {
    return absl::InvalidArgumentError("limit must be 1 to 1000");
  }
  const std::shared_ptr<const Keyring> keys = store_.keyring();
  const Keyring& keyring = *keys;
  std::vector<ChangeRecord> changes;
  // The identities handed out: complaint id, the event that carries it (its
  // version), reference number.
  struct Delivery {
    int64_t complaint_id;
    int64_t event_id;
    std::string reference;
  };
  std::vector<Delivery> identity_reads;
  absl::Status status = store_.connection_pool().Run([&](PooledConnection& c) -> absl::Status {
    changes.clear();
    identity_reads.clear();
    sql::PreparedStatement& s = c.Statement(sql_text::kListChanges);
    s.setInt64(1, after_revision);
    s.setInt(2, limit);
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    while (rs->next()) {
      ChangeRecord& r = changes.emplace_back();
      r.revision = rs->getInt64(1);
      r.leaf_hash = rs->getString(2).asStdString();
      if (!rs->isNull(23)) {
        LogRecord& record = r.record.emplace();
        record.kind = rs->getString(24).asStdString();
        record.name = rs->getString(25).asStdString();
        absl::StatusOr<absl::Time> time = ParseDateTime(rs->getString(26));
        if (!time.ok()) return time.status();
        record.time = *time;
        record.digest = rs->getString(27).asStdString();
        continue;
      }
      if (rs->isNull(4)) {
        // The event was deleted after it was logged: its revision is missing
        // from the feed, and verifiers name the gap.
        changes.pop_back();
        continue;
      }
      r.reference_number = rs->getString(3).asStdString();
      ComplaintEventRecord& e = r.event;
      e.id = rs->getInt64(4);
      absl::StatusOr<absl::Time> time = ParseDateTime(rs->getString(5));
      if (!time.ok()) return time.status();
      e.time = *time;
      e.actor_principal_id = rs->getInt64(6);
      e.type = rs->getString(7).asStdString();
      if (!rs->isNull(8)) e.from_state = static_cast<ComplaintState>(rs->getInt(8));
      if (!rs->isNull(9)) e.to_state = static_cast<ComplaintState>(rs->getInt(9));
      e.is_public = rs->getBoolean(10);
      e.public_message = rs->getString(11).asStdString();
      e.internal_note = rs->getString(12).asStdString();
      e.revision = r.revision;
      r.details = rs->getString(13).asStdString();
      const int64_t complaint_id = rs->getInt64(14);
      if (rs->isNull(16)) continue;  // no consented identity here
      const std::string key_id = rs->getString(15);
      Identity identity;
      std::string* fields[] = {&identity.full_name, &identity.nik, &identity.phone,
                               &identity.email, &identity.address};
      for (int i = 0; i < 5; ++i) {
        absl::StatusOr<std::string> plain =
            DecryptColumn(keyring, key_id, rs->getString(16 + i).asStdString(),
                          Aad(mysql_store_internal::kAadIdentityColumns[i], r.reference_number));
        if (!plain.ok()) return plain.status();
        *fields[i] = *std::move(plain);
      }
      if (!rs->isNull(21)) {
        absl::StatusOr<std::string> salt =
            DecryptColumn(keyring, key_id, rs->getString(21).asStdString(),
                          Aad(kAadIdentitySalt, r.reference_number));
        if (!salt.ok()) return salt.status();
        r.identity_salt = *std::move(salt);
      }
      absl::StatusOr<std::string> reply = DecryptColumn(
          keyring, key_id, rs->getString(22).asStdString(), Aad(kAadReplyAddress, r.reference_number));
      if (!reply.ok()) return reply.status();
      r.reply_address = *std::move(reply);
      r.identity = std::move(identity);
      identity_reads.push_back({complaint_id, e.id, r.reference_number});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!identity_reads.empty()) {
    // The first delivery of each identity to this reader is recorded as an
    // identity read, before it is handed out; a repeated delivery (the feed
    // read again) discloses nothing new and is not.
    bool recorded = false;
    status = store_.connection_pool().RunTransaction(
        [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
          recorded = false;
          const absl::Time now = TruncateToMicros(absl::Now());
          for (const auto& [complaint_id, identity_event_id, reference] : identity_reads) {
            sql::PreparedStatement& first = c.Statement(sql_text::kInsertIdentityDelivery);
            first.setInt64(1, complaint_id);
            first.setInt64(2, reader.id);
            first.setInt64(3, identity_event_id);
            if (first.executeUpdate() == 0) continue;
            LogEntry read;
            read.reference_number = reference;
            read.type = kEventIdentityRead;
            read.time = now;
            read.actor = reader.id;
            const int64_t event_id = InsertEvent(c, keyring, complaint_id, read);
            if (event_id <= 0) return absl::InternalError("the event insert returned no id");
            sql::PreparedStatement& link = c.Statement(sql_text::kSetIdentityDeliveryEvent);
            link.setInt64(1, event_id);
            link.setInt64(2, complaint_id);
            link.setInt64(3, reader.id);
            link.setInt64(4, identity_event_id);
            link.executeUpdate();
            recorded = true;
          }
          return TransactionEnd::kCommit;
        },
        /*idempotent=*/true);
    if (!status.ok()) return status;
    if (recorded) Poke();
  }
  return changes;
}

absl::StatusOr<SignedCheckpoint> MySqlChangeLog::ReadCheckpoint(PooledConnection& c, bool latest,
                                                                int64_t tree_size) {
  SignedCheckpoint checkpoint;
  {
    sql::PreparedStatement& s =
        c.Statement(latest ? sql_text::kSelectLatestCheckpoint : sql_text::kSelectCheckpoint);
    if (!latest) s.setInt64(1, tree_size);
    std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
    if (!rs->next()) return absl::NotFoundError("the log has signed no checkpoint yet");
    checkpoint.tree_size = rs->getInt64(1);
    checkpoint.root_hash = rs->getString(2).asStdString();
    checkpoint.note = rs->getString(3).asStdString();
  }
  absl::StatusOr<SignedNote> note = SignedNote::Parse(checkpoint.note);
  if (!note.ok()) return absl::InternalError("a stored checkpoint is not a signed note");
  checkpoint.body = note->body;
  sql::PreparedStatement& lines = c.Statement(sql_text::kSelectCosignatureLines);
  lines.setInt64(1, checkpoint.tree_size);
  std::unique_ptr<sql::ResultSet> rs(lines.executeQuery());
  while (rs->next()) absl::StrAppend(&checkpoint.note, rs->getString(1).asStdString());
  return checkpoint;
}

absl::StatusOr<SignedCheckpoint> MySqlChangeLog::LatestCheckpoint() {
  std::optional<SignedCheckpoint> checkpoint;
  absl::Status status = store_.connection_pool().Run([&](PooledConnection& c) -> absl::Status {
    absl::StatusOr<SignedCheckpoint> read = ReadCheckpoint(c, /*latest=*/true, 0);
    if (!read.ok()) return read.status();
    checkpoint = *std::move(read);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return *std::move(checkpoint);
}

absl::StatusOr<int64_t> MySqlChangeLog::LatestCheckpointSize() {
  absl::StatusOr<SignedCheckpoint> latest = LatestCheckpoint();
  if (absl::IsNotFound(latest.status())) return 0;
  if (!latest.ok()) return latest.status();
  return latest->tree_size;
}

absl::StatusOr<SignedCheckpoint> MySqlChangeLog::SignCheckpoint(int64_t size) {
  Hash root;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<Hash> at = tree_.RootAt(static_cast<uint64_t>(size));
    if (!at.ok()) return at.status();
    root = *at;
  }
  Checkpoint body;
  body.origin = options_.origin;
  body.tree_size = static_cast<uint64_t>(size);
  body.root_hash = root;
  SignedNote note;
  note.body = body.Body();
  note.signatures.push_back(signer_.Sign(note.body));
  const std::string text = note.Text();
  std::optional<SignedCheckpoint> stored;
  absl::Status status = store_.connection_pool().Run([&](PooledConnection& c) -> absl::Status {
    sql::PreparedStatement& insert = c.Statement(sql_text::kInsertCheckpoint);
    insert.setInt64(1, size);
    insert.setString(2, HashBytes(root));
    insert.setString(3, text);
    insert.setString(4, FormatDateTime(TruncateToMicros(absl::Now())));
    insert.executeUpdate();
    absl::StatusOr<SignedCheckpoint> read = ReadCheckpoint(c, /*latest=*/false, size);
    if (!read.ok()) return read.status();
    stored = *std::move(read);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (stored->root_hash != HashBytes(root)) {
    // Another root signed for this size: the log's history was rewritten.
    return absl::DataLossError(
        absl::StrCat("the database holds another root for tree size ", size));
  }
  return *std::move(stored);
}

absl::StatusOr<SignedCheckpoint> MySqlChangeLog::CreateCheckpoint() {
  if (absl::Status caught_up = CatchUp(); !caught_up.ok()) return caught_up;
  const int64_t size = HeadRevision();
  if (size == 0) return absl::FailedPreconditionError("the log is empty; nothing to sign yet");
  return SignCheckpoint(size);
}

absl::StatusOr<InclusionProofOf> MySqlChangeLog::InclusionProof(int64_t revision,
                                                                int64_t tree_size) {
  absl::StatusOr<int64_t> signed_size = LatestCheckpointSize();
  if (!signed_size.ok()) return signed_size.status();
  if (tree_size > *signed_size) {
    return absl::OutOfRangeError(absl::StrCat("tree_size is beyond the latest checkpoint (",
                                              *signed_size, " leaves)"));
  }
  if (tree_size < 1 || revision < 1 || revision > tree_size) {
    return absl::InvalidArgumentError("the revision must be 1 to tree_size");
  }
  if (HeadRevision() < tree_size) {
    if (absl::Status caught_up = CatchUp(); !caught_up.ok()) return caught_up;
  }
  InclusionProofOf proof;
  proof.revision = revision;
  proof.tree_size = tree_size;
  absl::MutexLock lock(&mu_);
  if (static_cast<int64_t>(tree_.size()) < tree_size) {
    return absl::UnavailableError("the log is still loading; retry");
  }
  absl::StatusOr<std::vector<Hash>> path = tree_.InclusionProof(
      static_cast<uint64_t>(revision - 1), static_cast<uint64_t>(tree_size));
  if (!path.ok()) return path.status();
  proof.leaf_hash = HashBytes(tree_.LeafAt(static_cast<uint64_t>(revision - 1)));
  for (const Hash& hash : *path) proof.hashes.push_back(HashBytes(hash));
  return proof;
}

absl::StatusOr<std::vector<std::string>> MySqlChangeLog::ConsistencyProof(
    int64_t first_tree_size, int64_t second_tree_size) {
  absl::StatusOr<int64_t> signed_size = LatestCheckpointSize();
  if (!signed_size.ok()) return signed_size.status();
  if (second_tree_size > *signed_size) {
    return absl::OutOfRangeError(absl::StrCat(
        "second_tree_size is beyond the latest checkpoint (", *signed_size, " leaves)"));
  }
  if (first_tree_size < 1 || first_tree_size > second_tree_size) {
    return absl::InvalidArgumentError("the sizes must satisfy 0 < first <= second");
  }
  if (HeadRevision() < second_tree_size) {
    if (absl::Status caught_up = CatchUp(); !caught_up.ok()) return caught_up;
  }
  absl::MutexLock lock(&mu_);
  if (static_cast<int64_t>(tree_.size()) < second_tree_size) {
    return absl::UnavailableError("the log is still loading; retry");
  }
  absl::StatusOr<std::vector<Hash>> proof = tree_.ConsistencyProof(
      static_cast<uint64_t>(first_tree_size), static_cast<uint64_t>(second_tree_size));
  if (!proof.ok()) return proof.status();
  std::vector<std::string> hashes;
  for (const Hash& hash : *proof) hashes.push_back(HashBytes(hash));
  return hashes;
}

absl::StatusOr<SignedCheckpoint> MySqlChangeLog::AddCosignature(std::string_view body,
                                                                std::string_view signature_line,
                                                                std::string_view verifier_key,
                                                                int64_t principal_id) {
  absl::StatusOr<Checkpoint> checkpoint = Checkpoint::ParseBody(body);
  if (!checkpoint.ok()) {
    return InvalidField("checkpoint_body", "checkpoint_body is not a checkpoint body");
  }
  absl::StatusOr<VerifierKey> key = VerifierKey::Parse(verifier_key);
  if (!key.ok() || key->type != kCosignatureType) {
    return InvalidField("verifier_key",
                        "verifier_key must be an Ed25519 cosignature/v1 verifier key (type 0x04)");
  }
  std::string line(signature_line);
  if (line.empty() || line.back() != '\n') line.push_back('\n');
  // The line is checked as a note of the body with that one signature.
  absl::StatusOr<SignedNote> note = SignedNote::Parse(absl::StrCat(checkpoint->Body(), "\n", line));
  if (!note.ok() || note->signatures.size() != 1) {
    return InvalidField("signature_line", "signature_line is not one signed-note signature line");
  }
  absl::StatusOr<uint64_t> timestamp = VerifyCosignature(*note, *key);
  if (!timestamp.ok()) {
    return InvalidField("signature_line",
                        "the cosignature does not verify with verifier_key over checkpoint_body");
  }
  if (absl::FromUnixSeconds(static_cast<int64_t>(*timestamp)) >
      absl::Now() + kCosignatureClockSkew) {
    return absl::InvalidArgumentError("the cosignature is dated in the future");
  }
  const int64_t size = static_cast<int64_t>(checkpoint->tree_size);
  std::optional<SignedCheckpoint> result;
  absl::Status verdict;
  absl::Status status = store_.connection_pool().RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        verdict = absl::OkStatus();
        absl::StatusOr<SignedCheckpoint> stored = ReadCheckpoint(c, /*latest=*/false, size);
        if (absl::IsNotFound(stored.status()) ||
            (stored.ok() && stored->body != checkpoint->Body())) {
          verdict = absl::NotFoundError("the log signed no checkpoint with this body");
          return TransactionEnd::kRollback;
        }
        if (!stored.ok()) return stored.status();
        sql::PreparedStatement& latest = c.Statement(sql_text::kSelectWitnessLatest);
        latest.setString(1, key->name);
        latest.setInt64(2, key->key_id);
        {
          std::unique_ptr<sql::ResultSet> rs(latest.executeQuery());
          if (rs->next() && rs->getInt64(1) > size) {
            verdict = absl::FailedPreconditionError(
                "this witness has cosigned a larger checkpoint already");
            return TransactionEnd::kRollback;
          }
        }
        sql::PreparedStatement& insert = c.Statement(sql_text::kInsertCosignature);
        insert.setInt64(1, size);
        insert.setString(2, key->name);
        insert.setInt64(3, key->key_id);
        insert.setInt64(4, static_cast<int64_t>(*timestamp));
        insert.setString(5, SignatureLine(note->signatures.front()));
        insert.setInt64(6, principal_id);
        insert.setString(7, FormatDateTime(TruncateToMicros(absl::Now())));
        insert.executeUpdate();
        absl::StatusOr<SignedCheckpoint> after = ReadCheckpoint(c, /*latest=*/false, size);
        if (!after.ok()) return after.status();
        result = *std::move(after);
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
  if (!status.ok()) return status;
  if (!verdict.ok()) return verdict;
  return *std::move(result);
}

}  // namespace dumas
