// Tests of the characterization runner's host side (profiles/characterize/runner): the sweep
// covers what docs/characterization.md promises, the plain-loop reference agrees with hand
// computation and with opcost::kernels, and the ELF loader rejects what it cannot load. The
// emulated part runs in the CTest characterize.reduced_sweep.
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "../../profiles/characterize/runner/elf_image.h"
#include "../../profiles/characterize/runner/layers.h"
#include "../../profiles/characterize/runner/library_reference.h"

namespace opcost::characterize {
namespace {

TEST(CharacterizeSweep, FullSweepCoversEveryCategoryAndTheMacsPerOutputRange) {
  const std::vector<LayerSpec> sweep = MakeSweep("full");
  EXPECT_GE(sweep.size(), 400u);
  std::map<std::string, std::pair<double, double>> range;  // category -> min, max MACs/output
  std::map<std::string, int> odd_channels;                 // C_in % 4 != 0
  for (const LayerSpec& s : sweep) {
    const std::string cat = CategoryName(s.kernel);
    if (s.in_c % 4 != 0) odd_channels[cat]++;
    if (s.macs() == 0) continue;
    const double mpo = static_cast<double>(s.macs()) / static_cast<double>(s.outputs());
    auto it = range.find(cat);
    if (it == range.end()) {
      range[cat] = {mpo, mpo};
    } else {
      it->second.first = std::min(it->second.first, mpo);
      it->second.second = std::max(it->second.second, mpo);
    }
  }
  // Real networks: stem convs at 27 MACs/output, wide 3x3/5x5 convs in the thousands,
  // 1x1 from a few to hundreds of input channels, depthwise 3x3..7x7, classifiers to 2048.
  EXPECT_LE(range["conv"].first, 27.0);
  EXPECT_GE(range["conv"].second, 2400.0);
  EXPECT_LE(range["conv_1x1"].first, 4.0);
  EXPECT_GE(range["conv_1x1"].second, 640.0);
  EXPECT_EQ(range["depthwise_conv"].first, 9.0);
  EXPECT_EQ(range["depthwise_conv"].second, 49.0);
  EXPECT_LE(range["fully_connected"].first, 16.0);
  EXPECT_GE(range["fully_connected"].second, 2048.0);
  for (const char* cat : {"conv", "conv_1x1", "depthwise_conv", "fully_connected", "pooling"}) {
    EXPECT_GE(odd_channels[cat], 3) << cat << " needs channel counts that are not multiples of 4";
  }
}

TEST(CharacterizeSweep, ReducedSweepIsEveryFifthShapeAndKeepsEveryCategory) {
  const std::vector<LayerSpec> full = MakeSweep("full");
  const std::vector<LayerSpec> reduced = MakeSweep("reduced");
  ASSERT_EQ(reduced.size(), (full.size() + 4) / 5);
  std::set<std::string> cats;
  for (std::size_t i = 0; i < reduced.size(); i++) {
    EXPECT_EQ(ShapeSeed(reduced[i]), ShapeSeed(full[5 * i]));
    cats.insert(CategoryName(reduced[i].kernel));
  }
  EXPECT_EQ(cats.size(), 6u);
  try {
    MakeSweep("huge");
    FAIL() << "expected a rejection";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown sweep 'huge'"), std::string::npos);
  }
}

TEST(CharacterizeReference, OnePixelConvMatchesHandComputation) {
  LayerSpec s;
  s.kernel = Kernel::kConv1x1;
  s.in_c = 2;
  s.out_c = 1;
  LayerData d;
  d.input = {10, -20};
  d.filter = {3, 5};
  d.bias = {100};
  d.input_offset = 1;   // (10+1)*3 + (-20+1)*5 + 100 = 33 - 95 + 100 = 38
  d.mult = {1 << 30};   // x 0.5
  d.shift = {-1};       // / 2 -> 38 * 0.25 = 9.5 -> rounds half away from zero: 10
  d.output_offset = -3;  // 10 - 3 = 7
  const std::vector<std::int8_t> out = ReferenceOutput(s, d);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], 7);
  d.act_min = 8;  // the clamp applies after the offset
  EXPECT_EQ(ReferenceOutput(s, d)[0], 8);
}

TEST(CharacterizeReference, AvgPoolRoundsHalfAwayFromZero) {
  LayerSpec s;
  s.kernel = Kernel::kAvgPool;
  s.in_h = 1;
  s.in_w = 2;
  s.in_c = 1;
  s.out_c = 1;
  s.k_h = 1;
  s.k_w = 2;
  LayerData d;
  d.input = {-3, -4};  // -3.5 -> -4
  EXPECT_EQ(ReferenceOutput(s, d)[0], -4);
  d.input = {3, 4};  // 3.5 -> 4
  EXPECT_EQ(ReferenceOutput(s, d)[0], 4);
}

// The runner's own reference and the project's kernels are independent implementations; they
// must agree on every byte of a sample of the sweep (every 7th shape, all categories).
TEST(CharacterizeReference, AgreesWithOpcostKernelsOnSweepShapes) {
  const std::vector<LayerSpec> sweep = MakeSweep("full");
  int checked = 0;
  for (std::size_t i = 0; i < sweep.size(); i += 7) {
    const LayerSpec& s = sweep[i];
    const LayerData d = MakeLayerData(s, ShapeSeed(s));
    std::vector<std::int8_t> lib;
    std::string error;
    ASSERT_TRUE(LibraryOutput(s, d, &lib, &error)) << KernelName(s.kernel) << ": " << error;
    EXPECT_EQ(lib, ReferenceOutput(s, d)) << "shape " << i << " " << KernelName(s.kernel);
    checked++;
  }
  EXPECT_GE(checked, 60);
}

TEST(CharacterizeReference, DataIsNotDegenerate) {
  // A layer whose outputs all saturate would make the bit-exactness check weak.
  const std::vector<LayerSpec> sweep = MakeSweep("full");
  int weak = 0;
  for (const LayerSpec& s : sweep) {
    if (s.macs() == 0) continue;
    const std::vector<std::int8_t> out = ReferenceOutput(s, MakeLayerData(s, ShapeSeed(s)));
    std::set<int> distinct(out.begin(), out.end());
    if (distinct.size() < 3 && out.size() >= 8) weak++;
  }
  EXPECT_LE(weak, static_cast<int>(sweep.size() / 20));
}

TEST(CharacterizeElf, RejectsMissingAndNonElfFiles) {
  try {
    LoadElfImage("/nonexistent/nnk.elf");
    FAIL() << "expected a rejection";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
  const std::string path = std::string(OPCOST_BINARY_DIR) + "/characterize_not_elf.bin";
  std::ofstream(path) << "this is not an ELF file, but it is longer than 52 bytes..................";
  try {
    LoadElfImage(path);
    FAIL() << "expected a rejection";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not an ELF32 little-endian file"), std::string::npos);
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace opcost::characterize
