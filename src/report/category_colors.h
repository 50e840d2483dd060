// One colour per op category, the same in every chart and legend of the page (Tableau 10:
// distinguishable in print and by most colour-blind readers).
#ifndef OPCOST_SRC_REPORT_CATEGORY_COLORS_H_
#define OPCOST_SRC_REPORT_CATEGORY_COLORS_H_

#include "opcost/op_type.h"

namespace opcost::report {

// "#4e79a7"-style fill colour of `category`.
const char* CategoryColor(OpCategory category);
// Kernel scratch and other bytes that belong to no op category.
constexpr char kScratchColor[] = "#bab0ac";
// The SRAM limit line and "does not fit" text.
constexpr char kLimitColor[] = "#c0392b";

}  // namespace opcost::report

#endif  // OPCOST_SRC_REPORT_CATEGORY_COLORS_H_
