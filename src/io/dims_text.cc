#include "io/dims_text.h"

namespace opcost::detail {

std::string DimsText(const std::int64_t* dims, std::size_t count) {
  std::string s = "[";
  for (std::size_t i = 0; i < count; ++i) {
    if (i != 0) s += ",";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

}  // namespace opcost::detail
