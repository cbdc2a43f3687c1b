// MySqlStore, rotation of the data key: KeyRotationStore.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <sodium.h>

#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/mysql_store.h"
#include "storage/mysql_store_internal.h"
#include "storage/sql.h"

namespace dumas {

using TransactionEnd = ConnectionPool::TransactionEnd;
using mysql_store_internal::Aad;
using mysql_store_internal::Absl;
using mysql_store_internal::DecryptColumn;
using mysql_store_internal::IdempotencyRow;
using mysql_store_internal::kAadIdentityColumns;
using mysql_store_internal::kAadIdentitySalt;
using mysql_store_internal::kAadReplyAddress;
using mysql_store_internal::kAadTrackingCode;
using mysql_store_internal::kMaxListLimit;
using mysql_store_internal::NoParameters;
using mysql_store_internal::NotificationAad;
using mysql_store_internal::QueryRows;
using mysql_store_internal::Sql;

std::string_view EncryptedTableName(EncryptedTable table) {
  switch (table) {
    case EncryptedTable::kComplaints:
      return "complaints";
    case EncryptedTable::kIdempotencyKeys:
      return "idempotency_keys";
    case EncryptedTable::kNotifications:
      return "notifications";
  }
  return "unknown";
}

std::vector<std::string> MissingKeys(const std::vector<KeyUsage>& usage, const Keyring& keyring) {
  std::map<std::string, std::vector<std::string>> missing;  // key id -> "table: rows"
  for (const KeyUsage& u : usage) {
    if (keyring.HasDataKey(u.key_id)) continue;
    missing[u.key_id].push_back(absl::StrCat(Absl(EncryptedTableName(u.table)), ": ", u.rows));
  }
  std::vector<std::string> lines;
  for (const auto& [key_id, tables] : missing) {
    lines.push_back(absl::StrCat(key_id, " (", absl::StrJoin(tables, ", "), ")"));
  }
  return lines;
}

namespace {

std::string Hex(std::string_view bytes) { return absl::BytesToHexString(Absl(bytes)); }

// A JSON string of ASCII text (hex digits, key ids): nothing to escape.
std::string JsonString(std::string_view ascii) { return absl::StrCat("\"", Absl(ascii), "\""); }

}  // namespace

absl::StatusOr<std::vector<KeyUsage>> MySqlStore::ListKeyUsage() {
  return QueryRows<KeyUsage>(*pool_, sql_text::kKeyUsage, NoParameters,
                             [](const sql::ResultSet& rs) -> absl::StatusOr<KeyUsage> {
                               KeyUsage usage;
                               usage.table = kEncryptedTables[rs.getInt(1)];
                               usage.key_id = rs.getString(2).asStdString();
                               usage.rows = rs.getInt64(3);
                               return usage;
                             });
}

absl::StatusOr<ReencryptionBatch> MySqlStore::ReencryptBatch(EncryptedTable table,
                                                            std::string_view from_key_id,
                                                            ReencryptionCursor& cursor,
                                                            int limit) {
  if (limit < 1 || limit > kMaxListLimit) {
    return absl::InvalidArgumentError("limit must be 1 to 1000");
  }
  const std::shared_ptr<const Keyring> keys = keyring();
  const Keyring& keyring = *keys;
  if (from_key_id == keyring.active_key_id()) {
    return absl::InvalidArgumentError("the rows of the current key need no re-encryption");
  }
  if (!keyring.HasDataKey(from_key_id)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the key file has no data key ", Absl(from_key_id), "; restore its 'data' line"));
  }
  const std::string to_key_id = keyring.active_key_id();
  ReencryptionBatch batch;
  ReencryptionCursor next;
  // Idempotent: a row already moved is not selected again, so running the
  // transaction again after an unknown COMMIT outcome is harmless.
  absl::Status status = pool_->RunTransaction(
      [&](PooledConnection& c) -> absl::StatusOr<TransactionEnd> {
        batch = ReencryptionBatch{};
        next = cursor;
        int read = 0;
        switch (table) {
          case EncryptedTable::kComplaints: {
            sql::PreparedStatement& select = c.Statement(sql_text::kSelectComplaintsOfKey);
            select.setString(1, Sql(from_key_id));
            select.setInt64(2, cursor.id);
            select.setInt(3, limit);
            std::vector<std::string> rows;
            {
              std::unique_ptr<sql::ResultSet> rs(select.executeQuery());
              while (rs->next()) {
                ++read;
                next.id = rs->getInt64(1);
                const std::string reference = rs->getString(2).asStdString();
                // Column 3 the reply address, 4-8 the identity, 9 the salt.
                std::vector<std::pair<uint32_t, std::string>> columns = {
                    {3, kAadReplyAddress}};
                for (uint32_t i = 0; i < 5; ++i) columns.push_back({4 + i, kAadIdentityColumns[i]});
                if (!rs->isNull(9)) columns.push_back({9, kAadIdentitySalt});
                std::vector<std::string> fields;
                bool ok = true;
                for (const auto& [column, aad_column] : columns) {
                  const std::string aad = Aad(aad_column, reference);
                  absl::StatusOr<std::string> plain = DecryptColumn(
                      keyring, from_key_id, rs->getString(column).asStdString(), aad);
                  if (!plain.ok()) {
                    ok = false;
                    break;
                  }
                  fields.push_back(Hex(keyring.Encrypt(*plain, aad)));
                  sodium_memzero(plain->data(), plain->size());
                }
                if (!ok) {
                  ++batch.failed;
                  continue;
                }
                rows.push_back(absl::StrCat(
                    "{\"id\":", next.id, ",\"reply\":", JsonString(fields[0]),
                    ",\"full_name\":", JsonString(fields[1]), ",\"nik\":", JsonString(fields[2]),
                    ",\"phone\":", JsonString(fields[3]), ",\"email\":", JsonString(fields[4]),
                    ",\"address\":", JsonString(fields[5]),
                    ",\"salt\":", fields.size() > 6 ? JsonString(fields[6]) : "null", "}"));
              }
            }
            if (!rows.empty()) {
              sql::PreparedStatement& update = c.Statement(sql_text::kUpdateComplaintCiphertexts);
              update.setString(1, absl::StrCat("[", absl::StrJoin(rows, ","), "]"));
              update.setString(2, to_key_id);
              update.setString(3, Sql(from_key_id));
              batch.rewritten = update.executeUpdate();
            }
            break;
          }
          case EncryptedTable::kIdempotencyKeys: {
            sql::PreparedStatement& select = c.Statement(sql_text::kSelectIdempotencyKeysOfKey);
            select.setString(1, Sql(from_key_id));
            select.setInt64(2, cursor.id);
            select.setInt64(3, cursor.id);
            select.setString(4, cursor.request_id);
            select.setInt(5, limit);
            struct Row {
              int64_t principal_id;
              std::string request_id;
              std::string ciphertext;
            };
            std::vector<Row> rows;
            {
              std::unique_ptr<sql::ResultSet> rs(select.executeQuery());
              while (rs->next()) {
                ++read;
                next.id = rs->getInt64(1);
                next.request_id = rs->getString(2).asStdString();
                const std::string aad =
                    Aad(kAadTrackingCode, IdempotencyRow(next.id, next.request_id));
                absl::StatusOr<std::string> plain = DecryptColumn(
                    keyring, from_key_id, rs->getString(3).asStdString(), aad);
                if (!plain.ok()) {
                  ++batch.failed;
                  continue;
                }
                rows.push_back({next.id, next.request_id, keyring.Encrypt(*plain, aad)});
                sodium_memzero(plain->data(), plain->size());
              }
            }
            for (const Row& row : rows) {
              sql::PreparedStatement& update =
                  c.Statement(sql_text::kUpdateIdempotencyKeyCiphertext);
              update.setString(1, to_key_id);
              update.setString(2, row.ciphertext);
              update.setInt64(3, row.principal_id);
              update.setString(4, row.request_id);
              update.setString(5, Sql(from_key_id));
              batch.rewritten += update.executeUpdate();
            }
            break;
          }
          case EncryptedTable::kNotifications: {
            sql::PreparedStatement& select = c.Statement(sql_text::kSelectNotificationsOfKey);
            select.setString(1, Sql(from_key_id));
            select.setInt64(2, cursor.id);
            select.setInt(3, limit);
            struct Row {
              int64_t id, complaint_id, event_id;
              int kind;
              std::string ciphertext;
            };
            std::vector<Row> rows;
            {
              std::unique_ptr<sql::ResultSet> rs(select.executeQuery());
              while (rs->next()) {
                ++read;
                next.id = rs->getInt64(1);
                rows.push_back({next.id, rs->getInt64(2), rs->getInt64(3), rs->getInt(4),
                                rs->getString(5).asStdString()});
              }
            }
            if (rows.empty()) break;
            // Their complaints' reference numbers (the associated data),
            // read without locking the complaints.
            std::map<int64_t, std::string> references;
            {
              std::vector<std::string> ids;
              for (const Row& row : rows) ids.push_back(absl::StrCat(row.complaint_id));
              sql::PreparedStatement& s = c.Statement(sql_text::kSelectReferenceNumbers);
              s.setString(1, absl::StrCat("[", absl::StrJoin(ids, ","), "]"));
              std::unique_ptr<sql::ResultSet> rs(s.executeQuery());
              while (rs->next()) references[rs->getInt64(1)] = rs->getString(2).asStdString();
            }
            for (const Row& row : rows) {
              const std::string aad =
                  NotificationAad(references[row.complaint_id], row.event_id, row.kind);
              absl::StatusOr<std::string> plain =
                  DecryptColumn(keyring, from_key_id, row.ciphertext, aad);
              if (!plain.ok()) {
                ++batch.failed;
                continue;
              }
              sql::PreparedStatement& update = c.Statement(sql_text::kUpdateNotificationCiphertext);
              update.setString(1, to_key_id);
              update.setString(2, keyring.Encrypt(*plain, aad));
              update.setInt64(3, row.id);
              update.setString(4, Sql(from_key_id));
              batch.rewritten += update.executeUpdate();
              sodium_memzero(plain->data(), plain->size());
            }
            break;
          }
        }
        batch.done = read < limit;
        return TransactionEnd::kCommit;
      },
      /*idempotent=*/true);
  if (!status.ok()) return status;
  cursor = next;
  return batch;
}

absl::Status MySqlStore::ReplaceKeyring(Keyring replacement) {
  const std::shared_ptr<const Keyring> current = keyring();
  if (!current->SameIndexAndSigningKeys(replacement)) {
    return absl::FailedPreconditionError(
        "the new key file has another index key or signing key; those never change (the "
        "stored hashes and the log's signatures depend on them)");
  }
  absl::StatusOr<std::vector<KeyUsage>> usage = ListKeyUsage();
  if (!usage.ok()) return usage.status();
  const std::vector<std::string> missing = MissingKeys(*usage, replacement);
  if (!missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the new key file lacks data keys that rows use: ", absl::StrJoin(missing, "; "),
        "; keep their 'data' lines until dumasd reencrypt has moved those rows"));
  }
  auto next = std::make_shared<const Keyring>(std::move(replacement));
  absl::MutexLock lock(&keys_mu_);
  keys_ = std::move(next);
  return absl::OkStatus();
}

}  // namespace dumas
