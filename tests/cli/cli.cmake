# Unit tests of the CLI's logic: reading gtest failures and reports, picking
# error lines from build logs, hint files, manifests, benchmark reports and
# command-line checks. They link labkit_cli_core (cli/ without main.cc).
file(GLOB LABKIT_CLI_TEST_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*_test.cc)
add_executable(cli_unit_test ${LABKIT_CLI_TEST_SOURCES})
target_link_libraries(cli_unit_test PRIVATE labkit_cli_core labkit_test_main)
add_test(NAME cli_unit_test COMMAND cli_unit_test)
set_tests_properties(cli_unit_test PROPERTIES LABELS "unit;cli")

# cli_end_to_end_test.cc runs the built labkit-cli on a toy kit, and
# flags_test.cc tests labkit/flags.h, which the demo programs parse with.
add_dependencies(cli_unit_test labkit-cli)
target_compile_definitions(cli_unit_test PRIVATE LABKIT_CLI_PATH="$<TARGET_FILE:labkit-cli>")
target_include_directories(cli_unit_test PRIVATE ${PROJECT_SOURCE_DIR}/common/include)
