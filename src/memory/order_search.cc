#include "opcost/order_search.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <numeric>
#include <string>

#include "memory/memory_graph.h"
#include "opcost/error.h"

namespace opcost {
namespace {

using detail::MemoryGraph;
using Clock = std::chrono::steady_clock;

// A set of a segment's ops as a bitset of W 64-bit words: op i is bit i % 64 of word i / 64.
// W is a template argument so that the one-word case compiles to plain 64-bit operations.
template <int W>
struct OpSet {
  std::array<std::uint64_t, W> words{};

  static OpSet FirstOps(std::int32_t count) {
    OpSet s;
    for (std::int32_t i = 0; i < count; ++i) s.Add(i);
    return s;
  }
  static OpSet AllBits() {
    OpSet s;
    s.words.fill(~std::uint64_t{0});
    return s;
  }
  bool Has(std::int32_t i) const { return (words[i / 64] >> (i % 64)) & 1; }
  void Add(std::int32_t i) { words[i / 64] |= std::uint64_t{1} << (i % 64); }
  OpSet With(std::int32_t i) const {
    OpSet s = *this;
    s.Add(i);
    return s;
  }
  bool Includes(const OpSet& other) const {
    for (int w = 0; w < W; ++w) {
      if (other.words[w] & ~words[w]) return false;
    }
    return true;
  }
  bool operator==(const OpSet& other) const {
    for (int w = 0; w < W; ++w) {
      if (words[w] != other.words[w]) return false;
    }
    return true;
  }
  std::size_t Hash() const {
    std::uint64_t k = words[0];
    for (int w = 1; w < W; ++w) k = (k * 0x9e3779b97f4a7c15ULL) ^ words[w];
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return static_cast<std::size_t>(k);
  }
};

// Open-addressing hash set of states (the sets of executed ops found infeasible). A slot is
// 8 * W bytes and the table is at most half full: 16 W to 32 W bytes per state.
template <int W>
class StateSet {
 public:
  bool Contains(const OpSet<W>& key) const {
    if (slots_.empty()) return false;
    for (std::size_t i = key.Hash() & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == kEmpty) return false;
      if (slots_[i] == key) return true;
    }
  }
  void Insert(const OpSet<W>& key) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    for (std::size_t i = key.Hash() & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == key) return;
      if (slots_[i] == kEmpty) {
        slots_[i] = key;
        ++size_;
        return;
      }
    }
  }

 private:
  // Only a set of all 64 * W ops has every bit set, and a full set is the goal, never stored,
  // so it can mark empty slots.
  static inline const OpSet<W> kEmpty = OpSet<W>::AllBits();
  void Grow() {
    std::vector<OpSet<W>> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, kEmpty);
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const OpSet<W>& k : old) {
      if (!(k == kEmpty)) Insert(k);
    }
  }
  std::vector<OpSet<W>> slots_;
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

// How much the exact search may still spend.
struct SearchBudget {
  std::int64_t max_states = 0;
  bool has_deadline = false;
  Clock::time_point deadline;
};

// The clock is read once per this many expanded states (a read costs ~20 ns, a state 0.1-1 us).
constexpr std::int64_t kStatesPerClockCheck = 1024;

// Depth-first feasibility search over one segment of the graph (a set of at most 64 * W ops
// that every topological order runs contiguously, after the ops of the `base` state): is there
// an order of the segment whose every step needs at most `threshold_` bytes? States are sets of
// executed segment ops, as bitsets over the segment's local indices.
template <int W>
class ExactSearch {
 public:
  // `nodes`: the segment's ops (global ids). `base_remaining`, `base_live_bytes`: the readers
  // left per group and the bytes live after all earlier segments. `first_step`: the segment
  // starts the whole order (unread graph inputs count at its first step).
  ExactSearch(MemoryGraph& m, const std::vector<NodeId>& nodes,
              const std::vector<std::int32_t>& base_remaining, std::int64_t base_live_bytes,
              bool first_step, const SearchBudget& budget)
      : m_(m),
        nodes_(nodes),
        base_remaining_(base_remaining),
        base_live_(base_live_bytes),
        first_step_(first_step),
        budget_(budget) {
    const auto k = static_cast<std::int32_t>(nodes.size());
    std::vector<std::int32_t> local(static_cast<std::size_t>(m.num_nodes), -1);
    for (std::int32_t i = 0; i < k; ++i) local[nodes[i]] = i;
    preds_.assign(k, OpSet<W>());
    succs_.assign(k, {});
    for (std::int32_t i = 0; i < k; ++i) {
      const NodeId v = nodes[i];
      for (std::int32_t j = m.pred_begin[v]; j < m.pred_begin[v + 1]; ++j) {
        const std::int32_t p = local[m.preds[j]];
        if (p >= 0) {  // others ran in earlier segments
          preds_[i].Add(p);
          succs_[p].push_back(i);
        }
      }
    }
    full_ = OpSet<W>::FirstOps(k);
    path_.assign(k, 0);
    // At depth d at most k - d ops are ready: room for every depth's candidates at once.
    candidates_.resize(static_cast<std::size_t>(k) * (k + 1) / 2);
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
    if (!Visit(OpSet<W>(), base_live_, 0, 0)) return false;
    order->clear();
    for (std::int32_t i : path_) order->push_back(nodes_[i]);
    return true;
  }
  // Why the last Feasible call gave up; kNone: it answered.
  OrderSearchStop stop() const { return stop_; }
  std::int64_t visited() const { return visited_; }

 private:
  struct Candidate {
    std::int32_t local;
    std::int64_t after;
    std::int64_t step;
  };

  // Counts a state against the budget; false when the budget is spent.
  bool Spend() {
    if (visited_ >= budget_.max_states) {
      stop_ = OrderSearchStop::kStateBudget;
      return false;
    }
    if (budget_.has_deadline && visited_ % kStatesPerClockCheck == 0 &&
        Clock::now() >= budget_.deadline) {
      stop_ = OrderSearchStop::kTimeBudget;
      return false;
    }
    ++visited_;
    return true;
  }

  // Whether a successor of candidate `c` (run from `state`) can run right after it, fits, and
  // brings the live bytes back to at most `live`, those before `c`.
  bool FollowedByShrink(OpSet<W> state, const Candidate& c, std::int64_t live) {
    const OpSet<W> with_c = state.With(c.local);
    m_.Consume(nodes_[c.local]);
    bool found = false;
    for (std::int32_t w : succs_[c.local]) {
      if (!with_c.Includes(preds_[w])) continue;
      const NodeId v = nodes_[w];
      const std::int64_t step = c.after + m_.scratch[v] + m_.BirthBytes(v);
      if (step <= threshold_ && c.after + m_.LiveDelta(v) <= live) {
        found = true;
        break;
      }
    }
    m_.Unconsume(nodes_[c.local]);
    return found;
  }

  // Writes the ops to try from `state` into `cands`, in the order to try them, and returns how
  // many: the ready ops whose step fits under the threshold, sorted by live bytes after them,
  // or only one op by the dominance rules (docs/memory.md): the best op that does not grow the
  // live bytes, else the first op that a successor can follow at once back to the live bytes
  // of `state` or below.
  std::size_t Candidates(OpSet<W> state, std::int64_t live, std::int32_t depth, Candidate* cands) {
    std::size_t count = 0;
    std::int32_t dominant = -1;
    const auto k = static_cast<std::int32_t>(nodes_.size());
    for (std::int32_t i = 0; i < k; ++i) {
      if (state.Has(i) || !state.Includes(preds_[i])) continue;
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
      return 1;
    }
    std::sort(cands, cands + count, [](const Candidate& a, const Candidate& b) {
      if (a.after != b.after) return a.after < b.after;
      if (a.step != b.step) return a.step < b.step;
      return a.local < b.local;
    });
    for (std::size_t i = 0; i < count; ++i) {
      if (FollowedByShrink(state, cands[i], live)) {
        cands[0] = cands[i];
        return 1;
      }
    }
    return count;
  }

  // `first_candidate`: where this depth's candidates go in candidates_.
  bool Visit(OpSet<W> state, std::int64_t live, std::int32_t depth, std::size_t first_candidate) {
    if (state == full_) return true;
    if (dead_.Contains(state)) return false;
    if (!Spend()) return false;
    Candidate* cands = &candidates_[first_candidate];
    const std::size_t count = Candidates(state, live, depth, cands);
    for (std::size_t i = 0; i < count; ++i) {
      const Candidate c = cands[i];
      const NodeId v = nodes_[c.local];
      m_.Consume(v);
      path_[depth] = c.local;
      const bool found = Visit(state.With(c.local), c.after, depth + 1, first_candidate + count);
      m_.Unconsume(v);
      if (found) return true;
      if (stop_ != OrderSearchStop::kNone) return false;
    }
    dead_.Insert(state);
    return false;
  }

  MemoryGraph& m_;
  const std::vector<NodeId>& nodes_;
  const std::vector<std::int32_t>& base_remaining_;
  std::int64_t base_live_;
  bool first_step_;
  SearchBudget budget_;
  std::int64_t threshold_ = 0;
  std::vector<OpSet<W>> preds_;                   // per op: its predecessors in the segment
  std::vector<std::vector<std::int32_t>> succs_;  // per op: its successors in the segment
  OpSet<W> full_;
  std::vector<std::int32_t> path_;
  std::vector<Candidate> candidates_;
  StateSet<W> dead_;
  std::int64_t visited_ = 0;
  OrderSearchStop stop_ = OrderSearchStop::kNone;
};

// The best order of one segment found by the exact search.
struct SegmentResult {
  ExecutionOrder order;
  std::int64_t states_visited = 0;
  OrderSearchStop stop = OrderSearchStop::kNone;  // kNone: `order` is proven minimal
};

// Lowers the segment's peak from that of `order` until no order fits under it or it reaches
// `bound` (no segment needs to go below the global lower bound). Leaves m.remaining as given.
template <int W>
SegmentResult MinimizeSegmentPeak(MemoryGraph& m, const ExecutionOrder& order,
                                  std::int64_t live_bytes, bool first_step, std::int64_t bound,
                                  const SearchBudget& budget) {
  const std::vector<std::int32_t> base = m.remaining;
  ExactSearch<W> search(m, order, base, live_bytes, first_step, budget);
  SegmentResult r;
  r.order = order;
  std::int64_t peak = search.PeakOf(order);
  ExecutionOrder found;
  while (peak > bound && search.Feasible(peak - 1, &found)) {
    const std::int64_t p = search.PeakOf(found);
    if (p >= peak) {
      throw Error(ErrorCode::kInternal,
                  "order search: an order found under a threshold peaks above it");
    }
    peak = p;
    r.order = found;
  }
  r.states_visited = search.visited();
  r.stop = search.stop();
  m.remaining = base;
  return r;
}

// Runs the exact search with the fewest state words that hold the segment.
SegmentResult MinimizeSegment(MemoryGraph& m, const ExecutionOrder& order, std::int64_t live_bytes,
                              bool first_step, std::int64_t bound, const SearchBudget& budget) {
  const std::size_t ops = order.size();
  if (ops <= 64) return MinimizeSegmentPeak<1>(m, order, live_bytes, first_step, bound, budget);
  if (ops <= 128) return MinimizeSegmentPeak<2>(m, order, live_bytes, first_step, bound, budget);
  if (ops <= 256) return MinimizeSegmentPeak<4>(m, order, live_bytes, first_step, bound, budget);
  return MinimizeSegmentPeak<8>(m, order, live_bytes, first_step, bound, budget);
}

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

// Budgets of at least this many seconds are no budget (and stay clear of clock overflow).
constexpr double kUnboundedSeconds = 1e9;

void CheckOptions(const OrderSearchOptions& options) {
  if (options.max_states < 1) {
    throw Error(ErrorCode::kInvalidArgument,
                "cannot search execution orders: max_states must be >= 1 (got " +
                    std::to_string(options.max_states) + ")");
  }
  if (!(options.max_seconds >= 0)) {  // also rejects NaN
    std::string got = std::to_string(options.max_seconds);
    throw Error(ErrorCode::kInvalidArgument,
                "cannot search execution orders: max_seconds must be >= 0 (got " + got + ")");
  }
}

SearchBudget StartBudget(const OrderSearchOptions& options) {
  SearchBudget b;
  b.max_states = options.max_states;
  b.has_deadline = options.max_seconds > 0 && options.max_seconds < kUnboundedSeconds;
  if (b.has_deadline) {
    b.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.max_seconds));
  }
  return b;
}

// Lower bound: every op needs its own inputs, outputs (unless it may run in place) and scratch.
std::int64_t LowerBound(const MemoryGraph& m) {
  std::int64_t bound = 0;
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
    bound = std::max(bound, bytes);
  }
  return bound;
}

// Keeps `order` as the best if it peaks lower.
void KeepIfBetter(MemoryGraph& m, ExecutionOrder order, OrderSearchResult* r) {
  const std::int64_t peak = m.Peak(order);
  if (peak < r->best_peak_bytes) {
    r->best_peak_bytes = peak;
    r->best_order = std::move(order);
  }
}

// Searches each segment of the best order on its own: the bytes of a step depend only on which
// ops ran before it, and every order runs the earlier segments first, so the peak of the whole
// is the largest segment peak and each segment can be minimized alone. Returns the first reason
// a segment stayed unproven, or kNone.
OrderSearchStop SearchSegments(MemoryGraph& m, const SearchBudget& budget, OrderSearchResult* r) {
  OrderSearchStop stop = OrderSearchStop::kNone;
  ExecutionOrder combined;
  m.ResetRemaining();
  std::int64_t live = m.initial_live_bytes;
  for (const std::vector<NodeId>& segment : Segments(m, r->best_order)) {
    ExecutionOrder sub = segment;
    OrderSearchStop segment_stop = OrderSearchStop::kNone;
    if (segment.size() > static_cast<std::size_t>(kMaxExactSegmentOps)) {
      segment_stop = OrderSearchStop::kSegmentTooLarge;
    } else if (segment.size() > 1) {
      r->exact_search = true;
      SearchBudget left = budget;
      left.max_states = budget.max_states - r->states_visited;
      SegmentResult s =
          MinimizeSegment(m, segment, live, combined.empty(), r->lower_bound_bytes, left);
      r->states_visited += s.states_visited;
      segment_stop = s.stop;
      sub = std::move(s.order);
    }
    if (stop == OrderSearchStop::kNone) stop = segment_stop;
    for (NodeId v : sub) {
      live += m.LiveDelta(v);
      m.Consume(v);
      combined.push_back(v);
    }
  }
  KeepIfBetter(m, std::move(combined), r);
  return stop;
}

}  // namespace

const char* OrderSearchStopName(OrderSearchStop stop) {
  switch (stop) {
    case OrderSearchStop::kNone:
      return "none";
    case OrderSearchStop::kStateBudget:
      return "state_budget";
    case OrderSearchStop::kTimeBudget:
      return "time_budget";
    case OrderSearchStop::kSegmentTooLarge:
      return "segment_too_large";
  }
  return "unknown";
}

OrderSearchResult FindBestOrder(const Graph& graph, const OrderSearchOptions& options) {
  CheckOptions(options);
  const SearchBudget budget = StartBudget(options);
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
  for (bool step_first : {true, false}) KeepIfBetter(m, Greedy(m, r.given_order, step_first), &r);
  r.lower_bound_bytes = LowerBound(m);
  r.optimal = r.best_peak_bytes <= r.lower_bound_bytes;
  if (!r.optimal) {
    const OrderSearchStop stop = SearchSegments(m, budget, &r);
    r.optimal = stop == OrderSearchStop::kNone || r.best_peak_bytes <= r.lower_bound_bytes;
    r.stop_reason = r.optimal ? OrderSearchStop::kNone : stop;
  }
  return r;
}

}  // namespace opcost
