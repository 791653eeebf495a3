# Integration tests of RedisTokenStore, the shared refresh-token store,
# against a real redis-server that each test starts on a free loopback port
# (tests/support): the store alone, and two AuthService instances on it.
if(TARGET auth_redis AND TARGET labkit_test_support)
  add_executable(auth_redis_store_test
                 ${CMAKE_CURRENT_LIST_DIR}/redis_store_test.cc)
  target_link_libraries(auth_redis_store_test PRIVATE auth_redis
                        labkit_test_support labkit_test_main)

  add_test(NAME auth_redis_store_test
           COMMAND auth_redis_store_test
                   --gtest_filter=-RedisTokenStoreConcurrency.*)
  set_tests_properties(auth_redis_store_test PROPERTIES
                       LABELS "integration;redis;auth" TIMEOUT 120)

  # Two instances rotating one token from many threads; run it under
  # ThreadSanitizer too.
  add_test(NAME auth_redis_store_concurrency_test
           COMMAND auth_redis_store_test
                   --gtest_filter=RedisTokenStoreConcurrency.*)
  set_tests_properties(auth_redis_store_concurrency_test PROPERTIES
                       LABELS "integration;redis;auth;concurrency"
                       TIMEOUT 120)

  add_executable(auth_redis_service_test
                 ${CMAKE_CURRENT_LIST_DIR}/redis_service_test.cc)
  target_link_libraries(auth_redis_service_test PRIVATE auth_redis
                        auth_service labkit_test_support labkit_test_main)
  target_compile_definitions(auth_redis_service_test PRIVATE
    AUTH_SAMPLE_POLICY="${PROJECT_SOURCE_DIR}/auth/service/policy.txt")
  add_test(NAME auth_redis_service_test COMMAND auth_redis_service_test)
  set_tests_properties(auth_redis_service_test PROPERTIES
                       LABELS "integration;redis;auth" TIMEOUT 120)
endif()
