# cmake -P script for the package.consumer test (see CMakeLists.txt).
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${OPCOST_BUILD_DIR} --prefix ${prefix})
foreach(f include/opcost/opcost.h include/opcost/graph.h lib/cmake/opcost/opcostConfig.cmake
          lib/cmake/opcost/opcostConfigVersion.cmake bin/opcost
          share/opcost/profiles/cortex-m7-f746.json)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install is missing ${f}")
  endif()
endforeach()
# Only the public API is installed: every installed header is under include/opcost/ and reached
# from the umbrella header (so the consumer's build compiles it); internal headers such as the
# test-vector harness are not installed.
file(GLOB_RECURSE installed_headers RELATIVE ${prefix}/include ${prefix}/include/*)
file(READ ${prefix}/include/opcost/opcost.h umbrella)
foreach(h IN LISTS installed_headers)
  if(NOT h MATCHES "^opcost/")
    message(FATAL_ERROR "install has a header outside include/opcost/: ${h}")
  endif()
  if(h MATCHES "^opcost/kernels/")
    continue()  # the int8 kernels are included one by one (docs/kernels.md), not by the umbrella
  endif()
  if(NOT h STREQUAL "opcost/opcost.h" AND NOT umbrella MATCHES "#include \"${h}\"")
    message(FATAL_ERROR "installed header ${h} is not in the umbrella header opcost/opcost.h")
  endif()
endforeach()
if(EXISTS ${prefix}/include/opcost/kernels/test_vectors.h)
  message(FATAL_ERROR "the internal test-vector harness header is installed")
endif()
# Only profiles are installed as profiles: each installed file loads and estimates a model.
file(GLOB installed_profiles ${prefix}/share/opcost/profiles/*)
foreach(f IN LISTS installed_profiles)
  if(IS_DIRECTORY ${f} OR NOT f MATCHES "[.]json$")
    message(FATAL_ERROR "install has a non-profile in share/opcost/profiles: ${f}")
  endif()
  run(${prefix}/bin/opcost estimate ${MODEL} --profile ${f} --format json)
endforeach()
run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer ${MODEL})
# The MLPerf Tiny KWS DS-CNN has 2,656,768 MACs (shared/measured/model_architectures.md).
if(NOT last_output MATCHES "macs=2656768")
  message(FATAL_ERROR "unexpected consumer output: ${last_output}")
endif()
# The installed CLI finds the installed profiles by name.
run(${prefix}/bin/opcost estimate ${MODEL} --profile cortex-m7-f746 --format json)
message(STATUS "consumer ok: ${last_output}")
