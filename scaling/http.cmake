# The scaling lab's HTTP side: the service the demo sweeps (on the kit's
# shared server, so no Beast code is compiled here), the demo's process,
# HAProxy and wrk helpers, and scaling-demo, what `./labkit demo scaling`
# runs.

# scaling_service: the fixed, io and cpu handlers and the session counter.
add_library(scaling_service STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/http/service.cc
)
target_include_directories(scaling_service PUBLIC
                           ${CMAKE_CURRENT_LIST_DIR}/src/http/include)
target_link_libraries(scaling_service PUBLIC labkit_http labkit_common
                      PRIVATE PkgConfig::HIREDIS spdlog::spdlog)

add_executable(scaling-service ${CMAKE_CURRENT_LIST_DIR}/src/http/main.cc)
target_link_libraries(scaling-service PRIVATE scaling_service CLI11::CLI11
                      spdlog::spdlog)

# scaling_demo_support: child processes, HAProxy and wrk, shared by the demo
# and its tests.
add_library(scaling_demo_support STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/process.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/haproxy.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/wrk.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/service_fleet.cc
)
target_include_directories(scaling_demo_support PUBLIC
                           ${CMAKE_CURRENT_LIST_DIR}/src/demo/include)
target_compile_definitions(scaling_demo_support PUBLIC
  SCALING_WRK_SCRIPT="${CMAKE_CURRENT_LIST_DIR}/src/demo/count.lua")

# scaling-demo: links the other two parts' libraries for the USL fit, the
# shard report and the simulator.
add_executable(scaling-demo
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/main.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/vertical.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/horizontal.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/sessions.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/demo/models.cc
)
target_link_libraries(scaling-demo PRIVATE scaling_demo_support scaling_model
                      scaling_shard_report labkit_common CLI11::CLI11)
target_compile_definitions(scaling-demo PRIVATE
  SCALING_SERVICE_BINARY="$<TARGET_FILE:scaling-service>"
  SCALING_CHARTS_DIR="${CMAKE_CURRENT_LIST_DIR}/charts")
add_dependencies(scaling-demo scaling-service)
