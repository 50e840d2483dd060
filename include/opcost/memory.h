// Memory footprint in the seed paper's terms (Lai et al. 2018, section 3): total = weight bytes
// (flash) + peak concurrent activation bytes (SRAM). The concurrent activation data at a step is
// the op's inputs and outputs, every other live tensor (skip edges) and the kernel's scratch.
// Rules: liveness.h and docs/memory.md.
//
//   opcost::MemoryReport r = opcost::AnalyzeMemory(graph);
//   r.peak_activation_bytes; r.peak_step; r.weight_bytes; r.total_footprint_bytes;
//
//   // With a hardware profile: its kernels' scratch, and whether the model fits.
//   opcost::MemoryOptions o;
//   o.rules.scratch_bytes = opcost::ProfileScratchBytes(graph, profile);
//   opcost::MemoryFit fit = opcost::CheckFit(opcost::AnalyzeMemory(graph, o), profile);
//
//   // A NAS loop scoring many orders of one graph, without allocating per call:
//   opcost::PeakEvaluator eval(graph);
//   std::int64_t peak_bytes = eval.PeakBytes(order);
#ifndef OPCOST_MEMORY_H_
#define OPCOST_MEMORY_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "opcost/graph.h"
#include "opcost/liveness.h"
#include "opcost/profile.h"

namespace opcost {

struct MemoryOptions {
  ExecutionOrder order;   // empty: the graph's node order
  LivenessOptions rules;  // in place, scratch
  // How many tensors MemoryStep::live_tensors lists at most (the first by id); the peak step's
  // are all in MemoryReport::peak_tensors. Listing every live tensor at every step is
  // quadratic when thousands are live at once (a 20,000-way concat). Default: all.
  std::size_t max_listed_tensors = static_cast<std::size_t>(-1);
};

// One execution step.
struct MemoryStep {
  std::int32_t step = 0;
  NodeId node = kNoNode;
  std::vector<TensorId> live_tensors;  // activation tensors live at this step, by id (at most
                                       // MemoryOptions::max_listed_tensors of them)
  std::int32_t live_tensor_count = 0;  // all activation tensors live at this step
  std::int64_t activation_bytes = 0;   // bytes of the live buffers (shared bytes counted once)
  std::int64_t scratch_bytes = 0;      // the kernel's scratch at this step
  std::int64_t total_bytes = 0;        // activation_bytes + scratch_bytes
  bool in_place = false;               // the node wrote its output into a dying input
};

struct MemoryReport {
  ExecutionOrder order;
  std::vector<MemoryStep> steps;
  // Peak concurrent activation data, scratch included: the largest steps[i].total_bytes (the
  // first step reaching it).
  std::int64_t peak_activation_bytes = 0;
  std::int32_t peak_step = 0;
  NodeId peak_node = kNoNode;
  std::vector<TensorId> peak_tensors;  // live at the peak step
  // Bytes of every constant tensor some node reads (weights, bias, ...), each counted once.
  std::int64_t weight_bytes = 0;
  std::int64_t total_footprint_bytes = 0;  // weight_bytes + peak_activation_bytes
};

// Liveness, per-step bytes and the peak for options.order. Throws what ComputeLiveness throws
// and Error{kOverflow}.
MemoryReport AnalyzeMemory(const Graph& graph, const MemoryOptions& options = {});

// Bytes of every constant tensor some node reads, each counted once. Throws Error{kOverflow}.
std::int64_t WeightBytes(const Graph& graph);

// Whether a footprint fits a device: weights plus the runtime's own code in flash, peak
// activations (scratch included) plus the runtime's own RAM in SRAM. Margins are capacity - use
// (negative when it does not fit).
struct MemoryFit {
  std::int64_t flash_capacity_bytes = 0;
  std::int64_t sram_capacity_bytes = 0;
  std::int64_t flash_used_bytes = 0;
  std::int64_t sram_used_bytes = 0;
  std::int64_t flash_margin_bytes = 0;
  std::int64_t sram_margin_bytes = 0;
  bool fits_flash = false;
  bool fits_sram = false;
  bool fits = false;  // both
  // The runtime reserve counted in flash_used_bytes and sram_used_bytes (RuntimeReserve).
  std::int64_t runtime_flash_bytes = 0;
  std::int64_t runtime_sram_bytes = 0;
  // Weights a placement copies into RAM (a region of kind sram or tcm): part of
  // sram_used_bytes; flash still holds them (the image they are copied from).
  std::int64_t sram_weight_bytes = 0;
};
// Throws Error{kInvalidArgument} if a capacity is not positive or a reserve negative, and
// Error{kOverflow}.
MemoryFit CheckFit(const MemoryReport& report, std::int64_t flash_capacity_bytes,
                   std::int64_t sram_capacity_bytes, const RuntimeReserve& reserve = {});
// Against the profile's flash_bytes and sram_bytes, with its runtime_reserve. Same errors.
MemoryFit CheckFit(const MemoryReport& report, const HardwareProfile& profile);
// Same with weights placed as the estimator places them (WeightPlacement in profile.h): weights
// of layers in a RAM region also use SRAM. Throws Error{kInvalidArgument} for a region or layer
// name that does not exist (the estimator's messages).
MemoryFit CheckFit(const MemoryReport& report, const HardwareProfile& profile, const Graph& graph,
                   const WeightPlacement& placement);
// Bytes of the constant tensors read by layers whose weights `placement` puts in a RAM region
// (kind sram or tcm) of `profile`, each counted once.
std::int64_t RamWeightBytes(const Graph& graph, const HardwareProfile& profile,
                            const WeightPlacement& placement);

// Scratch bytes per node (by NodeId) under `profile`'s scratch rules (ScratchBytes in
// profile.h), for LivenessOptions::scratch_bytes. Throws Error{kOverflow} and what
// DescribeNode throws.
std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph, const HardwareProfile& profile);
// Same from the graph's layers already described (DescribeGraph(graph), one per node), for a
// caller that also estimates them. Throws Error{kInvalidArgument} if the count differs from the
// node count, and Error{kOverflow}.
std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph,
                                              const std::vector<LayerDesc>& layers,
                                              const HardwareProfile& profile);
// Same with their metrics too (ComputeLayerMetrics of each, as EstimateGraph takes them).
// Throws Error{kInvalidArgument} if a count differs from the node count, and Error{kOverflow}.
std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph,
                                              const std::vector<LayerDesc>& layers,
                                              const std::vector<OpMetrics>& metrics,
                                              const HardwareProfile& profile);

namespace detail {
struct MemoryGraph;
}

// The peak of many orders of one graph: the graph is analysed once (alias groups, consumers,
// scratch) and each PeakBytes call then runs in O(nodes + edges) without allocating. The
// evaluator keeps a pointer to the graph (for op names in error messages): the graph must
// outlive it and must not change while it is used.
class PeakEvaluator {
 public:
  // Throws what ComputeLiveness throws for the graph and options (not for an order).
  explicit PeakEvaluator(const Graph& graph, const LivenessOptions& options = {});
  ~PeakEvaluator();
  // Points the evaluator at another graph (or the same one changed), keeping its storage: a NAS
  // loop's one evaluator allocates nothing for candidates of similar size. Throws as the
  // constructor does; after a throw, PeakBytes throws until a Reset succeeds. `graph` must
  // outlive the evaluator's use of it.
  void Reset(const Graph& graph, const LivenessOptions& options = {});
  PeakEvaluator(PeakEvaluator&&) noexcept;
  PeakEvaluator& operator=(PeakEvaluator&&) noexcept;

  // Peak concurrent activation bytes (scratch included) of `order` (empty: graph order).
  // Throws Error{kInvalidArgument} if `order` is not a topological permutation of the nodes.
  std::int64_t PeakBytes(const ExecutionOrder& order);
  std::int32_t num_nodes() const;

 private:
  std::unique_ptr<detail::MemoryGraph> graph_;
};

}  // namespace opcost

#endif  // OPCOST_MEMORY_H_
