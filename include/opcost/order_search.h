// Execution-order search: the topological order of a graph with the smallest peak of concurrent
// activation data (memory.h). Skip edges make the peak depend on the order: running one branch
// to the end before starting the next can keep fewer tensors alive.
//
//   opcost::OrderSearchResult r = opcost::FindBestOrder(graph);
//   r.given_peak_bytes;   // the graph's own order
//   r.best_peak_bytes;    // <= given_peak_bytes
//   r.optimal;            // true: no topological order has a smaller peak
//
// Method (docs/memory.md): the graph is split at "cut" ops (ops every other op is an ancestor or
// a descendant of), which every order runs in the same place; each segment between cuts is
// searched on its own. The exact search works over sets of executed ops (the memory live
// between steps depends only on the set), depth first under a peak threshold that drops each
// time a better order is found, with infeasible states memoized, a lower bound, and a dominance
// rule (an op that fits and does not grow the live set runs at once). It is exact when every
// segment has at most 64 ops and the search visits at most `max_states` states in all; otherwise
// the best order found (at worst the better of the given order and two greedy orders) is
// returned with optimal = false.
#ifndef OPCOST_ORDER_SEARCH_H_
#define OPCOST_ORDER_SEARCH_H_

#include <cstdint>
#include <vector>

#include "opcost/graph.h"
#include "opcost/liveness.h"

namespace opcost {

struct OrderSearchOptions {
  ExecutionOrder order;   // the given order; empty: the graph's node order
  LivenessOptions rules;  // in place, scratch: the same rules as AnalyzeMemory
  // Bound on the exact search: states remembered as infeasible (about 16 bytes each).
  std::int64_t max_states = std::int64_t{1} << 20;
};

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
};

// Throws what ComputeLiveness throws (bad given order, scratch) and Error{kInvalidArgument} if
// max_states < 1.
OrderSearchResult FindBestOrder(const Graph& graph, const OrderSearchOptions& options = {});

}  // namespace opcost

#endif  // OPCOST_ORDER_SEARCH_H_
