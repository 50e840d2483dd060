// Bounded reader of the protocol buffers wire format (the encoding of .onnx files): one message
// at a time, field by field, without a schema. Every length is checked against the bytes left
// in the enclosing message before it is used, varints are at most 10 bytes, field number 0 and
// the deprecated group wire types are rejected, so a truncated or hostile file ends in an
// opcost::Error naming the message path, the byte offset and the rule, never in a read past the
// end. The ONNX schema (field numbers) lives in onnx_reader.cc.
#ifndef OPCOST_SRC_ONNX_PROTOBUF_WIRE_H_
#define OPCOST_SRC_ONNX_PROTOBUF_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace opcost::onnx {

enum class WireType : std::uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kFixed32 = 5,
};

// One field of a message. `value` holds varints and fixed-width values; `bytes`/`size` the
// payload of a length-delimited field (inside the reader's buffer).
struct WireField {
  std::uint32_t number = 0;
  WireType type = WireType::kVarint;
  std::uint64_t value = 0;
  const std::uint8_t* bytes = nullptr;
  std::size_t size = 0;
  std::size_t offset = 0;  // of the field's tag, from the start of the file
};

// Where a message sits, for error messages: "model.onnx: graph.node[3].attribute[0]".
struct WireContext {
  const std::string* source = nullptr;
  std::string path;
};

class WireReader {
 public:
  // Reads the message in [data, data + size); `file_offset` is data's offset in the file.
  WireReader(const std::uint8_t* data, std::size_t size, std::size_t file_offset,
             const WireContext& context);

  // The next field, or false at the end of the message. Throws Error{kBadModel} on a malformed
  // tag, varint or length.
  bool Next(WireField* field);

  // Throws Error{kBadModel}: "<source>: <path>: field <n> <rule> (at byte <offset>)".
  [[noreturn]] void Fail(const WireField& field, const std::string& rule) const;
  [[noreturn]] void FailAt(std::size_t offset, const std::string& rule) const;

  // A reader over the payload of length-delimited `field` (read from this reader), with its
  // own context; `context` must outlive the returned reader.
  WireReader Sub(const WireField& field, const WireContext& context) const;

  const WireContext& context() const { return context_; }
  std::size_t file_offset() const { return file_offset_; }

 private:
  std::uint64_t ReadVarint();

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::size_t file_offset_;
  const WireContext& context_;
};

// Decodes a packed or single varint/fixed field into a callback per element; for repeated
// scalar fields, which writers may emit packed (one length-delimited run) or one by one.
// `want` is the element's wire type (kVarint, kFixed32 or kFixed64).
template <typename Sink>
void ReadRepeatedScalar(const WireReader& reader, const WireField& field, WireType want,
                        Sink&& sink);

// Reads a varint from [*pos, size); throws through `reader` when it is truncated or longer
// than 10 bytes.
std::uint64_t ReadPackedVarint(const WireReader& reader, const WireField& field, std::size_t* pos);

template <typename Sink>
void ReadRepeatedScalar(const WireReader& reader, const WireField& field, WireType want,
                        Sink&& sink) {
  if (field.type == want) {
    sink(field.value);
    return;
  }
  if (field.type != WireType::kLengthDelimited) {
    reader.Fail(field, "has wire type " + std::to_string(static_cast<int>(field.type)) +
                           " (expected " + std::to_string(static_cast<int>(want)) +
                           " or a packed run)");
  }
  std::size_t pos = 0;
  if (want == WireType::kVarint) {
    while (pos < field.size) sink(ReadPackedVarint(reader, field, &pos));
    return;
  }
  const std::size_t width = want == WireType::kFixed32 ? 4 : 8;
  if (field.size % width != 0) {
    reader.Fail(field, "packed run of " + std::to_string(field.size) +
                           " bytes is not a multiple of " + std::to_string(width));
  }
  for (; pos < field.size; pos += width) {
    std::uint64_t v = 0;
    for (std::size_t b = 0; b < width; ++b) {
      v |= static_cast<std::uint64_t>(field.bytes[pos + b]) << (8 * b);
    }
    sink(v);
  }
}

}  // namespace opcost::onnx

#endif  // OPCOST_SRC_ONNX_PROTOBUF_WIRE_H_
