# Build helpers shared by every folder.

# Warnings are errors in our own code; generated code is not compiled with them.
set(DUMAS_WARNINGS -Wall -Wextra -Werror)

# dumas_cc_library(NAME SRCS ... DEPS ...): a library of our own code.
function(dumas_cc_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${DUMAS_WARNINGS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
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
