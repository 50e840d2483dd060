// Basic value types: DataType, Shape (NHWC, rank 0 to 4) and checked 64-bit arithmetic.
//
//   opcost::Shape s{1, 49, 10, 1};            // rank 4, NHWC
//   std::int64_t n = s.NumElements();         // 490, overflow-checked
//   std::int64_t b = opcost::CheckedMul(n, opcost::DataTypeSize(opcost::DataType::kInt8));
#ifndef OPCOST_TYPES_H_
#define OPCOST_TYPES_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace opcost {

enum class DataType { kInt8, kUInt8, kInt16, kInt32, kInt64, kFloat32 };

// Bytes per element: 1, 1, 2, 4, 8, 4.
std::int64_t DataTypeSize(DataType type);
// "int8", "uint8", "int16", "int32", "int64", "float32".
const char* DataTypeName(DataType type);
// Parses a name produced by DataTypeName. Returns false if `name` is not one.
bool ParseDataType(const std::string& name, DataType* type);

// A tensor shape of rank 0 (scalar) to kMaxRank. Activations are NHWC: rank 4 is
// [batch, height, width, channels], rank 3 [batch, time, features], rank 2 [batch, features].
// Fixed capacity so shapes never allocate.
struct Shape {
  static constexpr int kMaxRank = 4;
  int rank = 0;
  std::array<std::int64_t, kMaxRank> dims{};

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> d);  // throws kInvalidArgument if rank > 4

  std::int64_t operator[](int i) const { return dims[static_cast<std::size_t>(i)]; }
  std::int64_t& operator[](int i) { return dims[static_cast<std::size_t>(i)]; }
  // Product of the dims (1 for a scalar). Throws kOverflow if it exceeds INT64_MAX.
  inline std::int64_t NumElements() const;
  // The last dim (channels for NHWC); 1 for a scalar.
  std::int64_t Channels() const { return rank == 0 ? 1 : dims[static_cast<std::size_t>(rank - 1)]; }
  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }
  // "[1,49,10,1]"
  std::string ToString() const;
};

// Checked int64 arithmetic: throw Error{kOverflow} instead of wrapping. Inline because every
// count goes through them; the throwing path is out of line.
[[noreturn]] void ThrowOverflow(const char* what, std::int64_t a, std::int64_t b);

inline std::int64_t CheckedAdd(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) ThrowOverflow("adding", a, b);
  return r;
}

inline std::int64_t CheckedMul(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) ThrowOverflow("multiplying", a, b);
  return r;
}

inline std::int64_t Shape::NumElements() const {
  std::int64_t n = 1;
  for (int i = 0; i < rank; ++i) n = CheckedMul(n, dims[static_cast<std::size_t>(i)]);
  return n;
}

}  // namespace opcost

#endif  // OPCOST_TYPES_H_
