// The bridge from a hardware profile's scratch rules to the memory analysis, kept apart from the
// liveness, order search and arena code, which read graphs only.
#include <string>

#include "opcost/error.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/profile.h"

namespace opcost {

namespace {

[[noreturn]] void ScratchFail(const Error& e, const Graph& graph, NodeId n,
                              const HardwareProfile& profile) {
  throw WithContext(
      e, "scratch of op '" + graph.node(n).name + "' under profile '" + profile.name + "'");
}

// Throws unless `count` descriptions (or metrics) were given for the graph's nodes.
void CheckCount(const Graph& graph, std::size_t count, const char* what) {
  if (count != graph.nodes().size()) {
    throw Error(ErrorCode::kInvalidArgument,
                "ProfileScratchBytes: " + std::to_string(count) + " " + what + " for " +
                    std::to_string(graph.nodes().size()) + " nodes of model '" + graph.name() +
                    "'");
  }
}

// Scratch of every node; `scratch_of(n)` gives node n's bytes (under the profile's rules).
template <class ScratchOf>
std::vector<std::int64_t> EachNodesScratch(const Graph& graph, const HardwareProfile& profile,
                                           ScratchOf scratch_of) {
  std::vector<std::int64_t> bytes(graph.nodes().size(), 0);
  for (NodeId n = 0; n < static_cast<NodeId>(bytes.size()); ++n) {
    try {
      bytes[static_cast<std::size_t>(n)] = scratch_of(n);
    } catch (const Error& e) {
      ScratchFail(e, graph, n, profile);
    }
  }
  return bytes;
}

}  // namespace

std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph, const HardwareProfile& profile) {
  return EachNodesScratch(graph, profile,
                          [&](NodeId n) { return ScratchBytes(profile, DescribeNode(graph, n)); });
}

std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph,
                                              const std::vector<LayerDesc>& layers,
                                              const HardwareProfile& profile) {
  CheckCount(graph, layers.size(), "layer descriptions");
  return EachNodesScratch(graph, profile, [&](NodeId n) {
    return ScratchBytes(profile, layers[static_cast<std::size_t>(n)]);
  });
}

std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph,
                                              const std::vector<LayerDesc>& layers,
                                              const std::vector<OpMetrics>& metrics,
                                              const HardwareProfile& profile) {
  CheckCount(graph, layers.size(), "layer descriptions");
  CheckCount(graph, metrics.size(), "metrics");
  return EachNodesScratch(graph, profile, [&](NodeId n) {
    const auto i = static_cast<std::size_t>(n);
    return ScratchBytes(profile, layers[i], metrics[i]);
  });
}

}  // namespace opcost
