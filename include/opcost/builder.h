// GraphBuilder: build a graph in code, one op at a time, with weights created for you and
// shapes inferred as you go (so errors surface at the op that causes them).
//
//   opcost::GraphBuilder b("cell");
//   auto x = b.Input("x", {1, 32, 32, 16});
//   auto y = b.Conv2D("conv1", x, {.filters = 32, .kernel_h = 3, .kernel_w = 3});  // C++20 syntax
//   auto z = b.Add("skip", x2, y);
//   opcost::Graph g = b.Build();   // outputs: activations no op consumes
#ifndef OPCOST_BUILDER_H_
#define OPCOST_BUILDER_H_

#include <string>
#include <vector>

#include "opcost/graph.h"

namespace opcost {

struct ConvOptions {
  std::int64_t filters = 1;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  Padding padding = Padding::kSame;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
  bool bias = true;
  Activation activation = Activation::kNone;
};

struct DepthwiseOptions {
  std::int64_t kernel_h = 3, kernel_w = 3;
  std::int64_t stride_h = 1, stride_w = 1;
  Padding padding = Padding::kSame;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t depth_multiplier = 1;
  bool bias = true;
  Activation activation = Activation::kNone;
};

struct PoolOptions {
  std::int64_t pool_h = 2, pool_w = 2;
  std::int64_t stride_h = 2, stride_w = 2;
  Padding padding = Padding::kValid;
};

class GraphBuilder {
 public:
  // `dtype` is the activation type; weights are int8 with int32 bias for int8/uint8 activations,
  // int8 with int64 bias for int16, and float32 for float32.
  explicit GraphBuilder(std::string name, DataType dtype = DataType::kInt8);

  TensorId Input(const std::string& name, Shape shape);
  TensorId Conv2D(const std::string& name, TensorId x, const ConvOptions& options);
  TensorId DepthwiseConv2D(const std::string& name, TensorId x, const DepthwiseOptions& options);
  TensorId FullyConnected(const std::string& name, TensorId x, std::int64_t units,
                          bool bias = true, Activation activation = Activation::kNone);
  TensorId MaxPool(const std::string& name, TensorId x, const PoolOptions& options);
  TensorId AvgPool(const std::string& name, TensorId x, const PoolOptions& options);
  TensorId GlobalAvgPool(const std::string& name, TensorId x, bool keep_dims = true);
  // relu, relu6, sigmoid, tanh, softmax, batch_norm, quantize, dequantize, flatten.
  TensorId Unary(const std::string& name, OpType type, TensorId x);
  TensorId Add(const std::string& name, TensorId a, TensorId b,
               Activation activation = Activation::kNone);
  TensorId Mul(const std::string& name, TensorId a, TensorId b);
  TensorId Concat(const std::string& name, const std::vector<TensorId>& xs, int axis = -1);
  TensorId Reshape(const std::string& name, TensorId x, Shape new_shape);
  TensorId Lstm(const std::string& name, TensorId x, std::int64_t units,
                std::int64_t projection = 0, bool return_sequences = true);
  TensorId Gru(const std::string& name, TensorId x, std::int64_t units,
               bool return_sequences = true);

  // Adds any op: `data_inputs` are activations; the constants the op needs (weights, bias,
  // recurrent weights) are created from `attrs` as "<name>/weights", "<name>/bias", ... when
  // `create_constants` is true. The output tensor is named `name`. Returns it.
  TensorId AddOp(const std::string& name, OpType type, const OpAttributes& attrs,
                 const std::vector<TensorId>& data_inputs, bool create_constants = true);

  // Room for `nodes` ops and `tensors` tensors (activations and constants) before they are
  // added: a NAS loop building candidates of about one size saves the reallocations.
  void Reserve(std::size_t nodes, std::size_t tensors);

  const Graph& graph() const { return graph_; }
  Graph& mutable_graph() { return graph_; }
  // Finishes: declares graph outputs (the activations no op consumes) unless SetOutputs was
  // called, validates and returns the graph. The builder is left empty.
  Graph Build();

  // For a NAS loop that builds one candidate after another and needs each only until the next:
  // Finish does what Build does but leaves the graph in the builder (the reference is valid
  // until the builder changes); Reset then starts an empty graph with the name given at
  // construction and keeps the storage of the one before (vectors, name index, tensor names,
  // node input lists), so the next candidate's ops allocate almost nothing. The graphs are the
  // same as Build's.
  //
  //   opcost::GraphBuilder b("candidate");
  //   for (...) {
  //     b.Reset();
  //     ...                                    // b.Input, b.Conv2D, ...
  //     const opcost::Graph& g = b.Finish();
  //   }
  const Graph& Finish();
  void Reset();

 private:
  // The one place ops enter the graph; the typed helpers pass their one or two inputs as a
  // pointer and a count.
  TensorId AddOpWithBias(const std::string& name, OpType type, const OpAttributes& attrs,
                         const TensorId* data_inputs, std::size_t count, bool create_constants,
                         bool bias);
  TensorId AddOneInputOp(const std::string& name, OpType type, const OpAttributes& attrs,
                         TensorId x, bool bias = true);
  // Appends a default tensor or node to the graph for the caller to fill and index, with the
  // name's and input lists' storage of a spare from before the last Reset when one is left.
  Tensor& AppendTensor();
  Node& AppendNode();

  std::string name_;
  Graph graph_;
  DataType dtype_;
  // The tensors and nodes of the graph before the last Reset; the next ones take the storage of
  // their names and input lists in order.
  std::vector<Tensor> spare_tensors_;
  std::vector<Node> spare_nodes_;
  std::size_t used_spare_tensors_ = 0;
  std::size_t used_spare_nodes_ = 0;
};

// The constant tensors an op of `type` with `attrs` needs for data input shape `input`, in
// input order after the data inputs: {shape, dtype, is_bias}. Used by builders and loaders.
struct ConstantSpec {
  const char* suffix;  // "weights", "bias", "recurrent_weights", "projection", "scale", ...
  Shape shape;
  DataType dtype;
  bool is_bias;
};
std::vector<ConstantSpec> ConstantsFor(OpType type, const OpAttributes& attrs, const Shape& input,
                                       DataType activation_dtype, bool bias = true);

}  // namespace opcost

#endif  // OPCOST_BUILDER_H_
