// OpType (what an op computes), OpCategory (the seed paper's cost classes) and fused activations.
// All names come from one table (src/core/op_table.cc); JSON files use these names.
//
//   opcost::OpType t;
//   if (opcost::ParseOpType("depthwise_conv2d", &t)) { ... OpTypeName(t) ... }
#ifndef OPCOST_OP_TYPE_H_
#define OPCOST_OP_TYPE_H_

#include <string>

namespace opcost {

enum class OpType {
  kConv2D,           // "conv2d": inputs [x, weights [Cout,KH,KW,Cin/groups], bias [Cout]?]
  kDepthwiseConv2D,  // "depthwise_conv2d": inputs [x, weights [1,KH,KW,Cin*mult], bias?]
  kFullyConnected,   // "fully_connected": inputs [x, weights [units,Cin], bias [units]?]
  kMaxPool,          // "max_pool"
  kAvgPool,          // "avg_pool"
  kGlobalAvgPool,    // "global_avg_pool": TFLite MEAN over H and W
  kRelu,             // "relu"
  kRelu6,            // "relu6"
  kSigmoid,          // "sigmoid" (TFLite LOGISTIC)
  kTanh,             // "tanh"
  kAdd,              // "add": elementwise, NumPy broadcasting
  kMul,              // "mul": elementwise, NumPy broadcasting
  kConcat,           // "concat": along `axis` (default: channels)
  kPad,              // "pad"
  kReshape,          // "reshape": no compute, may alias its input
  kFlatten,          // "flatten": [N, ...] -> [N, rest]; no compute, may alias
  kSoftmax,          // "softmax": over the last axis
  kBatchNorm,        // "batch_norm": not folded; per-channel scale and shift
  kLstm,             // "lstm": x [N,T,F]; weights [4u,F], recurrent [4u,u|p], bias [4u], proj [p,u]?
  kGru,              // "gru": x [N,T,F]; weights [3u,F], recurrent [3u,u], bias [3u]
  kQuantize,         // "quantize": dtype conversion, one op per element
  kDequantize,       // "dequantize"
  kHardSwish,        // "hard_swish": x * relu6(x + 3) / 6 (MobileNetV3; TFLite HARD_SWISH)
  kHardSigmoid,      // "hard_sigmoid": clamp(alpha * x + beta, 0, 1) (relu6(x + 3) / 6 in torch)
  kUnsupported,      // "unsupported": imported op opcost does not know; zero cost, flagged
};
constexpr int kNumOpTypes = static_cast<int>(OpType::kUnsupported) + 1;

// The op classes of the seed paper (Lai et al. 2018, Fig. 1/2) that hardware profiles
// characterize separately. Recurrent cells (lstm, gru) are matrix-vector products and so are
// kFullyConnected.
enum class OpCategory {
  kConv,            // "conv": convolution with a kernel larger than 1x1, or grouped
  kConv1x1,         // "conv_1x1": 1x1 convolution, the GEMM path without im2col
  kDepthwiseConv,   // "depthwise_conv"
  kFullyConnected,  // "fully_connected" (also lstm, gru)
  kPooling,         // "pooling": max, average, global average
  kActivation,      // "activation": relu, relu6, sigmoid, tanh, softmax
  kElementwise,     // "elementwise": add, mul, batch_norm, quantize, dequantize
  kOther,           // "other": concat, pad, reshape, flatten, unsupported
};
constexpr int kNumOpCategories = static_cast<int>(OpCategory::kOther) + 1;

// Activation fused into conv2d, depthwise_conv2d, fully_connected, add, mul.
enum class Activation { kNone, kRelu, kRelu6, kReluN1To1, kTanh, kSigmoid };

const char* OpTypeName(OpType type);
bool ParseOpType(const std::string& name, OpType* type);
const char* OpCategoryName(OpCategory category);
bool ParseOpCategory(const std::string& name, OpCategory* category);
// "none", "relu", "relu6", "relu_n1_to_1", "tanh", "sigmoid".
const char* ActivationName(Activation activation);
bool ParseActivation(const std::string& name, Activation* activation);

}  // namespace opcost

#endif  // OPCOST_OP_TYPE_H_
