// The layer graph: tensors (activations and constants) and ops (nodes) that name their input and
// output tensors, so residual adds, concatenations and NAS-cell skip edges are expressible.
// The node list order is the execution order and must be topological.
//
//   opcost::Graph g("tiny");
//   auto x = g.AddTensor(opcost::Tensor::Activation("x", {1, 8, 8, 3}, opcost::DataType::kInt8));
//   ...  // or use opcost::GraphBuilder (builder.h), or opcost::LoadModel (model_io.h)
//   g.SetInputs({x});
//   opcost::InferShapes(g);   // shape_inference.h: validates the graph and fills shapes
#ifndef OPCOST_GRAPH_H_
#define OPCOST_GRAPH_H_

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>  // no longer used here; kept for code that relied on it
#include <vector>

#include "opcost/op_type.h"
#include "opcost/types.h"

namespace opcost {

using TensorId = std::int32_t;  // index into Graph::tensors()
using NodeId = std::int32_t;    // index into Graph::nodes(); also the execution step
constexpr TensorId kNoTensor = -1;
constexpr NodeId kNoNode = -1;

// Affine quantization (TFLite): real = scale * (q - zero_point). Per-tensor when scales has one
// entry; per-channel along `axis` otherwise. Empty when the tensor is not quantized.
struct Quantization {
  std::vector<float> scales;
  std::vector<std::int64_t> zero_points;
  std::int32_t axis = 0;
  // Optional, weights of conv2d/depthwise_conv2d/fully_connected only: explicit int8
  // requantization (Q31 multiplier, power-of-two shift; one pair, or one per output channel)
  // that the int8 kernels (interpreter.h) use instead of deriving them from input scale x
  // weight scale / output scale. For data that comes with fixed-point factors only (CMSIS-NN
  // test vectors). Empty = derive from the scales.
  std::vector<std::int32_t> multipliers;
  std::vector<std::int32_t> shifts;
  bool empty() const { return scales.empty(); }
};

struct Tensor {
  std::string name;
  Shape shape;  // activations: filled by InferShapes unless declared (graph inputs)
  DataType dtype = DataType::kInt8;
  bool is_constant = false;  // weights, bias: stored in flash, not part of activation memory
  Quantization quantization;
  std::vector<std::uint8_t> data;  // constants only, optional: raw little-endian element bytes

  // Bytes of the tensor: NumElements() * DataTypeSize(dtype); throws kOverflow.
  std::int64_t SizeBytes() const;

  static Tensor Activation(std::string name, Shape shape, DataType dtype);
  static Tensor Constant(std::string name, Shape shape, DataType dtype);
};

enum class Padding { kValid, kSame, kExplicit };

// Every op parameter in one flat struct (no heap, no variant): each op reads the fields its
// comment names and ignores the rest.
struct OpAttributes {
  // conv2d, depthwise_conv2d, max_pool, avg_pool. For convolutions kernel_h/w must match the
  // weights tensor.
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t dilation_h = 1, dilation_w = 1;
  Padding padding = Padding::kValid;
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;  // kExplicit only
  std::int64_t groups = 1;            // conv2d
  std::int64_t depth_multiplier = 1;  // depthwise_conv2d
  std::int64_t filters = 0;           // conv2d: output channels (= weights dim 0)
  std::int64_t units = 0;             // fully_connected, lstm, gru: output features
  std::int64_t projection = 0;        // lstm: projection size, 0 = none
  bool return_sequences = true;       // lstm, gru: output [N,T,u] (true) or [N,u]
  Activation activation = Activation::kNone;  // fused: conv, depthwise, fc, add, mul
  std::int32_t axis = -1;                     // concat (negative counts from the end)
  bool keep_dims = true;                      // global_avg_pool: [N,1,1,C] or [N,C]
  Shape new_shape;                            // reshape: one dim may be -1
  std::array<std::array<std::int64_t, 2>, Shape::kMaxRank> paddings{};  // pad: before/after per dim
  DataType output_dtype = DataType::kInt8;  // quantize, dequantize; see has_output_dtype
  bool has_output_dtype = false;
  std::string unsupported_name;  // unsupported: the original op name (e.g. a TFLite builtin)
};

struct Node {
  std::string name;
  OpType type = OpType::kUnsupported;
  OpAttributes attrs;
  std::vector<TensorId> inputs;   // data inputs first, then constants (weights, bias, ...)
  std::vector<TensorId> outputs;  // one output for every op type except none today
};

class Graph {
 public:
  Graph() = default;
  explicit Graph(std::string name) : name_(std::move(name)) {}

  // Adds a tensor. Throws kInvalidGraph if the name is empty or already used.
  TensorId AddTensor(Tensor tensor);
  // Appends a node (the next execution step). Throws kInvalidGraph if its name is empty or
  // already used, a tensor id is out of range, an output is a constant or is already produced
  // by another node.
  NodeId AddNode(Node node);
  // Room for `nodes` nodes and `tensors` tensors without reallocating (a NAS loop that builds
  // many graphs of about one size). Changes nothing else.
  void Reserve(std::size_t nodes, std::size_t tensors);
  // Removes every tensor, node, input and output; keeps the name, the description and the
  // allocated room (vectors and name index), so a loop that rebuilds graphs of about one size
  // stops allocating them. Ids from before the call are invalid afterwards.
  void Clear();
  // Graph inputs (activations fed from outside) and outputs. Throw kInvalidGraph on bad ids.
  void SetInputs(std::vector<TensorId> inputs);
  void SetOutputs(std::vector<TensorId> outputs);

  // Checks what AddNode cannot see alone: every consumed activation is a graph input or
  // produced by some node (no dangling names), graph inputs are not produced by nodes, the
  // graph has no cycle (error lists the ops on it) and the node order is topological (error
  // names the op and the tensor it reads before it is produced). Throws kInvalidGraph.
  void Validate() const;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& description() const { return description_; }
  void set_description(std::string d) { description_ = std::move(d); }

  const std::vector<Tensor>& tensors() const { return tensors_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Tensor& tensor(TensorId id) const { return tensors_[static_cast<std::size_t>(id)]; }
  Tensor& mutable_tensor(TensorId id) { return tensors_[static_cast<std::size_t>(id)]; }
  const Node& node(NodeId id) const { return nodes_[static_cast<std::size_t>(id)]; }
  Node& mutable_node(NodeId id) { return nodes_[static_cast<std::size_t>(id)]; }
  const std::vector<TensorId>& inputs() const { return inputs_; }
  const std::vector<TensorId>& outputs() const { return outputs_; }
  // The node producing `id`, or kNoNode for graph inputs and constants.
  NodeId producer(TensorId id) const { return producers_[static_cast<std::size_t>(id)]; }
  // The tensor named `name`, or kNoTensor.
  TensorId FindTensor(const std::string& name) const;
  NodeId FindNode(const std::string& name) const;

 private:
  // GraphBuilder::Reset keeps the strings and input lists of a cleared graph's tensors and
  // nodes for the next candidate, which needs their storage.
  friend class GraphBuilder;

  // Check and index the tensor or node just appended (by AddTensor, AddNode, or the builder,
  // which fills them in place); on an error they remove it and throw.
  TensorId IndexNewTensor();
  NodeId IndexNewNode();

  std::string name_;
  std::string description_;
  std::vector<Tensor> tensors_;
  std::vector<Node> nodes_;
  std::vector<NodeId> producers_;  // per tensor
  std::vector<TensorId> inputs_;
  std::vector<TensorId> outputs_;
  // Name -> id indexes (graph.cc): open addressing over the ids, the names stay in tensors_ and
  // nodes_. An unordered_map<std::string, id> allocated a node and copied the name per entry,
  // a fifth of the time of building a graph; this allocates only when it doubles.
  struct NameSlot {
    std::int32_t id = -1;  // -1: empty
    std::uint32_t hash = 0;
  };
  std::vector<NameSlot> tensor_slots_;
  std::vector<NameSlot> node_slots_;
};

// The activations that nodes produce and no node consumes, in execution order: the default
// graph outputs of builders and loaders.
std::vector<TensorId> UnconsumedOutputs(const Graph& graph);

}  // namespace opcost

#endif  // OPCOST_GRAPH_H_
