// Helpers shared by the kernel tests.
#ifndef OPCOST_TESTS_KERNELS_KERNEL_TEST_UTIL_H_
#define OPCOST_TESTS_KERNELS_KERNEL_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>

#include "opcost/error.h"
#include "opcost/kernels/check.h"
#include "opcost/kernels/kernel_types.h"

namespace opcost::kernels {

// Asserts that `status` failed with `code` and that the opcost::Error ThrowIfError makes of it
// has `error_code` and contains `substring` (and the context "test").
inline void ExpectStatus(const Status& status, StatusCode code, ErrorCode error_code,
                         const std::string& substring) {
  SCOPED_TRACE(std::string("expecting '") + substring + "'");
  EXPECT_EQ(status.code, code) << status.message;
  try {
    ThrowIfError(status, "test");
    ADD_FAILURE() << "expected an error containing '" << substring << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), error_code) << e.what();
    EXPECT_NE(std::string(e.what()).find(substring), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("test: "), std::string::npos) << e.what();
  }
}

// The requantization for a real factor of exactly 1.0: multiplier 2^30 with shift 1.
struct UnitRequant {
  std::int32_t multiplier = 1 << 30;
  std::int32_t shift = 1;
  Requantization Get() const { return Requantization{{&multiplier, 1}, {&shift, 1}}; }
};

}  // namespace opcost::kernels

#endif  // OPCOST_TESTS_KERNELS_KERNEL_TEST_UTIL_H_
