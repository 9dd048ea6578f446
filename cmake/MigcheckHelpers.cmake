# migcheck_add_test(NAME <name> SOURCES <src>... [LIBS <lib>...])
#   A GoogleTest executable registered with ctest through gtest_discover_tests.
#   Tests run from the source tree so corpus paths are stable.
function(migcheck_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE migcheck::reference GTest::gtest_main ${T_LIBS})
  target_compile_definitions(${T_NAME} PRIVATE MIGCHECK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${T_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR} DISCOVERY_TIMEOUT 60)
endfunction()
