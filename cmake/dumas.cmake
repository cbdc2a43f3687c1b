# Build helpers shared by every folder.

# Warnings are errors in our own code; generated code is not compiled with them.
set(DUMAS_WARNINGS -Wall -Wextra -Werror)

# dumas_cc_library(NAME SRCS ... [DEPS ...] [PRIVATE_DEPS ...]): a library of
# our own code. DEPS are what its public headers need (and so its users
# inherit); PRIVATE_DEPS what only its sources use. Keeping dependencies
# private makes the build enforce the layers: domain <- storage <- server,
# nothing upward. Without SRCS it is a header-only (INTERFACE) library.
function(dumas_cc_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  if(ARG_SRCS)
    add_library(${name} ${ARG_SRCS})
    target_compile_options(${name} PRIVATE ${DUMAS_WARNINGS})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# The tests that ThreadSanitizer can judge (`DUMAS_SANITIZE=thread
# tools/test`): the C++ tests labelled unit or storage, that is our code alone
# or against MariaDB, with no gRPC server or channel in them (Debian's gRPC is
# not instrumented). dumas_tsan_test(TEST TARGET) labels TEST `tsan` too, and
# the target thread_sanitizer_tests builds TARGET, so that a ThreadSanitizer
# tree builds only what it runs.
add_custom_target(thread_sanitizer_tests)
function(dumas_tsan_test test target)
  get_test_property(${test} LABELS labels)
  if(NOT labels)
    set(labels "")
  endif()
  list(APPEND labels tsan)
  set_tests_properties(${test} PROPERTIES LABELS "${labels}")
  add_dependencies(thread_sanitizer_tests ${target})
endfunction()

# dumas_cc_test(path/to/foo_test.cc DEPS ... [LABELS ...]): a GoogleTest binary
# named after its file, registered with ctest. Those labelled unit or storage
# are ThreadSanitizer's too (dumas_tsan_test).
function(dumas_cc_test file)
  cmake_parse_arguments(ARG "" "" "DEPS;LABELS" ${ARGN})
  get_filename_component(name ${file} NAME_WE)
  add_executable(${name} ${file})
  target_compile_options(${name} PRIVATE ${DUMAS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
  if("unit" IN_LIST ARG_LABELS OR "storage" IN_LIST ARG_LABELS)
    dumas_tsan_test(${name} ${name})
  endif()
endfunction()

# Sanitizers: -DDUMAS_SANITIZE=address,undefined (or thread) builds everything,
# generated code included, with them. Findings abort the process
# (-fno-sanitize-recover), so that they fail the test that met them.
# tools/test builds and runs such a tree when DUMAS_SANITIZE is set.
set(DUMAS_SANITIZE "" CACHE STRING
  "Sanitizers to build with, as for -fsanitize= (address,undefined or thread); empty for none")
if(DUMAS_SANITIZE)
  add_compile_options(-fsanitize=${DUMAS_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${DUMAS_SANITIZE})
endif()

# Fuzzing: -DDUMAS_FUZZ=ON with clang builds the libFuzzer targets of fuzz/,
# with AddressSanitizer and UndefinedBehaviorSanitizer, and the code they
# call instrumented for coverage (tools/fuzz). Without it fuzz/ builds each
# target as a replay of its checked-in corpus, run as a unit test.
option(DUMAS_FUZZ "Build the libFuzzer targets of fuzz/ (needs clang)" OFF)
if(DUMAS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DUMAS_FUZZ needs clang: configure with CXX=clang++-14")
  endif()
  if(DUMAS_SANITIZE)
    message(FATAL_ERROR "DUMAS_FUZZ brings its own sanitizers: leave DUMAS_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
