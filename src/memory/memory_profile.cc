// The bridge from a hardware profile's scratch rules to the memory analysis. Kept apart so the
// rest of src/memory/ does not need the estimate area.
#include <string>

#include "opcost/error.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/profile.h"

namespace opcost {

namespace {

[[noreturn]] void ScratchFail(const Error& e, const Graph& graph, NodeId n,
                              const HardwareProfile& profile) {
  throw WithContext(e,
                    "scratch of op '" + graph.node(n).name + "' under profile '" + profile.name + "'");
}

}  // namespace

std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph, const HardwareProfile& profile) {
  std::vector<std::int64_t> bytes(graph.nodes().size(), 0);
  for (NodeId n = 0; n < static_cast<NodeId>(graph.nodes().size()); ++n) {
    try {
      bytes[n] = ScratchBytes(profile, DescribeNode(graph, n));
    } catch (const Error& e) {
      ScratchFail(e, graph, n, profile);
    }
  }
  return bytes;
}

std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph,
                                              const std::vector<LayerDesc>& layers,
                                              const HardwareProfile& profile) {
  if (layers.size() != graph.nodes().size()) {
    throw Error(ErrorCode::kInvalidArgument,
                "ProfileScratchBytes: " + std::to_string(layers.size()) +
                    " layer descriptions for " + std::to_string(graph.nodes().size()) +
                    " nodes of model '" + graph.name() + "'");
  }
  std::vector<std::int64_t> bytes(layers.size(), 0);
  for (NodeId n = 0; n < static_cast<NodeId>(layers.size()); ++n) {
    try {
      bytes[n] = ScratchBytes(profile, layers[static_cast<std::size_t>(n)]);
    } catch (const Error& e) {
      ScratchFail(e, graph, n, profile);
    }
  }
  return bytes;
}

}  // namespace opcost
