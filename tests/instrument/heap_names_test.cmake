# Heap blocks from malloc, calloc, new and make_shared, held in locals or stored straight into
# global pointers or members of other objects, or into array elements (of a global or local
# array, or of an array a global or a variable's object points to), or carved up by the program's own
# allocator, or in memory no allocation holds (both named from the accesses' code), or made
# by `new T{}` with no constructor and held in a register from after its zeroing, named by
# their type's member at every optimization level, with each compiler given: -O0 keeps the
# receiving pointer in a frame
# slot (clang's frame base is %rbp, gcc's the call frame address) and calls constructors,
# -O2 keeps it in registers and inlines them.
# Run: cmake -DCOMPILERS="clang++;g++" -DTHREADLENS=... -DWRAPPER=... -DSOURCE_DIR=...
#            -DWORK_DIR=... -P heap_names_test.cmake
include(${CMAKE_CURRENT_LIST_DIR}/wrapper_steps.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(calloc_names "Conn::bytes_in in heap block allocated at NewConn(int)"
                 "Totals::errors in heap block allocated at NewTotals()")
set(new_names "Account::balance in heap block allocated at main"
              "Session::hits_ in heap block allocated at main"
              "Ledger::entries in heap block allocated at main")
set(member_names "stats::misses in heap block allocated at conn_new")
set(array_names "worker::done in heap block allocated at main"
                "slot_t::misses in heap block allocated at main")
set(pool_names "item::uses in heap block allocated at pool_new")
set(slab_names "item::hits in heap block allocated at main")
set(unseen_names "rec::total at 0x")
set(args_names "thread_data::sum in heap block allocated at main")
set(local_names "job::progress in heap block allocated at main")
set(value_names "Slot::hits in heap block allocated at main"
                "Gauge::level in heap block allocated at main")
set(value_unnamed "data race on heap block of")  # every race of it names its field
set(global_names "Stats::misses in heap block allocated at main"
                 "Pod::b in heap block allocated at main"
                 "double[6] in heap block allocated at main")

foreach(compiler ${COMPILERS})
  get_filename_component(tag "${compiler}" NAME)
  foreach(program calloc new value global member array pool slab unseen args local)
    if(program STREQUAL "calloc")
      set(source "${SOURCE_DIR}/programs/race_heap_struct_calloc.cc")
    elseif(program STREQUAL "new")
      set(source "${SOURCE_DIR}/programs/race_heap_new_object.cc")
    elseif(program STREQUAL "value")
      set(source "${SOURCE_DIR}/programs/race_heap_value_initialized.cc")
    elseif(program STREQUAL "global")
      set(source "${SOURCE_DIR}/programs/race_heap_global_pointer.cc")
    elseif(program STREQUAL "array")
      set(source "${SOURCE_DIR}/programs/race_heap_array_of_pointers.c")
    elseif(program STREQUAL "pool")
      set(source "${SOURCE_DIR}/programs/race_heap_pool_items.c")
    elseif(program STREQUAL "slab")
      set(source "${SOURCE_DIR}/programs/race_heap_slab_items.c")
    elseif(program STREQUAL "unseen")
      set(source "${SOURCE_DIR}/programs/race_unseen_memory_record.c")
    elseif(program STREQUAL "args")
      set(source "${SOURCE_DIR}/programs/race_heap_thread_args.c")
    elseif(program STREQUAL "local")
      set(source "${SOURCE_DIR}/programs/race_heap_local_array.c")
    else()
      set(source "${SOURCE_DIR}/programs/race_heap_member_pointer.c")
    endif()
    set(language "")
    if(source MATCHES "\\.c$")
      set(language -x c)  # a C program, through the C++ driver
    endif()
    foreach(level -O0 -O2)
      set(prog "${WORK_DIR}/heap_${program}_${tag}${level}")
      wrapper_build(${compiler} "build ${source} at ${level}" -g ${level} ${language} "${source}"
                    -x none -o "${prog}")
      trace_and_analyze("${prog}" report)
      foreach(name ${${program}_names})
        string(FIND "${report}" "data race on ${name}" at)
        if(at EQUAL -1)
          message(FATAL_ERROR "${compiler} ${level}: no race on `${name}`:\n${report}")
        endif()
      endforeach()
      if(DEFINED ${program}_unnamed)
        string(FIND "${report}" "${${program}_unnamed}" at)
        if(NOT at EQUAL -1)
          message(FATAL_ERROR "${compiler} ${level}: a race with no field's name:\n${report}")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()
