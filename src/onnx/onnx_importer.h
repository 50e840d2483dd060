// The ONNX importer's state and the services op mappers use (onnx_ops.cc, onnx_quant_ops.cc):
// the value table (every ONNX value name is an activation of the opcost graph, with a layout,
// or a constant), node emission with per-node shape inference and activation fusion
// (onnx_values.cc); constant conversion: layout transpose, dtype, quantization
// (onnx_constants.cc); node inputs and attributes (onnx_operands.cc); unsupported ops
// (onnx_unsupported.cc); error messages naming the node, and the run over the graph with its
// inputs and outputs (onnx_importer.cc).
#ifndef OPCOST_SRC_ONNX_ONNX_IMPORTER_H_
#define OPCOST_SRC_ONNX_ONNX_IMPORTER_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/decode_budget.h"
#include "io/dims_text.h"
#include "onnx/onnx_model.h"
#include "opcost/error.h"
#include "opcost/graph.h"
#include "opcost/onnx_import.h"

namespace opcost::onnx {

// How an activation's opcost dims relate to its ONNX dims. kNchw: a rank-4 ONNX NCHW tensor
// held as NHWC (opcost dim i is ONNX dim kNchwToNhwc[i]); kPlain: the same order.
enum class Layout { kPlain, kNchw };
constexpr int kNchwToNhwc[4] = {0, 2, 3, 1};

// A constant value: an initializer, a Constant node, or one derived from them (a dequantized
// weight, a folded batch norm). Dims in ONNX order.
struct Constant {
  std::string name;
  std::vector<std::int64_t> dims;
  std::int32_t onnx_type = kOnnxUndefined;
  bool has_data = false;               // false for external data (sized, never loaded)
  const std::uint8_t* view = nullptr;  // into the model buffer when not owned
  std::vector<std::uint8_t> owned;     // derived data
  Quantization quant;                  // axis in ONNX dims
  const std::uint8_t* Data() const { return owned.empty() ? view : owned.data(); }
  std::int64_t NumElements() const;
};

struct Value {
  bool is_constant = false;
  TensorId tensor = kNoTensor;  // activation
  Layout layout = Layout::kPlain;
  int constant = -1;  // index into the constants table
};

class Importer {
 public:
  Importer(const OnnxModel& model, const std::string& source, const OnnxImportOptions& options,
           const std::string& external_dir);
  Graph Run(const std::string& graph_name);

  // ---- errors ----
  [[noreturn]] void Fail(ErrorCode code, const std::string& what) const;
  [[noreturn]] void NodeFail(const OnnxNode& n, ErrorCode code, const std::string& rule) const;
  std::string NodeLabel(const OnnxNode& n) const;

  // ---- inputs ----
  bool HasInput(const OnnxNode& n, std::size_t k) const;
  const Value& In(const OnnxNode& n, std::size_t k, const char* what) const;
  // An activation input and its layout; a constant there is an unsupported form of the op.
  TensorId ActivationIn(const OnnxNode& n, std::size_t k, const char* what, Layout* layout);
  const Constant& ConstantIn(const OnnxNode& n, std::size_t k, const char* what) const;
  const Constant& ConstantOf(const Value& v) const {
    return constants_[static_cast<std::size_t>(v.constant)];
  }
  // Integer / float values of a small constant input (INT32 or INT64 / FLOAT or DOUBLE).
  std::vector<std::int64_t> IntValues(const OnnxNode& n, const Constant& c, const char* what);
  std::vector<float> FloatValues(const OnnxNode& n, const Constant& c, const char* what);
  // ONNX dims of an activation value.
  std::vector<std::int64_t> OnnxDims(const Value& v) const;
  const Shape& ShapeOf(TensorId t) const { return graph_.tensor(t).shape; }

  // ---- attributes ----
  const OnnxAttribute* Attr(const OnnxNode& n, const char* name) const;
  std::int64_t AttrInt(const OnnxNode& n, const char* name, std::int64_t fallback) const;
  float AttrFloat(const OnnxNode& n, const char* name, float fallback) const;
  std::vector<std::int64_t> AttrInts(const OnnxNode& n, const char* name,
                                     std::vector<std::int64_t> fallback) const;
  std::string AttrString(const OnnxNode& n, const char* name, const char* fallback) const;

  // ---- output ----
  // Adds `c` as a graph constant with its dims permuted by `perm` (opcost dim i = ONNX dim
  // perm[i]; empty = as is), data transposed and the quantization axis moved along.
  TensorId AddConstantTensor(const OnnxNode& n, const Constant& c, const std::vector<int>& perm,
                             const std::string& role);
  TensorId NewActivation(const std::string& name);
  // Appends a node writing `out`, infers its shapes; returns its id.
  NodeId Emit(const OnnxNode& n, const std::string& suffix, OpType type, const OpAttributes& attrs,
              const std::vector<TensorId>& inputs, TensorId out);
  // Emit() writing ONNX output `k` of `n`, bound with `layout`.
  NodeId EmitOutput(const OnnxNode& n, OpType type, const OpAttributes& attrs,
                    const std::vector<TensorId>& inputs, Layout layout, std::size_t k = 0);
  void Bind(const std::string& name, TensorId tensor, Layout layout);
  void BindConstant(const std::string& name, Constant c);
  // Output `k` of `n` names the same value as `v` (Identity, Dropout, a folded Q/DQ or BN).
  void Alias(const OnnxNode& n, std::size_t k, const Value& v);
  // Fuses `act` into the producer of input 0 if it is a conv, depthwise, fc, add or mul with
  // no activation whose output nothing else reads; then output 0 aliases it. False otherwise.
  bool TryFuseActivation(const OnnxNode& n, Activation act);
  // Producer of `t` whose output only the current node reads, or kNoNode.
  NodeId SoleProducer(TensorId t) const;
  void AddUnsupported(const OnnxNode& n, const std::string& why);
  bool allow_unsupported() const { return options_.allow_unsupported; }
  std::int64_t opset() const { return m_.opset; }
  Graph& graph() { return graph_; }
  const std::vector<Constant>& constants() const { return constants_; }
  void ChargeCopy(const OnnxNode& n, std::uint64_t bytes);
  // A Constant node's tensor, checked like an initializer.
  Constant ConstantFromNodeTensor(const OnnxNode& n, const OnnxTensor& t) {
    return ConstantFromTensor(t, NodeLabel(n) + ": attribute 'value'");
  }
  std::string NodeBaseName(const OnnxNode& n) const {
    return n.name.empty() ? n.op_type + "_" + std::to_string(current_) : n.name;
  }

 private:
  void CheckStrings() const;
  void LoadInitializers();
  Constant ConstantFromTensor(const OnnxTensor& t, const std::string& where);
  DataType ConstantType(const OnnxNode& n, const Constant& c, const std::string& role) const;
  void CheckConstantDims(const OnnxNode& n, const Constant& c,
                         const std::vector<std::int64_t>& dims, const std::string& role) const;
  const OnnxValueInfo& DeclaredOutput(const OnnxNode& n, const std::string& name) const;
  Shape DeclaredShape(const OnnxNode& n, const std::string& name, const OnnxValueInfo& info,
                      Layout layout) const;
  void AddGraphInputs();
  std::vector<std::int64_t> GraphInputDims(const OnnxValueInfo& in, const std::string& where);
  void CountConsumers();
  void MapNode(std::size_t index);
  void BindGraphOutputs();
  void CheckDeclaredShapes();
  std::string UniqueTensorName(const std::string& base);
  std::string UniqueNodeName(const std::string& base);

  const OnnxModel& m_;
  const std::string& source_;
  const OnnxImportOptions& options_;
  std::string external_dir_;
  Graph graph_;
  std::vector<Constant> constants_;
  std::unordered_map<std::string, Value> values_;
  std::unordered_map<std::string, int> consumers_;  // per ONNX value: node inputs + outputs
  std::vector<int> tensor_consumers_;               // per graph tensor: readers still to come
  std::vector<bool> is_graph_output_;               // per graph tensor
  std::unordered_map<std::string, const OnnxValueInfo*> declared_;  // value_info + outputs
  detail::DecodeBudget copy_budget_;                  // constant bytes copied into the graph
  std::size_t current_ = 0;                           // node being mapped
  std::string notes_;                                 // for the description (dynamic batch)
  std::unordered_map<std::string, int> next_suffix_;  // per base name: suffixes used
};

// One row per ONNX op type: the mapper (onnx_ops.cc, onnx_quant_ops.cc).
using OnnxMapper = void (*)(Importer&, const OnnxNode&);
struct OnnxOpRule {
  const char* op_type;
  OnnxMapper map;
};
// The rule for `op_type` in the default or com.microsoft domain, or nullptr.
const OnnxOpRule* FindOnnxOpRule(const std::string& op_type);

// Shared by float and quantized ops (onnx_ops.cc).
struct ConvParts {
  Constant weights;  // ONNX [M, C/group, KH, KW]
  const Constant* bias = nullptr;
  std::size_t x_index = 0;
};
NodeId MapConvolution(Importer& im, const OnnxNode& n, const ConvParts& parts);
struct DenseParts {
  Constant weights;                 // ONNX [K, N] (MatMul) or [N, K] (transposed Gemm B)
  bool weights_transposed = false;  // true: [N, K]
  const Constant* bias = nullptr;
  std::size_t x_index = 0;
};
// kNoNode when the op was imported as unsupported instead.
NodeId MapDense(Importer& im, const OnnxNode& n, const DenseParts& parts);

// External data: the byte length of `t`'s data in its external file, checked to lie inside
// `base_dir` and the file (onnx_external_data.cc). Throws Error{kBadModel} / Error{kIo}.
std::int64_t ExternalDataBytes(const OnnxTensor& t, const std::string& base_dir,
                               const std::string& source);

// The opcost dtype of ONNX element type `onnx_type`; false when opcost has none
// (onnx_constants.cc).
bool MapDataType(std::int32_t onnx_type, DataType* out);

using detail::DimsText;  // "[1,3,224,224]": dims as messages print them (io/dims_text.h)

}  // namespace opcost::onnx

#endif  // OPCOST_SRC_ONNX_ONNX_IMPORTER_H_
