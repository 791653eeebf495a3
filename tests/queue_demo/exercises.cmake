# queue_exercise_support: the helpers the queue lab's exercise tests share
# (tests/queue_demo/exercises/exercise_support.h and the consumer's test
# support), compiled once for every exercise executable. labs/queue_demo/
# lab.json links it; the exercise tests themselves are built by
# cmake/Lab.cmake.
if(NOT TARGET queue_consumer)
  return()
endif()

add_library(queue_exercise_support STATIC EXCLUDE_FROM_ALL
  ${CMAKE_CURRENT_LIST_DIR}/exercises/exercise_support.cc
  ${CMAKE_CURRENT_LIST_DIR}/consumer_test_support.cc)
target_include_directories(queue_exercise_support PUBLIC
  ${CMAKE_CURRENT_LIST_DIR}/exercises ${CMAKE_CURRENT_LIST_DIR})
# queue_test_util is defined in producer.cmake, which is included later;
# target names are resolved when the build files are generated.
target_link_libraries(queue_exercise_support
  PUBLIC queue_consumer queue_broker queue_test_util GTest::gtest
  PRIVATE PkgConfig::RDKAFKA SQLite::SQLite3)
