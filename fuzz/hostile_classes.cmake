# CTest: every hostile-input class of issue 11 (fuzz/hostile_classes.py --quick, 6 tries per
# class) against the built CLI; fails on any crash, hang or exit 3. Included from
# tests/cli/CMakeLists.txt, where the opcost_cli target exists. Stdlib-only Python.
# Not in the sanitizer build: the script limits each command's address space (RLIMIT_AS), and
# ASan reserves terabytes of shadow memory at start-up, so every try would die before main.
if(OPCOST_SANITIZE)
  return()
endif()
find_program(OPCOST_PYTHON3 NAMES python3 HINTS /usr/bin)
if(NOT OPCOST_PYTHON3)
  message(WARNING "python3 not found: the hostile-input classes test is not registered")
  return()
endif()
add_test(NAME opcost_hostile_classes
         COMMAND ${OPCOST_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/hostile_classes.py
                 $<TARGET_FILE:opcost_cli> --quick)
set_tests_properties(opcost_hostile_classes PROPERTIES
  TIMEOUT 600
  ENVIRONMENT "OPCOST_SHARED_DIR=${OPCOST_SHARED_DIR}")
