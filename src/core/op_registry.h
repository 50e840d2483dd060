// Internal: the one table describing every OpType (src/core/op_table.cc). Each op family lives in
// its own file (conv_ops.cc, dense_ops.cc, pool_ops.cc, elementwise_ops.cc, tensor_ops.cc) and
// defines the rows of its ops: every per-op fact the core, estimate, memory and importer code
// needs. Facts of higher modules (int8 kernels, the TFLite mapping) live in tables of their own,
// indexed by OpType the same way (docs/architecture.md, "Adding an op").
#ifndef OPCOST_SRC_CORE_OP_REGISTRY_H_
#define OPCOST_SRC_CORE_OP_REGISTRY_H_

#include <string>
#include <vector>

#include "opcost/builder.h"
#include "opcost/graph.h"
#include "opcost/metrics.h"

namespace opcost::detail {

// An input index meaning "the op has no such input".
constexpr int kNoInput = -1;

struct OpInfo {
  OpType type;
  const char* name;
  // Category of the op's cost; conv2d's counting rule refines kConv to kConv1x1.
  OpCategory category;
  int min_data_inputs;
  int max_data_inputs;  // -1: any number (concat)
  // Sets the shape and dtype of the outputs of node `id`, whose input shapes are known.
  void (*infer)(Graph& graph, NodeId id);
  // Fills output_elements, macs, macs_per_output and the other-op counts (category is preset).
  void (*count)(const LayerDesc& layer, OpMetrics* m);
  // Checks a LayerDesc beyond what every op needs (weights rank, ...); nullptr when nothing.
  void (*check_layer)(const LayerDesc& layer);
  // The constants the op needs after its data inputs; nullptr when none.
  std::vector<ConstantSpec> (*constants)(const OpAttributes& attrs, const Shape& input,
                                         DataType dtype, bool bias);
  // Input roles for metrics: the main weight tensor (its shape is LayerDesc::weights) and the
  // bias (counted as bias_params), or kNoInput. The bias is present when the node has more
  // than bias_input inputs, not counting an lstm projection, which follows the bias.
  int weights_input;
  int bias_input;
  // The output may share the input's buffer (reshape, flatten): no work, no new memory.
  bool alias;
  // With LivenessOptions::in_place the output may overwrite a dying data input.
  bool in_place;
  // The op has a fused `activation` attribute (importers fold a following activation into it).
  bool fused_activation;
  // Attributes a JSON model layer may give beyond name/op/inputs/outputs
  // (docs/model-format.md).
  std::vector<const char*> json_fields;
  // Of json_fields, those every layer of the op must give.
  std::vector<const char*> required_json_fields;
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
// Throws Error{kInvalidArgument}: "invalid <op> layer: <rule>", for a bad LayerDesc.
[[noreturn]] void LayerFail(const LayerDesc& layer, const std::string& rule);

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
