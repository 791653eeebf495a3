# Integration tests of RedisStore against a real redis-server, started by
# each test on a free loopback port (tests/support).
if(TARGET rate_limiter_redis AND TARGET labkit_test_support)
  add_executable(redis_store_test ${CMAKE_CURRENT_LIST_DIR}/redis_store_test.cc)
  target_link_libraries(redis_store_test PRIVATE rate_limiter_redis
                        labkit_test_support labkit_test_main)

  add_test(NAME redis_store_test
           COMMAND redis_store_test --gtest_filter=-RedisStoreConcurrency.*)
  set_tests_properties(redis_store_test PROPERTIES
                       LABELS "integration;redis" TIMEOUT 120)

  # Many threads through the pipeline; run it under ThreadSanitizer too.
  add_test(NAME redis_store_concurrency_test
           COMMAND redis_store_test --gtest_filter=RedisStoreConcurrency.*)
  set_tests_properties(redis_store_concurrency_test PROPERTIES
                       LABELS "integration;redis;concurrency" TIMEOUT 120)
endif()
