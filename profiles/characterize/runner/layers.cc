#include "layers.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace opcost::characterize {

std::int64_t LayerSpec::outputs() const {
  if (kernel == Kernel::kFullyConnected) return out_c;
  if (kernel == Kernel::kRelu) return in_c;
  return std::int64_t{out_h()} * out_w() * out_c;
}

std::int64_t LayerSpec::macs() const {
  switch (kernel) {
    case Kernel::kConv:
    case Kernel::kConv1x1:
      return outputs() * k_h * k_w * in_c;
    case Kernel::kDepthwise:
      return outputs() * k_h * k_w;
    case Kernel::kFullyConnected:
      return std::int64_t{out_c} * in_c;
    default:
      return 0;
  }
}

std::int64_t LayerSpec::window_ops() const {
  if (kernel == Kernel::kRelu) return in_c;
  if (kernel != Kernel::kMaxPool && kernel != Kernel::kAvgPool) return 0;
  return outputs() * k_h * k_w;  // window counted unclipped, as the metrics do
}

const char* KernelName(Kernel k) {
  switch (k) {
    case Kernel::kConv: return "conv_s8";
    case Kernel::kConv1x1: return "conv1x1_s8";
    case Kernel::kDepthwise: return "dwconv_s8";
    case Kernel::kFullyConnected: return "fc_s8";
    case Kernel::kMaxPool: return "maxpool_s8";
    case Kernel::kAvgPool: return "avgpool_s8";
    case Kernel::kRelu: return "relu_s8";
  }
  return "?";
}

const char* CategoryName(Kernel k) {
  switch (k) {
    case Kernel::kConv: return "conv";
    case Kernel::kConv1x1: return "conv_1x1";
    case Kernel::kDepthwise: return "depthwise_conv";
    case Kernel::kFullyConnected: return "fully_connected";
    case Kernel::kMaxPool:
    case Kernel::kAvgPool: return "pooling";
    case Kernel::kRelu: return "activation";
  }
  return "?";
}

namespace {

LayerSpec Make(Kernel kernel, int hw, int in_c, int out_c, int k, int stride, int pad) {
  LayerSpec s;
  s.kernel = kernel;
  s.in_h = s.in_w = hw;
  s.in_c = in_c;
  s.out_c = out_c;
  s.k_h = s.k_w = k;
  s.stride = stride;
  s.pad = pad;
  return s;
}

// Spatial size that keeps a layer near `target_macs` (emulation time), within [lo, hi].
int FitHw(std::int64_t macs_per_pixel, std::int64_t target_macs, int lo, int hi) {
  const double px = static_cast<double>(target_macs) / static_cast<double>(std::max<std::int64_t>(1, macs_per_pixel));
  return std::clamp(static_cast<int>(std::sqrt(px)), lo, hi);
}

}  // namespace

std::vector<LayerSpec> MakeSweep(const std::string& which) {
  if (which != "full" && which != "reduced")
    throw std::runtime_error("unknown sweep '" + which + "' (expected full or reduced)");
  std::vector<LayerSpec> all;
  // Convolutions with kernels > 1 (MACs per output 27 .. 3200): stem-like 3-channel inputs up
  // to wide middle layers, odd channel counts included.
  for (int k : {3, 5}) {
    for (int cin : {3, 4, 8, 13, 16, 24, 32, 48, 64, 96, 128}) {
      for (int cout : {8, 15, 16, 32, 64}) {
        const int hw = FitHw(std::int64_t{k} * k * cin * cout, 1500000, 4, 24);
        all.push_back(Make(Kernel::kConv, hw, cin, cout, k, 1, k / 2));
      }
    }
  }
  for (int cin : {3, 16, 32, 40}) all.push_back(Make(Kernel::kConv, 17, cin, 24, 3, 2, 1));
  all.push_back(Make(Kernel::kConv, 20, 3, 16, 7, 2, 3));
  // 1x1 convolutions (MACs per output = Cin: 3 .. 640).
  for (int cin : {3, 4, 8, 12, 16, 20, 24, 32, 40, 48, 64, 96, 120, 160, 240, 320, 480, 640}) {
    for (int cout : {8, 16, 17, 32, 64, 96}) {
      const int hw = FitHw(std::int64_t{cin} * cout, 1500000, 2, 24);
      all.push_back(Make(Kernel::kConv1x1, hw, cin, cout, 1, 1, 0));
    }
  }
  for (int cin : {16, 48}) all.push_back(Make(Kernel::kConv1x1, 14, cin, 32, 1, 2, 0));
  // Depthwise (MACs per output = k^2: 9, 25, 49).
  for (int k : {3, 5, 7}) {
    for (int c : {8, 13, 16, 24, 32, 48, 64, 96, 120, 144, 192, 240, 384}) {
      for (int stride : {1, 2}) {
        const int hw = FitHw(std::int64_t{k} * k * c, 400000, 5, 40);
        all.push_back(Make(Kernel::kDepthwise, hw, c, c, k, stride, k / 2));
      }
    }
  }
  // Fully connected (MACs per output = Cin: 16 .. 2048).
  for (int cin : {16, 30, 64, 100, 128, 250, 256, 400, 512, 784, 1000, 1024, 1280, 2048}) {
    for (int units : {2, 10, 12, 33, 64, 128}) all.push_back(Make(Kernel::kFullyConnected, 1, cin, units, 1, 1, 0));
  }
  // Pooling: max and average windows 2..7, strides 1/2, and global average pooling.
  for (Kernel kind : {Kernel::kMaxPool, Kernel::kAvgPool}) {
    for (int k : {2, 3, 5}) {
      for (int c : {8, 13, 32, 64}) {
        for (int stride : {1, 2}) all.push_back(Make(kind, 16, c, c, k, stride, 0));
      }
    }
  }
  for (int hw : {4, 7, 10}) {
    for (int c : {32, 100, 256}) all.push_back(Make(Kernel::kAvgPool, hw, c, c, hw, 1, 0));
  }
  // ReLU over a whole tensor.
  for (int size : {63, 256, 1000, 4096, 8190, 16384, 32768}) all.push_back(Make(Kernel::kRelu, 1, size, size, 1, 1, 0));

  if (which == "full") return all;
  std::vector<LayerSpec> reduced;
  for (std::size_t i = 0; i < all.size(); i += 5) reduced.push_back(all[i]);
  return reduced;
}

namespace {

// xorshift32: deterministic across compilers and platforms.
struct Rng {
  std::uint32_t s;
  std::uint32_t Next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
  int Int(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<std::uint32_t>(hi - lo + 1)); }
};

std::int32_t Requantize(std::int32_t v, std::int32_t mult, std::int32_t shift) {
  const std::int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const std::int32_t x = static_cast<std::int32_t>(static_cast<std::uint32_t>(v) << left);
  const std::int64_t prod = static_cast<std::int64_t>(x) * mult + (std::int64_t{1} << 30);
  const std::int32_t hi = static_cast<std::int32_t>(prod >> 31);  // arithmetic shift (floor)
  const std::int32_t mask = static_cast<std::int32_t>((1u << right) - 1u);
  const std::int32_t rem = hi & mask, threshold = (mask >> 1) + (hi < 0 ? 1 : 0);
  return (hi >> right) + (rem > threshold ? 1 : 0);
}

std::int8_t Clamp(std::int32_t v, std::int32_t lo, std::int32_t hi) {
  return static_cast<std::int8_t>(std::min(hi, std::max(lo, v)));
}

}  // namespace

std::uint32_t ShapeSeed(const LayerSpec& s) {
  std::uint32_t h = 2166136261u;
  for (int v : {static_cast<int>(s.kernel), s.in_h, s.in_w, s.in_c, s.out_c, s.k_h, s.k_w, s.stride, s.pad}) {
    h = (h ^ static_cast<std::uint32_t>(v)) * 16777619u;
  }
  return h;
}

LayerData MakeLayerData(const LayerSpec& spec, std::uint32_t seed) {
  Rng rng{seed * 2654435761u + 12345u};
  LayerData d;
  const std::size_t in_size = static_cast<std::size_t>(spec.in_h) * spec.in_w * spec.in_c;
  d.input.resize(in_size);
  for (auto& v : d.input) v = static_cast<std::int8_t>(rng.Int(-128, 127));
  d.input_offset = rng.Int(-127, 128);
  d.output_offset = rng.Int(-128, 127);
  const bool relu = (rng.Next() & 1) != 0;
  d.act_min = relu ? std::max(-128, d.output_offset) : -128;
  d.act_max = 127;
  std::size_t filter_size = 0;
  int channels = 0;
  int fan_in = 1;
  switch (spec.kernel) {
    case Kernel::kConv:
    case Kernel::kConv1x1:
      filter_size = static_cast<std::size_t>(spec.out_c) * spec.k_h * spec.k_w * spec.in_c;
      channels = spec.out_c;
      fan_in = spec.k_h * spec.k_w * spec.in_c;
      break;
    case Kernel::kDepthwise:
      filter_size = static_cast<std::size_t>(spec.k_h) * spec.k_w * spec.in_c;
      channels = spec.in_c;
      fan_in = spec.k_h * spec.k_w;
      break;
    case Kernel::kFullyConnected:
      filter_size = static_cast<std::size_t>(spec.out_c) * spec.in_c;
      channels = 1;  // per-tensor quantization
      fan_in = spec.in_c;
      break;
    case Kernel::kMaxPool:
    case Kernel::kAvgPool:
    case Kernel::kRelu:
      d.act_min = relu ? rng.Int(-128, 0) : -128;
      d.act_max = rng.Int(d.act_min + 64, 127);
      return d;
  }
  d.filter.resize(filter_size);
  for (auto& v : d.filter) v = static_cast<std::int8_t>(rng.Int(-127, 127));
  const int bias_count = spec.kernel == Kernel::kFullyConnected ? spec.out_c : channels;
  d.bias.resize(bias_count);
  for (auto& v : d.bias) v = rng.Int(-20000, 20000);
  // Accumulators are ~ sqrt(fan_in) * 128 * 74: shift them down to about 8 bits, rounding
  // exercised; one channel in 8 gets a left shift of 1.
  const int bits = static_cast<int>(std::log2(std::sqrt(static_cast<double>(fan_in)) * 128.0 * 74.0));
  d.mult.resize(channels);
  d.shift.resize(channels);
  for (int c = 0; c < channels; c++) {
    d.mult[c] = static_cast<std::int32_t>((1u << 30) + (rng.Next() & 0x3FFFFFFFu));
    d.shift[c] = (rng.Next() % 8 == 0) ? 1 : -std::max(0, bits - 7 + rng.Int(-1, 1));
  }
  return d;
}

std::vector<std::int8_t> ReferenceOutput(const LayerSpec& s, const LayerData& d) {
  const int oh = s.out_h(), ow = s.out_w();
  std::vector<std::int8_t> out(static_cast<std::size_t>(s.outputs()));
  auto in_at = [&](int y, int x, int c) { return std::int32_t{d.input[(static_cast<std::size_t>(y) * s.in_w + x) * s.in_c + c]}; };
  switch (s.kernel) {
    case Kernel::kConv:
    case Kernel::kConv1x1:
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int oc = 0; oc < s.out_c; oc++) {
            std::int32_t acc = d.bias[oc];
            for (int ky = 0; ky < s.k_h; ky++)
              for (int kx = 0; kx < s.k_w; kx++) {
                const int iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
                if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
                for (int ic = 0; ic < s.in_c; ic++)
                  acc += (in_at(iy, ix, ic) + d.input_offset) *
                         d.filter[((static_cast<std::size_t>(oc) * s.k_h + ky) * s.k_w + kx) * s.in_c + ic];
              }
            out[(static_cast<std::size_t>(oy) * ow + ox) * s.out_c + oc] =
                Clamp(Requantize(acc, d.mult[oc], d.shift[oc]) + d.output_offset, d.act_min, d.act_max);
          }
      break;
    case Kernel::kDepthwise:
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int c = 0; c < s.in_c; c++) {
            std::int32_t acc = d.bias[c];
            for (int ky = 0; ky < s.k_h; ky++)
              for (int kx = 0; kx < s.k_w; kx++) {
                const int iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
                if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
                acc += (in_at(iy, ix, c) + d.input_offset) * d.filter[(static_cast<std::size_t>(ky) * s.k_w + kx) * s.in_c + c];
              }
            out[(static_cast<std::size_t>(oy) * ow + ox) * s.in_c + c] =
                Clamp(Requantize(acc, d.mult[c], d.shift[c]) + d.output_offset, d.act_min, d.act_max);
          }
      break;
    case Kernel::kFullyConnected:
      for (int u = 0; u < s.out_c; u++) {
        std::int32_t acc = d.bias[u];
        for (int i = 0; i < s.in_c; i++) acc += (d.input[i] + d.input_offset) * d.filter[static_cast<std::size_t>(u) * s.in_c + i];
        out[u] = Clamp(Requantize(acc, d.mult[0], d.shift[0]) + d.output_offset, d.act_min, d.act_max);
      }
      break;
    case Kernel::kMaxPool:
    case Kernel::kAvgPool:
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int c = 0; c < s.in_c; c++) {
            std::int32_t best = -129, sum = 0, count = 0;
            for (int ky = 0; ky < s.k_h; ky++)
              for (int kx = 0; kx < s.k_w; kx++) {
                const int iy = oy * s.stride - s.pad + ky, ix = ox * s.stride - s.pad + kx;
                if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
                best = std::max(best, in_at(iy, ix, c));
                sum += in_at(iy, ix, c);
                count++;
              }
            std::int32_t v = best;
            if (s.kernel == Kernel::kAvgPool) v = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
            out[(static_cast<std::size_t>(oy) * ow + ox) * s.in_c + c] = Clamp(v, d.act_min, d.act_max);
          }
      break;
    case Kernel::kRelu:
      for (int i = 0; i < s.in_c; i++) out[i] = Clamp(d.input[i], d.act_min, d.act_max);
      break;
  }
  return out;
}

}  // namespace opcost::characterize
