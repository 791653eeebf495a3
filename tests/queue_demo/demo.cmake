# End-to-end tests of queue-demo (`./labkit demo queue_demo`): the quick run
# on the embedded broker, the same run against a queue-broker process
# through --brokers, and bad flags. Each run has a watchdog in the test as
# well as the ctest TIMEOUT.
# NOTE: no "concurrency" label, so ThreadSanitizer builds skip these runs.
# Built with it, queue-demo and queue-broker crash at start in the mock
# cluster's thread (rdk:mock), inside ThreadSanitizer's allocator.
if(NOT TARGET queue-demo)
  return()
endif()

add_executable(queue_demo_test ${CMAKE_CURRENT_LIST_DIR}/demo_test.cc)
target_link_libraries(queue_demo_test PRIVATE SQLite::SQLite3 labkit_test_main)
target_compile_definitions(queue_demo_test PRIVATE
  QUEUE_DEMO_PROGRAM="$<TARGET_FILE:queue-demo>"
  QUEUE_BROKER_PROGRAM="$<TARGET_FILE:queue-broker>")
add_dependencies(queue_demo_test queue-demo queue-broker)

foreach(test_case QuickRunReconcilesUnderFaults BrokersFlagUsesAnotherCluster)
  add_test(NAME queue_demo_${test_case}
           COMMAND queue_demo_test --gtest_filter=QueueDemoTest.${test_case})
  set_tests_properties(queue_demo_${test_case} PROPERTIES
                       LABELS "integration;queue_demo" TIMEOUT 300)
endforeach()
add_test(NAME queue_demo_BadFlagsAreUsageErrors
         COMMAND queue_demo_test --gtest_filter=QueueDemoTest.BadFlagsAreUsageErrors)
set_tests_properties(queue_demo_BadFlagsAreUsageErrors PROPERTIES
                     LABELS "integration;queue_demo" TIMEOUT 60)
