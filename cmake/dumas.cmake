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

# dumas_cc_test(path/to/foo_test.cc DEPS ... [LABELS ...]): a GoogleTest binary
# named after its file, registered with ctest.
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
endfunction()
