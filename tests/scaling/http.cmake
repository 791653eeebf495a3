# Tests of the scaling lab's HTTP side: the service's handlers (with a
# private Redis for shared sessions), the generated HAProxy configuration,
# an HAProxy integration test on loopback (round robin shares, a killed
# instance taken out by health checks, its errors counted), and
# scaling-demo --quick end to end. Each test stops what it starts, and
# CTest's TIMEOUT is the last watchdog.
if(NOT TARGET scaling-demo)
  return()
endif()

add_executable(scaling_service_test ${CMAKE_CURRENT_LIST_DIR}/service_test.cc)
target_link_libraries(scaling_service_test PRIVATE scaling_service
                      labkit_test_support labkit_test_main)
add_test(NAME scaling_service_test COMMAND scaling_service_test)
set_tests_properties(scaling_service_test PROPERTIES
                     LABELS "unit;integration;scaling" TIMEOUT 60)

add_executable(scaling_haproxy_test ${CMAKE_CURRENT_LIST_DIR}/haproxy_test.cc)
target_link_libraries(scaling_haproxy_test PRIVATE scaling_demo_support
                      labkit_test_main)
target_compile_definitions(scaling_haproxy_test PRIVATE
  SCALING_SERVICE_BINARY="$<TARGET_FILE:scaling-service>")
add_dependencies(scaling_haproxy_test scaling-service)
add_test(NAME scaling_haproxy_test COMMAND scaling_haproxy_test)
set_tests_properties(scaling_haproxy_test PROPERTIES
                     LABELS "integration;http;scaling" TIMEOUT 120)

add_executable(scaling_demo_test ${CMAKE_CURRENT_LIST_DIR}/demo_test.cc)
target_link_libraries(scaling_demo_test PRIVATE scaling_demo_support
                      labkit_test_main)
target_compile_definitions(scaling_demo_test PRIVATE
  SCALING_DEMO_BINARY="$<TARGET_FILE:scaling-demo>")
add_dependencies(scaling_demo_test scaling-demo scaling-service)
add_test(NAME scaling_demo_test COMMAND scaling_demo_test)
set_tests_properties(scaling_demo_test PROPERTIES
                     LABELS "integration;http;scaling" TIMEOUT 300)
