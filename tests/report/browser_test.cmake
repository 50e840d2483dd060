# CTest: `opcost report` of every shared .tflite rendered in headless Chromium (Debian package
# chromium, installed by scripts/install-deps.sh): a screenshot with content in every band and
# a DOM with the JSON report's numbers. Fails without Chromium unless
# OPCOST_SKIP_BROWSER_TESTS=1 (then skipped). Not in the sanitizer build: it tests the page,
# not memory safety, and a browser under an ASan-instrumented parent adds minutes.
if(OPCOST_SANITIZE)
  return()
endif()
# Debian's python3, as the other script tests use; any python3 >= 3.7 does (standard library).
find_program(OPCOST_REPORT_PYTHON3 NAMES python3 HINTS /usr/bin NO_DEFAULT_PATH)
if(NOT OPCOST_REPORT_PYTHON3)
  find_program(OPCOST_REPORT_PYTHON3 NAMES python3)
endif()
if(NOT OPCOST_REPORT_PYTHON3)
  message(WARNING "python3 not found: the report browser test is not registered")
  return()
endif()
add_test(NAME report.browser
         COMMAND ${OPCOST_REPORT_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/check_report_in_browser.py
                 --opcost $<TARGET_FILE:opcost_cli> --models ${OPCOST_SHARED_DIR}/models
                 --profile cortex-m7-f746
                 --hostile-model ${PROJECT_SOURCE_DIR}/models/mlperf_kws_ds_cnn.json)
set_tests_properties(report.browser PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
