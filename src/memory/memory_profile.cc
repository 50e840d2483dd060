// The bridge from a hardware profile's scratch rules to the memory analysis. Kept apart so the
// rest of src/memory/ does not need the estimate area.
#include <string>

#include "opcost/error.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/profile.h"

namespace opcost {

std::vector<std::int64_t> ProfileScratchBytes(const Graph& graph, const HardwareProfile& profile) {
  std::vector<std::int64_t> bytes(graph.nodes().size(), 0);
  for (NodeId n = 0; n < static_cast<NodeId>(graph.nodes().size()); ++n) {
    try {
      bytes[n] = ScratchBytes(profile, DescribeNode(graph, n));
    } catch (const Error& e) {
      throw WithContext(
          e, "scratch of op '" + graph.node(n).name + "' under profile '" + profile.name + "'");
    }
  }
  return bytes;
}

}  // namespace opcost
