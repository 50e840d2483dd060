// Throughput of the int8 reference kernels on DS-CNN S layer shapes (host, Release build).
// Reported as MAC/s (items) so the numbers compare across shapes.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "opcost/kernels/conv.h"
#include "opcost/kernels/depthwise_conv.h"
#include "opcost/kernels/fully_connected.h"

namespace opcost::kernels {
namespace {

std::vector<std::int8_t> Pattern(std::int64_t n) {
  std::vector<std::int8_t> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int8_t>((i * 37) % 251 - 125);
  return v;
}

struct Requant {
  std::vector<std::int32_t> mults, shifts;
  explicit Requant(std::int64_t ch)
      : mults(static_cast<std::size_t>(ch), 1 << 30), shifts(static_cast<std::size_t>(ch), -8) {}
  Requantization Get() const {
    return {{mults.data(), static_cast<std::int64_t>(mults.size())},
            {shifts.data(), static_cast<std::int64_t>(shifts.size())}};
  }
};

template <typename T>
Span<const T> View(const std::vector<T>& v) {
  return {v.data(), static_cast<std::int64_t>(v.size())};
}

// DS-CNN S layer 1: 49x10x1 -> 25x5x64, 10x4 filters, stride 2 (320 k MACs).
void BM_ConvInt8_DsCnnFirst(benchmark::State& state) {
  ConvParams p;
  p.input_offset = 100;
  p.output_offset = -128;
  p.stride_h = p.stride_w = 2;
  p.pad_h = 4;
  p.pad_w = 1;
  ConvDims d;
  d.input_h = 49;
  d.input_w = 10;
  d.filter_h = 10;
  d.filter_w = 4;
  d.output_h = 25;
  d.output_w = 5;
  d.output_ch = 64;
  const auto in = Pattern(490), w = Pattern(64 * 40);
  const std::vector<std::int32_t> bias(64, 100);
  std::vector<std::int8_t> out(25 * 5 * 64);
  const Requant rq(64);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ConvInt8(p, d, View(in), View(w), View(bias), rq.Get(), {out.data(), 8000}));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 25 * 5 * 64 * 40);
}
BENCHMARK(BM_ConvInt8_DsCnnFirst);

// DS-CNN S 1x1 conv: 25x5x64 -> 25x5x64 (512 k MACs).
void BM_ConvInt8_1x1(benchmark::State& state) {
  ConvParams p;
  p.input_offset = 128;
  p.output_offset = -128;
  ConvDims d;
  d.input_h = d.output_h = 25;
  d.input_w = d.output_w = 5;
  d.input_ch = d.filter_ch = d.output_ch = 64;
  const auto in = Pattern(8000), w = Pattern(64 * 64);
  std::vector<std::int8_t> out(8000);
  const Requant rq(64);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ConvInt8(p, d, View(in), View(w), {}, rq.Get(), {out.data(), 8000}));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 8000 * 64);
}
BENCHMARK(BM_ConvInt8_1x1);

// DS-CNN S depthwise 3x3: 25x5x64, padding 1 (72 k MACs).
void BM_DepthwiseConvInt8_3x3(benchmark::State& state) {
  ConvParams p;
  p.input_offset = 128;
  p.output_offset = -128;
  p.pad_h = p.pad_w = 1;
  DepthwiseConvDims d;
  d.input_h = d.output_h = 25;
  d.input_w = d.output_w = 5;
  d.input_ch = 64;
  d.filter_h = d.filter_w = 3;
  const auto in = Pattern(8000), w = Pattern(9 * 64);
  std::vector<std::int8_t> out(8000);
  const Requant rq(64);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        DepthwiseConvInt8(p, d, View(in), View(w), {}, rq.Get(), {out.data(), 8000}));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 8000 * 9);
}
BENCHMARK(BM_DepthwiseConvInt8_3x3);

// Fully connected 1024 -> 256 (262 k MACs).
void BM_FullyConnectedInt8(benchmark::State& state) {
  FullyConnectedParams p;
  p.input_offset = 128;
  FullyConnectedDims d;
  d.accum_depth = 1024;
  d.output_ch = 256;
  const auto in = Pattern(1024), w = Pattern(1024 * 256);
  std::vector<std::int8_t> out(256);
  const Requant rq(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        FullyConnectedInt8(p, d, View(in), View(w), {}, rq.Get(), {out.data(), 256}));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 1024 * 256);
}
BENCHMARK(BM_FullyConnectedInt8);

}  // namespace
}  // namespace opcost::kernels
