# Instrumentation overhead: each program in bench/instrument/ built three ways (plain,
# threadlens runtime, clang's TSan) and run side by side by run_bench.py:
#   cmake --build BUILD --target bench_instrument
set(instrument_bench_programs work_queue histogram private_sums)
set(instrument_bench_targets "")
foreach(name ${instrument_bench_programs})
  set(source ${CMAKE_CURRENT_LIST_DIR}/instrument/${name}.cc)
  foreach(variant plain threadlens tsan)
    set(target bench_instrument_${name}_${variant})
    add_executable(${target} ${source})
    target_compile_options(${target} PRIVATE -O2 -g)
    target_link_libraries(${target} PRIVATE Threads::Threads)
    set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                          ${CMAKE_CURRENT_BINARY_DIR}/instrument)
    list(APPEND instrument_bench_targets ${target})
  endforeach()
  threadlens_instrument(bench_instrument_${name}_threadlens)
  target_compile_options(bench_instrument_${name}_tsan PRIVATE -fsanitize=thread)
  target_link_options(bench_instrument_${name}_tsan PRIVATE -fsanitize=thread)
endforeach()

find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_custom_target(bench_instrument
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/instrument/run_bench.py
            ${CMAKE_CURRENT_BINARY_DIR}/instrument
    DEPENDS ${instrument_bench_targets}
    USES_TERMINAL)
endif()
