# The scenario catalogue: one program per bug or fix, built with the threadlens
# instrumentation. Each program states its story and expected findings in its opening comment
# (STORY:, EXPECT:, WATCHDOG: lines); this file collects them into catalogue.txt beside the
# programs, which `threadlens scenarios` reads.

# Catalogue order: each bug next to its fix.
set(THREADLENS_SCENARIOS
  counter_race counter_lock
  price_feed_shared_map price_feed_queue
  pipeline_handoff pipeline_handoff_broken
  queue_stop_event_hang queue_stop_event
  sum_list_lock sum_list_rlock
  int_list_find_replace
  ab_ba_deadlock ab_ba_potential ab_ba_scoped_lock ab_ba_handoff
  gate_lock
  dining_philosophers dining_philosophers_ordered
  thread_pool_reporter thread_pool_reporter_atomic
  echo_server echo_server_stats_race
  event_loop_thread event_loop_direct_call
  thread_local_state
  lock_leak_early_return
  lost_wakeup wakeup_with_predicate
  lost_wakeup_latent wakeup_latent_with_predicate
  ack_one_semaphore ack_two_semaphores
  sem_wait_holding_lock sem_wait_then_lock
  race_behind_log_lock limit_under_lock
  giant_lock_countdown
  shm_counter_race shm_counter_lock
  printers_shared_lock printers_two_locks
  pipe_handoff_procs shm_flag_handoff
  worker_pool_procs
  wait_holding_lock_procs wait_after_unlock_procs
  flock_order_procs flock_same_order_procs
  pipe_wait_first_procs pipe_read_first_procs
  socket_both_wait_procs socket_server_greets_procs)

# Programs that use a library beyond the standard one.
set(THREADLENS_SCENARIO_LIBS_price_feed_shared_map nlohmann_json::nlohmann_json)
set(THREADLENS_SCENARIO_LIBS_price_feed_queue nlohmann_json::nlohmann_json)

set(THREADLENS_SCENARIO_INSTALL_DIR ${CMAKE_INSTALL_LIBEXECDIR}/threadlens/scenarios)

if(NOT COMMAND threadlens_instrument)
  include(${PROJECT_SOURCE_DIR}/cmake/threadlens-instrument.cmake)
endif()

set(catalogue "# threadlens scenario catalogue, generated from the STORY/EXPECT lines of each program.\n")
foreach(name ${THREADLENS_SCENARIOS})
  set(source ${CMAKE_CURRENT_SOURCE_DIR}/${name}.cc)
  add_executable(scenario_${name} ${source})
  # threadlens::format carries threadlens/threadlens.h, the annotation API.
  target_link_libraries(scenario_${name} PRIVATE threadlens::format Threads::Threads
                        ${THREADLENS_SCENARIO_LIBS_${name}})
  # -O0: no inlining, so every function of the story is a frame of the reported stacks.
  target_compile_options(scenario_${name} PRIVATE -O0 -g -fno-omit-frame-pointer)
  # Compiled with -fsanitize=thread, linked against the threadlens runtime.
  threadlens_instrument(scenario_${name})
  set_target_properties(scenario_${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    INSTALL_RPATH "$ORIGIN/../../../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS scenario_${name} RUNTIME DESTINATION ${THREADLENS_SCENARIO_INSTALL_DIR})

  file(STRINGS ${source} header REGEX "^// (STORY|EXPECT|WATCHDOG|TIMEOUT): ")
  if(NOT header MATCHES "STORY: " OR NOT header MATCHES "EXPECT: ")
    message(FATAL_ERROR "scenario ${name}: ${name}.cc needs a STORY: and an EXPECT: line")
  endif()
  string(APPEND catalogue "\nSCENARIO: ${name}\nPROGRAM: scenario_${name}\nSOURCE: ${source}\n")
  foreach(line ${header})
    string(REGEX REPLACE "^// " "" line "${line}")
    string(APPEND catalogue "${line}\n")
  endforeach()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
endforeach()

file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/catalogue.txt.in "${catalogue}")
configure_file(${CMAKE_CURRENT_BINARY_DIR}/catalogue.txt.in ${CMAKE_CURRENT_BINARY_DIR}/catalogue.txt COPYONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/catalogue.txt DESTINATION ${THREADLENS_SCENARIO_INSTALL_DIR})

add_custom_target(scenarios)
foreach(name ${THREADLENS_SCENARIOS})
  add_dependencies(scenarios scenario_${name})
endforeach()

# For tests/scenarios: the names, in catalogue order, and the catalogue file.
set_property(GLOBAL PROPERTY THREADLENS_SCENARIOS ${THREADLENS_SCENARIOS})
set_property(GLOBAL PROPERTY THREADLENS_SCENARIO_CATALOGUE ${CMAKE_CURRENT_BINARY_DIR}/catalogue.txt)
