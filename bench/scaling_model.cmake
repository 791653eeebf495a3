# bench_scaling_model: nanoseconds per choice of each load-balancing policy
# at 10, 100 and 1000 servers, and the simulator's speed. Built on demand,
# into <build>/bench/.
if(NOT TARGET scaling_model)
  return()
endif()

add_executable(bench_scaling_model EXCLUDE_FROM_ALL
               ${CMAKE_CURRENT_LIST_DIR}/scaling/balancer_bench.cc)
target_link_libraries(bench_scaling_model PRIVATE scaling_model
                      benchmark::benchmark_main)
set_target_properties(bench_scaling_model PROPERTIES
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
