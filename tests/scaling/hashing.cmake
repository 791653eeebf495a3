# Tests of the sharding schemes across schemes: key hash check values, ring
# balance by points and hash, keys moved on removal by the ring, jump hash
# and Maglev, and the shard report. Each exercise's tests are in
# exercises/ and run through labs/scaling/lab.json.
if(NOT TARGET scaling_shard_report)
  return()
endif()

add_executable(scaling_hashing_test ${CMAKE_CURRENT_LIST_DIR}/hashing_test.cc)
target_link_libraries(scaling_hashing_test PRIVATE scaling_shard_report
                      labkit_test_main)
add_test(NAME scaling_hashing_test COMMAND scaling_hashing_test)
set_tests_properties(scaling_hashing_test PROPERTIES
                     LABELS "unit;scaling" TIMEOUT 120)
