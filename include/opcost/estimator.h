// The estimator: cycles, latency and energy per layer from a hardware profile (profile.h), with
// totals, the paper's Fig. 4 breakdown (share of ops vs share of time vs share of energy per op
// category) and, beside every number, what an ops-proportional "naive" model predicts.
//
//   opcost::Estimator est(opcost::LoadProfile("profiles/cortex-m7-f746.json"));
//   opcost::NetworkEstimate net = est.EstimateGraph(graph);
//   net.totals.latency_s; net.totals.naive_latency_s; net.by_category[0].time_share;
//
//   // NAS loops: one layer without a graph, a changed layer, many candidates.
//   opcost::LayerEstimate one = est.EstimateLayer(opcost::LayerDesc::Conv2D({1, 32, 32, 16}, 32, 3,
//   3)); est.ReplaceLayer(3, new_desc, &net);           // O(1): only layer 3 and the totals change
//   est.EstimateBatch(candidates, &totals);         // one EstimateTotals per candidate
//
// Per-layer model (docs/profile-format.md): MAC categories cost overhead + MACs / y(MACs per
// output) cycles with y interpolated linearly in log(MACs per output) and clamped (flagged
// "extrapolated") outside the characterized range; other categories cost overhead +
// cycles_per_element x elements. Variant rules multiply the non-overhead part. latency_s =
// cycles / clock_hz, energy_j = latency_s x power_mw / 1000. Memory (profile format 2): each layer
// adds memory_cycles = weight bytes x read_cycles_per_byte of the region its weights live in +
// (input + output bytes) x that of the activations' region, on top of the compute cycles (a
// sum: on Cortex-M the core stalls on a load; docs/accuracy.md has the evidence). Naive model:
// cycles = ops / naive_ops_per_cycle, energy at the mean active power of the characterized
// categories.
#ifndef OPCOST_ESTIMATOR_H_
#define OPCOST_ESTIMATOR_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "opcost/graph.h"
#include "opcost/metrics.h"
#include "opcost/op_type.h"
#include "opcost/profile.h"

namespace opcost {

// Bits of LayerEstimate::flags.
enum EstimateFlag : std::uint32_t {
  kFlagExtrapolated = 1u << 0,   // MACs per output outside the curve's points: end value used
  kFlagVariant = 1u << 1,        // a variant rule changed the cost
  kFlagFallback = 1u << 2,       // category not characterized: naive model used (option)
  kFlagUnsupportedOp = 1u << 3,  // op type "unsupported" (an imported op opcost does not know)
};

struct EstimateOptions {
  // When a layer's category is not characterized by the profile: false (default) throws
  // Error{kUnsupportedOp} naming the layer; true costs it with the naive model and flags it.
  bool allow_fallback = false;
  WeightPlacement weights;
};

struct LayerEstimate {
  OpType type = OpType::kUnsupported;
  OpCategory category = OpCategory::kOther;
  std::int64_t macs = 0;
  std::int64_t ops = 0;       // 2 x MACs + other ops
  std::int64_t elements = 0;  // non-MAC categories: the elements cycles_per_element applies to
  double macs_per_output = 0.0;
  // The throughput used: MACs per cycle for MAC categories, cycles per element otherwise
  // (after variant factors); for a fallback layer, the naive ops per cycle.
  double throughput = 0.0;
  double cycles = 0.0;         // overhead + compute + memory_cycles
  double memory_cycles = 0.0;  // reading operands from slower memory (part of cycles)
  std::int64_t weight_bytes = 0;
  int weights_region = -1;  // index into profile.memory.regions, -1 without a memory model
  double latency_s = 0.0;
  double energy_j = 0.0;
  double naive_cycles = 0.0;  // ops / naive_ops_per_cycle
  double naive_latency_s = 0.0;
  double naive_energy_j = 0.0;
  std::uint32_t flags = 0;  // EstimateFlag bits

  bool extrapolated() const { return (flags & kFlagExtrapolated) != 0; }
};

// One layer's cost alone (EstimateLayerCost): EstimateLayer's cycles, latency_s and energy_j.
struct LayerCost {
  double cycles = 0.0;
  double latency_s = 0.0;
  double energy_j = 0.0;
};

struct EstimateTotals {
  std::int64_t layers = 0;
  std::int64_t macs = 0;
  std::int64_t ops = 0;
  double cycles = 0.0;
  double memory_cycles = 0.0;
  double latency_s = 0.0;
  double energy_j = 0.0;
  double naive_cycles = 0.0;
  double naive_latency_s = 0.0;
  double naive_energy_j = 0.0;
  // Number of layers with each flag.
  std::int64_t extrapolated_layers = 0;
  std::int64_t variant_layers = 0;
  std::int64_t fallback_layers = 0;
  std::int64_t unsupported_layers = 0;
};

// One op category's part of a network (the paper's Fig. 4). Shares are fractions in [0, 1] of
// the network totals (0 when the total is 0).
struct CategoryBreakdown {
  std::int64_t layers = 0;
  std::int64_t macs = 0;
  std::int64_t ops = 0;
  double cycles = 0.0;
  double latency_s = 0.0;
  double energy_j = 0.0;
  double ops_share = 0.0;
  double time_share = 0.0;
  double energy_share = 0.0;
};

struct NetworkEstimate {
  std::vector<LayerEstimate> layers;  // one per node / LayerDesc, in execution order
  EstimateTotals totals;
  std::array<CategoryBreakdown, kNumOpCategories> by_category{};
};

class Estimator {
 public:
  // Keeps its own copy of `profile` (validated by the loader). Throws Error{kInvalidArgument} if
  // a placement names a region the profile does not have, or places weights in a profile
  // without a memory section.
  explicit Estimator(HardwareProfile profile, EstimateOptions options = {});

  const HardwareProfile& profile() const { return profile_; }
  const EstimateOptions& options() const { return options_; }

  // One layer from its metrics (ComputeLayerMetrics(layer)); no allocation. `layer` supplies
  // channels and strides for variant rules. Throws Error{kUnsupportedOp} if the category is
  // not characterized and the fallback is not allowed.
  LayerEstimate EstimateLayer(const LayerDesc& layer, const OpMetrics& metrics) const;
  // Computes the metrics first. Also throws what ComputeLayerMetrics throws.
  LayerEstimate EstimateLayer(const LayerDesc& layer) const;
  // EstimateLayer(layer, metrics)'s cycles, latency and energy, bit for bit, without filling
  // the other fields (naive model, flags, ...): for a NAS loop that ranks layers by latency or
  // energy, at little more than the throughput-curve lookup. The same errors.
  LayerCost EstimateLayerCost(const LayerDesc& layer, const OpMetrics& metrics) const;

  // Every node of a shape-inferred graph. Errors name the node: "cannot estimate conv2d node
  // 'conv1' (#3): ...". The second form reuses `out`'s storage (no allocation once its
  // capacity suffices).
  NetworkEstimate EstimateGraph(const Graph& graph) const;
  void EstimateGraph(const Graph& graph, NetworkEstimate* out) const;
  // The same from what the caller already has, so nothing is described or counted twice:
  // `layers` = DescribeGraph(graph) and, in the second form, `metrics` their metrics
  // (ComputeLayerMetrics of each layer, or ComputeMetrics(graph).layers), one per node. The
  // results are those of the forms above. Throws Error{kInvalidArgument} if a count differs
  // from the graph's node count.
  void EstimateGraph(const Graph& graph, const std::vector<LayerDesc>& layers,
                     NetworkEstimate* out) const;
  void EstimateGraph(const Graph& graph, const std::vector<LayerDesc>& layers,
                     const std::vector<OpMetrics>& metrics, NetworkEstimate* out) const;

  // A network given as layer descriptors (no graph). Errors name the layer index.
  void EstimateLayers(const LayerDesc* layers, std::size_t count, NetworkEstimate* out) const;
  // Totals only, nothing stored per layer; for ranking many candidates.
  EstimateTotals EstimateTotalsOnly(const LayerDesc* layers, std::size_t count) const;

  // Re-estimates layer `index` of `estimate` as `layer` and updates the totals and breakdown
  // without touching the other layers. Throws Error{kOutOfRange} if index is out of range; on
  // any error `estimate` is unchanged.
  void ReplaceLayer(std::size_t index, const LayerDesc& layer, NetworkEstimate* estimate) const;

  // One EstimateTotals per candidate network, in order. Errors name the candidate and layer.
  void EstimateBatch(const std::vector<std::vector<LayerDesc>>& candidates,
                     std::vector<EstimateTotals>* out) const;

 private:
  // Checks the weight placement's layer names against `graph`; sizes out->layers.
  void StartGraph(const Graph& graph, NetworkEstimate* out) const;
  // Layer `id` of `graph` into out->layers[id] from its description `d` (nullptr: described
  // here) and metrics `m` (nullptr: computed from the description); errors name the node.
  void EstimateNode(const Graph& graph, NodeId id, const LayerDesc* d, const OpMetrics* m,
                    NetworkEstimate* out) const;
  LayerEstimate Estimate(OpType type, const OpMetrics& m, const LayerDesc& d,
                         int weights_region) const;
  // What Estimate and EstimateLayerCost share: the product of the variant rules that hold for
  // `d` (setting kFlagVariant in `flags` if one does), the memory term of a layer whose weights are in
  // `weights_region` (-1: none), and the cost from the work and memory cycles (throws
  // kBadProfile if it is not finite).
  double VariantFactor(OpCategory category, const LayerDesc& d, std::uint32_t* flags) const;
  double MemoryCycles(const OpMetrics& m, int weights_region) const;
  LayerCost Cost(const CategoryProfile& c, double work_cycles, double memory_cycles) const;
  int WeightsRegionOf(const std::string& layer_name) const;

  HardwareProfile profile_;
  EstimateOptions options_;
  int default_weights_region_ = -1;
  double activation_cycles_per_byte_ = 0.0;
  std::vector<std::pair<std::string, int>> layer_regions_;
  double inv_clock_hz_ = 0.0;
  double naive_power_w_ = 0.0;
  // The variant rules' conditions and factors grouped by category, in profile order within one
  // (the order their factors multiply in): category c's are category_rules_[rules_begin_[c]]
  // up to rules_begin_[c + 1]. Most categories have none; a layer scans only its own.
  struct CategoryRule {
    VariantCondition condition;
    std::int64_t value;
    double factor;
  };
  std::vector<CategoryRule> category_rules_;
  std::array<std::uint32_t, kNumOpCategories + 1> rules_begin_{};
  // Bit c set: category c is a MAC category (IsMacCategory), for EstimateLayerCost.
  std::uint32_t mac_categories_ = 0;
};

// Recomputes `estimate`'s totals and category breakdown from its layers.
void Summarize(NetworkEstimate* estimate);
// Adds one layer's estimate to `totals` (a caller that caches layer estimates sums them so).
void AddToTotals(const LayerEstimate& layer, EstimateTotals* totals);

// The flags set in `flags` by name, in bit order: "extrapolated", "variant", "fallback",
// "unsupported_op" (the names of the JSON outputs, docs/cli.md).
std::vector<const char*> EstimateFlagNames(std::uint32_t flags);
// The memory region `layer`'s weights are read from ("flash"); "" for a layer without weights
// or an estimate without a memory model.
std::string WeightsRegionName(const HardwareProfile& profile, const LayerEstimate& layer);

// Average energy per inference period: energy_j of the inference plus idle power for the rest
// of `period_s`. Throws Error{kInvalidArgument} if period_s is not finite or is shorter than
// totals.latency_s.
double EnergyPerPeriodJ(const EstimateTotals& totals, const HardwareProfile& profile,
                        double period_s);

}  // namespace opcost

#endif  // OPCOST_ESTIMATOR_H_
