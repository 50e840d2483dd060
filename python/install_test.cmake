# CTest python.installed_package: `cmake --install --component python` into a temporary prefix,
# then `import opcost` from there (outside the build tree) finds its packaged profiles.
#   cmake -DBUILD=<build dir> -DPREFIX=<temp prefix> -DPYTHON=<python3> -P install_test.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD}" --component python
                        --prefix "${PREFIX}" RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install --component python failed (${rc})")
endif()
file(GLOB site "${PREFIX}/lib/python3*/dist-packages")
set(check [=[
import os, opcost
packaged = opcost.profile_dirs()[0]
assert os.path.isfile(os.path.join(packaged, "cortex-m7-f746.json")), packaged
assert opcost.__file__.startswith(os.environ["PYTHONPATH"]), opcost.__file__
e = opcost.estimate(opcost.model_from_dict({
    "format": "opcost-model", "format_version": 1, "name": "t",
    "inputs": [{"name": "x", "shape": [1, 8, 8, 3]}],
    "layers": [{"name": "c", "op": "conv2d", "filters": 4, "kernel": 3}]}),
    opcost.load_profile(os.path.join(packaged, "cortex-m7-f746.json")))
assert e.totals.macs == 8 * 8 * 4 * 27, e.totals.macs
print("installed package OK:", opcost.__file__)
]=])
execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PYTHONPATH=${site}" "${PYTHON}" -c "${check}"
                WORKING_DIRECTORY "${PREFIX}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "import opcost from the installed package failed (${rc})")
endif()
