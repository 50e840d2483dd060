// Internal (not installed): the harness behind the kernel tests and `opcost vectors`.
// Runs the int8 test vectors (shared/testvectors/cmsis-nn-s8: CMSIS-NN's unit-test data, whose
// references come from TFLite's reference interpreter) through the kernels and compares every
// output byte. Used by the kernel tests and by `opcost vectors DIR`.
//
//   for (const auto& r : opcost::kernels::RunVectorDirectory(dir)) {
//     std::cout << r.name << (r.passed ? " pass" : " fail " + r.detail) << "\n";
//   }
//
// File format: see shared/testvectors/cmsis-nn-s8/README.md. Kinds: conv, depthwise_conv,
// fully_connected, avg_pool, max_pool, softmax, add, mul, model (a whole DS-CNN network run
// layer after layer, each layer's output feeding the next).
#ifndef OPCOST_SRC_KERNELS_TEST_VECTORS_H_
#define OPCOST_SRC_KERNELS_TEST_VECTORS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace opcost::kernels {

struct VectorResult {
  std::string name;  // the case name ("basic", "ds_cnn_s"), or the file stem if unreadable
  std::string kind;  // "conv", ..., "model"; empty if the file could not be parsed
  bool passed = false;
  // Empty when passed. Otherwise the reason: "output[17] = 5, expected 6 (3 of 20 bytes
  // differ)", "output has 19 bytes, expected 20", or the error that stopped the case.
  std::string detail;
  std::int64_t first_difference = -1;  // index of the first differing byte, -1 if none
  std::int64_t num_differences = 0;
  std::int64_t num_elements = 0;    // bytes compared
  std::vector<std::int8_t> output;  // what the kernels produced
};

// Runs the one case in the JSON file at `path`. A case whose output differs is returned with
// passed == false. Throws Error{kIo} if the file cannot be read and Error{kInvalidArgument} if
// it is not a valid vector file (malformed JSON, unknown kind, unknown or missing config key or
// array, wrongly typed or out-of-range value, sizes that contradict each other); the message
// names the file and the JSON path. Kernel parameter errors are thrown the same way.
VectorResult RunVectorFile(const std::string& path);

// Runs every "*.json" file in `dir` in file-name order. A file that RunVectorFile rejects
// becomes a failed result whose detail is the error message. Throws Error{kIo} if `dir` is not
// a readable directory or holds no .json file.
std::vector<VectorResult> RunVectorDirectory(const std::string& dir);

}  // namespace opcost::kernels

#endif  // OPCOST_SRC_KERNELS_TEST_VECTORS_H_
