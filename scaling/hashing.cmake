# scaling_hashing: the sharding schemes of the scaling lab (hash ring with
# virtual nodes, jump hash, weighted rendezvous, Maglev, bounded loads), and
# scaling-shard-report, which compares them.
#
# The lab's exercises each replace one file below (see cmake/Lab.cmake), so
# each of those defines only what its header declares. Keep this list one
# file per line.
add_library(scaling_hashing STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/key_hash.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/jump_hash.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/hash_ring.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/rendezvous.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/rendezvous_nodes.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/maglev.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/maglev_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/bounded_load.cc
)
target_include_directories(scaling_hashing PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)

# The report is apart from the schemes, so an exercise never links it.
add_library(scaling_shard_report STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/hashing/shard_report.cc
)
target_link_libraries(scaling_shard_report PUBLIC scaling_hashing)

add_executable(scaling-shard-report
               ${CMAKE_CURRENT_LIST_DIR}/src/hashing/shard_report_main.cc)
target_link_libraries(scaling-shard-report PRIVATE scaling_shard_report
                      labkit_common CLI11::CLI11)
