# HTTP end-to-end tests: rl-service's handler on the real server, driven by
# a real HTTP client over loopback. One executable, two CTest entries: the
# end-to-end cases, and the concurrency cases (several client threads
# against a multi-threaded server).
add_executable(rl_http_test ${CMAKE_CURRENT_LIST_DIR}/http/service_http_test.cc)
target_link_libraries(rl_http_test PRIVATE rl_service Boost::headers
                      labkit_test_main)
target_compile_definitions(rl_http_test PRIVATE
  RL_SERVICE_BINARY="$<TARGET_FILE:rl-service>"
  RL_DEMO_BINARY="$<TARGET_FILE:rl-demo>"
  RL_SAMPLE_CONFIG="${PROJECT_SOURCE_DIR}/rate_limiter/service/ratelimit.conf")
add_dependencies(rl_http_test rl-service rl-demo)

add_test(NAME rl_http_e2e
         COMMAND rl_http_test --gtest_filter=-*Concurrency*)
set_tests_properties(rl_http_e2e PROPERTIES LABELS "integration;http"
                     TIMEOUT 120)
add_test(NAME rl_http_concurrency
         COMMAND rl_http_test --gtest_filter=*Concurrency*)
set_tests_properties(rl_http_concurrency PROPERTIES
                     LABELS "concurrency;integration;http" TIMEOUT 120)
