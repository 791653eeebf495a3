# Tests of the queue lab's consuming side: the idempotent sink and the
# consumer's decision units (unit), and the at-least-once consumer against
# the embedded broker on 127.0.0.1 (integration; each test also carries a
# watchdog). The integration tests run threads, so the "concurrency" label
# runs them under ThreadSanitizer too.
if(NOT TARGET queue_consumer)
  return()
endif()

foreach(name sink consumer_logic)
  add_executable(queue_${name}_test ${CMAKE_CURRENT_LIST_DIR}/${name}_test.cc)
  target_link_libraries(queue_${name}_test PRIVATE queue_consumer SQLite::SQLite3
                        labkit_test_main)
  add_test(NAME queue_${name}_test COMMAND queue_${name}_test)
  set_tests_properties(queue_${name}_test PROPERTIES LABELS "unit;queue_demo"
                       TIMEOUT 30)
endforeach()

add_executable(queue_consumer_test
  ${CMAKE_CURRENT_LIST_DIR}/consumer_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/consumer_test_support.cc)
target_link_libraries(queue_consumer_test PRIVATE queue_consumer queue_broker
                      PkgConfig::RDKAFKA SQLite::SQLite3 labkit_test_main)

# Under ThreadSanitizer, librdkafka's C11 threads must go through pthreads
# (see tsan_c11_threads.cc). Any test that runs librdkafka can link this.
if(LABKIT_SANITIZE STREQUAL "thread")
  add_library(queue_tsan_c11_threads OBJECT ${CMAKE_CURRENT_LIST_DIR}/tsan_c11_threads.cc)
  target_sources(queue_consumer_test PRIVATE $<TARGET_OBJECTS:queue_tsan_c11_threads>)
endif()

# One ctest entry per case, so they run in parallel and time out alone.
foreach(test_case CrashMidBatchLosesNothing CommittedOffsetIsNextToRead
        StaleStoreNeverMovesCommitBack SlowHandlerCausesNoRebalance
        NewGroupReadsFromEarliest SurvivesBrokerFaults RetryKeepsPartitionOrder
        SigtermShutsDownGracefully)
  add_test(NAME queue_consumer_${test_case}
           COMMAND queue_consumer_test --gtest_filter=AtLeastOnceConsumer.${test_case})
  set_tests_properties(queue_consumer_${test_case} PROPERTIES
                       LABELS "integration;queue_demo;concurrency" TIMEOUT 150)
  if(LABKIT_SANITIZE STREQUAL "thread")
    set_tests_properties(queue_consumer_${test_case} PROPERTIES ENVIRONMENT
                         "TSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan.supp")
  endif()
endforeach()
