#include "opcost/graph.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
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

// The open-addressing name index of Graph: slots hold ids and the hashes of their names (for
// rehashing and to skip most string compares); the names are read from the graph's own
// tensors or nodes through `items`. Linear probing, at most half full.
//
// The hash takes 8 bytes at a time (names are short: std::hash's out-of-line byte loop was a
// twentieth of building a graph) and mixes the result so that its low bits, which pick the
// slot, depend on every byte.
std::uint32_t NameHash(std::string_view name) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = name.size();
  std::size_t i = 0;
  for (; i + 8 <= name.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, name.data() + i, 8);
    h = (h ^ word) * kMul;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  for (; i < name.size(); ++i) tail = (tail << 8) | static_cast<unsigned char>(name[i]);
  h = (h ^ tail) * kMul;
  h ^= h >> 32;
  h *= kMul;
  h ^= h >> 29;
  return static_cast<std::uint32_t>(h);
}

template <class Slot, class Items>
std::int32_t FindName(const std::vector<Slot>& slots, const Items& items, std::string_view name,
                      std::uint32_t hash) {
  if (slots.empty()) return -1;
  const std::size_t mask = slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots[i];
    if (s.id < 0) return -1;
    if (s.hash == hash && items[static_cast<std::size_t>(s.id)].name == name) return s.id;
  }
}

template <class Slot, class Items>
std::int32_t FindName(const std::vector<Slot>& slots, const Items& items, std::string_view name) {
  return FindName(slots, items, name, NameHash(name));
}

// Puts `slot` in the first free place of its probe sequence (its name is not in `slots`).
template <class Slot>
void PlaceSlot(std::vector<Slot>& slots, const Slot& slot) {
  const std::size_t mask = slots.size() - 1;
  std::size_t i = slot.hash & mask;
  while (slots[i].id >= 0) i = (i + 1) & mask;
  slots[i] = slot;
}

// Grows `slots` to a power of two at least twice `count` (half full at most), rehashing.
template <class Slot>
void ReserveSlots(std::vector<Slot>& slots, std::size_t count) {
  std::size_t size = 16;
  while (size < 2 * count) size *= 2;
  if (size <= slots.size()) return;
  std::vector<Slot> old(size);
  old.swap(slots);
  for (const Slot& s : old) {
    if (s.id >= 0) PlaceSlot(slots, s);
  }
}

// Indexes `id` under `hash` (of a name not yet in `slots`).
template <class Slot>
void InsertName(std::vector<Slot>& slots, std::int32_t id, std::uint32_t hash) {
  const std::size_t count = static_cast<std::size_t>(id) + 1;
  if (2 * count > slots.size()) ReserveSlots(slots, count);
  Slot s;
  s.id = id;
  s.hash = hash;
  PlaceSlot(slots, s);
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
  tensors_.push_back(std::move(tensor));
  return IndexNewTensor();
}

NodeId Graph::AddNode(Node node) {
  nodes_.push_back(std::move(node));
  return IndexNewNode();
}

namespace {

// Removes the element just appended and throws `message` (built before, from the element).
template <class T>
[[noreturn]] void DropLastAndFail(std::vector<T>& items, const std::string& message) {
  items.pop_back();
  GraphFail(message);
}

}  // namespace

TensorId Graph::IndexNewTensor() {
  const Tensor& tensor = tensors_.back();
  if (tensor.name.empty()) DropLastAndFail(tensors_, "tensor names must not be empty");
  const std::uint32_t hash = NameHash(tensor.name);
  if (FindName(tensor_slots_, tensors_, tensor.name, hash) >= 0) {
    DropLastAndFail(tensors_, "duplicate tensor name '" + tensor.name + "'");
  }
  const auto id = static_cast<TensorId>(tensors_.size() - 1);
  InsertName(tensor_slots_, id, hash);
  producers_.push_back(kNoNode);
  return id;
}

NodeId Graph::IndexNewNode() {
  const Node& node = nodes_.back();
  const auto id = static_cast<NodeId>(nodes_.size() - 1);
  if (node.name.empty()) {
    DropLastAndFail(nodes_, "op #" + std::to_string(id) + " has an empty name");
  }
  const std::uint32_t hash = NameHash(node.name);
  if (FindName(node_slots_, nodes_, node.name, hash) >= 0) {
    DropLastAndFail(nodes_, "duplicate op name '" + node.name + "'");
  }
  auto check = [&](TensorId t) {
    if (t < 0 || t >= static_cast<TensorId>(tensors_.size())) {
      DropLastAndFail(nodes_, "op '" + node.name + "' (#" + std::to_string(id) +
                                  ") names tensor id " + std::to_string(t) +
                                  ", which does not exist");
    }
  };
  for (TensorId t : node.inputs) check(t);
  if (node.outputs.empty()) {
    DropLastAndFail(nodes_, "op '" + node.name + "' (#" + std::to_string(id) + ") has no output");
  }
  for (TensorId t : node.outputs) {
    check(t);
    const Tensor& out = tensors_[static_cast<std::size_t>(t)];
    if (out.is_constant) {
      DropLastAndFail(nodes_, "op '" + node.name + "' (#" + std::to_string(id) +
                                  ") writes constant tensor '" + out.name + "'");
    }
    const NodeId other = producers_[static_cast<std::size_t>(t)];
    if (other != kNoNode) {
      DropLastAndFail(nodes_, "tensor '" + out.name + "' is produced twice: by op '" +
                                  nodes_[static_cast<std::size_t>(other)].name + "' and op '" +
                                  node.name + "'");
    }
  }
  for (TensorId t : node.outputs) producers_[static_cast<std::size_t>(t)] = id;
  InsertName(node_slots_, id, hash);
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
  const TensorId id = FindName(tensor_slots_, tensors_, name);
  return id < 0 ? kNoTensor : id;
}

NodeId Graph::FindNode(const std::string& name) const {
  const NodeId id = FindName(node_slots_, nodes_, name);
  return id < 0 ? kNoNode : id;
}

void Graph::Reserve(std::size_t nodes, std::size_t tensors) {
  nodes_.reserve(nodes);
  tensors_.reserve(tensors);
  producers_.reserve(tensors);
  ReserveSlots(tensor_slots_, tensors);
  ReserveSlots(node_slots_, nodes);
}

void Graph::Clear() {
  tensors_.clear();
  nodes_.clear();
  producers_.clear();
  inputs_.clear();
  outputs_.clear();
  std::fill(tensor_slots_.begin(), tensor_slots_.end(), NameSlot{});
  std::fill(node_slots_.begin(), node_slots_.end(), NameSlot{});
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
