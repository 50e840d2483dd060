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

// Depth-first feasibility search over one segment of the graph (a set of at most 64 ops that
// every topological order runs contiguously, after the ops of `base` state): is there an order
// of the segment whose every step needs at most `threshold_` bytes? States are sets of
// executed segment ops, as bitmasks over the segment's local indices.
class ExactSearch {
 public:
  // `nodes`: the segment's ops (global ids). `base_remaining`, `base_live_bytes`: the readers
  // left per group and the bytes live after all earlier segments. `first_step`: the segment
  // starts the whole order (unread graph inputs count at its first step).
  ExactSearch(MemoryGraph& m, const std::vector<NodeId>& nodes,
              const std::vector<std::int32_t>& base_remaining, std::int64_t base_live_bytes,
              bool first_step, std::int64_t max_states)
      : m_(m),
        nodes_(nodes),
        base_remaining_(base_remaining),
        base_live_(base_live_bytes),
        first_step_(first_step),
        max_states_(max_states) {
    const auto k = static_cast<std::int32_t>(nodes.size());
    std::vector<std::int32_t> local(static_cast<std::size_t>(m.num_nodes), -1);
    for (std::int32_t i = 0; i < k; ++i) local[nodes[i]] = i;
    pred_mask_.assign(k, 0);
    for (std::int32_t i = 0; i < k; ++i) {
      const NodeId v = nodes[i];
      for (std::int32_t j = m.pred_begin[v]; j < m.pred_begin[v + 1]; ++j) {
        const std::int32_t p = local[m.preds[j]];
        if (p >= 0) pred_mask_[i] |= std::uint64_t{1} << p;  // others ran in earlier segments
      }
    }
    full_ = k == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << k) - 1;
    path_.assign(k, 0);
  }

  // Peak of the segment run in `order` (global ids) from the base state.
  std::int64_t PeakOf(const ExecutionOrder& order) {
    m_.remaining = base_remaining_;
    std::int64_t live = base_live_, peak = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
      std::int64_t step = live + m_.scratch[order[i]] + m_.BirthBytes(order[i]);
      if (i == 0 && first_step_) step += m_.dangling_input_bytes;
      peak = std::max(peak, step);
      live += m_.LiveDelta(order[i]);
      m_.Consume(order[i]);
    }
    return peak;
  }

  // Returns true and fills `order` (global ids) if some order peaks at <= threshold.
  bool Feasible(std::int64_t threshold, ExecutionOrder* order) {
    threshold_ = threshold;
    m_.remaining = base_remaining_;
    if (!Visit(0, base_live_, 0)) return false;
    order->clear();
    for (std::int32_t i : path_) order->push_back(nodes_[i]);
    return true;
  }
  bool aborted() const { return aborted_; }
  std::int64_t visited() const { return visited_; }

 private:
  struct Candidate {
    std::int32_t local;
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
    const auto k = static_cast<std::int32_t>(nodes_.size());
    for (std::int32_t i = 0; i < k; ++i) {
      const std::uint64_t bit = std::uint64_t{1} << i;
      if ((state & bit) || (pred_mask_[i] & ~state)) continue;
      const NodeId v = nodes_[i];
      std::int64_t step = live + m_.scratch[v] + m_.BirthBytes(v);
      if (depth == 0 && first_step_) step += m_.dangling_input_bytes;
      if (step > threshold_) continue;
      const std::int64_t after = live + m_.LiveDelta(v);
      cands[count] = {i, after, step};
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
                  return a.local < b.local;
                });
    }
    for (std::size_t i = 0; i < count; ++i) {
      const Candidate& c = cands[i];
      const NodeId v = nodes_[c.local];
      m_.Consume(v);
      path_[depth] = c.local;
      const bool found = Visit(state | (std::uint64_t{1} << c.local), c.after, depth + 1);
      m_.Unconsume(v);
      if (found) return true;
      if (aborted_) return false;
    }
    dead_.Insert(state);
    return false;
  }

  MemoryGraph& m_;
  const std::vector<NodeId>& nodes_;
  const std::vector<std::int32_t>& base_remaining_;
  std::int64_t base_live_;
  bool first_step_;
  std::int64_t max_states_;
  std::int64_t threshold_ = 0;
  std::vector<std::uint64_t> pred_mask_;
  std::uint64_t full_ = 0;
  std::vector<std::int32_t> path_;
  StateSet dead_;
  std::int64_t visited_ = 0;
  bool aborted_ = false;
};

// Splits a topological order into segments every order runs contiguously: a "cut" op is one
// whose ancestors are all ops before it and whose descendants are all ops after it; each cut is
// a segment of its own and the runs between cuts are the others. Graphs of stacked cells split
// into their cells. Uses ancestor/descendant bitsets (N^2 / 8 bytes); above kMaxCutOps ops the
// whole order is one segment.
constexpr std::int32_t kMaxCutOps = 4096;

std::vector<std::vector<NodeId>> Segments(const MemoryGraph& m, const ExecutionOrder& order) {
  const std::int32_t n = m.num_nodes;
  if (n > kMaxCutOps) return {order};
  const std::size_t words = (static_cast<std::size_t>(n) + 63) / 64;
  std::vector<std::int32_t> pos(n);
  for (std::int32_t s = 0; s < n; ++s) pos[order[s]] = s;
  // Bitsets indexed by position in `order`.
  std::vector<std::uint64_t> anc(static_cast<std::size_t>(n) * words, 0),
      desc(static_cast<std::size_t>(n) * words, 0);
  std::vector<std::vector<std::int32_t>> succs(n);
  for (NodeId v = 0; v < n; ++v) {
    for (std::int32_t k = m.pred_begin[v]; k < m.pred_begin[v + 1]; ++k) {
      succs[pos[m.preds[k]]].push_back(pos[v]);
    }
  }
  auto row = [&](std::vector<std::uint64_t>& b, std::int32_t s) { return &b[s * words]; };
  for (std::int32_t s = 0; s < n; ++s) {
    for (std::int32_t t : succs[s]) {  // s is a predecessor of t
      std::uint64_t* a = row(anc, t);
      const std::uint64_t* as = row(anc, s);
      for (std::size_t w = 0; w < words; ++w) a[w] |= as[w];
      a[s / 64] |= std::uint64_t{1} << (s % 64);
    }
  }
  for (std::int32_t s = n - 1; s >= 0; --s) {
    std::uint64_t* d = row(desc, s);
    for (std::int32_t t : succs[s]) {
      const std::uint64_t* dt = row(desc, t);
      for (std::size_t w = 0; w < words; ++w) d[w] |= dt[w];
      d[t / 64] |= std::uint64_t{1} << (t % 64);
    }
  }
  auto count = [&](const std::uint64_t* b) {
    std::int64_t c = 0;
    for (std::size_t w = 0; w < words; ++w) c += __builtin_popcountll(b[w]);
    return c;
  };
  std::vector<std::vector<NodeId>> segments;
  std::vector<NodeId> run;
  for (std::int32_t s = 0; s < n; ++s) {
    const bool cut = count(row(anc, s)) == s && count(row(desc, s)) == n - 1 - s;
    if (cut) {
      if (!run.empty()) segments.push_back(std::move(run));
      run.clear();
      segments.push_back({order[s]});
    } else {
      run.push_back(order[s]);
    }
  }
  if (!run.empty()) segments.push_back(std::move(run));
  return segments;
}

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

  if (!r.optimal) {
    // Each segment is searched on its own: the bytes of a step depend only on which ops ran
    // before it, and every order runs the earlier segments first, so the peak of the whole is
    // the largest segment peak and each segment can be minimized alone.
    ExecutionOrder combined;
    bool all_proven = true;
    m.ResetRemaining();
    std::int64_t live = m.initial_live_bytes;
    for (const std::vector<NodeId>& segment : Segments(m, r.best_order)) {
      ExecutionOrder sub = segment;
      if (segment.size() > 1 && segment.size() <= 64) {
        r.exact_search = true;
        const std::vector<std::int32_t> base = m.remaining;
        ExactSearch search(m, segment, base, live, combined.empty(),
                           std::max<std::int64_t>(1, options.max_states - r.states_visited));
        std::int64_t peak = search.PeakOf(sub);
        std::int64_t bound = r.lower_bound_bytes;  // no segment needs to go below it
        ExecutionOrder found;
        while (peak > bound && search.Feasible(peak - 1, &found)) {
          const std::int64_t p = search.PeakOf(found);
          if (p >= peak) {
            throw Error(ErrorCode::kInternal,
                        "order search: an order found under a threshold peaks above it");
          }
          peak = p;
          sub = found;
        }
        if (search.aborted()) all_proven = false;
        r.states_visited += search.visited();
        m.remaining = base;
      } else if (segment.size() > 64) {
        all_proven = false;
      }
      for (NodeId v : sub) {
        live += m.LiveDelta(v);
        m.Consume(v);
        combined.push_back(v);
      }
    }
    const std::int64_t peak = m.Peak(combined);
    if (peak < r.best_peak_bytes) {
      r.best_peak_bytes = peak;
      r.best_order = std::move(combined);
    }
    r.optimal = all_proven || r.best_peak_bytes <= r.lower_bound_bytes;
  }
  return r;
}

}  // namespace opcost
