# Install rules and the package config for find_package(threadlens).
install(TARGETS threadlens threadlens_preload
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY tracer/include/threadlens DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
