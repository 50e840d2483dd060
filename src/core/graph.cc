#include "opcost/graph.h"

#include <string>
#include <vector>

#include "opcost/error.h"

namespace opcost {
namespace {

[[noreturn]] void GraphFail(const std::string& message) {
  throw Error(ErrorCode::kInvalidGraph, message);
}

std::string OpLabel(const Graph& g, NodeId id) {
  return "op '" + g.node(id).name + "' (#" + std::to_string(id) + ")";
}

// Finds a cycle among nodes (edges producer -> consumer) and returns its node ids, or {}.
std::vector<NodeId> FindCycle(const Graph& g) {
  const std::size_t n = g.nodes().size();
  std::vector<int> state(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<NodeId> stack;
  std::vector<std::size_t> next_input(n, 0);
  for (NodeId root = 0; root < static_cast<NodeId>(n); ++root) {
    if (state[static_cast<std::size_t>(root)] != 0) continue;
    // Iterative DFS over "depends on" edges (node -> producers of its inputs).
    stack.assign(1, root);
    state[static_cast<std::size_t>(root)] = 1;
    while (!stack.empty()) {
      const NodeId v = stack.back();
      const auto& inputs = g.node(v).inputs;
      std::size_t& k = next_input[static_cast<std::size_t>(v)];
      if (k == inputs.size()) {
        state[static_cast<std::size_t>(v)] = 2;
        stack.pop_back();
        continue;
      }
      const NodeId p = g.producer(inputs[k++]);
      if (p == kNoNode) continue;
      if (state[static_cast<std::size_t>(p)] == 1) {
        std::vector<NodeId> cycle;
        std::size_t i = stack.size();
        while (i-- > 0) {
          cycle.push_back(stack[i]);
          if (stack[i] == p) break;
        }
        return cycle;
      }
      if (state[static_cast<std::size_t>(p)] == 0) {
        state[static_cast<std::size_t>(p)] = 1;
        stack.push_back(p);
      }
    }
  }
  return {};
}

}  // namespace

std::int64_t Tensor::SizeBytes() const {
  return CheckedMul(shape.NumElements(), DataTypeSize(dtype));
}

Tensor Tensor::Activation(std::string name, Shape shape, DataType dtype) {
  Tensor t;
  t.name = std::move(name);
  t.shape = shape;
  t.dtype = dtype;
  return t;
}

Tensor Tensor::Constant(std::string name, Shape shape, DataType dtype) {
  Tensor t = Activation(std::move(name), shape, dtype);
  t.is_constant = true;
  return t;
}

TensorId Graph::AddTensor(Tensor tensor) {
  if (tensor.name.empty()) GraphFail("tensor names must not be empty");
  if (tensor_index_.count(tensor.name) != 0) {
    GraphFail("duplicate tensor name '" + tensor.name + "'");
  }
  const auto id = static_cast<TensorId>(tensors_.size());
  tensor_index_.emplace(tensor.name, id);
  tensors_.push_back(std::move(tensor));
  producers_.push_back(kNoNode);
  return id;
}

NodeId Graph::AddNode(Node node) {
  const auto id = static_cast<NodeId>(nodes_.size());
  if (node.name.empty()) GraphFail("op #" + std::to_string(id) + " has an empty name");
  if (node_index_.count(node.name) != 0) GraphFail("duplicate op name '" + node.name + "'");
  auto check = [&](TensorId t) {
    if (t < 0 || t >= static_cast<TensorId>(tensors_.size())) {
      GraphFail("op '" + node.name + "' (#" + std::to_string(id) + ") names tensor id " +
                std::to_string(t) + ", which does not exist");
    }
  };
  for (TensorId t : node.inputs) check(t);
  if (node.outputs.empty()) {
    GraphFail("op '" + node.name + "' (#" + std::to_string(id) + ") has no output");
  }
  for (TensorId t : node.outputs) {
    check(t);
    const Tensor& out = tensors_[static_cast<std::size_t>(t)];
    if (out.is_constant) {
      GraphFail("op '" + node.name + "' (#" + std::to_string(id) + ") writes constant tensor '" +
                out.name + "'");
    }
    const NodeId other = producers_[static_cast<std::size_t>(t)];
    if (other != kNoNode) {
      GraphFail("tensor '" + out.name + "' is produced twice: by op '" +
                nodes_[static_cast<std::size_t>(other)].name + "' and op '" + node.name + "'");
    }
  }
  for (TensorId t : node.outputs) producers_[static_cast<std::size_t>(t)] = id;
  node_index_.emplace(node.name, id);
  nodes_.push_back(std::move(node));
  return id;
}

void Graph::SetInputs(std::vector<TensorId> inputs) {
  for (TensorId t : inputs) {
    if (t < 0 || t >= static_cast<TensorId>(tensors_.size())) {
      GraphFail("graph input id " + std::to_string(t) + " does not exist");
    }
    if (tensors_[static_cast<std::size_t>(t)].is_constant) {
      GraphFail("graph input '" + tensors_[static_cast<std::size_t>(t)].name +
                "' must not be a constant");
    }
  }
  inputs_ = std::move(inputs);
}

void Graph::SetOutputs(std::vector<TensorId> outputs) {
  for (TensorId t : outputs) {
    if (t < 0 || t >= static_cast<TensorId>(tensors_.size())) {
      GraphFail("graph output id " + std::to_string(t) + " does not exist");
    }
  }
  outputs_ = std::move(outputs);
}

TensorId Graph::FindTensor(const std::string& name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? kNoTensor : it->second;
}

NodeId Graph::FindNode(const std::string& name) const {
  auto it = node_index_.find(name);
  return it == node_index_.end() ? kNoNode : it->second;
}

void Graph::Validate() const {
  std::vector<char> is_input(tensors_.size(), 0);
  for (TensorId t : inputs_) {
    is_input[static_cast<std::size_t>(t)] = 1;
    const NodeId p = producers_[static_cast<std::size_t>(t)];
    if (p != kNoNode) {
      GraphFail("graph input '" + tensor(t).name + "' is also produced by " + OpLabel(*this, p));
    }
  }
  for (NodeId id = 0; id < static_cast<NodeId>(nodes_.size()); ++id) {
    for (TensorId t : node(id).inputs) {
      const Tensor& in = tensor(t);
      if (in.is_constant || is_input[static_cast<std::size_t>(t)]) continue;
      const NodeId p = producers_[static_cast<std::size_t>(t)];
      if (p == kNoNode) {
        GraphFail(OpLabel(*this, id) + " reads tensor '" + in.name +
                  "', which no op produces and which is not a graph input (dangling)");
      }
      if (p >= id) {
        const std::vector<NodeId> cycle = FindCycle(*this);
        if (!cycle.empty()) {
          std::string path;
          for (NodeId c : cycle) path += "'" + node(c).name + "' -> ";
          GraphFail("the graph has a cycle: " + path + "'" + node(cycle.front()).name + "'");
        }
        GraphFail("op order is not topological: " + OpLabel(*this, id) + " reads tensor '" +
                  in.name + "' before " + OpLabel(*this, p) + " produces it");
      }
    }
  }
  for (TensorId t : outputs_) {
    if (producers_[static_cast<std::size_t>(t)] == kNoNode && !is_input[static_cast<std::size_t>(t)]) {
      GraphFail("graph output '" + tensor(t).name + "' is produced by no op");
    }
  }
}

std::vector<TensorId> UnconsumedOutputs(const Graph& graph) {
  std::vector<char> consumed(graph.tensors().size(), 0);
  for (const Node& n : graph.nodes()) {
    for (TensorId t : n.inputs) consumed[static_cast<std::size_t>(t)] = 1;
  }
  std::vector<TensorId> outputs;
  for (const Node& n : graph.nodes()) {
    for (TensorId t : n.outputs) {
      if (!consumed[static_cast<std::size_t>(t)]) outputs.push_back(t);
    }
  }
  return outputs;
}

}  // namespace opcost
