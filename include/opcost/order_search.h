// Execution-order search: the topological order of a graph with the smallest peak of concurrent
// activation data (memory.h). Skip edges make the peak depend on the order: running one branch
// to the end before starting the next can keep fewer tensors alive.
//
//   opcost::OrderSearchOptions o;
//   o.max_seconds = 1.0;  // optional: stop the exact search after a second
//   opcost::OrderSearchResult r = opcost::FindBestOrder(graph, o);
//   r.given_peak_bytes;   // the graph's own order
//   r.best_peak_bytes;    // <= given_peak_bytes
//   r.optimal;            // true: no topological order has a smaller peak
//   r.stop_reason;        // when not optimal: why (state budget, time budget, segment too large)
//
// Method (docs/memory.md): the graph is split at "cut" ops (ops every other op is an ancestor or
// a descendant of), which every order runs in the same place; each segment between cuts is
// searched on its own. The exact search works over sets of executed ops (the memory live
// between steps depends only on the set), depth first under a peak threshold that drops each
// time a better order is found, with infeasible states memoized, a lower bound, and dominance
// rules (an op that fits and does not grow the live set runs at once, and so does an op that a
// successor can follow back to the live bytes before it). It is exact when every
// segment has at most kMaxExactSegmentOps ops and the search ends within `max_states` states and
// `max_seconds`; otherwise the best order found (at worst the better of the given order and two
// greedy orders) is returned with optimal = false and the reason in stop_reason.
#ifndef OPCOST_ORDER_SEARCH_H_
#define OPCOST_ORDER_SEARCH_H_

#include <cstdint>
#include <vector>

#include "opcost/graph.h"
#include "opcost/liveness.h"

namespace opcost {

// The largest segment the exact search takes. A state is a bitset of the segment's ops, held in
// 1, 2, 4 or 8 64-bit words (the fewest that fit).
inline constexpr std::int32_t kMaxExactSegmentOps = 512;

struct OrderSearchOptions {
  ExecutionOrder order;   // the given order; empty: the graph's node order
  LivenessOptions rules;  // in place, scratch: the same rules as AnalyzeMemory
  // Bound on the states the exact search expands, over all segments. Each is remembered when
  // found infeasible, in 16 to 32 bytes per 64 ops of its segment: the default 4M states take
  // at most 64 MB for a segment of up to 64 ops and 512 MB for one of up to 512 (docs/memory.md).
  std::int64_t max_states = std::int64_t{1} << 22;
  // Bound on the exact search's wall-clock time in seconds from the call, over all segments;
  // 0 (or 1e9 and more): none. The clock is read every 1024 states, so the search stops within
  // about a millisecond of it.
  double max_seconds = 0;
};

// Why a result is not proven optimal.
enum class OrderSearchStop {
  kNone,             // nothing stopped the search: the result is proven optimal
  kStateBudget,      // max_states reached
  kTimeBudget,       // max_seconds reached
  kSegmentTooLarge,  // a segment has more than kMaxExactSegmentOps ops: heuristic order there
};

// "none", "state_budget", "time_budget", "segment_too_large" (the CLI and JSON spelling).
const char* OrderSearchStopName(OrderSearchStop stop);

struct OrderSearchResult {
  ExecutionOrder given_order;
  std::int64_t given_peak_bytes = 0;
  ExecutionOrder best_order;
  std::int64_t best_peak_bytes = 0;
  // A peak no order can beat: the largest, over ops, of the op's own inputs, outputs and
  // scratch. best_peak_bytes == lower_bound_bytes also proves optimality.
  std::int64_t lower_bound_bytes = 0;
  bool optimal = false;             // best_peak_bytes is proven minimal
  bool exact_search = false;        // the exact search ran on some segment
  std::int64_t states_visited = 0;  // states expanded by the exact search
  // kNone when optimal; otherwise the first reason, in segment order, that left a segment
  // unproven.
  OrderSearchStop stop_reason = OrderSearchStop::kNone;
};

// Throws what ComputeLiveness throws (bad given order, scratch) and Error{kInvalidArgument} if
// max_states < 1 or max_seconds is negative or not a number.
OrderSearchResult FindBestOrder(const Graph& graph, const OrderSearchOptions& options = {});

}  // namespace opcost

#endif  // OPCOST_ORDER_SEARCH_H_
