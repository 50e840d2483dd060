// The TFLite op mappers and kTfliteOps, the table that binds builtin codes to them: which
// builtin becomes which opcost op, with which attributes. Every other builtin is imported as
// unsupported.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "opcost/error.h"
#include "tflite/tflite_importer.h"

namespace opcost::tflite {
namespace {

// Normalizes reduction axes against `rank`; returns false if one is out of range.
bool NormalizeAxes(std::vector<std::int64_t>* axes, std::int64_t rank) {
  for (std::int64_t& a : *axes) {
    if (a < -rank || a >= rank) return false;
    if (a < 0) a += rank;
  }
  std::sort(axes->begin(), axes->end());
  axes->erase(std::unique(axes->begin(), axes->end()), axes->end());
  return true;
}

}  // namespace

void Importer::MapConv(std::size_t op, OpType type) {
  const bool depthwise = type == OpType::kDepthwiseConv2D;
  ExpectInputs(op, 2, 3);
  ExpectOptions(op, depthwise ? tflite::kDepthwiseConv2DOptions : tflite::kConv2DOptions,
                depthwise ? "DepthwiseConv2DOptions" : "Conv2DOptions");
  CheckStrides(op);
  const std::int32_t x = Input(op, 0, "input");
  const std::int32_t w = Input(op, 1, "filter");
  const Shape xs = MapShape(x);
  const Shape ws = MapShape(w);
  if (xs.rank != 4 || ws.rank != 4) {
    OpFail(op, ErrorCode::kBadModel,
           "input and filter must be rank 4 (got " + xs.ToString() + " and " + ws.ToString() + ")");
  }
  const tflite::TflOptions& o = m_.operators[op].options;
  OpAttributes a;
  a.kernel_h = ws[1];
  a.kernel_w = ws[2];
  a.stride_h = o.stride_h;
  a.stride_w = o.stride_w;
  a.dilation_h = o.dilation_h;
  a.dilation_w = o.dilation_w;
  a.padding = MapPadding(op);
  a.activation = MapActivation(op);
  if (depthwise) {
    if (ws[0] != 1 || ws[3] % xs[3] != 0) {
      OpFail(
          op, ErrorCode::kBadModel,
          "filter " + ws.ToString() + " must be [1,KH,KW,C*multiplier] for input " + xs.ToString());
    }
    a.depth_multiplier = ws[3] / xs[3];
  } else {
    if (xs[3] % ws[3] != 0) {
      OpFail(op, ErrorCode::kBadModel,
             "input channels " + std::to_string(xs[3]) + " are not a multiple of filter channels " +
                 std::to_string(ws[3]));
    }
    a.groups = xs[3] / ws[3];
    a.filters = ws[0];
  }
  AddNode(op, type, a, WeightsAndBias(op, x, w), m_.operators[op].outputs[0]);
}

void Importer::MapFullyConnected(std::size_t op, OpType type) {
  ExpectInputs(op, 2, 3);
  const tflite::TflOptions& o = m_.operators[op].options;
  if (o.weights_format != 0) {
    OpFail(op, ErrorCode::kUnsupportedOp,
           "shuffled weights format " + std::to_string(o.weights_format) + " is not supported");
  }
  const std::int32_t x = Input(op, 0, "input");
  const std::int32_t w = Input(op, 1, "weights");
  const Shape ws = MapShape(w);
  if (ws.rank != 2) {
    OpFail(op, ErrorCode::kBadModel, "weights must be rank 2 (got " + ws.ToString() + ")");
  }
  if (o.keep_num_dims && MapShape(x).rank > 2) {
    OpFail(op, ErrorCode::kUnsupportedOp,
           "keep_num_dims with a rank > 2 input is not supported (opcost's fully_connected "
           "output is [rows, units])");
  }
  OpAttributes a;
  a.units = ws[0];
  a.activation = MapActivation(op);
  AddNode(op, type, a, WeightsAndBias(op, x, w), m_.operators[op].outputs[0]);
}

void Importer::MapPool(std::size_t op, OpType type) {
  ExpectInputs(op, 1, 1);
  ExpectOptions(op, tflite::kPool2DOptions, "Pool2DOptions");
  CheckStrides(op);
  const tflite::TflOptions& o = m_.operators[op].options;
  if (o.filter_h < 1 || o.filter_w < 1) {
    OpFail(op, ErrorCode::kBadModel,
           "filter must be at least 1x1 (got " + std::to_string(o.filter_h) + "x" +
               std::to_string(o.filter_w) + ")");
  }
  OpAttributes a;
  a.kernel_h = o.filter_h;
  a.kernel_w = o.filter_w;
  a.stride_h = o.stride_h;
  a.stride_w = o.stride_w;
  a.padding = MapPadding(op);
  AddNodeWithActivation(op, type, a, {Input(op, 0, "input")}, m_.operators[op].outputs[0]);
}

void Importer::MapMean(std::size_t op, OpType type) {
  ExpectInputs(op, 2, 2);
  const std::int32_t x = Input(op, 0, "input");
  const Shape xs = MapShape(x);
  std::vector<std::int64_t> axes = ReadIntConstant(op, Input(op, 1, "axes"), "axes");
  if (xs.rank == 4 && NormalizeAxes(&axes, 4) && axes == std::vector<std::int64_t>{1, 2}) {
    OpAttributes a;
    a.keep_dims = m_.operators[op].options.keep_dims;
    AddNode(op, type, a, {x}, m_.operators[op].outputs[0]);
    return;
  }
  AddUnsupported(op);  // a mean over other axes has no opcost op
}

// TRANSPOSE to NCHW followed by MEANs over H and W (how PyTorch-exported models such as
// mcunet-vww1 write a global average pool) is one global_avg_pool over NHWC. Returns the index
// of the MEANs if operator `op` starts such a chain, else an empty list.
std::vector<std::size_t> Importer::MatchTransposeMean(std::size_t op) {
  const TflOperator& t = m_.operators[op];
  if (t.inputs.size() != 2 || t.outputs.size() != 1 || t.inputs[0] < 0 || t.inputs[1] < 0 ||
      !IsConstant(t.inputs[1]) || T(t.inputs[0]).shape.size() != 4) {
    return {};
  }
  if (ReadIntConstant(op, t.inputs[1], "perm") != std::vector<std::int64_t>{0, 3, 1, 2}) {
    return {};
  }
  std::vector<std::size_t> chain;
  // Which NHWC dim each current position holds: N=0, H=1, W=2, C=3; after the transpose the
  // order is N, C, H, W.
  std::vector<int> dims = {0, 3, 1, 2};
  std::int32_t current = t.outputs[0];
  // Each link has exactly one reader, so the chain is walked reader to reader (linear time
  // even for files full of TRANSPOSEs).
  std::int64_t previous = static_cast<std::int64_t>(op);
  for (;;) {
    const std::int64_t reader = first_reader_[static_cast<std::size_t>(current)];
    if (reader <= previous) return {};  // strictly later ops only: the walk always ends
    previous = reader;
    const std::size_t k = static_cast<std::size_t>(reader);
    const TflOperator& mean = m_.operators[k];
    if (mean.builtin_code != tflite::kOpMean ||
        consumers_[static_cast<std::size_t>(current)] != 1 || mean.inputs.size() != 2 ||
        mean.inputs[0] != current || mean.inputs[1] < 0 || mean.outputs.size() != 1 ||
        mean.options.keep_dims || !IsConstant(mean.inputs[1])) {
      return {};
    }
    chain.push_back(k);
    std::vector<std::int64_t> axes = ReadIntConstant(k, mean.inputs[1], "axes");
    if (!NormalizeAxes(&axes, static_cast<std::int64_t>(dims.size()))) return {};
    for (auto it = axes.rbegin(); it != axes.rend(); ++it) {
      const int d = dims[static_cast<std::size_t>(*it)];
      if (d != 1 && d != 2) return {};  // only H and W may be reduced
      dims.erase(dims.begin() + *it);
    }
    current = mean.outputs[0];
    if (dims == std::vector<int>{0, 3}) return chain;
  }
}

void Importer::MapTranspose(std::size_t op, OpType type) {
  const std::vector<std::size_t> chain = MatchTransposeMean(op);
  if (chain.empty()) {
    AddUnsupported(op);
    return;
  }
  for (std::size_t k : chain) skip_[k] = true;
  const std::size_t last = chain.back();
  // Placed now: its input is produced before `op` and the chain's intermediate tensors have
  // no other reader, so every later op still sees its inputs produced first.
  OpAttributes a;
  a.keep_dims = false;
  AddNode(op, type, a, {m_.operators[op].inputs[0]}, m_.operators[last].outputs[0]);
}

void Importer::MapBinary(std::size_t op, OpType type) {
  ExpectInputs(op, 2, 2);
  OpAttributes a;
  a.activation = MapActivation(op);
  AddNode(op, type, a, {Input(op, 0, "x"), Input(op, 1, "y")}, m_.operators[op].outputs[0]);
}

void Importer::MapConcat(std::size_t op, OpType type) {
  const TflOperator& o = m_.operators[op];
  if (o.inputs.empty() || o.outputs.size() != 1) {
    OpFail(op, ErrorCode::kBadModel, "expects inputs and 1 output");
  }
  OpAttributes a;
  a.axis = o.options.axis;
  std::vector<std::int32_t> inputs;
  for (std::size_t k = 0; k < o.inputs.size(); ++k) inputs.push_back(Input(op, k, "value"));
  AddNodeWithActivation(op, type, a, inputs, o.outputs[0]);
}

void Importer::MapPad(std::size_t op, OpType type) {
  ExpectInputs(op, 2, 2);
  const std::int32_t x = Input(op, 0, "input");
  const Shape xs = MapShape(x);
  const std::vector<std::int64_t> pads = ReadIntConstant(op, Input(op, 1, "paddings"), "paddings");
  if (pads.size() != static_cast<std::size_t>(2 * xs.rank)) {
    OpFail(op, ErrorCode::kBadModel,
           "paddings must hold 2 values per input dim (got " + std::to_string(pads.size()) +
               " for rank " + std::to_string(xs.rank) + ")");
  }
  OpAttributes a;
  for (int i = 0; i < xs.rank; ++i) {
    const std::int64_t before = pads[static_cast<std::size_t>(2 * i)];
    const std::int64_t after = pads[static_cast<std::size_t>(2 * i + 1)];
    if (before < 0 || after < 0) {
      OpFail(op, ErrorCode::kBadModel,
             "paddings must be >= 0 (got " + std::to_string(before) + ", " + std::to_string(after) +
                 " for dim " + std::to_string(i) + ")");
    }
    a.paddings[static_cast<std::size_t>(i)] = {before, after};
  }
  AddNode(op, type, a, {x}, m_.operators[op].outputs[0]);
}

void Importer::MapReshape(std::size_t op, OpType type) {
  const TflOperator& o = m_.operators[op];
  if (o.inputs.empty() || o.inputs.size() > 2 || o.outputs.size() != 1) {
    OpFail(op, ErrorCode::kBadModel, "expects 1 or 2 inputs and 1 output");
  }
  std::vector<std::int64_t> dims;
  const std::int32_t shape_tensor = OptionalInput(op, 1);
  if (shape_tensor >= 0 && IsConstant(shape_tensor)) {
    dims = ReadIntConstant(op, shape_tensor, "shape");
  } else if (o.options.has_new_shape) {
    dims.assign(o.options.new_shape.begin(), o.options.new_shape.end());
  } else {
    dims = T(o.outputs[0]).shape;  // shape computed at run time: the file's static shape
  }
  if (dims.size() > static_cast<std::size_t>(Shape::kMaxRank)) {
    OpFail(op, ErrorCode::kUnsupportedOp, "new shape " + DimsText(dims) + " has rank > 4");
  }
  OpAttributes a;
  a.new_shape.rank = static_cast<int>(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) a.new_shape[static_cast<int>(i)] = dims[i];
  AddNode(op, type, a, {Input(op, 0, "input")}, o.outputs[0]);
}

void Importer::MapSoftmax(std::size_t op, OpType type) {
  ExpectInputs(op, 1, 1);
  const float beta = m_.operators[op].options.options_type == tflite::kSoftmaxOptions
                         ? m_.operators[op].options.beta
                         : 1.0f;
  if (!(std::fabs(beta - 1.0f) <= 1e-6f)) {
    if (options_.allow_unsupported) {
      AddUnsupported(op);
      return;
    }
    OpFail(
        op, ErrorCode::kUnsupportedOp,
        "softmax beta " + std::to_string(beta) + " is not supported (opcost's softmax has beta 1)");
  }
  AddNode(op, type, {}, {Input(op, 0, "input")}, m_.operators[op].outputs[0]);
}

void Importer::MapUnary(std::size_t op, OpType type) {
  ExpectInputs(op, 1, 1);
  AddNode(op, type, {}, {Input(op, 0, "input")}, m_.operators[op].outputs[0]);
}

// QUANTIZE and DEQUANTIZE: the output dtype is an attribute of the op.
void Importer::MapConvert(std::size_t op, OpType type) {
  ExpectInputs(op, 1, 1);
  OpAttributes a;
  a.output_dtype = MapType(m_.operators[op].outputs[0]);
  a.has_output_dtype = true;
  AddNode(op, type, a, {Input(op, 0, "input")}, m_.operators[op].outputs[0]);
}

namespace {

// How TFLite builtin operators become each OpType, indexed by OpType: the builtin codes that map
// to the op and the mapper for each (none: TFLite has no such builtin). Every other builtin is
// imported as unsupported.
using TfliteMapper = void (Importer::*)(std::size_t op, OpType type);
struct TfliteBinding {
  std::int32_t builtin_code;
  TfliteMapper map;
};
struct TfliteOpRow {
  OpType type;
  TfliteBinding bindings[2];  // unused entries: kNoBinding
};
constexpr TfliteBinding kNoBinding = {-1, nullptr};

constexpr TfliteOpRow kTfliteOps[] = {
    {OpType::kConv2D, {{tflite::kOpConv2D, &Importer::MapConv}, kNoBinding}},
    {OpType::kDepthwiseConv2D, {{tflite::kOpDepthwiseConv2D, &Importer::MapConv}, kNoBinding}},
    {OpType::kFullyConnected,
     {{tflite::kOpFullyConnected, &Importer::MapFullyConnected}, kNoBinding}},
    {OpType::kMaxPool, {{tflite::kOpMaxPool2D, &Importer::MapPool}, kNoBinding}},
    {OpType::kAvgPool, {{tflite::kOpAveragePool2D, &Importer::MapPool}, kNoBinding}},
    // MEAN over H and W, and TRANSPOSE to NCHW followed by such MEANs (PyTorch exports).
    {OpType::kGlobalAvgPool,
     {{tflite::kOpMean, &Importer::MapMean}, {tflite::kOpTranspose, &Importer::MapTranspose}}},
    {OpType::kRelu, {{tflite::kOpRelu, &Importer::MapUnary}, kNoBinding}},
    {OpType::kRelu6, {{tflite::kOpRelu6, &Importer::MapUnary}, kNoBinding}},
    {OpType::kSigmoid, {{tflite::kOpLogistic, &Importer::MapUnary}, kNoBinding}},
    {OpType::kTanh, {{tflite::kOpTanh, &Importer::MapUnary}, kNoBinding}},
    {OpType::kAdd, {{tflite::kOpAdd, &Importer::MapBinary}, kNoBinding}},
    {OpType::kMul, {{tflite::kOpMul, &Importer::MapBinary}, kNoBinding}},
    {OpType::kConcat, {{tflite::kOpConcatenation, &Importer::MapConcat}, kNoBinding}},
    {OpType::kPad, {{tflite::kOpPad, &Importer::MapPad}, kNoBinding}},
    {OpType::kReshape, {{tflite::kOpReshape, &Importer::MapReshape}, kNoBinding}},
    {OpType::kFlatten, {kNoBinding, kNoBinding}},  // TFLite writes it as RESHAPE
    {OpType::kSoftmax, {{tflite::kOpSoftmax, &Importer::MapSoftmax}, kNoBinding}},
    {OpType::kBatchNorm, {kNoBinding, kNoBinding}},  // no such builtin (the converter folds it)
    {OpType::kLstm, {kNoBinding, kNoBinding}},       // the LSTM builtins are not mapped
    {OpType::kGru, {kNoBinding, kNoBinding}},
    {OpType::kQuantize, {{tflite::kOpQuantize, &Importer::MapConvert}, kNoBinding}},
    {OpType::kDequantize, {{tflite::kOpDequantize, &Importer::MapConvert}, kNoBinding}},
    {OpType::kHardSwish, {{tflite::kOpHardSwish, &Importer::MapUnary}, kNoBinding}},
    {OpType::kHardSigmoid, {kNoBinding, kNoBinding}},
    {OpType::kUnsupported, {kNoBinding, kNoBinding}},  // every builtin without a binding
};

constexpr bool TfliteRowsFollowTheEnum() {
  for (int i = 0; i < kNumOpTypes; ++i) {
    if (kTfliteOps[i].type != static_cast<OpType>(i)) return false;
  }
  return true;
}
static_assert(sizeof(kTfliteOps) / sizeof(kTfliteOps[0]) == kNumOpTypes,
              "kTfliteOps needs exactly one row per OpType");
static_assert(TfliteRowsFollowTheEnum(), "kTfliteOps rows must follow the OpType enum order");

// MapOperator takes the first binding of a code, so each code may be bound once.
constexpr int TimesBound(std::int32_t builtin_code) {
  int times = 0;
  for (const TfliteOpRow& row : kTfliteOps) {
    for (const TfliteBinding& binding : row.bindings) {
      if (binding.map != nullptr && binding.builtin_code == builtin_code) ++times;
    }
  }
  return times;
}
constexpr bool EveryBuiltinIsBoundOnce() {
  for (const TfliteOpRow& row : kTfliteOps) {
    for (const TfliteBinding& binding : row.bindings) {
      if (binding.map != nullptr && TimesBound(binding.builtin_code) != 1) return false;
    }
  }
  return true;
}
static_assert(EveryBuiltinIsBoundOnce(), "a TFLite builtin code is bound in two rows");

}  // namespace

void Importer::MapOperator(std::size_t op) {
  try {
    const std::int32_t code = m_.operators[op].builtin_code;
    for (const TfliteOpRow& row : kTfliteOps) {
      for (const TfliteBinding& binding : row.bindings) {
        if (binding.map != nullptr && binding.builtin_code == code) {
          (this->*binding.map)(op, row.type);
          return;
        }
      }
    }
    AddUnsupported(op);
  } catch (const Error& e) {
    // Graph errors (duplicate producer, bad id) do not know the TFLite operator: add it.
    const std::string what = e.what();
    if (what.rfind(source_, 0) == 0) throw;
    throw WithContext(e, source_ + ": " + OpLabel(op));
  }
}

}  // namespace opcost::tflite
