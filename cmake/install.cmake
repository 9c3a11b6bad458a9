# Install rules and the package config, so that another project can
#   find_package(threadlens)  ->  threadlens::threadlens (the command), threadlens::preload,
#   threadlens::tracer, threadlens::annotations, threadlens::format, threadlens::alloc,
#   threadlens::locals_pass (the clang plugin, when it was built), threadlens_add_test() and
#   threadlens_instrument().
include(CMakePackageConfigHelpers)

set(THREADLENS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/threadlens)

# Short exported names: threadlens::preload rather than threadlens::threadlens_preload.
set(threadlens_exported threadlens)
foreach(pair preload:threadlens_preload format:threadlens_format tracer:threadlens_tracer
             annotations:threadlens_annotations alloc:threadlens_alloc
             locals_pass:threadlens_locals_pass)
  string(REPLACE ":" ";" pair ${pair})
  list(GET pair 0 export_name)
  list(GET pair 1 target)
  if(TARGET ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
    list(APPEND threadlens_exported ${target})
  endif()
endforeach()

install(TARGETS ${threadlens_exported} EXPORT threadlensTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY tracer/include/threadlens DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT threadlensTargets NAMESPACE threadlens:: DESTINATION ${THREADLENS_CMAKE_DIR})

# The clang major version the plugin was built for: only that clang can load it.
if(TARGET threadlens_locals_pass)
  string(REGEX MATCH "^[0-9]+" THREADLENS_PASS_CLANG_MAJOR "${CMAKE_CXX_COMPILER_VERSION}")
else()
  set(THREADLENS_PASS_CLANG_MAJOR "")
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/threadlensConfig.cmake.in
  ${PROJECT_BINARY_DIR}/threadlensConfig.cmake INSTALL_DESTINATION ${THREADLENS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/threadlensConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/threadlensConfig.cmake
  ${PROJECT_BINARY_DIR}/threadlensConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/threadlens-add-test.cmake
  ${CMAKE_CURRENT_LIST_DIR}/threadlens-run-test.cmake
  DESTINATION ${THREADLENS_CMAKE_DIR})
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/threadlens-instrument.cmake)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/threadlens-instrument.cmake DESTINATION ${THREADLENS_CMAKE_DIR})
endif()
install(FILES docs/ci.md docs/suppressions.md DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
