# Unit tests of the auth lab's passwords, refresh tokens and authorization
# policy. The refresh-token concurrency test also carries the "concurrency"
# label, so the suite runs it under ThreadSanitizer.
foreach(name password refresh policy)
  add_executable(auth_${name}_test ${CMAKE_CURRENT_LIST_DIR}/${name}_test.cc)
  target_link_libraries(auth_${name}_test PRIVATE auth labkit_test_main)
  add_test(NAME auth_${name}_test COMMAND auth_${name}_test)
  set_tests_properties(auth_${name}_test PROPERTIES LABELS "unit;auth")
endforeach()

# The password test makes libsodium hashes with old, weaker parameters
# directly, as an earlier policy would have stored them.
target_link_libraries(auth_password_test PRIVATE PkgConfig::SODIUM)
set_tests_properties(auth_password_test PROPERTIES TIMEOUT 300)

add_executable(auth_refresh_concurrency_test
               ${CMAKE_CURRENT_LIST_DIR}/refresh_concurrency_test.cc)
target_link_libraries(auth_refresh_concurrency_test PRIVATE auth
                      labkit_test_main)
add_test(NAME auth_refresh_concurrency_test
         COMMAND auth_refresh_concurrency_test)
set_tests_properties(auth_refresh_concurrency_test PROPERTIES
                     LABELS "unit;auth;concurrency" TIMEOUT 300)
