// Per-op metrics in the seed paper's terms: MACs, MACs per output, other ops, parameters, bytes
// and the op category. Conventions (docs/metrics.md): a MAC is one multiply-accumulate;
// ops = 2 x MACs + other ops; bias adds are not MACs (they are counted in bias_adds); MACs on
// padded positions are counted; batch is explicit in the shapes and multiplies every count.
//
//   opcost::NetworkMetrics m = opcost::ComputeMetrics(graph);
//   m.total.macs; m.layers[3].macs_per_output; opcost::OpCategoryName(m.layers[3].category);
//
//   // Without a graph, e.g. from a NAS search loop:
//   opcost::LayerDesc d = opcost::LayerDesc::Conv2D({1, 32, 32, 16}, 32, 3, 3);
//   opcost::OpMetrics one = opcost::ComputeLayerMetrics(d);
#ifndef OPCOST_METRICS_H_
#define OPCOST_METRICS_H_

#include <cstdint>
#include <vector>

#include "opcost/graph.h"
#include "opcost/op_type.h"
#include "opcost/types.h"

namespace opcost {

struct OpMetrics {
  OpCategory category = OpCategory::kOther;
  std::int64_t macs = 0;
  std::int64_t output_elements = 0;
  double macs_per_output = 0.0;  // macs / output_elements (0 when there are no MACs)
  // Other operations, each a separate count (docs/metrics.md gives the per-op rules).
  std::int64_t bias_adds = 0;        // one per output element of a biased conv/fc
  std::int64_t comparisons = 0;      // max pool windows, relu clamps, softmax max
  std::int64_t additions = 0;        // avg pool sums, add, softmax sums, batch_norm shift
  std::int64_t multiplications = 0;  // mul op, batch_norm scale (non-MAC products)
  std::int64_t divisions = 0;        // avg pool mean, softmax normalization
  std::int64_t nonlinear_ops = 0;    // sigmoid, tanh, exp: one per evaluated element
  std::int64_t conversions = 0;      // quantize / dequantize: one per element
  std::int64_t other_ops = 0;        // sum of the seven counts above
  std::int64_t ops = 0;              // 2 * macs + other_ops
  // Parameters (constant elements) and their bytes.
  std::int64_t weight_params = 0;  // constants other than bias
  std::int64_t bias_params = 0;
  std::int64_t params = 0;        // weight_params + bias_params
  std::int64_t weight_bytes = 0;  // bytes of all constant inputs (weights and bias)
  // Activation bytes (non-constant inputs, summed; and outputs).
  std::int64_t input_bytes = 0;
  std::int64_t output_bytes = 0;
};

// One op described without a graph. Shapes must be valid for the op (as InferShapes would
// produce); ComputeLayerMetrics checks them and throws kShapeMismatch/kInvalidArgument.
struct LayerDesc {
  OpType type = OpType::kConv2D;
  OpAttributes attrs;
  Shape input;                 // first data input
  Shape output;                // first output
  Shape weights;               // rank 0 when the op has no weights
  bool has_bias = false;
  std::int32_t num_data_inputs = 1;  // add/mul: 2, concat: n
  std::int64_t data_input_bytes = -1;  // total bytes of all data inputs; -1: input x dtype
  DataType dtype = DataType::kInt8;         // activations
  DataType weight_dtype = DataType::kInt8;
  DataType bias_dtype = DataType::kInt32;
  std::int64_t extra_params = 0;  // constants beyond weights and bias (lstm recurrent, bn)

  // Conveniences for the common layers (int8 activations and weights, int32 bias, with bias).
  // Output shapes are computed with padding "same" unless `valid` is set.
  static LayerDesc Conv2D(Shape input, std::int64_t filters, std::int64_t kernel_h,
                          std::int64_t kernel_w, std::int64_t stride = 1, bool valid = false);
  static LayerDesc DepthwiseConv2D(Shape input, std::int64_t kernel_h, std::int64_t kernel_w,
                                   std::int64_t stride = 1, bool valid = false);
  static LayerDesc FullyConnected(std::int64_t batch, std::int64_t in_features,
                                  std::int64_t units);
};

// Metrics of one op without a graph. Throws kShapeMismatch, kInvalidArgument, kOverflow.
OpMetrics ComputeLayerMetrics(const LayerDesc& layer);

// Builds the LayerDesc of node `id` of a shape-inferred graph (no heap allocation).
LayerDesc DescribeNode(const Graph& graph, NodeId id);
// DescribeNode of every node, in node order, reusing `out`'s storage. Describe a graph once and
// hand the result to every consumer (Estimator::EstimateGraph, ProfileScratchBytes): a NAS loop
// that needs latency and peak memory otherwise describes each node two or three times.
void DescribeGraph(const Graph& graph, std::vector<LayerDesc>* out);

struct NetworkMetrics {
  std::vector<OpMetrics> layers;  // one per node, in execution order
  // Sums over layers; params and weight_bytes count each constant tensor once even if shared.
  // total.category is kOther and total.macs_per_output = macs / output_elements of MAC ops.
  OpMetrics total;
};

// Metrics of every node of a shape-inferred graph. Throws kOverflow.
NetworkMetrics ComputeMetrics(const Graph& graph);
// Same, reusing `out`'s storage (no allocation once its capacity suffices).
void ComputeMetrics(const Graph& graph, NetworkMetrics* out);

}  // namespace opcost

#endif  // OPCOST_METRICS_H_
