// The wire format: a message is a run of (tag, payload) pairs; tag = field number << 3 | wire
// type. Only wire types 0, 1, 2 and 5 carry data in ONNX files; groups (3, 4) are refused rather
// than skipped so the reader never has to track nesting inside a message.
#include "onnx/protobuf_wire.h"

#include "opcost/error.h"

namespace opcost::onnx {

WireReader::WireReader(const std::uint8_t* data, std::size_t size, std::size_t file_offset,
                       const WireContext& context)
    : data_(data), size_(size), file_offset_(file_offset), context_(context) {}

WireReader WireReader::Sub(const WireField& field, const WireContext& context) const {
  return WireReader(field.bytes, field.size,
                    file_offset_ + static_cast<std::size_t>(field.bytes - data_), context);
}

void WireReader::FailAt(std::size_t offset, const std::string& rule) const {
  std::string where = *context_.source + ": ";
  if (!context_.path.empty()) where += context_.path + ": ";
  throw Error(ErrorCode::kBadModel, where + rule + " (at byte " + std::to_string(offset) +
                                        "; truncated or corrupted "
                                        "protobuf, or not an ONNX file)");
}

void WireReader::Fail(const WireField& field, const std::string& rule) const {
  FailAt(field.offset, "field " + std::to_string(field.number) + " " + rule);
}

std::uint64_t ReadPackedVarint(const WireReader& reader, const WireField& field, std::size_t* pos) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (*pos >= field.size) reader.Fail(field, "ends inside a varint");
    const std::uint8_t b = field.bytes[(*pos)++];
    if (shift == 63 && b > 1) reader.Fail(field, "holds a varint above 64 bits");
    value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  reader.Fail(field, "holds a varint longer than 10 bytes");
}

std::uint64_t WireReader::ReadVarint() {
  const std::size_t start = pos_;
  std::uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= size_) FailAt(file_offset_ + start, "message ends inside a varint");
    const std::uint8_t b = data_[pos_++];
    if (shift == 63 && b > 1) FailAt(file_offset_ + start, "varint above 64 bits");
    value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  FailAt(file_offset_ + start, "varint longer than 10 bytes");
}

bool WireReader::Next(WireField* field) {
  if (pos_ >= size_) return false;
  field->offset = file_offset_ + pos_;
  const std::uint64_t tag = ReadVarint();
  const std::uint64_t number = tag >> 3;
  if (number == 0 || number > 0x1fffffff) {
    FailAt(field->offset, "field number " + std::to_string(number) + " is out of range");
  }
  field->number = static_cast<std::uint32_t>(number);
  field->bytes = nullptr;
  field->size = 0;
  field->value = 0;
  const std::size_t left = size_ - pos_;
  switch (tag & 7) {
    case 0:
      field->type = WireType::kVarint;
      field->value = ReadVarint();
      return true;
    case 1:
    case 5: {
      const std::size_t width = (tag & 7) == 1 ? 8 : 4;
      field->type = width == 8 ? WireType::kFixed64 : WireType::kFixed32;
      if (left < width) {
        Fail(*field, "needs " + std::to_string(width) + " bytes but the message has " +
                         std::to_string(left) + " left");
      }
      for (std::size_t b = 0; b < width; ++b) {
        field->value |= static_cast<std::uint64_t>(data_[pos_ + b]) << (8 * b);
      }
      pos_ += width;
      return true;
    }
    case 2: {
      field->type = WireType::kLengthDelimited;
      const std::uint64_t length = ReadVarint();
      if (length > size_ - pos_) {
        Fail(*field, "claims " + std::to_string(length) + " bytes but the message has " +
                         std::to_string(size_ - pos_) + " left");
      }
      field->bytes = data_ + pos_;
      field->size = static_cast<std::size_t>(length);
      pos_ += field->size;
      return true;
    }
    default:
      Fail(*field, "has wire type " + std::to_string(tag & 7) +
                       " (groups and unknown wire types are not used by ONNX)");
  }
}

}  // namespace opcost::onnx
