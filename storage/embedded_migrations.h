// The SQL migrations of storage/migrations/, compiled into the binary by a
// build step (storage/embed_migrations.cmake); adding a file needs no CMake
// edit.
#ifndef DUMAS_STORAGE_EMBEDDED_MIGRATIONS_H_
#define DUMAS_STORAGE_EMBEDDED_MIGRATIONS_H_

#include <span>
#include <string_view>

namespace dumas {

// One migration file, storage/migrations/NNNN_name.sql.
struct EmbeddedMigration {
  int version;            // NNNN: 1, 2, ... without gaps (checked at build time)
  std::string_view name;  // the file name's `name` part
  std::string_view sql;   // the file's text, byte for byte
};

// Every migration, in version order.
std::span<const EmbeddedMigration> EmbeddedMigrations();

}  // namespace dumas

#endif  // DUMAS_STORAGE_EMBEDDED_MIGRATIONS_H_
