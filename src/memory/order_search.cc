#include "opcost/order_search.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <string>

#include "memory/memory_graph.h"
#include "opcost/error.h"

namespace opcost {
namespace {

using detail::MemoryGraph;

// Open-addressing set of 64-bit states (the sets of executed ops found infeasible).
class StateSet {
 public:
  bool Contains(std::uint64_t key) const {
    if (slots_.empty()) return false;
    for (std::size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == kEmpty) return false;
      if (slots_[i] == key) return true;
    }
  }
  void Insert(std::uint64_t key) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    for (std::size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == key) return;
      if (slots_[i] == kEmpty) {
        slots_[i] = key;
        ++size_;
        return;
      }
    }
  }
  std::size_t size() const { return size_; }

 private:
  // The full set of 64 ops is never stored (it is the goal), so it can mark empty slots.
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  static std::size_t Hash(std::uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return static_cast<std::size_t>(k);
  }
  void Grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, kEmpty);
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (std::uint64_t k : old) {
      if (k != kEmpty) Insert(k);
    }
  }
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// Greedy list scheduling: at each step the ready op with the smallest key (step bytes first or
// live bytes after first), ties broken by position in the given order.
ExecutionOrder Greedy(MemoryGraph& m, const ExecutionOrder& given, bool step_first) {
  const std::int32_t n = m.num_nodes;
  std::vector<std::int32_t> pos(n), waiting(n, 0);
  for (std::int32_t s = 0; s < n; ++s) pos[given[s]] = s;
  std::vector<std::vector<NodeId>> succs(n);
  for (NodeId v = 0; v < n; ++v) {
    waiting[v] = m.pred_begin[v + 1] - m.pred_begin[v];
    for (std::int32_t k = m.pred_begin[v]; k < m.pred_begin[v + 1]; ++k) {
      succs[m.preds[k]].push_back(v);
    }
  }
  std::vector<NodeId> ready;
  for (NodeId v = 0; v < n; ++v) {
    if (waiting[v] == 0) ready.push_back(v);
  }
  m.ResetRemaining();
  std::int64_t live = m.initial_live_bytes;
  ExecutionOrder order;
  order.reserve(n);
  while (!ready.empty()) {
    std::size_t best = 0;
    std::int64_t best_a = 0, best_b = 0;
    for (std::size_t i = 0; i < ready.size(); ++i) {
      const NodeId v = ready[i];
      const std::int64_t step = live + m.scratch[v] + m.BirthBytes(v);
      const std::int64_t after = live + m.LiveDelta(v);
      const std::int64_t a = step_first ? step : after;
      const std::int64_t b = step_first ? after : step;
      if (i == 0 || a < best_a || (a == best_a && b < best_b) ||
          (a == best_a && b == best_b && pos[v] < pos[ready[best]])) {
        best = i;
        best_a = a;
        best_b = b;
      }
    }
    const NodeId v = ready[best];
    ready.erase(ready.begin() + static_cast<std::ptrdiff_t>(best));
    live += m.LiveDelta(v);
    m.Consume(v);
    order.push_back(v);
    for (NodeId w : succs[v]) {
      if (--waiting[w] == 0) ready.push_back(w);
    }
  }
  return order;
}

// Depth-first feasibility search: is there an order, starting from the executed set `state`,
// whose every step needs at most `threshold_` bytes?
class ExactSearch {
 public:
  ExactSearch(MemoryGraph& m, std::int64_t max_states) : m_(m), max_states_(max_states) {
    pred_mask_.assign(m.num_nodes, 0);
    for (NodeId v = 0; v < m.num_nodes; ++v) {
      for (std::int32_t k = m.pred_begin[v]; k < m.pred_begin[v + 1]; ++k) {
        pred_mask_[v] |= std::uint64_t{1} << m.preds[k];
      }
    }
    full_ = m.num_nodes == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << m.num_nodes) - 1;
    path_.assign(m.num_nodes, 0);
  }

  // Returns true and fills `order` if some order peaks at <= threshold.
  bool Feasible(std::int64_t threshold, ExecutionOrder* order) {
    threshold_ = threshold;
    m_.ResetRemaining();
    if (!Visit(0, m_.initial_live_bytes, 0)) return false;
    order->assign(path_.begin(), path_.end());
    return true;
  }
  bool aborted() const { return aborted_; }
  std::int64_t visited() const { return visited_; }

 private:
  struct Candidate {
    NodeId node;
    std::int64_t after;
    std::int64_t step;
  };

  bool Visit(std::uint64_t state, std::int64_t live, std::int32_t depth) {
    if (state == full_) return true;
    if (dead_.Contains(state)) return false;
    if (++visited_ > max_states_) {
      aborted_ = true;
      return false;
    }
    std::array<Candidate, 64> cands;
    std::size_t count = 0;
    std::int32_t dominant = -1;
    for (NodeId v = 0; v < m_.num_nodes; ++v) {
      const std::uint64_t bit = std::uint64_t{1} << v;
      if ((state & bit) || (pred_mask_[v] & ~state)) continue;
      std::int64_t step = live + m_.scratch[v] + m_.BirthBytes(v);
      if (depth == 0) step += m_.dangling_input_bytes;
      if (step > threshold_) continue;
      const std::int64_t after = live + m_.LiveDelta(v);
      cands[count] = {v, after, step};
      // An op that fits and does not grow the live bytes can run first without loss: every
      // later step then has at most as many bytes live (docs/memory.md).
      if (after <= live && (dominant < 0 || after < cands[dominant].after)) {
        dominant = static_cast<std::int32_t>(count);
      }
      ++count;
    }
    if (dominant >= 0) {
      cands[0] = cands[dominant];
      count = 1;
    } else {
      std::sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(count),
                [](const Candidate& a, const Candidate& b) {
                  if (a.after != b.after) return a.after < b.after;
                  if (a.step != b.step) return a.step < b.step;
                  return a.node < b.node;
                });
    }
    for (std::size_t i = 0; i < count; ++i) {
      const Candidate& c = cands[i];
      m_.Consume(c.node);
      path_[depth] = c.node;
      const bool found = Visit(state | (std::uint64_t{1} << c.node), c.after, depth + 1);
      m_.Unconsume(c.node);
      if (found) return true;
      if (aborted_) return false;
    }
    dead_.Insert(state);
    return false;
  }

  MemoryGraph& m_;
  std::int64_t max_states_;
  std::int64_t threshold_ = 0;
  std::vector<std::uint64_t> pred_mask_;
  std::uint64_t full_ = 0;
  ExecutionOrder path_;
  StateSet dead_;
  std::int64_t visited_ = 0;
  bool aborted_ = false;
};

}  // namespace

OrderSearchResult FindBestOrder(const Graph& graph, const OrderSearchOptions& options) {
  if (options.max_states < 1) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot search execution orders: max_states must be >= 1 (got " +
                    std::to_string(options.max_states) + ")");
  }
  MemoryGraph m = MemoryGraph::Build(graph, options.rules);
  OrderSearchResult r;
  if (options.order.empty()) {
    r.given_order.resize(static_cast<std::size_t>(m.num_nodes));
    std::iota(r.given_order.begin(), r.given_order.end(), 0);
  } else {
    r.given_order = options.order;
  }
  m.CheckOrder(r.given_order);
  r.given_peak_bytes = m.Peak(r.given_order);
  r.best_order = r.given_order;
  r.best_peak_bytes = r.given_peak_bytes;
  for (bool step_first : {true, false}) {
    ExecutionOrder g = Greedy(m, r.given_order, step_first);
    const std::int64_t peak = m.Peak(g);
    if (peak < r.best_peak_bytes) {
      r.best_peak_bytes = peak;
      r.best_order = std::move(g);
    }
  }

  // Lower bound: every op needs its own inputs, outputs (unless it may run in place) and scratch.
  for (NodeId v = 0; v < m.num_nodes; ++v) {
    std::int64_t bytes = m.scratch[v];
    for (std::int32_t k = m.in_begin[v]; k < m.in_begin[v + 1]; ++k) {
      bytes += m.group_size[m.in_groups[k]];
    }
    if (m.inplace_begin[v] == m.inplace_begin[v + 1]) {
      for (std::int32_t k = m.out_begin[v]; k < m.out_begin[v + 1]; ++k) {
        bytes += m.group_size[m.out_groups[k]];
      }
    }
    r.lower_bound_bytes = std::max(r.lower_bound_bytes, bytes);
  }
  r.optimal = r.best_peak_bytes <= r.lower_bound_bytes;

  if (!r.optimal && m.num_nodes <= 64) {
    r.exact_search = true;
    ExactSearch search(m, options.max_states);
    ExecutionOrder found;
    while (true) {
      if (r.best_peak_bytes - 1 < r.lower_bound_bytes) {
        r.optimal = true;
        break;
      }
      if (search.Feasible(r.best_peak_bytes - 1, &found)) {
        const std::int64_t peak = m.Peak(found);
        if (peak >= r.best_peak_bytes) {
          throw Error(ErrorCode::kInternal,
                      "order search: an order found under a threshold peaks above it");
        }
        r.best_peak_bytes = peak;
        r.best_order = found;
        continue;
      }
      r.optimal = !search.aborted();
      break;
    }
    r.states_visited = search.visited();
  }
  return r;
}

}  // namespace opcost
