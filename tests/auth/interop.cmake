# Interop of the auth library with the npm package jose, run by Node.js
# (tests/auth/interop_test.cc). scripts/setup.sh installs jose with npm ci in
# tests/auth/interop-node; without node or jose the test fails and says so.
add_executable(auth_interop_test ${CMAKE_CURRENT_LIST_DIR}/interop_test.cc)
target_link_libraries(auth_interop_test PRIVATE auth labkit_test_main)
target_compile_definitions(auth_interop_test PRIVATE
  LABKIT_AUTH_INTEROP_DIR="${CMAKE_CURRENT_LIST_DIR}/interop-node")
add_test(NAME auth_interop_test COMMAND auth_interop_test)
set_tests_properties(auth_interop_test PROPERTIES
                     LABELS "integration;auth;interop" TIMEOUT 180)
