# scaling_model: the Universal Scalability Law fit and the discrete-event
# load-balancing simulator, with their programs scaling-usl-fit and
# scaling-lb-sim.
#
# Two files are lab exercises and define only what their headers declare
# (see cmake/Lab.cmake): src/model/usl_fit.cc (FitUsl) and
# src/model/two_choices.cc (TwoChoices::Choose). Keep this list one file
# per line.
add_library(scaling_model STATIC
  ${CMAKE_CURRENT_LIST_DIR}/src/model/usl.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/model/usl_fit.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/model/policies.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/model/two_choices.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/model/simulator.cc
)
target_include_directories(scaling_model PUBLIC
                           ${CMAKE_CURRENT_LIST_DIR}/include)

add_executable(scaling-usl-fit ${CMAKE_CURRENT_LIST_DIR}/src/model/usl_fit_main.cc)
target_link_libraries(scaling-usl-fit PRIVATE scaling_model labkit_common
                      CLI11::CLI11)

add_executable(scaling-lb-sim ${CMAKE_CURRENT_LIST_DIR}/src/model/lb_sim_main.cc)
target_link_libraries(scaling-lb-sim PRIVATE scaling_model labkit_common
                      CLI11::CLI11)
