# queue_consumer: the consuming side of the queue lab: the at-least-once
# consumer-group consumer, its idempotent SQLite sink, and the pure decision
# units it calls (offsets, backpressure, rebalance, shutdown).
#
# offsets.cc, sink.cc (Apply only), rebalance.cc, backpressure.cc and
# shutdown.cc are exercise files (see cmake/Lab.cmake): each defines only
# what its public header declares. Keep this list one file per line.
add_library(queue_consumer STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/offsets.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/sink.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/sink_database.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/rebalance.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/backpressure.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/shutdown.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/stop_signal.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/partition_queues.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/consumer.cc
)
target_include_directories(queue_consumer PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_link_libraries(queue_consumer
  PUBLIC queue_producer Threads::Threads
  PRIVATE PkgConfig::RDKAFKA SQLite::SQLite3 spdlog::spdlog)
