// The small network the estimator tests compute by hand.
#ifndef OPCOST_TESTS_ESTIMATE_THREE_LAYERS_H_
#define OPCOST_TESTS_ESTIMATE_THREE_LAYERS_H_

#include "opcost/builder.h"

namespace opcost {

// conv 3x3 (8 filters) -> max pool 2x2 -> fully connected 10, on an 8x8x4 int8 input.
inline Graph ThreeLayers() {
  GraphBuilder b("three");
  ConvOptions conv;
  conv.filters = 8;
  conv.kernel_h = conv.kernel_w = 3;
  auto x = b.Input("x", {1, 8, 8, 4});
  auto c = b.Conv2D("conv", x, conv);
  auto p = b.MaxPool("pool", c, PoolOptions{});
  b.FullyConnected("fc", p, 10);
  return b.Build();
}

}  // namespace opcost

#endif  // OPCOST_TESTS_ESTIMATE_THREE_LAYERS_H_
