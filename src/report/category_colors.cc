#include "report/category_colors.h"

#include <array>
#include <cstddef>

namespace opcost::report {

const char* CategoryColor(OpCategory category) {
  // In OpCategory order: conv, conv_1x1, depthwise_conv, fully_connected, pooling, activation,
  // elementwise, other.
  static constexpr std::array<const char*, kNumOpCategories> kColors = {
      "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
  return kColors[static_cast<std::size_t>(category)];
}

}  // namespace opcost::report
