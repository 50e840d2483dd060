// The memory report (memory.h): published DS-CNN buffers, weights vs the metrics module, fit
// checks, the profile's scratch rules and the allocation-free evaluator.
#include "opcost/memory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "memory/test_graphs.h"
#include "opcost/builder.h"
#include "opcost/error.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"
#include "opcost/profile.h"

namespace opcost {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Graph Model(const std::string& stem) {
  return LoadModel(std::string(OPCOST_SOURCE_DIR) + "/models/" + stem + ".json");
}

// ../shared/measured/hello_edge_kws_deployment_buffers.csv, row "DS-CNN-S (deployed)":
// SCRATCH_BUFFER_SIZE 18304 = 2*2*64*3*3 (im2col, =2304) + 2*64*25*5 (two consecutive
// activation buffers, =16000).
struct DsCnnBuffers {
  std::int64_t scratch_buffer_size = -1, im2col = -1, activations = -1;
};
DsCnnBuffers ReadDsCnnBuffers() {
  std::ifstream in(std::string(OPCOST_SHARED_DIR) +
                   "/measured/hello_edge_kws_deployment_buffers.csv");
  DsCnnBuffers b;
  std::string line;
  const std::regex row(
      "^DS-CNN-S "
      "\\(deployed\\),SCRATCH_BUFFER_SIZE,([0-9]+),bytes,\"[^\"]*=([0-9]+)\\)[^\"]*=([0-9]+)\\)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, row)) {
      b.scratch_buffer_size = std::stoll(m[1]);
      b.im2col = std::stoll(m[2]);
      b.activations = std::stoll(m[3]);
    }
  }
  return b;
}

TEST(Memory, DsCnnSPeakEqualsTheTwoDeployedActivationBuffers) {
  const DsCnnBuffers published = ReadDsCnnBuffers();
  ASSERT_EQ(published.activations, 16000);
  const MemoryReport r = AnalyzeMemory(Model("hello_edge_ds_cnn_s"));
  EXPECT_EQ(r.peak_activation_bytes, published.activations);
  EXPECT_EQ(r.peak_step, 1);  // dw1: conv1 output + dw1 output, 25x5x64 each
  EXPECT_EQ(r.steps[0].total_bytes, 49 * 10 + 25 * 5 * 64);
}

// ../shared/measured/model_architectures.md: "live act. bytes" totals of the MLPerf Tiny reference
// .tflite files (derived there, section 3: KWS DS-CNN 16000, IC ResNet-8 49152) and the CMSIS-NN
// CIFAR-10 ping-pong buffers 32x32x32 + 16x16x32 = 40,960 B (consistency checks, vs the
// example's "40 KB").
TEST(Memory, PeaksMatchDerivedFiguresOfSharedArchitectures) {
  EXPECT_EQ(AnalyzeMemory(Model("mlperf_kws_ds_cnn")).peak_activation_bytes, 16000);
  const MemoryReport resnet = AnalyzeMemory(Model("mlperf_ic_resnet8"));
  EXPECT_EQ(resnet.peak_activation_bytes, 49152);  // 3 x 32x32x16: two convs' tensors + the skip
  EXPECT_EQ(AnalyzeMemory(Model("cifar10_cmsisnn")).peak_activation_bytes,
            32 * 32 * 32 + 16 * 16 * 32);
}

// A profile whose scratch rules are the legacy q7 CMSIS-NN kernels the deployed DS-CNN-S uses
// (ds_cnn.h): im2col of two q15 columns = 2 x 2 bytes x KH x KW x C_in for the convolution
// and the depthwise-separable kernel, 2 x 2 bytes x C_in for arm_convolve_1x1_HWC_q7_fast.
HardwareProfile LegacyCmsisNnProfile() {
  HardwareProfile p;
  p.name = "legacy-cmsis-nn";
  p.flash_bytes = 1024 * 1024;
  p.sram_bytes = 320 * 1024;
  ScratchRule conv;
  conv.category = OpCategory::kConv;
  conv.term = ScratchTerm::kKernelAreaTimesInputChannels;
  conv.bytes_per_unit = 4;
  ScratchRule dw = conv;
  dw.category = OpCategory::kDepthwiseConv;
  ScratchRule pw;
  pw.category = OpCategory::kConv1x1;
  pw.term = ScratchTerm::kInputChannels;
  pw.bytes_per_unit = 4;
  p.scratch = {conv, dw, pw};
  return p;
}

TEST(Memory, DsCnnSWithLegacyKernelScratchEqualsDeployedScratchBufferSize) {
  const DsCnnBuffers published = ReadDsCnnBuffers();
  ASSERT_EQ(published.scratch_buffer_size, 18304);
  ASSERT_EQ(published.im2col, 2304);
  const Graph g = Model("hello_edge_ds_cnn_s");
  const HardwareProfile p = LegacyCmsisNnProfile();
  MemoryOptions o;
  o.rules.scratch_bytes = ProfileScratchBytes(g, p);
  // conv1 4*10*4*1; dw 4*3*3*64; pw 4*64; avg pool and fc none.
  EXPECT_THAT(o.rules.scratch_bytes,
              ElementsAre(160, 2304, 256, 2304, 256, 2304, 256, 2304, 256, 0, 0));
  const MemoryReport r = AnalyzeMemory(g, o);
  EXPECT_EQ(r.peak_activation_bytes, published.scratch_buffer_size);
  EXPECT_EQ(r.steps[1].scratch_bytes, published.im2col);
  EXPECT_EQ(r.steps[1].activation_bytes, published.activations);

  const MemoryFit fit = CheckFit(r, p);
  EXPECT_EQ(fit.sram_used_bytes, 18304);
  EXPECT_EQ(fit.sram_margin_bytes, 320 * 1024 - 18304);
  EXPECT_EQ(fit.flash_used_bytes, r.weight_bytes);
  EXPECT_TRUE(fit.fits);
}

// A 200-way fan-in into one concat: 200 tensors live at once. With max_listed_tensors the per
// step lists are bounded, the counts are exact, and the peak's list is complete.
TEST(Memory, ListedLiveTensorsAreBoundedAndCountedExactly) {
  GraphBuilder b("fan_in");
  const TensorId x = b.Input("x", {1, 4, 4, 2});
  std::vector<TensorId> branches;
  for (int i = 0; i < 200; ++i) {
    std::string name = "r";  // built in two steps: GCC 12 warns falsely on "r" + to_string
    name += std::to_string(i);
    branches.push_back(b.Unary(name, OpType::kRelu, x));
  }
  b.Concat("cat", branches);
  const Graph g = b.Build();
  const MemoryReport all = AnalyzeMemory(g);
  MemoryOptions bounded_options;
  bounded_options.max_listed_tensors = 5;
  const MemoryReport bounded = AnalyzeMemory(g, bounded_options);
  ASSERT_EQ(all.steps.size(), bounded.steps.size());
  for (std::size_t s = 0; s < all.steps.size(); ++s) {
    const MemoryStep& a = all.steps[s];
    const MemoryStep& c = bounded.steps[s];
    EXPECT_EQ(a.live_tensor_count, static_cast<std::int32_t>(a.live_tensors.size()));
    EXPECT_EQ(c.live_tensor_count, a.live_tensor_count);
    EXPECT_EQ(c.live_tensors.size(), std::min<std::size_t>(5, a.live_tensors.size()));
    // The listed ones are the first of the full list, in its order.
    EXPECT_TRUE(std::equal(c.live_tensors.begin(), c.live_tensors.end(), a.live_tensors.begin()));
    EXPECT_EQ(c.total_bytes, a.total_bytes);
  }
  // At the concat every branch output and the concat's output are live: 201 tensors.
  EXPECT_EQ(bounded.steps.back().live_tensor_count, 201);
  EXPECT_EQ(bounded.peak_tensors, all.peak_tensors);
  EXPECT_EQ(bounded.peak_activation_bytes, all.peak_activation_bytes);
}

TEST(Memory, WeightBytesAgreeWithMetricsForEveryBundledModel) {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OPCOST_SOURCE_DIR) + "/models")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const Graph g = LoadModel(entry.path().string());
    const MemoryReport r = AnalyzeMemory(g);
    EXPECT_EQ(r.weight_bytes, ComputeMetrics(g).total.weight_bytes);
    EXPECT_EQ(r.total_footprint_bytes, r.weight_bytes + r.peak_activation_bytes);
    // The evaluator and the report agree, and the peak step's live tensors are listed.
    PeakEvaluator eval(g);
    EXPECT_EQ(eval.PeakBytes({}), r.peak_activation_bytes);
    EXPECT_EQ(r.peak_tensors, r.steps[static_cast<std::size_t>(r.peak_step)].live_tensors);
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(Memory, WeightBytesCountSharedConstantsOnce) {
  Graph g("shared");
  const TensorId x = g.AddTensor(Tensor::Activation("x", {1, 4}, DataType::kInt8));
  const TensorId w = g.AddTensor(Tensor::Constant("w", {4, 4}, DataType::kInt8));
  const TensorId b = g.AddTensor(Tensor::Constant("b", {4}, DataType::kInt32));
  const TensorId y = g.AddTensor(Tensor::Activation("y", {1, 4}, DataType::kInt8));
  const TensorId z = g.AddTensor(Tensor::Activation("z", {1, 4}, DataType::kInt8));
  g.SetInputs({x});
  Node fc1;
  fc1.name = "fc1";
  fc1.type = OpType::kFullyConnected;
  fc1.inputs = {x, w, b};
  fc1.outputs = {y};
  g.AddNode(fc1);
  Node fc2 = fc1;
  fc2.name = "fc2";
  fc2.inputs = {y, w};
  fc2.outputs = {z};
  g.AddNode(fc2);
  EXPECT_EQ(WeightBytes(g), 16 + 16);
}

TEST(Memory, CheckFitReportsNegativeMarginsWhenTooBig) {
  MemoryReport r;
  r.weight_bytes = 1000;
  r.peak_activation_bytes = 600;
  const MemoryFit f = CheckFit(r, 900, 700);
  EXPECT_EQ(f.flash_margin_bytes, -100);
  EXPECT_EQ(f.sram_margin_bytes, 100);
  EXPECT_FALSE(f.fits_flash);
  EXPECT_TRUE(f.fits_sram);
  EXPECT_FALSE(f.fits);
  EXPECT_TRUE(CheckFit(r, 1000, 600).fits);  // exactly full fits
}

TEST(Memory, CheckFitRejectsNonPositiveCapacity) {
  MemoryReport r;
  try {
    CheckFit(r, 0, 100);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("capacities must be > 0 (got flash 0 B, SRAM 100 B)"));
  }
  HardwareProfile p;
  p.name = "no-sram";
  p.flash_bytes = 10;
  try {
    CheckFit(r, p);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("profile 'no-sram'"));
  }
}

TEST(Memory, ProfileScratchNamesTheOpOnError) {
  // A rule whose bytes overflow: 2^62 bytes per unit x 9 x C_in.
  HardwareProfile p = LegacyCmsisNnProfile();
  p.scratch[1].bytes_per_unit = std::int64_t{1} << 62;
  try {
    ProfileScratchBytes(Model("hello_edge_ds_cnn_s"), p);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kOverflow);
    EXPECT_THAT(e.what(), HasSubstr("scratch of op 'dw1' under profile 'legacy-cmsis-nn'"));
  }
}

// One evaluator Reset for candidate after candidate gives what a new evaluator gives, for graphs
// growing and shrinking, with scratch and in place.
TEST(Memory, PeakEvaluatorResetEqualsANewEvaluator) {
  PeakEvaluator reused(testing::RandomDag(1, 3));
  for (std::uint32_t seed = 2; seed < 40; ++seed) {
    const int nodes = 2 + static_cast<int>((seed * 7) % 30);
    const Graph g = testing::RandomDag(seed, nodes);
    LivenessOptions rules;
    rules.in_place = seed % 2 == 0;
    if (seed % 3 == 0) {
      for (int n = 0; n < nodes; ++n) rules.scratch_bytes.push_back(17 * ((n * seed) % 5));
    }
    reused.Reset(g, rules);
    PeakEvaluator fresh(g, rules);
    EXPECT_EQ(reused.PeakBytes({}), fresh.PeakBytes({})) << "seed " << seed;
    EXPECT_EQ(reused.num_nodes(), nodes);
    ExecutionOrder order(static_cast<std::size_t>(nodes));
    for (int i = 0; i < nodes; ++i) order[static_cast<std::size_t>(i)] = i;
    EXPECT_EQ(reused.PeakBytes(order), fresh.PeakBytes(order)) << "seed " << seed;
  }
}

TEST(Memory, PeakEvaluatorAfterAFailedResetThrowsUntilResetAgain) {
  const Graph g = testing::RandomDag(5, 6);
  PeakEvaluator eval(g);
  const std::int64_t peak = eval.PeakBytes({});
  LivenessOptions wrong;
  wrong.scratch_bytes = {1, 2};  // 2 entries for 6 ops
  EXPECT_THROW(eval.Reset(g, wrong), Error);
  try {
    eval.PeakBytes({});
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("the last Reset failed"));
  }
  eval.Reset(g);
  EXPECT_EQ(eval.PeakBytes({}), peak);
}

// The graph's own order must be topological: a node listed before the producer of its input is
// named as an order error, by the constructor and by Reset.
TEST(Memory, PeakEvaluatorRejectsAGraphOrderThatIsNotTopological) {
  Graph g("backwards");
  Tensor x;
  x.name = "x";
  x.shape = Shape{1, 4};
  const TensorId tx = g.AddTensor(x);
  Tensor a = x;
  a.name = "a";
  const TensorId ta = g.AddTensor(a);
  Tensor b = x;
  b.name = "b";
  const TensorId tb = g.AddTensor(b);
  g.SetInputs({tx});
  Node second;
  second.name = "second";
  second.type = OpType::kRelu;
  second.inputs = {ta};
  second.outputs = {tb};
  g.AddNode(second);
  Node first = second;
  first.name = "first";
  first.inputs = {tx};
  first.outputs = {ta};
  g.AddNode(first);
  g.SetOutputs({tb});
  const std::string expected =
      "invalid execution order: step 0 runs op 'second' (#0) before op 'first' (#1), which "
      "produces its input 'a'";
  try {
    PeakEvaluator eval(g);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(expected));
  }
  PeakEvaluator eval(testing::RandomDag(3, 4));
  try {
    eval.Reset(g);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(expected));
  }
  EXPECT_THROW(eval.PeakBytes({}), Error);
}

TEST(Memory, PeakEvaluatorChecksOrdersAndMoves) {
  const Graph g = testing::RandomDag(7, 10);
  PeakEvaluator a(g);
  const std::int64_t peak = a.PeakBytes({});
  PeakEvaluator b(std::move(a));
  EXPECT_EQ(b.PeakBytes({}), peak);
  EXPECT_EQ(b.num_nodes(), 10);
  ExecutionOrder reversed(10);
  for (int i = 0; i < 10; ++i) reversed[static_cast<std::size_t>(i)] = 9 - i;
  try {
    b.PeakBytes(reversed);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(e.what(), HasSubstr("invalid execution order"));
  }
}

}  // namespace
}  // namespace opcost
