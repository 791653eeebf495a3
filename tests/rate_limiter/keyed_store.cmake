# Tests of the reference KeyedStore and Limiter (rate_limiter/src). The
# exercise tests live in exercises/ and are registered by cmake/Lab.cmake.
# Included from tests/CMakeLists.txt, so paths start at tests/.

add_executable(rate_limiter_store_test
  ${CMAKE_CURRENT_SOURCE_DIR}/rate_limiter/keyed_store_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/rate_limiter/limiter_test.cc)
target_link_libraries(rate_limiter_store_test PRIVATE rate_limiter
                      labkit_test_main)
# The test replaces operator new and delete with malloc and free; GCC 12
# warns wrongly about every inlined delete that then calls free.
target_compile_options(rate_limiter_store_test PRIVATE
                       $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)
add_test(NAME rate_limiter_store_test COMMAND rate_limiter_store_test)
set_tests_properties(rate_limiter_store_test PROPERTIES
                     LABELS "unit;rate_limiter" TIMEOUT 300)

# Threads on overlapping keys and shards; the suite runs the "concurrency"
# label under ThreadSanitizer.
add_executable(rate_limiter_keyed_store_stress_test
  ${CMAKE_CURRENT_SOURCE_DIR}/rate_limiter/keyed_store_stress_test.cc)
target_link_libraries(rate_limiter_keyed_store_stress_test PRIVATE
                      rate_limiter labkit_test_main)
add_test(NAME rate_limiter_keyed_store_stress_test
         COMMAND rate_limiter_keyed_store_stress_test)
set_tests_properties(rate_limiter_keyed_store_stress_test PROPERTIES
                     LABELS "concurrency;rate_limiter" TIMEOUT 300)
