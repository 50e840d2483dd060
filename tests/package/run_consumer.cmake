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
