#include <string>

#include "opcost/profile.h"

namespace opcost {

std::string InSampleText(const ValidationRecord& record) {
  if (record.in_sample_rows <= 0) return "";
  const std::string how_many = record.in_sample_rows >= record.rows
                                   ? std::string("all")
                                   : std::to_string(record.in_sample_rows) + " of them";
  return ", " + how_many + " in-sample (the profile was calibrated or fitted on them)";
}

}  // namespace opcost
