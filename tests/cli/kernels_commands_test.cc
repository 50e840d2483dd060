// `opcost vectors` and `opcost run` through the built executable: output lines, the closing
// count line and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

const std::string kOpcost = OPCOST_CLI_PATH;
const std::string kVectorDir = std::string(OPCOST_SHARED_DIR) + "/testvectors/cmsis-nn-s8";

struct Result {
  int exit_code = -1;
  std::string out;
};

Result RunCli(const std::string& args) {
  Result r;
  FILE* pipe = popen((kOpcost + " " + args + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf;
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) r.out += buf.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::filesystem::path ScratchDir(const std::string& name) {
  const auto dir = std::filesystem::path(OPCOST_BINARY_DIR) / "cli_kernels_test" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(VectorsCommand, AllSharedVectorsPass) {
  const Result r = RunCli("vectors " + kVectorDir);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\nds_cnn_s pass\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nsoftmax pass\n"), std::string::npos) << r.out;
  const std::string last = "69 passed, 0 failed\n";
  ASSERT_GE(r.out.size(), last.size());
  EXPECT_EQ(r.out.substr(r.out.size() - last.size()), last);
}

TEST(VectorsCommand, AMismatchFailsWithExitCode1) {
  const auto dir = ScratchDir("mismatch");
  std::ifstream in(kVectorDir + "/basic.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "\"output_ref\":{\"type\":\"int8_t\",\"data\":[-11,";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "\"output_ref\":{\"type\":\"int8_t\",\"data\":[-12,");
  std::ofstream(dir / "basic.json") << text;
  std::filesystem::copy_file(kVectorDir + "/mul.json", dir / "mul.json");
  const Result r = RunCli("vectors " + dir.string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.out,
            "basic fail output[0] = -11, expected -12 (1 of 20 bytes differ)\n"
            "mul pass\n"
            "1 passed, 1 failed\n");
  const Result j = RunCli("vectors " + dir.string() + " --format json");
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_NE(j.out.find("\"first_difference\": 0"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"failed\": 1"), std::string::npos) << j.out;
}

TEST(VectorsCommand, UsageAndMissingDirectory) {
  EXPECT_EQ(RunCli("vectors").exit_code, 2);
  EXPECT_EQ(RunCli("vectors a b").exit_code, 2);
  EXPECT_EQ(RunCli("vectors " + kVectorDir + " --format csv").exit_code, 2);
  const Result r = RunCli("vectors /nonexistent/dir");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("opcost: error: test-vector directory '/nonexistent/dir' is not a "
                       "readable directory"),
            std::string::npos)
      << r.out;
}

// A conv (x0.5 * 0.25 / 0.125 = x1) followed by a relu6 fully connected layer (x0.5):
// x = {10, 10} -> conv 3, 3 -> fc ((3 + 5) + 2 * (3 + 5)) * 0.5 = 12; x = {14, 12} -> 24 (cap).
constexpr char kTinyModel[] = R"({"format": "opcost-model", "format_version": 1, "name": "tiny",
 "inputs": [{"name": "x", "shape": [1, 1, 2, 1]}],
 "tensors": [
  {"name": "x", "dtype": "int8", "quantization": {"scale": [0.5], "zero_point": [10]}},
  {"name": "conv/weights", "shape": [1, 1, 1, 1], "dtype": "int8", "constant": true,
   "quantization": {"scale": [0.25], "zero_point": [0]}, "data": [3]},
  {"name": "conv/bias", "shape": [1], "dtype": "int32", "constant": true, "data": [8]},
  {"name": "conv", "dtype": "int8", "quantization": {"scale": [0.125], "zero_point": [-5]}},
  {"name": "fc/weights", "shape": [1, 2], "dtype": "int8", "constant": true,
   "quantization": {"scale": [1.0], "zero_point": [0]}, "data": [1, 2]},
  {"name": "fc", "dtype": "int8", "quantization": {"scale": [0.25], "zero_point": [0]}}],
 "layers": [
  {"name": "conv", "op": "conv2d", "inputs": ["x", "conv/weights", "conv/bias"], "filters": 1,
   "kernel": 1},
  {"name": "fc", "op": "fully_connected", "inputs": ["conv", "fc/weights"], "units": 1,
   "activation": "relu6"}]})";

TEST(RunCommand, PrintsOutputsOfAQuantizedModel) {
  const auto dir = ScratchDir("run");
  std::ofstream(dir / "tiny.json") << kTinyModel;
  std::ofstream(dir / "a.json") << "[10, 10]";
  std::ofstream(dir / "b.json") << R"({"x": [14, 12]})";
  std::ofstream(dir / "bad.json") << "[300, 1]";
  const std::string model = (dir / "tiny.json").string();
  Result r = RunCli("run " + model + " --input " + (dir / "a.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "fc [1,1]: 12\n");
  r = RunCli("run " + model + " --input " + (dir / "b.json").string() + " --format json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"data\": [\n        24\n      ]"), std::string::npos) << r.out;
  r = RunCli("run " + model + " --input " + (dir / "bad.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("bad.json: /0: must be an integer in [-128, 127] (got 300)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(RunCli("run " + model).exit_code, 2);
  // A wrong number of values is the input file's mistake: the message names the file.
  std::ofstream(dir / "three.json") << "[1, 2, 3]";
  std::ofstream(dir / "short.json") << R"({"x": [1]})";
  r = RunCli("run " + model + " --input " + (dir / "three.json").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("three.json: /: input 'x' [1,1,2,1] needs 2 values (got 3)"),
            std::string::npos)
      << r.out;
  r = RunCli("run " + model + " --input " + (dir / "short.json").string());
  EXPECT_NE(r.out.find("short.json: /x: input 'x' [1,1,2,1] needs 2 values (got 1)"),
            std::string::npos)
      << r.out;
}

}  // namespace
