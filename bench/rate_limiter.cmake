# bench_rate_limiter: the lab-wide benchmarks of the reference rate limiter
# (KeyedStore, the Redis store, the 429 answer). Built on demand, into
# <build>/bench/. The per-exercise benchmarks (bench_rate_limiter_<exercise>_
# learner and _reference) come from lab.json through cmake/Lab.cmake.
set(LABKIT_RL_BENCH_DIR ${CMAKE_CURRENT_LIST_DIR}/rate_limiter)

add_executable(bench_rate_limiter EXCLUDE_FROM_ALL
  ${LABKIT_RL_BENCH_DIR}/keyed_store_bench.cc
  ${LABKIT_RL_BENCH_DIR}/rejection_bench.cc
)
target_link_libraries(bench_rate_limiter PRIVATE rate_limiter labkit_common
                      benchmark::benchmark_main)

# The Redis benchmark starts its own redis-server (see its header comment).
if(TARGET rate_limiter_redis)
  target_sources(bench_rate_limiter PRIVATE
                 ${LABKIT_RL_BENCH_DIR}/redis_store_bench.cc)
  target_link_libraries(bench_rate_limiter PRIVATE rate_limiter_redis)
endif()
set_target_properties(bench_rate_limiter PROPERTIES
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)

# http_baseline: the kit's HTTP server with a fixed allowed response and no
# limiter, the "without the limiter" side of bench/rate_limiter/http_rps.
add_executable(bench_rate_limiter_http_baseline EXCLUDE_FROM_ALL
               ${LABKIT_RL_BENCH_DIR}/http_baseline.cc)
target_link_libraries(bench_rate_limiter_http_baseline PRIVATE labkit_http
                      labkit_common Threads::Threads)
set_target_properties(bench_rate_limiter_http_baseline PROPERTIES
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
