#include "opcost/estimator.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"

namespace opcost {
namespace {

std::int64_t ElementsOf(OpType type, OpCategory category, const OpMetrics& m) {
  if (category == OpCategory::kPooling) return m.other_ops;  // window size matters
  if (detail::GetOpInfo(type).alias) return 0;  // the output may share the input: no work
  return m.output_elements;
}

bool VariantHolds(VariantCondition condition, std::int64_t value, const LayerDesc& d) {
  switch (condition) {
    case VariantCondition::kInputChannelsNotMultipleOf:
      return d.input.Channels() % value != 0;
    case VariantCondition::kOutputChannelsNotMultipleOf:
      return d.output.Channels() % value != 0;
    case VariantCondition::kStrideGreaterThan:
      return std::max(d.attrs.stride_h, d.attrs.stride_w) > value;
  }
  return false;
}

void Add(const LayerEstimate& l, double sign, EstimateTotals* t, CategoryBreakdown* c) {
  const auto isign = static_cast<std::int64_t>(sign);
  t->layers += isign;
  t->macs += isign * l.macs;
  t->ops += isign * l.ops;
  t->cycles += sign * l.cycles;
  t->memory_cycles += sign * l.memory_cycles;
  t->latency_s += sign * l.latency_s;
  t->energy_j += sign * l.energy_j;
  t->naive_cycles += sign * l.naive_cycles;
  t->naive_latency_s += sign * l.naive_latency_s;
  t->naive_energy_j += sign * l.naive_energy_j;
  t->extrapolated_layers += (l.flags & kFlagExtrapolated) ? isign : 0;
  t->variant_layers += (l.flags & kFlagVariant) ? isign : 0;
  t->fallback_layers += (l.flags & kFlagFallback) ? isign : 0;
  t->unsupported_layers += (l.flags & kFlagUnsupportedOp) ? isign : 0;
  if (c != nullptr) {
    c->layers += isign;
    c->macs += isign * l.macs;
    c->ops += isign * l.ops;
    c->cycles += sign * l.cycles;
    c->latency_s += sign * l.latency_s;
    c->energy_j += sign * l.energy_j;
  }
}

double Share(double part, double total) { return total > 0.0 ? part / total : 0.0; }

void UpdateShares(NetworkEstimate* e) {
  const EstimateTotals& t = e->totals;
  for (CategoryBreakdown& c : e->by_category) {
    c.ops_share = Share(static_cast<double>(c.ops), static_cast<double>(t.ops));
    c.time_share = Share(c.latency_s, t.latency_s);
    c.energy_share = Share(c.energy_j, t.energy_j);
  }
}

// Out of line: it runs never for loaded profiles.
[[noreturn]] void NonFiniteCost(const std::string& profile_name) {
  throw Error(ErrorCode::kBadProfile, "profile '" + profile_name +
                                          "' gives a non-finite cost for this layer (a "
                                          "throughput, factor, overhead or power out of range)");
}

// The place an error of layer `index` is reported at: "cannot estimate layer #3 (conv2d)".
std::string CannotEstimate(std::size_t index, OpType type) {
  return "cannot estimate layer #" + std::to_string(index) + " (" + OpTypeName(type) + ")";
}

}  // namespace

Estimator::Estimator(HardwareProfile profile, EstimateOptions options)
    : profile_(std::move(profile)), options_(options) {
  if (!(profile_.clock_hz > 0.0) || !(profile_.naive_ops_per_cycle > 0.0)) {
    throw Error(ErrorCode::kBadProfile,
                "profile '" + profile_.name + "': clock_hz and naive_ops_per_cycle must be > 0");
  }
  inv_clock_hz_ = 1.0 / profile_.clock_hz;
  double power_sum_mw = 0.0;
  int n = 0;
  for (const CategoryProfile& c : profile_.categories) {
    if (!c.characterized) continue;
    if (IsMacCategory(static_cast<OpCategory>(&c - profile_.categories.data())) &&
        c.curve.empty()) {
      throw Error(ErrorCode::kBadProfile,
                  "profile '" + profile_.name + "': a characterized MAC category has no curve");
    }
    power_sum_mw += c.power_mw;
    ++n;
  }
  if (n == 0) {
    throw Error(ErrorCode::kBadProfile,
                "profile '" + profile_.name + "': no category characterized");
  }
  naive_power_w_ = power_sum_mw / n / 1000.0;
  static_assert(kNumOpCategories <= 32, "mac_categories_ has one bit per category");
  for (unsigned c = 0; c < kNumOpCategories; ++c) {
    if (IsMacCategory(static_cast<OpCategory>(c))) mac_categories_ |= 1u << c;
    rules_begin_[c] = static_cast<std::uint32_t>(category_rules_.size());
    for (const VariantRule& rule : profile_.variants) {
      if (static_cast<unsigned>(rule.category) != c) continue;
      category_rules_.push_back({rule.condition, rule.value, rule.factor});
    }
  }
  rules_begin_[kNumOpCategories] = static_cast<std::uint32_t>(category_rules_.size());

  const MemorySystem& mem = profile_.memory;
  if (!mem.empty()) {
    default_weights_region_ = mem.weights_region;
    activation_cycles_per_byte_ =
        mem.regions[static_cast<std::size_t>(mem.activations_region)].read_cycles_per_byte;
  }
  const auto resolve = [&](const std::string& region) {
    if (mem.empty()) {
      throw Error(ErrorCode::kInvalidArgument,
                  "weight placement: profile '" + profile_.name +
                      "' has no memory section (format_version 2), so it cannot place weights");
    }
    const int index = mem.Find(region);
    if (index < 0) {
      std::string names;
      for (const MemoryRegion& r : mem.regions) names += (names.empty() ? "" : ", ") + r.name;
      throw Error(ErrorCode::kInvalidArgument, "weight placement: profile '" + profile_.name +
                                                   "' has no memory region '" + region +
                                                   "' (it has " + names + ")");
    }
    return index;
  };
  if (!options_.weights.all_layers.empty()) {
    default_weights_region_ = resolve(options_.weights.all_layers);
  }
  for (const auto& [layer, region] : options_.weights.layers) {
    layer_regions_.emplace_back(layer, resolve(region));
  }
}

int Estimator::WeightsRegionOf(const std::string& layer_name) const {
  for (const auto& [layer, region] : layer_regions_) {
    if (layer == layer_name) return region;
  }
  return default_weights_region_;
}

// Inline: Estimate and EstimateLayerCost call these three once per layer.
inline double Estimator::VariantFactor(OpCategory category, const LayerDesc& d,
                                      std::uint32_t* flags) const {
  const auto c = static_cast<std::size_t>(category);
  double factor = 1.0;
  for (std::uint32_t i = rules_begin_[c]; i < rules_begin_[c + 1]; ++i) {
    const CategoryRule& rule = category_rules_[i];
    if (VariantHolds(rule.condition, rule.value, d)) {
      factor *= rule.factor;
      *flags |= kFlagVariant;
    }
  }
  return factor;
}

inline double Estimator::MemoryCycles(const OpMetrics& m, int weights_region) const {
  if (weights_region < 0) return 0.0;
  // Weights are read once per inference (batch 1); re-reads inside a layer are assumed to hit
  // the cache or the accelerator's lines (docs/accuracy.md, what is not modelled).
  const double weight_cpb =
      profile_.memory.regions[static_cast<std::size_t>(weights_region)].read_cycles_per_byte;
  return static_cast<double>(m.weight_bytes) * weight_cpb +
         static_cast<double>(m.input_bytes + m.output_bytes) * activation_cycles_per_byte_;
}

inline LayerCost Estimator::Cost(const CategoryProfile& c, double work_cycles,
                                 double memory_cycles) const {
  LayerCost cost;
  cost.cycles = c.overhead_cycles + work_cycles + memory_cycles;
  cost.latency_s = cost.cycles * inv_clock_hz_;
  cost.energy_j = cost.latency_s * c.power_mw * 1e-3;
  // Loaded profiles are range-checked so this cannot happen; profiles built in code are not.
  if (!std::isfinite(cost.energy_j) || !std::isfinite(cost.cycles)) NonFiniteCost(profile_.name);
  return cost;
}

LayerEstimate Estimator::Estimate(OpType type, const OpMetrics& m, const LayerDesc& d,
                                  int weights_region) const {
  LayerEstimate e;
  e.type = type;
  e.category = m.category;
  e.macs = m.macs;
  e.ops = m.ops;
  e.macs_per_output = m.macs_per_output;
  if (type == OpType::kUnsupported) e.flags |= kFlagUnsupportedOp;
  const auto ops = static_cast<double>(m.ops);
  e.naive_cycles = ops / profile_.naive_ops_per_cycle;
  e.naive_latency_s = e.naive_cycles * inv_clock_hz_;
  e.naive_energy_j = e.naive_latency_s * naive_power_w_;

  const CategoryProfile& c = profile_.category(m.category);
  if (!c.characterized) {
    if (!options_.allow_fallback) {
      throw Error(ErrorCode::kUnsupportedOp,
                  std::string("op category '") + OpCategoryName(m.category) +
                      "' is not characterized by profile '" + profile_.name +
                      "' (allow the naive fallback to estimate it anyway)");
    }
    // Naive model, but never zero for a layer that moves data.
    const double work = m.ops > 0 ? ops : static_cast<double>(m.output_elements);
    e.flags |= kFlagFallback;
    e.throughput = profile_.naive_ops_per_cycle;
    e.cycles = work / profile_.naive_ops_per_cycle;
    e.latency_s = e.cycles * inv_clock_hz_;
    e.energy_j = e.latency_s * naive_power_w_;
    return e;
  }

  const double factor = VariantFactor(m.category, d, &e.flags);
  double work_cycles;
  if (IsMacCategory(m.category)) {
    bool extrapolated = false;
    double macs_per_cycle = c.curve.Evaluate(m.macs_per_output, &extrapolated);
    if (factor != 1.0) macs_per_cycle /= factor;  // x / 1.0 == x: skip the division
    if (extrapolated && m.macs > 0) e.flags |= kFlagExtrapolated;
    e.throughput = macs_per_cycle;
    work_cycles = static_cast<double>(m.macs) / macs_per_cycle;
  } else {
    e.elements = ElementsOf(type, m.category, m);
    e.throughput = c.cycles_per_element * factor;
    work_cycles = static_cast<double>(e.elements) * e.throughput;
  }
  e.weight_bytes = m.weight_bytes;
  if (weights_region >= 0) e.weights_region = weights_region;
  e.memory_cycles = MemoryCycles(m, weights_region);
  const LayerCost cost = Cost(c, work_cycles, e.memory_cycles);
  e.cycles = cost.cycles;
  e.latency_s = cost.latency_s;
  e.energy_j = cost.energy_j;
  return e;
}

LayerCost Estimator::EstimateLayerCost(const LayerDesc& layer, const OpMetrics& m) const {
  const auto category = static_cast<unsigned>(m.category);
  const CategoryProfile& c = profile_.categories[category];
  // The naive fallback (or its error) takes the full path; it is rare.
  if (!c.characterized) {
    const LayerEstimate e = EstimateLayer(layer, m);
    return {e.cycles, e.latency_s, e.energy_j};
  }
  std::uint32_t flags = 0;
  const double factor = VariantFactor(m.category, layer, &flags);
  double work_cycles;
  if (((mac_categories_ >> category) & 1u) != 0) {
    bool extrapolated = false;
    double macs_per_cycle = c.curve.Evaluate(m.macs_per_output, &extrapolated);
    if (factor != 1.0) macs_per_cycle /= factor;
    work_cycles = static_cast<double>(m.macs) / macs_per_cycle;
  } else {
    work_cycles = static_cast<double>(ElementsOf(layer.type, m.category, m)) *
                  (c.cycles_per_element * factor);
  }
  return Cost(c, work_cycles, MemoryCycles(m, default_weights_region_));
}

LayerEstimate Estimator::EstimateLayer(const LayerDesc& layer, const OpMetrics& metrics) const {
  return Estimate(layer.type, metrics, layer, default_weights_region_);
}

LayerEstimate Estimator::EstimateLayer(const LayerDesc& layer) const {
  return Estimate(layer.type, ComputeLayerMetrics(layer), layer, default_weights_region_);
}

NetworkEstimate Estimator::EstimateGraph(const Graph& graph) const {
  NetworkEstimate out;
  EstimateGraph(graph, &out);
  return out;
}

void Estimator::StartGraph(const Graph& graph, NetworkEstimate* out) const {
  for (const auto& placed : layer_regions_) {
    bool found = false;
    for (const Node& node : graph.nodes()) found = found || node.name == placed.first;
    if (!found) {
      throw Error(ErrorCode::kInvalidArgument, "weight placement: model '" + graph.name() +
                                                   "' has no layer '" + placed.first + "'");
    }
  }
  out->layers.resize(graph.nodes().size());
}

void Estimator::EstimateNode(const Graph& graph, NodeId id, const LayerDesc* d,
                             const OpMetrics* m, NetworkEstimate* out) const {
  try {
    const int region =
        layer_regions_.empty() ? default_weights_region_ : WeightsRegionOf(graph.node(id).name);
    LayerEstimate& e = out->layers[static_cast<std::size_t>(id)];
    if (d == nullptr) {
      const LayerDesc described = DescribeNode(graph, id);
      e = Estimate(described.type, ComputeLayerMetrics(described), described, region);
    } else if (m == nullptr) {
      e = Estimate(d->type, ComputeLayerMetrics(*d), *d, region);
    } else {
      e = Estimate(d->type, *m, *d, region);
    }
  } catch (const Error& e) {
    const Node& node = graph.node(id);
    throw WithContext(e, std::string("cannot estimate ") + OpTypeName(node.type) + " node '" +
                             node.name + "' (#" + std::to_string(id) + ")");
  }
}

void Estimator::EstimateGraph(const Graph& graph, NetworkEstimate* out) const {
  StartGraph(graph, out);
  for (NodeId id = 0; id < static_cast<NodeId>(graph.nodes().size()); ++id) {
    EstimateNode(graph, id, nullptr, nullptr, out);
  }
  Summarize(out);
}

namespace {

void CheckCount(const char* what, std::size_t count, const Graph& graph) {
  if (count != graph.nodes().size()) {
    throw Error(ErrorCode::kInvalidArgument,
                std::string("EstimateGraph: ") + std::to_string(count) + " " + what + " for " +
                    std::to_string(graph.nodes().size()) + " nodes of model '" + graph.name() +
                    "'");
  }
}

}  // namespace

void Estimator::EstimateGraph(const Graph& graph, const std::vector<LayerDesc>& layers,
                              NetworkEstimate* out) const {
  CheckCount("layer descriptions", layers.size(), graph);
  StartGraph(graph, out);
  for (NodeId id = 0; id < static_cast<NodeId>(layers.size()); ++id) {
    EstimateNode(graph, id, &layers[static_cast<std::size_t>(id)], nullptr, out);
  }
  Summarize(out);
}

void Estimator::EstimateGraph(const Graph& graph, const std::vector<LayerDesc>& layers,
                              const std::vector<OpMetrics>& metrics, NetworkEstimate* out) const {
  CheckCount("layer descriptions", layers.size(), graph);
  CheckCount("layer metrics", metrics.size(), graph);
  StartGraph(graph, out);
  for (NodeId id = 0; id < static_cast<NodeId>(layers.size()); ++id) {
    const auto i = static_cast<std::size_t>(id);
    EstimateNode(graph, id, &layers[i], &metrics[i], out);
  }
  Summarize(out);
}

void Estimator::EstimateLayers(const LayerDesc* layers, std::size_t count,
                               NetworkEstimate* out) const {
  out->layers.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    try {
      out->layers[i] = EstimateLayer(layers[i]);
    } catch (const Error& e) {
      throw WithContext(e, CannotEstimate(i, layers[i].type));
    }
  }
  Summarize(out);
}

EstimateTotals Estimator::EstimateTotalsOnly(const LayerDesc* layers, std::size_t count) const {
  EstimateTotals t;
  for (std::size_t i = 0; i < count; ++i) {
    try {
      Add(EstimateLayer(layers[i]), 1.0, &t, nullptr);
    } catch (const Error& e) {
      throw WithContext(e, CannotEstimate(i, layers[i].type));
    }
  }
  return t;
}

void Estimator::ReplaceLayer(std::size_t index, const LayerDesc& layer,
                             NetworkEstimate* estimate) const {
  if (index >= estimate->layers.size()) {
    throw Error(ErrorCode::kOutOfRange, "cannot replace layer #" + std::to_string(index) +
                                            ": the estimate has " +
                                            std::to_string(estimate->layers.size()) + " layers");
  }
  LayerEstimate fresh;
  try {
    fresh = EstimateLayer(layer);
  } catch (const Error& e) {
    throw WithContext(e, CannotEstimate(index, layer.type));
  }
  LayerEstimate& old = estimate->layers[index];
  Add(old, -1.0, &estimate->totals, &estimate->by_category[static_cast<std::size_t>(old.category)]);
  Add(fresh, 1.0, &estimate->totals,
      &estimate->by_category[static_cast<std::size_t>(fresh.category)]);
  old = fresh;
  UpdateShares(estimate);
}

void Estimator::EstimateBatch(const std::vector<std::vector<LayerDesc>>& candidates,
                              std::vector<EstimateTotals>* out) const {
  out->resize(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    try {
      (*out)[i] = EstimateTotalsOnly(candidates[i].data(), candidates[i].size());
    } catch (const Error& e) {
      throw WithContext(e, "candidate #" + std::to_string(i));
    }
  }
}

void Summarize(NetworkEstimate* e) {
  e->totals = EstimateTotals();
  e->by_category = {};
  for (const LayerEstimate& l : e->layers) {
    Add(l, 1.0, &e->totals, &e->by_category[static_cast<std::size_t>(l.category)]);
  }
  UpdateShares(e);
}

void AddToTotals(const LayerEstimate& layer, EstimateTotals* totals) {
  Add(layer, 1.0, totals, nullptr);
}

std::vector<const char*> EstimateFlagNames(std::uint32_t flags) {
  std::vector<const char*> names;
  if (flags & kFlagExtrapolated) names.push_back("extrapolated");
  if (flags & kFlagVariant) names.push_back("variant");
  if (flags & kFlagFallback) names.push_back("fallback");
  if (flags & kFlagUnsupportedOp) names.push_back("unsupported_op");
  return names;
}

std::string WeightsRegionName(const HardwareProfile& profile, const LayerEstimate& layer) {
  return layer.weights_region < 0 || layer.weight_bytes == 0
             ? std::string()
             : profile.memory.regions[static_cast<std::size_t>(layer.weights_region)].name;
}

double EnergyPerPeriodJ(const EstimateTotals& totals, const HardwareProfile& profile,
                        double period_s) {
  if (!std::isfinite(period_s) || period_s < totals.latency_s) {
    throw Error(ErrorCode::kInvalidArgument,
                "inference period must be finite and at least the latency " +
                    std::to_string(totals.latency_s) + " s (got " + std::to_string(period_s) +
                    " s)");
  }
  return totals.energy_j + (period_s - totals.latency_s) * profile.idle_power_mw * 1e-3;
}

}  // namespace opcost
