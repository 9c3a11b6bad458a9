# threadlens_instrument(<target>): compile <target> with clang's ThreadSanitizer
# instrumentation and link it against the threadlens runtime instead of TSan's, so that
# `threadlens run -- <program>` records its memory accesses, atomics and call stacks.
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
