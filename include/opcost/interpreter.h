// RunInt8: runs an int8 graph on the host through the bit-exact reference kernels
// (include/opcost/kernels/), so a user can check the function of the network they estimate.
//
//   opcost::Graph g = opcost::LoadModel("net.json");   // int8, weights + quantization present
//   std::vector<std::int8_t> x(490, 0);                // graph input 0, NHWC, quantized
//   std::vector<std::vector<std::int8_t>> y = opcost::RunInt8(g, {x});
//
// Quantization follows TFLite's int8 spec: every activation carries one scale and zero point;
// conv2d/depthwise_conv2d/fully_connected weights carry a scale per tensor or per output channel
// (zero point 0, except fully_connected which allows one per-tensor weight zero point); biases
// are int32. Requantization multipliers come from input_scale * weight_scale / output_scale (in
// double, as TFLite) unless the weights' Quantization has explicit multipliers/shifts.
// Supported ops: conv2d, depthwise_conv2d, fully_connected, max_pool, avg_pool,
// global_avg_pool (same input and output quantization), relu, relu6, softmax (output scale
// 1/256, zero point -128), add and mul (same shapes), reshape, flatten; fused relu, relu6 and
// relu_n1_to_1.
#ifndef OPCOST_INTERPRETER_H_
#define OPCOST_INTERPRETER_H_

#include <cstdint>
#include <vector>

#include "opcost/graph.h"

namespace opcost {

// Runs `graph` (shapes inferred, e.g. by LoadModel or InferShapes) on `inputs`, one int8
// buffer per graph input in graph.inputs() order, each holding exactly the input's elements
// (NHWC). Returns one buffer per graph output in graph.outputs() order.
// Throws kInvalidArgument (wrong number or size of inputs; an activation that is not int8 or not
// quantized per tensor; missing weight data or quantization; a scale that is not finite and
// positive), kUnsupportedOp (an op or fused activation listed as unsupported above) and the
// kernels' errors (kInvalidArgument, kShapeMismatch, kOverflow), each naming the node.
// Activations are freed after their last consumer, so the memory used is the graph's peak of
// live activations; a node whose outputs would take the live bytes above
// `max_activation_bytes` is refused before anything is allocated (kInvalidArgument).
constexpr std::int64_t kDefaultRunBudgetBytes = std::int64_t{1} << 30;
std::vector<std::vector<std::int8_t>> RunInt8(
    const Graph& graph, const std::vector<std::vector<std::int8_t>>& inputs,
    std::int64_t max_activation_bytes = kDefaultRunBudgetBytes);

}  // namespace opcost

#endif  // OPCOST_INTERPRETER_H_
