// Writes small .tflite images for tests with flatbuffers::FlatBufferBuilder, field by field from
// the public schema (slot n of a table = field n), so tests can make exactly the op, tensor or
// broken index they need.
#ifndef OPCOST_TESTS_TFLITE_TFLITE_TEST_BUILDER_H_
#define OPCOST_TESTS_TFLITE_TFLITE_TEST_BUILDER_H_

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <string>
#include <vector>

namespace opcost::testing {

struct TestTensor {
  std::string name;
  std::vector<std::int32_t> shape;
  std::int8_t type = 9;            // INT8
  std::vector<std::uint8_t> data;  // non-empty: constant (own buffer)
  std::vector<float> scales;
  std::vector<std::int64_t> zero_points;
  std::int32_t quantized_dimension = 0;
  std::int64_t buffer_override = -1;  // >= 0: write this buffer index instead
};

struct OptionField {
  int slot;
  int size_bytes;  // 1 or 4
  std::int32_t value;
};

struct TestOp {
  std::int32_t builtin = 0;
  std::vector<std::int32_t> inputs, outputs;
  std::uint8_t options_type = 0;
  std::vector<OptionField> options;
  std::string custom_code;
  std::int64_t opcode_index_override = -1;
};

struct TestModel {
  std::vector<TestTensor> tensors;
  std::vector<TestOp> ops;
  std::vector<std::int32_t> inputs, outputs;
  // Which opcode fields to write: both (what current converters do), only the old int8
  // deprecated_builtin_code (old files), or only the extended int32 builtin_code.
  enum class OpcodeFields { kBoth, kOldOnly, kNewOnly } opcode_fields = OpcodeFields::kBoth;
  std::uint32_t version = 3;
  // Non-empty: every tensor's shape field points at this one vector (a shared table, as a
  // hostile file would write it to amplify what the reader copies).
  std::vector<std::int32_t> shared_shape;

  // Returns the tensor's index.
  std::int32_t Add(TestTensor t) {
    tensors.push_back(std::move(t));
    return static_cast<std::int32_t>(tensors.size() - 1);
  }

  std::vector<std::uint8_t> Build() const {
    flatbuffers::FlatBufferBuilder fbb;
    using flatbuffers::Offset;
    using flatbuffers::Table;
    auto slot = [](int n) { return static_cast<flatbuffers::voffset_t>(4 + 2 * n); };

    // Buffers: 0 is the empty sentinel, then one per constant tensor.
    std::vector<Offset<Table>> buffers;
    std::vector<std::uint32_t> tensor_buffer(tensors.size(), 0);
    {
      auto start = fbb.StartTable();
      buffers.push_back(Offset<Table>(fbb.EndTable(start)));
    }
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      if (tensors[i].data.empty()) continue;
      fbb.ForceVectorAlignment(tensors[i].data.size(), 1, 16);
      auto data = fbb.CreateVector(tensors[i].data);
      auto start = fbb.StartTable();
      fbb.AddOffset(slot(0), data);
      buffers.push_back(Offset<Table>(fbb.EndTable(start)));
      tensor_buffer[i] = static_cast<std::uint32_t>(buffers.size() - 1);
    }

    // Operator codes: one per op (duplicates are allowed by the format).
    std::vector<Offset<Table>> codes;
    for (const TestOp& op : ops) {
      Offset<flatbuffers::String> custom;
      if (!op.custom_code.empty()) custom = fbb.CreateString(op.custom_code);
      auto start = fbb.StartTable();
      const std::int8_t old_code = static_cast<std::int8_t>(op.builtin < 127 ? op.builtin : 127);
      if (opcode_fields != OpcodeFields::kNewOnly) {
        fbb.AddElement<std::int8_t>(slot(0), old_code, 0);
      }
      if (!custom.IsNull()) fbb.AddOffset(slot(1), custom);
      fbb.AddElement<std::int32_t>(slot(2), 1, 1);
      if (opcode_fields != OpcodeFields::kOldOnly)
        fbb.AddElement<std::int32_t>(slot(3), op.builtin, 0);
      codes.push_back(Offset<Table>(fbb.EndTable(start)));
    }

    std::vector<Offset<Table>> tensor_tables;
    const auto shared = fbb.CreateVector(shared_shape);
    for (std::size_t i = 0; i < tensors.size(); ++i) {
      const TestTensor& t = tensors[i];
      auto shape = shared_shape.empty() ? fbb.CreateVector(t.shape) : shared;
      auto name = fbb.CreateString(t.name);
      Offset<Table> quant;
      if (!t.scales.empty() || !t.zero_points.empty()) {
        auto scales = fbb.CreateVector(t.scales);
        auto zps = fbb.CreateVector(t.zero_points);
        auto start = fbb.StartTable();
        fbb.AddOffset(slot(2), scales);
        fbb.AddOffset(slot(3), zps);
        fbb.AddElement<std::int32_t>(slot(6), t.quantized_dimension, 0);
        quant = Offset<Table>(fbb.EndTable(start));
      }
      auto start = fbb.StartTable();
      fbb.AddOffset(slot(0), shape);
      fbb.AddElement<std::int8_t>(slot(1), t.type, 0);
      const std::uint32_t buffer =
          t.buffer_override >= 0 ? static_cast<std::uint32_t>(t.buffer_override) : tensor_buffer[i];
      fbb.AddElement<std::uint32_t>(slot(2), buffer, 0);
      fbb.AddOffset(slot(3), name);
      if (!quant.IsNull()) fbb.AddOffset(slot(4), quant);
      tensor_tables.push_back(Offset<Table>(fbb.EndTable(start)));
    }

    std::vector<Offset<Table>> op_tables;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const TestOp& op = ops[i];
      auto in = fbb.CreateVector(op.inputs);
      auto out = fbb.CreateVector(op.outputs);
      Offset<Table> options;
      if (op.options_type != 0) {
        auto start = fbb.StartTable();
        for (const OptionField& f : op.options) {
          if (f.size_bytes == 1) {
            fbb.AddElement<std::int8_t>(slot(f.slot), static_cast<std::int8_t>(f.value), 0);
          } else {
            fbb.AddElement<std::int32_t>(slot(f.slot), f.value, 0);
          }
        }
        options = Offset<Table>(fbb.EndTable(start));
      }
      auto start = fbb.StartTable();
      const std::uint32_t opcode = op.opcode_index_override >= 0
                                       ? static_cast<std::uint32_t>(op.opcode_index_override)
                                       : static_cast<std::uint32_t>(i);
      fbb.AddElement<std::uint32_t>(slot(0), opcode, 0);
      fbb.AddOffset(slot(1), in);
      fbb.AddOffset(slot(2), out);
      fbb.AddElement<std::uint8_t>(slot(3), op.options_type, 0);
      if (!options.IsNull()) fbb.AddOffset(slot(4), options);
      op_tables.push_back(Offset<Table>(fbb.EndTable(start)));
    }

    auto tensors_vec = fbb.CreateVector(tensor_tables);
    auto inputs_vec = fbb.CreateVector(inputs);
    auto outputs_vec = fbb.CreateVector(outputs);
    auto ops_vec = fbb.CreateVector(op_tables);
    auto sg_name = fbb.CreateString("main");
    auto sg_start = fbb.StartTable();
    fbb.AddOffset(slot(0), tensors_vec);
    fbb.AddOffset(slot(1), inputs_vec);
    fbb.AddOffset(slot(2), outputs_vec);
    fbb.AddOffset(slot(3), ops_vec);
    fbb.AddOffset(slot(4), sg_name);
    Offset<Table> subgraph(fbb.EndTable(sg_start));

    auto codes_vec = fbb.CreateVector(codes);
    auto subgraphs_vec = fbb.CreateVector(std::vector<Offset<Table>>{subgraph});
    auto description = fbb.CreateString("opcost test model");
    auto buffers_vec = fbb.CreateVector(buffers);
    auto model_start = fbb.StartTable();
    fbb.AddElement<std::uint32_t>(slot(0), version, 0);
    fbb.AddOffset(slot(1), codes_vec);
    fbb.AddOffset(slot(2), subgraphs_vec);
    fbb.AddOffset(slot(3), description);
    fbb.AddOffset(slot(4), buffers_vec);
    Offset<Table> model(fbb.EndTable(model_start));
    fbb.Finish(model, "TFL3");
    return std::vector<std::uint8_t>(fbb.GetBufferPointer(),
                                     fbb.GetBufferPointer() + fbb.GetSize());
  }
};

inline std::vector<std::uint8_t> Int32Bytes(const std::vector<std::int32_t>& values) {
  std::vector<std::uint8_t> out(values.size() * 4);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto v = static_cast<std::uint32_t>(values[i]);
    for (int b = 0; b < 4; ++b)
      out[i * 4 + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(v >> (8 * b));
  }
  return out;
}

}  // namespace opcost::testing

#endif  // OPCOST_TESTS_TFLITE_TFLITE_TEST_BUILDER_H_
