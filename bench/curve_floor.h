// The ratio baseline every speed figure is recorded against (docs/performance.md): one bare
// throughput-curve lookup, in range, of `profile`'s conv_1x1 curve. Shared so that each bench
// binary measures the floor of its own run the same way.
#ifndef OPCOST_BENCH_CURVE_FLOOR_H_
#define OPCOST_BENCH_CURVE_FLOOR_H_

#include <benchmark/benchmark.h>

#include "opcost/profile.h"

namespace opcost {

inline void MeasureCurveLookupFloor(benchmark::State& state, const HardwareProfile& profile) {
  const ThroughputCurve& curve = profile.category(OpCategory::kConv1x1).curve;
  double x = 40.0;
  for (auto _ : state) {
    bool ex = false;
    benchmark::DoNotOptimize(curve.Evaluate(x, &ex));
    benchmark::DoNotOptimize(x);
  }
}

}  // namespace opcost

#endif  // OPCOST_BENCH_CURVE_FLOOR_H_
