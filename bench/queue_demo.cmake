# bench_queue_demo: the queue lab's consumer against kcat on one embedded
# broker, the cost of each delivery guarantee, and produce-to-effect
# latency (bench/queue_demo/queue_bench.cc). Built on demand, into
# <build>/bench/; bench/queue_demo/peers builds and runs it in Release.
if(NOT TARGET queue_consumer)
  return()
endif()
add_executable(bench_queue_demo EXCLUDE_FROM_ALL
  ${CMAKE_CURRENT_LIST_DIR}/queue_demo/queue_bench.cc
  ${CMAKE_CURRENT_LIST_DIR}/queue_demo/queue_bench_support.cc
)
target_include_directories(bench_queue_demo PRIVATE ${CMAKE_CURRENT_LIST_DIR}/queue_demo)
target_link_libraries(bench_queue_demo PRIVATE queue_consumer queue_producer queue_broker
                      labkit_common PkgConfig::RDKAFKA SQLite::SQLite3 CLI11::CLI11
                      spdlog::spdlog)
set_target_properties(bench_queue_demo PROPERTIES
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
