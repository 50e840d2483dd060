// The report of one model on one hardware profile: everything `opcost estimate` and `opcost
// memory --profile --plan` compute, gathered once (ReportData) and rendered three ways: a
// self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched), one JSON document
// (keys in docs/report.md) and a short Markdown summary for a pull-request comment.
//
//   opcost::ReportData r = opcost::BuildReport(graph, profile);
//   r.estimate.totals.latency_s; r.fit.fits; r.memory.peak_activation_bytes;
//   std::string page = opcost::RenderReportHtml(r);
//   std::string json = opcost::RenderReportJson(r);      // "report_format_version": 1
//   std::string md = opcost::RenderReportMarkdown(r);
#ifndef OPCOST_REPORT_H_
#define OPCOST_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "opcost/arena_planner.h"
#include "opcost/estimator.h"
#include "opcost/graph.h"
#include "opcost/liveness.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/profile.h"

namespace opcost {

// The version of the JSON document RenderReportJson writes ("report_format_version"); it
// changes only when a key is removed or changes meaning.
constexpr int kReportFormatVersion = 1;

struct ReportOptions {
  // Weight placement and the fallback for uncharacterized categories, as for the estimator.
  // The placement also decides which weights count toward the SRAM fit (CheckFit).
  EstimateOptions estimate;
  // Alignment of the arena plan, a power of two (ArenaOptions).
  std::int64_t arena_alignment_bytes = 16;
  // How many live tensors each memory step names at most (the peak step names all of them).
  std::size_t max_listed_tensors = 32;
};

// Where the profile's power and latency numbers come from: how far to trust the report.
struct ReportTrust {
  // The provenance kind of the characterized categories' power_mw ("measurement", "estimate",
  // ...), "mixed" when they differ, "" when no category is characterized.
  std::string power_source_kind;
  bool power_measured = false;  // every characterized category's power is a measurement
  std::vector<ValidationRecord> validation;  // the profile's recorded latency errors
};

// One activation tensor, as the memory sections name it.
struct ReportTensor {
  std::string name;
  std::int64_t size_bytes = 0;
  NodeId producer = kNoNode;  // kNoNode for graph inputs
};

// Everything a renderer needs, without the graph: the library's results in graph (execution)
// order plus the names they refer to by id.
struct ReportData {
  std::string model_name;
  HardwareProfile profile;
  ReportOptions options;

  std::vector<std::string> layer_names;      // by NodeId
  std::vector<ReportTensor> tensors;         // by TensorId; constants have size 0 and no producer
  std::vector<std::string> weights_regions;  // by NodeId: WeightsRegionName, "" if none

  NetworkMetrics metrics;    // ComputeMetrics
  NetworkEstimate estimate;  // Estimator::EstimateGraph
  MemoryReport memory;       // AnalyzeMemory with the profile's scratch, graph order
  MemoryFit fit;             // CheckFit with the profile's capacities and runtime reserve
  Liveness liveness;         // ComputeLiveness with the same scratch, for the arena
  ArenaPlan arena;           // PlanArena
  ReportTrust trust;
  std::vector<std::int32_t> step_of_layer;  // by NodeId: its index in memory.steps

  // Scratch bytes at the peak step (part of memory.peak_activation_bytes).
  std::int64_t peak_scratch_bytes = 0;
  // SRAM left for activations: capacity - runtime reserve - weights copied to RAM (may be
  // negative when those alone do not fit). The line the memory timeline is drawn against.
  std::int64_t sram_for_activations_bytes = 0;
};

// Computes the report of `graph` (shape-inferred, at least one node) on `profile`. Throws what
// ComputeMetrics, Estimator, AnalyzeMemory, ProfileScratchBytes, CheckFit, ComputeLiveness and
// PlanArena throw: Error{kUnsupportedOp} for an uncharacterized category without the fallback,
// Error{kInvalidArgument} for a bad placement, alignment or capacity, Error{kOverflow}.
ReportData BuildReport(const Graph& graph, const HardwareProfile& profile,
                       const ReportOptions& options = {});

// The HTML page: UTF-8, one file, no <script>, no external resource. Every model-supplied
// string is escaped. Numbers a test checks carry id and data-value attributes (docs/report.md).
std::string RenderReportHtml(const ReportData& report);
// One JSON document (docs/report.md), indented; strings that are not valid UTF-8 get U+FFFD.
std::string RenderReportJson(const ReportData& report);
// A Markdown summary (table + the layers that take the most time) for a pull-request comment.
std::string RenderReportMarkdown(const ReportData& report);

}  // namespace opcost

#endif  // OPCOST_REPORT_H_
