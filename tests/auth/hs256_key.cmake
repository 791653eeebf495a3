# The HS256 Key's precomputed HMAC state: RFC 4231 vectors through
# Key::Verify, and many threads verifying with one shared key (label
# "concurrency", so it also runs under ThreadSanitizer).
add_executable(auth_hs256_key_test ${CMAKE_CURRENT_LIST_DIR}/hs256_key_test.cc)
target_link_libraries(auth_hs256_key_test PRIVATE auth labkit_test_main)
add_test(NAME auth_hs256_key_test COMMAND auth_hs256_key_test)
set_tests_properties(auth_hs256_key_test PROPERTIES
                     LABELS "unit;auth;concurrency" TIMEOUT 120)
