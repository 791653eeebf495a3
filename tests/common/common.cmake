# Unit tests of the common library (configuration parsing).
add_executable(common_config_test ${CMAKE_CURRENT_LIST_DIR}/config_test.cc)
target_link_libraries(common_config_test PRIVATE labkit_common labkit_test_main)
add_test(NAME common_config_test COMMAND common_config_test)
set_tests_properties(common_config_test PROPERTIES LABELS "unit;common")
