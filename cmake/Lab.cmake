# The lab mechanism: builds each exercise's tests against four kinds of
# implementation, all from one manifest, labs/<lab>/lab.json.
#
# For exercise E of lab L, the tests in E's "tests" list are compiled once
# (an OBJECT library) and linked into:
#
#   ex_L_E_learner    with the learner's file, labs/L/<file>
#   ex_L_E_starter    with the untouched starter, labs/L/.starter/<file>
#   ex_L_E_reference  with the reference alone
#   ex_L_E_mutant_M   with the reference patched by mutant M's patch
#
# Every executable also links the lab's reference libraries (the "link"
# list). The replacement file is linked as an object ahead of those static
# libraries, so the linker takes the replacement's definitions and never
# pulls the reference member for the same file. RULE: a reference file that
# an exercise replaces defines only what its public header declares; its
# helpers live in an anonymous namespace.
#
# An exercise with a "bench" list gets two Google Benchmark executables from
# those sources, linked the same way: bench_L_E_learner and
# bench_L_E_reference, in <build>/bench/, built only on demand.
#
# Text files (a Lua script, say) are embedded: a file with "embed": "ns::name"
# becomes a C++ source defining `extern const char name[]` in namespace ns.
#
# Only the reference executables are built by default and registered with
# CTest; the CLI builds the others on demand, and the target
# verify_L builds every starter, reference and mutant executable.

set(LABKIT_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/EmbedText.cmake)

# labkit_embed_text(OUT_VAR INPUT SYMBOL TAG) generates a .cc for INPUT.
function(labkit_embed_text out_var input symbol tag)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/embedded/${tag}.cc)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output}
            -DSYMBOL=${symbol} -P ${LABKIT_EMBED_SCRIPT}
    DEPENDS ${input} ${LABKIT_EMBED_SCRIPT}
    COMMENT "Embedding ${input}"
    VERBATIM)
  set(${out_var} ${output} PARENT_SCOPE)
endfunction()

# labkit_replacement_source(OUT_VAR INPUT EMBED TAG) returns INPUT itself, or
# the generated .cc when the exercise embeds a text file.
function(labkit_replacement_source out_var input embed tag)
  if(embed)
    labkit_embed_text(generated ${input} ${embed} ${tag})
    set(${out_var} ${generated} PARENT_SCOPE)
  else()
    set(${out_var} ${input} PARENT_SCOPE)
  endif()
endfunction()

function(labkit_exercise_executable target test_objects replacement links)
  add_executable(${target} EXCLUDE_FROM_ALL
                 $<TARGET_OBJECTS:${test_objects}> ${replacement})
  target_link_libraries(${target} PRIVATE ${links} labkit_test_main)
  set_target_properties(${target} PROPERTIES
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/exercises)
endfunction()

# labkit_exercise_benchmark(TARGET OBJECTS REPLACEMENT LINKS) links an
# exercise's benchmark the way labkit_exercise_executable links its tests.
function(labkit_exercise_benchmark target bench_objects replacement links)
  add_executable(${target} EXCLUDE_FROM_ALL
                 $<TARGET_OBJECTS:${bench_objects}> ${replacement})
  target_link_libraries(${target} PRIVATE ${links} labkit_common
                        benchmark::benchmark_main)
  set_target_properties(${target} PROPERTIES
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()

# labkit_lab(LAB) reads labs/LAB/lab.json and defines every target above.
function(labkit_lab lab)
  set(lab_dir ${PROJECT_SOURCE_DIR}/labs/${lab})
  set(manifest ${lab_dir}/lab.json)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${manifest})
  file(READ ${manifest} json)
  string(JSON count LENGTH "${json}" exercises)
  math(EXPR last "${count} - 1")
  set(verify_targets "")

  foreach(i RANGE ${last})
    string(JSON name GET "${json}" exercises ${i} name)
    string(JSON file GET "${json}" exercises ${i} file)
    string(JSON reference GET "${json}" exercises ${i} reference)
    string(JSON embed ERROR_VARIABLE no_embed GET "${json}" exercises ${i} embed)
    if(no_embed)
      set(embed "")
    endif()
    set(prefix ex_${lab}_${name})

    # The tests, compiled once.
    string(JSON test_count LENGTH "${json}" exercises ${i} tests)
    math(EXPR test_last "${test_count} - 1")
    set(test_sources "")
    foreach(t RANGE ${test_last})
      string(JSON test GET "${json}" exercises ${i} tests ${t})
      list(APPEND test_sources ${PROJECT_SOURCE_DIR}/${test})
    endforeach()
    string(JSON link_count LENGTH "${json}" exercises ${i} link)
    math(EXPR link_last "${link_count} - 1")
    set(links "")
    foreach(l RANGE ${link_last})
      string(JSON library GET "${json}" exercises ${i} link ${l})
      list(APPEND links ${library})
    endforeach()
    add_library(${prefix}_tests OBJECT EXCLUDE_FROM_ALL ${test_sources})
    target_link_libraries(${prefix}_tests PRIVATE ${links} labkit_test_main)

    # The learner's file, the untouched starter, and the reference.
    labkit_replacement_source(learner ${lab_dir}/${file} "${embed}"
                              ${prefix}_learner)
    labkit_replacement_source(starter ${lab_dir}/.starter/${file} "${embed}"
                              ${prefix}_starter)
    labkit_exercise_executable(${prefix}_learner ${prefix}_tests
                               "${learner}" "${links}")
    labkit_exercise_executable(${prefix}_starter ${prefix}_tests
                               "${starter}" "${links}")
    labkit_exercise_executable(${prefix}_reference ${prefix}_tests
                               "" "${links}")
    list(APPEND verify_targets ${prefix}_starter ${prefix}_reference)
    add_test(NAME ${prefix}_reference COMMAND ${prefix}_reference)
    set_tests_properties(${prefix}_reference PROPERTIES LABELS "exercise;${lab}")

    # The benchmark, if the exercise has one: its "bench" sources, compiled
    # once and linked against the learner's file and against the reference.
    string(JSON bench_count ERROR_VARIABLE no_bench
           LENGTH "${json}" exercises ${i} bench)
    if(NOT no_bench AND bench_count GREATER 0)
      math(EXPR bench_last "${bench_count} - 1")
      set(bench_sources "")
      foreach(b RANGE ${bench_last})
        string(JSON bench GET "${json}" exercises ${i} bench ${b})
        list(APPEND bench_sources ${PROJECT_SOURCE_DIR}/${bench})
      endforeach()
      set(bench_prefix bench_${lab}_${name})
      add_library(${bench_prefix}_objects OBJECT EXCLUDE_FROM_ALL
                  ${bench_sources})
      target_link_libraries(${bench_prefix}_objects PRIVATE ${links}
                            labkit_common benchmark::benchmark)
      labkit_exercise_benchmark(${bench_prefix}_learner ${bench_prefix}_objects
                                "${learner}" "${links}")
      labkit_exercise_benchmark(${bench_prefix}_reference
                                ${bench_prefix}_objects "" "${links}")
    endif()

    # Each mutant: the reference file with one small patch applied.
    string(JSON mutant_count ERROR_VARIABLE no_mutants
           LENGTH "${json}" exercises ${i} mutants)
    if(no_mutants OR mutant_count EQUAL 0)
      continue()
    endif()
    math(EXPR mutant_last "${mutant_count} - 1")
    get_filename_component(extension ${reference} LAST_EXT)
    foreach(m RANGE ${mutant_last})
      string(JSON mutant GET "${json}" exercises ${i} mutants ${m} name)
      string(JSON patch GET "${json}" exercises ${i} mutants ${m} patch)
      set(patched ${CMAKE_CURRENT_BINARY_DIR}/mutants/${prefix}_${mutant}${extension})
      add_custom_command(
        OUTPUT ${patched}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/mutants
        COMMAND patch --quiet --force --output=${patched}
                ${PROJECT_SOURCE_DIR}/${reference} ${lab_dir}/${patch}
        DEPENDS ${PROJECT_SOURCE_DIR}/${reference} ${lab_dir}/${patch}
        COMMENT "Applying mutant ${lab}/${name}/${mutant}"
        VERBATIM)
      labkit_replacement_source(mutant_source ${patched} "${embed}"
                                ${prefix}_mutant_${mutant})
      labkit_exercise_executable(${prefix}_mutant_${mutant} ${prefix}_tests
                                 "${mutant_source}" "${links}")
      list(APPEND verify_targets ${prefix}_mutant_${mutant})
    endforeach()
  endforeach()

  add_custom_target(verify_${lab} DEPENDS ${verify_targets})
  # The reference executables are part of the default build and the suite.
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" exercises ${i} name)
    set_target_properties(ex_${lab}_${name}_reference PROPERTIES
                          EXCLUDE_FROM_ALL OFF)
  endforeach()
endfunction()
