# queue_producer: the producing side of the queue lab: the idempotent
# Producer, the retry decision and the failure router (retry and dead
# letter topics), and the transactional outbox with its relay.
#
# retry.cc, forwarded_copy.cc and outbox_relay.cc are exercise files (see
# cmake/Lab.cmake): each defines only what its public header declares.
# Keep this list one file per line.
add_library(queue_producer STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/retry.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/failure_router.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/forwarded_copy.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/producer.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/outbox.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/outbox_relay.cc
)
target_include_directories(queue_producer PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_link_libraries(queue_producer
  PUBLIC Threads::Threads
  PRIVATE PkgConfig::RDKAFKA SQLite::SQLite3 spdlog::spdlog)

# queue-broker: the embedded broker alone, for any Kafka client (kcat
# included). `./labkit broker` runs it.
add_executable(queue-broker ${CMAKE_CURRENT_LIST_DIR}/src/queue_broker_main.cc)
target_link_libraries(queue-broker PRIVATE queue_broker labkit_common
                      CLI11::CLI11 spdlog::spdlog)
