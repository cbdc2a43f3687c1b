# Generates a C++ source embedding every storage/migrations/NNNN_name.sql as a
# raw string literal, in file-name order, and the service role's grants
# (GRANTS_FILE). Run by storage/CMakeLists.txt:
#   cmake -DMIGRATIONS_DIR=<dir> -DGRANTS_FILE=<grants.sql> -DOUTPUT=<file.cc>
#         -P embed_migrations.cmake
file(GLOB files "${MIGRATIONS_DIR}/*.sql")
list(SORT files)

set(body "")
set(previous 0)
foreach(file ${files})
  get_filename_component(base "${file}" NAME)
  if(NOT base MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "storage/migrations/${base}: a migration is named NNNN_name.sql "
                        "(4 digits, then lower-case letters, digits and underscores)")
  endif()
  set(name "${CMAKE_MATCH_2}")
  string(REGEX REPLACE "^0+" "" version "${CMAKE_MATCH_1}")
  # Numbers ascend; a number may be skipped (reserved for a migration written
  # elsewhere at the same time). The migrator refuses a database that has a
  # later migration but lacks an earlier one this binary knows.
  if(NOT version GREATER previous)
    message(FATAL_ERROR "storage/migrations/${base}: migration ${version} repeats or precedes "
                        "migration ${previous}; each migration takes a new, higher number")
  endif()
  set(previous ${version})
  file(READ "${file}" sql)
  string(FIND "${sql}" ")dumas_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "storage/migrations/${base} contains the raw-string delimiter )dumas_sql\"")
  endif()
  string(APPEND body "    {${version}, \"${name}\", R\"dumas_sql(${sql})dumas_sql\"},\n")
endforeach()

if(body STREQUAL "")
  message(FATAL_ERROR "storage/migrations/ holds no NNNN_name.sql file")
endif()

file(READ "${GRANTS_FILE}" grants)
string(FIND "${grants}" ")dumas_sql\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${GRANTS_FILE} contains the raw-string delimiter )dumas_sql\"")
endif()

set(source "// Generated from storage/migrations/*.sql and storage/grants.sql by
// storage/embed_migrations.cmake.
// Do not edit: add a new migration file instead.
#include \"storage/embedded_migrations.h\"

namespace dumas {
namespace {

constexpr EmbeddedMigration kMigrations[] = {
${body}};

}  // namespace

std::span<const EmbeddedMigration> EmbeddedMigrations() { return kMigrations; }

std::string_view EmbeddedServiceGrants() { return R\"dumas_sql(${grants})dumas_sql\"; }

}  // namespace dumas
")

# Rewrite only when the text changed, so that an unchanged set does not rebuild.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" previous)
  if(previous STREQUAL source)
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${source}")
