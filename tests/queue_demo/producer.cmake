# Tests of the queue lab's producing side: the retry decision (unit), the
# failure router and the poison-message case, the idempotent producer, the
# outbox and its relay, kcat interop both ways, and the queue-broker
# program. Everything but the retry decision runs against the embedded
# broker on 127.0.0.1 and carries a watchdog as well as the ctest TIMEOUT.
if(NOT TARGET queue_producer)
  return()
endif()

add_library(queue_test_util STATIC
  ${CMAKE_CURRENT_LIST_DIR}/support/kafka_test_util.cc)
target_include_directories(queue_test_util PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support)
target_link_libraries(queue_test_util PUBLIC queue_producer PRIVATE PkgConfig::RDKAFKA)

# queue_demo_producer_test(NAME LABELS TIMEOUT) builds NAME from NAME.cc.
function(queue_demo_producer_test name labels timeout)
  add_executable(queue_${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.cc)
  target_link_libraries(queue_${name} PRIVATE queue_producer queue_broker
                        queue_test_util PkgConfig::RDKAFKA labkit_test_main)
  if(TARGET queue_consumer)
    target_link_libraries(queue_${name} PRIVATE queue_consumer)
  endif()
  add_test(NAME queue_${name} COMMAND queue_${name})
  set_tests_properties(queue_${name} PROPERTIES LABELS "${labels}"
                       TIMEOUT ${timeout})
  # librdkafka is not built with ThreadSanitizer: route its C11 threads
  # through pthreads and suppress races inside it (tests/queue_demo/
  # consumer.cmake defines queue_tsan_c11_threads).
  if(LABKIT_SANITIZE STREQUAL "thread" AND TARGET queue_tsan_c11_threads)
    target_sources(queue_${name} PRIVATE $<TARGET_OBJECTS:queue_tsan_c11_threads>)
    set_tests_properties(queue_${name} PROPERTIES ENVIRONMENT
                         "TSAN_OPTIONS=suppressions=${CMAKE_CURRENT_LIST_DIR}/tsan.supp")
  endif()
endfunction()

queue_demo_producer_test(retry_test "unit;queue_demo" 30)
queue_demo_producer_test(failure_router_test "integration;queue_demo;concurrency" 90)
queue_demo_producer_test(outbox_test "integration;queue_demo;concurrency" 120)
queue_demo_producer_test(producer_test "integration;queue_demo;concurrency" 90)
queue_demo_producer_test(queue_broker_test "integration;queue_demo" 60)
target_compile_definitions(queue_queue_broker_test PRIVATE
  QUEUE_BROKER_PROGRAM="$<TARGET_FILE:queue-broker>")
add_dependencies(queue_queue_broker_test queue-broker)
# kcat comes from scripts/setup.sh; without it the test fails and says so.
queue_demo_producer_test(kcat_interop_test "integration;queue_demo;interop" 120)
