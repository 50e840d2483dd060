#include "opcost/types.h"

#include <limits>

#include "io/dims_text.h"
#include "opcost/error.h"

namespace opcost {
namespace {

struct DataTypeInfo {
  DataType type;
  const char* name;
  std::int64_t size_bytes;
};

constexpr DataTypeInfo kDataTypes[] = {
    {DataType::kInt8, "int8", 1},   {DataType::kUInt8, "uint8", 1},
    {DataType::kInt16, "int16", 2}, {DataType::kInt32, "int32", 4},
    {DataType::kInt64, "int64", 8}, {DataType::kFloat32, "float32", 4},
};

}  // namespace

std::int64_t DataTypeSize(DataType type) { return kDataTypes[static_cast<int>(type)].size_bytes; }
const char* DataTypeName(DataType type) { return kDataTypes[static_cast<int>(type)].name; }

bool ParseDataType(const std::string& name, DataType* type) {
  for (const DataTypeInfo& info : kDataTypes) {
    if (name == info.name) {
      *type = info.type;
      return true;
    }
  }
  return false;
}

Shape::Shape(std::initializer_list<std::int64_t> d) {
  if (d.size() > static_cast<std::size_t>(kMaxRank)) {
    throw Error(ErrorCode::kInvalidArgument,
                "shape rank must be at most 4 (got " + std::to_string(d.size()) + ")");
  }
  rank = static_cast<int>(d.size());
  std::size_t i = 0;
  for (std::int64_t v : d) dims[i++] = v;
}

bool Shape::operator==(const Shape& o) const {
  if (rank != o.rank) return false;
  for (int i = 0; i < rank; ++i) {
    if (dims[static_cast<std::size_t>(i)] != o.dims[static_cast<std::size_t>(i)]) return false;
  }
  return true;
}

std::string Shape::ToString() const {
  return detail::DimsText(dims.data(), static_cast<std::size_t>(rank));
}

void ThrowOverflow(const char* what, std::int64_t a, std::int64_t b) {
  throw Error(ErrorCode::kOverflow, std::string("64-bit overflow ") + what + " " +
                                        std::to_string(a) + " and " + std::to_string(b));
}

}  // namespace opcost
