// max_pool, avg_pool and global_avg_pool (TFLite MEAN over H and W).
// Counting: a window of k elements costs k-1 comparisons (max) or k-1 additions and one division
// (average) per output; padded positions count like real ones, as MACs on padding do.
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost::detail {
namespace {

void InferPool(Graph& g, NodeId id) {
  const OpAttributes& a = g.node(id).attrs;
  CheckWindowAttrs(g, id, a, /*dilation=*/false);
  if (a.dilation_h != 1 || a.dilation_w != 1) AttrFail(g, id, "pooling has no dilation");
  const Shape& x = Input(g, id, 0).shape;
  SetOutput(g, id, WindowOutputShape(g, id, x, a.kernel_h, a.kernel_w, x.Channels()));
}

void InferGlobalAvgPool(Graph& g, NodeId id) {
  const Shape& x = Input(g, id, 0).shape;
  if (x.rank != 4) {
    ShapeFail(g, id, "input must be rank 4 NHWC (got " + x.ToString() + ")");
  }
  SetOutput(g, id, g.node(id).attrs.keep_dims ? Shape{x[0], 1, 1, x[3]} : Shape{x[0], x[3]});
}

std::int64_t WindowMinusOne(const LayerDesc& l) {
  return CheckedMul(l.attrs.kernel_h, l.attrs.kernel_w) - 1;
}

void CountMaxPool(const LayerDesc& l, OpMetrics* m) {
  m->output_elements = l.output.NumElements();
  m->comparisons = CheckedMul(m->output_elements, WindowMinusOne(l));
}

void CountAvgPool(const LayerDesc& l, OpMetrics* m) {
  m->output_elements = l.output.NumElements();
  m->additions = CheckedMul(m->output_elements, WindowMinusOne(l));
  m->divisions = m->output_elements;
}

void CountGlobalAvgPool(const LayerDesc& l, OpMetrics* m) {
  m->output_elements = l.output.NumElements();
  const std::int64_t window = CheckedMul(l.input[1], l.input[2]);
  m->additions = CheckedMul(m->output_elements, window - 1);
  m->divisions = m->output_elements;
}

void CheckGlobalAvgPoolLayer(const LayerDesc& l) {
  if (l.input.rank != 4) LayerFail(l, "input must be rank 4 (got " + l.input.ToString() + ")");
}

}  // namespace

// Fields: type, name, category, min/max data inputs, infer, count, check_layer, constants,
// weights/bias input, alias, in_place, fused_activation, json_fields, required_json_fields
// (op_registry.h).
const OpInfo kMaxPoolInfo = {
    OpType::kMaxPool, "max_pool", OpCategory::kPooling, 1, 1,
    InferPool, CountMaxPool, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"pool", "stride", "padding"},
    {"pool"}};
const OpInfo kAvgPoolInfo = {
    OpType::kAvgPool, "avg_pool", OpCategory::kPooling, 1, 1,
    InferPool, CountAvgPool, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"pool", "stride", "padding"},
    {"pool"}};
const OpInfo kGlobalAvgPoolInfo = {
    OpType::kGlobalAvgPool, "global_avg_pool", OpCategory::kPooling, 1, 1,
    InferGlobalAvgPool, CountGlobalAvgPool, CheckGlobalAvgPoolLayer, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"keep_dims"},
    {}};

}  // namespace opcost::detail
