// Layer shapes of the characterization sweep, their deterministic random data, the host
// reference result, and the call of the matching target kernel.
#ifndef OPCOST_CHARACTERIZE_LAYERS_H_
#define OPCOST_CHARACTERIZE_LAYERS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace opcost::characterize {

enum class Kernel { kConv, kConv1x1, kDepthwise, kFullyConnected, kMaxPool, kAvgPool, kRelu };

struct LayerSpec {
  Kernel kernel = Kernel::kConv;
  int in_h = 1, in_w = 1, in_c = 1;
  int out_c = 1;  // conv/fc: output channels (units); depthwise/pool/relu: = in_c
  int k_h = 1, k_w = 1, stride = 1, pad = 0;
  int out_h() const { return (in_h + 2 * pad - k_h) / stride + 1; }
  int out_w() const { return (in_w + 2 * pad - k_w) / stride + 1; }
  std::int64_t outputs() const;
  std::int64_t macs() const;        // multiply-accumulates (0 for pooling and relu)
  std::int64_t window_ops() const;  // pooling: window elements read per output, summed; relu: size
};

const char* KernelName(Kernel k);    // "conv_s8", ...
const char* CategoryName(Kernel k);  // opcost OpCategory names: "conv", "conv_1x1", ...

// The sweep: "full" (a few hundred shapes) or "reduced" (every 5th, for CI).
std::vector<LayerSpec> MakeSweep(const std::string& which);

// Quantized tensors of one layer, filled deterministically from `seed`.
struct LayerData {
  std::vector<std::int8_t> input, filter;
  std::vector<std::int32_t> bias, mult, shift;
  std::int32_t input_offset = 0, output_offset = 0, act_min = -128, act_max = 127;
};
LayerData MakeLayerData(const LayerSpec& spec, std::uint32_t seed);
// A seed that depends only on the shape (FNV-1a of its fields).
std::uint32_t ShapeSeed(const LayerSpec& spec);

// Host reference (plain loops, TFLite int8 semantics).
std::vector<std::int8_t> ReferenceOutput(const LayerSpec& spec, const LayerData& data);

}  // namespace opcost::characterize

#endif  // OPCOST_CHARACTERIZE_LAYERS_H_
