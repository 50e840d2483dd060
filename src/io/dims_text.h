// Dims as text, "[1,49,10,1]": one printer for Shape::ToString and the importers' messages
// (file shapes may have any rank, so the importers print their own dims vectors).
#ifndef OPCOST_SRC_IO_DIMS_TEXT_H_
#define OPCOST_SRC_IO_DIMS_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace opcost::detail {

std::string DimsText(const std::int64_t* dims, std::size_t count);
inline std::string DimsText(const std::vector<std::int64_t>& dims) {
  return DimsText(dims.data(), dims.size());
}

}  // namespace opcost::detail

#endif  // OPCOST_SRC_IO_DIMS_TEXT_H_
