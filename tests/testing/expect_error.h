// EXPECT_OPCOST_ERROR(statement, code, substring): the statement throws opcost::Error with that
// code and a message containing the substring.
#ifndef OPCOST_TESTS_TESTING_EXPECT_ERROR_H_
#define OPCOST_TESTS_TESTING_EXPECT_ERROR_H_

#include <string>

#include <gtest/gtest.h>

#include "opcost/error.h"

#define EXPECT_OPCOST_ERROR(statement, expected_code, substring)                          \
  do {                                                                                    \
    try {                                                                                 \
      statement;                                                                          \
      ADD_FAILURE() << "expected opcost::Error from: " #statement;                        \
    } catch (const opcost::Error& e) {                                                    \
      EXPECT_STREQ(opcost::ErrorCodeName(e.code()), opcost::ErrorCodeName(expected_code)) \
          << e.what();                                                                    \
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos)                 \
          << "message: " << e.what() << "\nexpected to contain: " << (substring);        \
    }                                                                                     \
  } while (0)

#endif  // OPCOST_TESTS_TESTING_EXPECT_ERROR_H_
