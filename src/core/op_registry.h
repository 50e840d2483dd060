// Internal: the one table describing every OpType (src/core/op_table.cc). Each op family lives in
// its own file (conv_ops.cc, dense_ops.cc, pool_ops.cc, elementwise_ops.cc, tensor_ops.cc) and
// contributes its shape rule, its counting rule and the constants it needs.
#ifndef OPCOST_SRC_CORE_OP_REGISTRY_H_
#define OPCOST_SRC_CORE_OP_REGISTRY_H_

#include <string>
#include <vector>

#include "opcost/builder.h"
#include "opcost/graph.h"
#include "opcost/metrics.h"

namespace opcost::detail {

struct OpInfo {
  OpType type;
  const char* name;
  int min_data_inputs;
  int max_data_inputs;  // -1: any number (concat)
  // Sets the shape and dtype of the outputs of node `id`, whose input shapes are known.
  void (*infer)(Graph& graph, NodeId id);
  // Fills category, output_elements, macs, macs_per_output and the other-op counts.
  void (*count)(const LayerDesc& layer, OpMetrics* m);
  // The constants the op needs after its data inputs; nullptr when none.
  std::vector<ConstantSpec> (*constants)(const OpAttributes& attrs, const Shape& input,
                                         DataType dtype, bool bias);
};

const OpInfo& GetOpInfo(OpType type);

// Entries defined by the family files.
extern const OpInfo kConv2DInfo, kDepthwiseConv2DInfo;
extern const OpInfo kFullyConnectedInfo, kLstmInfo, kGruInfo;
extern const OpInfo kMaxPoolInfo, kAvgPoolInfo, kGlobalAvgPoolInfo;
extern const OpInfo kReluInfo, kRelu6Info, kSigmoidInfo, kTanhInfo, kSoftmaxInfo, kAddInfo,
    kMulInfo, kBatchNormInfo, kQuantizeInfo, kDequantizeInfo, kHardSwishInfo, kHardSigmoidInfo;
extern const OpInfo kConcatInfo, kPadInfo, kReshapeInfo, kFlattenInfo, kUnsupportedInfo;

// Throws Error{kShapeMismatch}: "cannot infer shape of <op> node '<name>' (#<id>): <rule>".
[[noreturn]] void ShapeFail(const Graph& graph, NodeId id, const std::string& rule);
// Same with kInvalidArgument, for bad attributes (zero stride, ...).
[[noreturn]] void AttrFail(const Graph& graph, NodeId id, const std::string& rule);

// Node accessors used by the shape rules.
const Tensor& Input(const Graph& graph, NodeId id, int index);
Tensor& Output(Graph& graph, NodeId id, int index = 0);
// Number of data (non-constant) inputs of the node.
int NumDataInputs(const Graph& graph, NodeId id);
// Sets output 0 to `shape` with the dtype of input 0.
void SetOutput(Graph& graph, NodeId id, const Shape& shape);

// Spatial output size of a window op along one axis; fills the leading/trailing padding.
// Returns -1 (and leaves the pads) when the window does not fit.
std::int64_t WindowOutputSize(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                              std::int64_t dilation, Padding padding, std::int64_t explicit_before,
                              std::int64_t explicit_after);
// Checks stride/dilation/kernel/pad attributes of a window op; throws via AttrFail.
void CheckWindowAttrs(const Graph& graph, NodeId id, const OpAttributes& a, bool dilation);
// Computes [N, OH, OW, channels] for a window op on NHWC input `in`; throws via ShapeFail.
Shape WindowOutputShape(const Graph& graph, NodeId id, const Shape& in, std::int64_t kernel_h,
                        std::int64_t kernel_w, std::int64_t channels);

// Fused activation counts: relu 1 comparison, relu6/relu_n1_to_1 2 per output, tanh/sigmoid one
// nonlinear op per output.
void CountFusedActivation(Activation activation, std::int64_t outputs, OpMetrics* m);

// Bias dtype for an activation dtype: int32 for 8-bit, int64 for int16, float32 for float32.
DataType BiasTypeFor(DataType activation);
DataType WeightTypeFor(DataType activation);

}  // namespace opcost::detail

#endif  // OPCOST_SRC_CORE_OP_REGISTRY_H_
