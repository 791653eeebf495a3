# Unit tests of the auth lab's token core: base64url, strict JSON, keys,
# JWS and JWT, with the RFC 7515 and RFC 8037 vectors and forged tokens.
foreach(name base64url json_strict claims jwk jws jwt)
  if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/${name}_test.cc)
    continue()
  endif()
  add_executable(auth_${name}_test ${CMAKE_CURRENT_LIST_DIR}/${name}_test.cc)
  target_link_libraries(auth_${name}_test PRIVATE auth labkit_test_main)
  add_test(NAME auth_${name}_test COMMAND auth_${name}_test)
  set_tests_properties(auth_${name}_test PROPERTIES LABELS "unit;auth")
endforeach()
