# bench_auth: benchmarks of the auth lab's reference library (token
# verification per algorithm, logins at the default argon2id cost, policy
# checks with 10,000 rules). Built on demand, into <build>/bench/.
# bench/auth/compare runs them beside jose and `openssl speed`.
add_executable(bench_auth EXCLUDE_FROM_ALL
  ${CMAKE_CURRENT_LIST_DIR}/auth/token_bench.cc
  ${CMAKE_CURRENT_LIST_DIR}/auth/password_bench.cc
  ${CMAKE_CURRENT_LIST_DIR}/auth/policy_bench.cc
)
target_link_libraries(bench_auth PRIVATE auth benchmark::benchmark_main)
set_target_properties(bench_auth PROPERTIES
                      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
