# End-to-end tests of the auth service over real HTTP on 127.0.0.1: every
# endpoint's success and error paths, RFC 6750 challenges, login rate
# limits, refresh reuse detection, a log capture that must hold no secret,
# and the auth-demo and auth-service programs.
if(NOT TARGET auth_service)
  return()
endif()

add_executable(auth_service_test ${CMAKE_CURRENT_LIST_DIR}/service_test.cc)
target_link_libraries(auth_service_test PRIVATE auth_service
                      auth_loopback_client spdlog::spdlog labkit_test_main)
target_compile_definitions(auth_service_test PRIVATE
  AUTH_SAMPLE_POLICY="${PROJECT_SOURCE_DIR}/auth/service/policy.txt"
  AUTH_DEMO_BINARY="$<TARGET_FILE:auth-demo>"
  AUTH_SERVICE_BINARY="$<TARGET_FILE:auth-service>")
add_dependencies(auth_service_test auth-demo auth-service)
add_test(NAME auth_service_test COMMAND auth_service_test)
# "concurrency": the service runs 4 HTTP threads and a hasher pool, so the
# test also runs under ThreadSanitizer, where it passed with no report.
set_tests_properties(auth_service_test PROPERTIES
                     LABELS "integration;http;auth;concurrency" TIMEOUT 300)
