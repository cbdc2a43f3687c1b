// The SQL migrations of storage/migrations/ and the service role's grants
// (storage/grants.sql), compiled into the binary by a build step
// (storage/embed_migrations.cmake); adding a migration file needs no CMake
// edit.
#ifndef DUMAS_STORAGE_EMBEDDED_MIGRATIONS_H_
#define DUMAS_STORAGE_EMBEDDED_MIGRATIONS_H_

#include <span>
#include <string_view>

namespace dumas {

// One migration file, storage/migrations/NNNN_name.sql.
struct EmbeddedMigration {
  int version;            // NNNN: ascending (checked at build time)
  std::string_view name;  // the file name's `name` part
  std::string_view sql;   // the file's text, byte for byte
};

// Every migration, in version order.
std::span<const EmbeddedMigration> EmbeddedMigrations();

// The text of storage/grants.sql, byte for byte.
std::string_view EmbeddedServiceGrants();

}  // namespace dumas

#endif  // DUMAS_STORAGE_EMBEDDED_MIGRATIONS_H_
