// Maps a verified TFLite subgraph onto opcost's graph: one node per TFLite operator (plus a
// separate activation node where TFLite fuses an activation into an op opcost cannot fuse it
// into), tensors with their names, dtypes, quantization and constant bytes. docs/tflite.md.
// This file holds the run over the subgraph and the public entry points.
#include "opcost/tflite_import.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "io/file_io.h"
#include "opcost/error.h"
#include "opcost/shape_inference.h"
#include "tflite/tflite_importer.h"
#include "tflite/tflite_reader.h"

namespace opcost {
namespace tflite {

Importer::Importer(const TflModel& model, const std::string& source,
                   const TfliteImportOptions& options)
    : m_(model),
      source_(source),
      options_(options),
      // Constant data copied out of buffers: many tensors may name one buffer, so the copies
      // are bounded like the reader's decoding (16 bytes per file byte, at least 1 MiB).
      copy_budget_(
          source, "constant data copied from shared buffers grew",
          std::max<std::uint64_t>(std::uint64_t{16} * model.file_bytes, std::uint64_t{1} << 20),
          "bytes (16 per file byte, at least 1 MiB)"),
      graph_ids_(model.tensors.size(), kNoTensor),
      consumers_(model.tensors.size(), 0),
      first_reader_(model.tensors.size(), -1) {
  for (std::size_t i = 0; i < m_.operators.size(); ++i) {
    for (std::int32_t t : m_.operators[i].inputs) {
      if (t < 0) continue;
      ++consumers_[static_cast<std::size_t>(t)];
      if (first_reader_[static_cast<std::size_t>(t)] < 0) {
        first_reader_[static_cast<std::size_t>(t)] = static_cast<std::int64_t>(i);
      }
    }
  }
  for (std::int32_t t : m_.outputs) ++consumers_[static_cast<std::size_t>(t)];
}

Graph Importer::Run(const std::string& graph_name) {
  graph_.set_name(graph_name);
  std::string description = "Imported from TFLite file " + source_;
  if (!m_.description.empty()) description += " (" + m_.description + ")";
  graph_.set_description(description);

  std::vector<TensorId> inputs;
  for (std::int32_t t : m_.inputs) {
    const TensorId id = TensorFor(t);
    if (graph_.tensor(id).is_constant) {
      Fail(ErrorCode::kBadModel, "subgraph input " + Describe(t) + " holds constant data");
    }
    inputs.push_back(id);
  }
  graph_.SetInputs(inputs);

  skip_.assign(m_.operators.size(), false);
  for (std::size_t i = 0; i < m_.operators.size(); ++i) {
    if (!skip_[i]) MapOperator(i);
  }

  std::vector<TensorId> outputs;
  for (std::int32_t t : m_.outputs) outputs.push_back(TensorFor(t));
  graph_.SetOutputs(outputs);

  InferShapes(graph_);
  CheckAgainstFile();
  return std::move(graph_);
}

[[noreturn]] void Importer::Fail(ErrorCode code, const std::string& what) const {
  throw Error(code, source_ + ": " + what);
}

std::string Importer::Describe(std::int32_t t) const {
  return "tensor " + std::to_string(t) + " '" + m_.tensors[static_cast<std::size_t>(t)].name + "'";
}

std::string Importer::OpLabel(std::size_t i) const {
  const TflOperator& op = m_.operators[i];
  std::string name = tflite::BuiltinOpName(op.builtin_code);
  if (op.builtin_code == tflite::kOpCustom) name += " '" + op.custom_code + "'";
  return "operator " + std::to_string(i) + " (" + name + ")";
}

[[noreturn]] void Importer::OpFail(std::size_t i, ErrorCode code, const std::string& what) const {
  Fail(code, OpLabel(i) + ": " + what);
}

}  // namespace tflite

namespace {

std::string Stem(const std::string& path) {
  std::size_t start = path.find_last_of("/\\");
  start = start == std::string::npos ? 0 : start + 1;
  std::string name = path.substr(start);
  const std::size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  return name.empty() ? "model" : name;
}

}  // namespace

bool LooksLikeTflite(const std::uint8_t* data, std::size_t size) {
  return data != nullptr && size >= 8 && std::memcmp(data + 4, "TFL3", 4) == 0;
}

Graph ImportTfliteBuffer(const std::uint8_t* data, std::size_t size, const std::string& source_name,
                         const TfliteImportOptions& options) {
  // The flatbuffers Verifier checks alignment relative to the buffer start; reading needs the
  // start itself 8-byte aligned, so copy when it is not.
  std::vector<std::uint64_t> aligned;
  const std::uint8_t* bytes = data;
  if (data != nullptr && reinterpret_cast<std::uintptr_t>(data) % 8 != 0) {
    aligned.resize((size + 7) / 8);
    std::memcpy(aligned.data(), data, size);
    bytes = reinterpret_cast<const std::uint8_t*>(aligned.data());
  }
  const tflite::TflModel model = tflite::ReadTflite(bytes, size, source_name);
  tflite::Importer importer(model, source_name, options);
  try {
    return importer.Run(Stem(source_name));
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(source_name, 0) == 0) throw;
    throw WithContext(e, source_name);
  }
}

Graph ImportTflite(const std::string& path, const TfliteImportOptions& options) {
  const std::string bytes = detail::ReadInputFile(path);  // bounded by the input budget
  if (bytes.size() >= (std::size_t{1} << 31)) {
    throw Error(ErrorCode::kBadModel, path + ": file of " + std::to_string(bytes.size()) +
                                          " bytes exceeds the 2 GiB flatbuffer limit");
  }
  std::vector<std::uint64_t> words((bytes.size() + 7) / 8);  // 8-byte aligned storage
  if (!bytes.empty()) std::memcpy(words.data(), bytes.data(), bytes.size());
  return ImportTfliteBuffer(reinterpret_cast<const std::uint8_t*>(words.data()), bytes.size(), path,
                            options);
}

}  // namespace opcost
