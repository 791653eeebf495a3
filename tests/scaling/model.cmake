# Tests of the scaling lab's model: the USL (formula, peak, CSV loader; the
# fit itself is the usl_fit exercise's), the load-balancing policies and
# simulator, and the scaling-usl-fit and scaling-lb-sim programs.
if(NOT TARGET scaling_model)
  return()
endif()

set(SCALING_MODEL_CISCO_CSV ${PROJECT_SOURCE_DIR}/scaling/data/usl_cisco.csv)

foreach(name usl simulator)
  add_executable(scaling_${name}_test ${CMAKE_CURRENT_LIST_DIR}/${name}_test.cc)
  target_link_libraries(scaling_${name}_test PRIVATE scaling_model
                        labkit_test_main)
  target_compile_definitions(scaling_${name}_test PRIVATE
    LABKIT_USL_CISCO_CSV="${SCALING_MODEL_CISCO_CSV}")
  add_test(NAME scaling_${name}_test COMMAND scaling_${name}_test)
  set_tests_properties(scaling_${name}_test PROPERTIES
                       LABELS "unit;scaling" TIMEOUT 120)
endforeach()

add_executable(scaling_model_programs_test
               ${CMAKE_CURRENT_LIST_DIR}/model_programs_test.cc)
target_link_libraries(scaling_model_programs_test PRIVATE labkit_test_main)
target_compile_definitions(scaling_model_programs_test PRIVATE
  LABKIT_USL_CISCO_CSV="${SCALING_MODEL_CISCO_CSV}"
  USL_FIT_BINARY="$<TARGET_FILE:scaling-usl-fit>"
  LB_SIM_BINARY="$<TARGET_FILE:scaling-lb-sim>")
add_dependencies(scaling_model_programs_test scaling-usl-fit scaling-lb-sim)
add_test(NAME scaling_model_programs_test COMMAND scaling_model_programs_test)
set_tests_properties(scaling_model_programs_test PROPERTIES
                     LABELS "integration;scaling" TIMEOUT 180)
