# bench_scaling_hashing: nanoseconds per lookup for every sharding scheme of
# the scaling lab at 10, 100 and 1000 nodes. Built on demand, into
# <build>/bench/. The per-exercise benchmarks (bench_scaling_jump_hash_*
# and bench_scaling_hash_ring_*) come from lab.json through cmake/Lab.cmake.
if(NOT TARGET scaling_hashing)
  return()
endif()

set(LABKIT_SCALING_BENCH_DIR ${CMAKE_CURRENT_LIST_DIR}/scaling)
add_executable(bench_scaling_hashing EXCLUDE_FROM_ALL
  ${LABKIT_SCALING_BENCH_DIR}/hashing_bench.cc
  ${LABKIT_SCALING_BENCH_DIR}/jump_hash_bench.cc
  ${LABKIT_SCALING_BENCH_DIR}/hash_ring_bench.cc
)
target_link_libraries(bench_scaling_hashing PRIVATE scaling_hashing
                      benchmark::benchmark_main)
set_target_properties(bench_scaling_hashing PROPERTIES
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
