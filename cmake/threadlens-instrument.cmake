# threadlens_instrument(<target>): compile <target> with clang's ThreadSanitizer
# instrumentation and link it against the threadlens runtime instead of TSan's, so that
# `threadlens run -- <program>` records its memory accesses, atomics and call stacks.
# Adds -g when the build has no debug info: without it, reports have no source lines.
# Works in the threadlens tree and after find_package(threadlens).
function(threadlens_instrument target)
  if(TARGET threadlens_preload)
    set(runtime threadlens_preload)
    set(alloc threadlens_alloc)
  elseif(TARGET threadlens::preload)
    set(runtime threadlens::preload)
    set(alloc threadlens::alloc)
  else()
    message(FATAL_ERROR "threadlens_instrument(${target}): the threadlens runtime target "
                        "(threadlens_preload or threadlens::preload) is not defined; "
                        "call find_package(threadlens) first")
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang|GNU" AND NOT CMAKE_C_COMPILER_ID MATCHES "Clang|GNU")
    message(FATAL_ERROR "threadlens_instrument(${target}): needs clang (or gcc) for "
                        "-fsanitize=thread")
  endif()
  # -fsanitize=thread on compile only: the link must not pull in TSan's own runtime.
  target_compile_options(${target} PRIVATE -fsanitize=thread)
  # clang: keep each local variable's frame slot in the debug info (its optimizer otherwise
  # describes an escaped local by the registers holding its value), so a race on a stack
  # variable names it. The code is the same.
  target_compile_options(${target} PRIVATE
    "$<$<COMPILE_LANG_AND_ID:CXX,Clang,AppleClang>:SHELL:-mllvm -instcombine-lower-dbg-declare=0>"
    "$<$<COMPILE_LANG_AND_ID:C,Clang,AppleClang>:SHELL:-mllvm -instcombine-lower-dbg-declare=0>")
  # The accesses to escaped locals TSan's pass leaves out (tracer/instrument/
  # escaped_locals_pass.cc), when the plugin was built for this clang.
  if(TARGET threadlens_locals_pass)
    target_compile_options(${target} PRIVATE
      "$<$<COMPILE_LANG_AND_ID:CXX,Clang>:-fpass-plugin=$<TARGET_FILE:threadlens_locals_pass>>"
      "$<$<COMPILE_LANG_AND_ID:C,Clang>:-fpass-plugin=$<TARGET_FILE:threadlens_locals_pass>>")
    add_dependencies(${target} threadlens_locals_pass_built)
  elseif(TARGET threadlens::locals_pass AND THREADLENS_PASS_CLANG_MAJOR)
    # Installed: only the clang it was built for loads it.
    foreach(lang CXX C)
      string(REGEX MATCH "^[0-9]+" major "${CMAKE_${lang}_COMPILER_VERSION}")
      if(CMAKE_${lang}_COMPILER_ID STREQUAL "Clang" AND major STREQUAL THREADLENS_PASS_CLANG_MAJOR)
        target_compile_options(${target} PRIVATE
          "$<$<COMPILE_LANGUAGE:${lang}>:-fpass-plugin=$<TARGET_FILE:threadlens::locals_pass>>")
      endif()
    endforeach()
  endif()
  _threadlens_debug_info(${target})
  target_link_libraries(${target} PRIVATE ${runtime} Threads::Threads)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    # The heap interposer names heap blocks by allocation site. Nothing references its
    # symbols by name (the C library does), so `-u` pulls its members: the C allocator, and
    # operator new/delete when the target links as C++ (a C program has no C++ runtime).
    target_link_options(${target} PRIVATE "LINKER:-u,malloc"
                        "$<$<LINK_LANGUAGE:CXX>:LINKER:-u,_Znwm>")
    target_link_libraries(${target} PRIVATE ${alloc})
  endif()
endfunction()

# -g unless the flags already ask for debug info (any -g form but -g0). Multi-config
# generators decide per configuration: Debug and RelWithDebInfo have it already.
function(_threadlens_debug_info target)
  set(debug_re "(^|[ ;])-g($|[ ;]|[1-3]|gdb|dwarf|line-tables-only)")
  get_target_property(options ${target} COMPILE_OPTIONS)
  set(flags "${CMAKE_C_FLAGS} ${CMAKE_CXX_FLAGS} ${options}")
  if(flags MATCHES "${debug_re}")
    return()
  endif()
  get_property(multi_config GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi_config)
    target_compile_options(${target} PRIVATE "$<$<NOT:$<CONFIG:Debug,RelWithDebInfo>>:-g>")
    return()
  endif()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  if(NOT "${CMAKE_C_FLAGS_${config}} ${CMAKE_CXX_FLAGS_${config}}" MATCHES "${debug_re}")
    target_compile_options(${target} PRIVATE -g)
  endif()
endfunction()
