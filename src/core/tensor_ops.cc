// Data movement without arithmetic: concat, pad, reshape, flatten; and unsupported (imported ops
// opcost does not know: their outputs must be declared, they count nothing and are flagged).
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost::detail {
namespace {

std::string Str(std::int64_t v) { return std::to_string(v); }

void InferConcat(Graph& g, NodeId id) {
  const Node& n = g.node(id);
  if (n.inputs.empty()) ShapeFail(g, id, "needs at least one input");
  const Shape& first = Input(g, id, 0).shape;
  int axis = n.attrs.axis;
  if (axis < 0) axis += first.rank;
  if (axis < 0 || axis >= first.rank) {
    AttrFail(g, id, "axis " + Str(n.attrs.axis) + " is out of range for rank " + Str(first.rank));
  }
  Shape out = first;
  for (std::size_t i = 1; i < n.inputs.size(); ++i) {
    const Shape& s = Input(g, id, static_cast<int>(i)).shape;
    bool ok = s.rank == first.rank;
    for (int d = 0; ok && d < s.rank; ++d) ok = d == axis || s[d] == first[d];
    if (!ok) {
      ShapeFail(g, id, "inputs must match in every dim but axis " + Str(axis) + " (got " +
                           first.ToString() + " and " + s.ToString() + ")");
    }
    out[axis] = CheckedAdd(out[axis], s[axis]);
  }
  SetOutput(g, id, out);
}

void InferPad(Graph& g, NodeId id) {
  const auto& p = g.node(id).attrs.paddings;
  const Shape& x = Input(g, id, 0).shape;
  Shape out = x;
  for (int d = 0; d < x.rank; ++d) {
    const auto& pair = p[static_cast<std::size_t>(d)];
    if (pair[0] < 0 || pair[1] < 0) {
      AttrFail(g, id, "paddings must not be negative (dim " + Str(d) + ")");
    }
    out[d] = CheckedAdd(CheckedAdd(x[d], pair[0]), pair[1]);
  }
  for (int d = x.rank; d < Shape::kMaxRank; ++d) {
    const auto& pair = p[static_cast<std::size_t>(d)];
    if (pair[0] != 0 || pair[1] != 0) {
      AttrFail(g, id, "paddings given for dim " + Str(d) + " of a rank " + Str(x.rank) + " input");
    }
  }
  SetOutput(g, id, out);
}

void InferReshape(Graph& g, NodeId id) {
  const Shape& want = g.node(id).attrs.new_shape;
  const Shape& x = Input(g, id, 0).shape;
  if (want.rank < 1) ShapeFail(g, id, "reshape needs a target shape");
  const std::int64_t total = x.NumElements();
  Shape out = want;
  int unknown = -1;
  std::int64_t known = 1;
  for (int d = 0; d < want.rank; ++d) {
    if (want[d] == -1 && unknown < 0) {
      unknown = d;
    } else if (want[d] < 1) {
      AttrFail(g, id, "target shape " + want.ToString() + " must have positive dims and at most "
                      "one -1");
    } else {
      known = CheckedMul(known, want[d]);
    }
  }
  if (unknown >= 0) {
    if (total % known != 0) {
      ShapeFail(g, id, "cannot reshape " + x.ToString() + " to " + want.ToString());
    }
    out[unknown] = total / known;
  }
  if (out.NumElements() != total) {
    ShapeFail(g, id, "element count must not change (got " + x.ToString() + " to " +
                         want.ToString() + ")");
  }
  SetOutput(g, id, out);
}

void InferFlatten(Graph& g, NodeId id) {
  const Shape& x = Input(g, id, 0).shape;
  if (x.rank <= 1) {
    SetOutput(g, id, x);
    return;
  }
  SetOutput(g, id, Shape{x[0], x.NumElements() / x[0]});
}

void InferUnsupported(Graph& g, NodeId id) {
  for (TensorId t : g.node(id).outputs) {
    if (g.tensor(t).shape.rank == 0) {
      ShapeFail(g, id, "the output '" + g.tensor(t).name + "' of an unsupported op (" +
                           g.node(id).attrs.unsupported_name + ") must have a declared shape");
    }
  }
}

void CountMove(const LayerDesc& l, OpMetrics* m) {
  m->output_elements = l.output.NumElements();
}

}  // namespace

// Fields: type, name, category, min/max data inputs, infer, count, check_layer, constants,
// weights/bias input, alias, in_place, fused_activation, json_fields, required_json_fields
// (op_registry.h).
const OpInfo kConcatInfo = {
    OpType::kConcat, "concat", OpCategory::kOther, 1, -1,
    InferConcat, CountMove, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"axis"},
    {}};
const OpInfo kPadInfo = {
    OpType::kPad, "pad", OpCategory::kOther, 1, 1,
    InferPad, CountMove, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"paddings"},
    {"paddings"}};
const OpInfo kReshapeInfo = {
    OpType::kReshape, "reshape", OpCategory::kOther, 1, 1,
    InferReshape, CountMove, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/true, /*in_place=*/false, /*fused_activation=*/false,
    {"shape"},
    {"shape"}};
const OpInfo kFlattenInfo = {
    OpType::kFlatten, "flatten", OpCategory::kOther, 1, 1,
    InferFlatten, CountMove, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/true, /*in_place=*/false, /*fused_activation=*/false,
    {},
    {}};
// An imported op opcost does not know: any inputs, zero cost, the file's output shapes.
const OpInfo kUnsupportedInfo = {
    OpType::kUnsupported, "unsupported", OpCategory::kOther, 0, -1,
    InferUnsupported, CountMove, nullptr, nullptr,
    /*weights_input=*/kNoInput, /*bias_input=*/kNoInput,
    /*alias=*/false, /*in_place=*/false, /*fused_activation=*/false,
    {"original_op"},
    {}};

}  // namespace opcost::detail
