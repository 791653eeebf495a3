# Property tests of the five rate-limiting algorithms: each one against a
# simple oracle over many random schedules with fixed seeds.
add_executable(algorithms_property_test
               ${CMAKE_CURRENT_LIST_DIR}/algorithms_property_test.cc)
target_link_libraries(algorithms_property_test PRIVATE rate_limiter
                      labkit_test_main)
add_test(NAME algorithms_property_test COMMAND algorithms_property_test)
set_tests_properties(algorithms_property_test PROPERTIES
                     LABELS "unit;property" TIMEOUT 120)
