# queue-demo: what `./labkit demo queue_demo` runs. The order pipeline
# (outbox, payment consumer group as child processes, notification
# consumer) on the embedded broker or a real cluster, with faults injected
# and a reconciliation at the end.
add_executable(queue-demo
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/main.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/pipeline.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/faults.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/report.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/services.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/payment_role.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/child_process.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/cluster.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/events.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/reconcile.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/event_sink.cc
)
target_link_libraries(queue-demo PRIVATE queue_consumer queue_producer queue_broker
                      labkit_common CLI11::CLI11 PkgConfig::RDKAFKA SQLite::SQLite3
                      spdlog::spdlog)
