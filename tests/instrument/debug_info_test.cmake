# threadlens_instrument() adds -g to a build without debug info (Release, or no build type),
# and leaves builds that have it alone. Configure-only: the compile commands tell.
# Run: cmake -DSOURCE_DIR=... -DWORK_DIR=... -DCXX=... -DGENERATOR=... -P debug_info_test.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/src")
file(WRITE "${WORK_DIR}/src/main.cc" "int main() { return 0; }\n")
file(WRITE "${WORK_DIR}/src/CMakeLists.txt" "
cmake_minimum_required(VERSION 3.20)
project(debug_info CXX)
find_package(Threads REQUIRED)
# Stand-ins for the runtime targets: only the compile flags matter here.
add_library(threadlens_preload INTERFACE)
add_library(threadlens_alloc INTERFACE)
include(\"${SOURCE_DIR}/cmake/threadlens-instrument.cmake\")
add_executable(prog main.cc)
threadlens_instrument(prog)
")

# build type -> whether the compile line must carry a -g of its own
foreach(case "Release:1" "MinSizeRel:1" "none:1" "RelWithDebInfo:0" "Debug:0")
  string(REPLACE ":" ";" case "${case}")
  list(GET case 0 type)
  list(GET case 1 want_added)
  if(type STREQUAL "none")
    set(type "")
  endif()
  set(build "${WORK_DIR}/build-${type}x")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S "${WORK_DIR}/src" -B "${build}" -G "${GENERATOR}"
            -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${type}
            -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "configure (${type}) failed:\n${out}")
  endif()
  file(READ "${build}/compile_commands.json" commands)
  string(REGEX MATCHALL " -g( |\")" debug "${commands}")
  list(LENGTH debug count)
  if(want_added AND count EQUAL 0)
    message(FATAL_ERROR "build type '${type}': no -g on the compile line:\n${commands}")
  endif()
  if(NOT want_added AND count GREATER 1)
    message(FATAL_ERROR "build type '${type}': -g added twice:\n${commands}")
  endif()
  message(STATUS "build type '${type}': ${count} -g")
endforeach()
