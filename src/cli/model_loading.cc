// How every command loads a model: a TFLite flatbuffer (by its "TFL3" identifier, or a .tflite
// extension) through the TFLite importer, an .onnx file through the ONNX importer, anything else
// through the JSON model loader; "-" reads standard input.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/command.h"
#include "io/file_io.h"
#include "opcost/error.h"
#include "opcost/model_io.h"
#include "opcost/onnx_import.h"
#include "opcost/tflite_import.h"

namespace opcost::cli {
namespace {

bool HasExtension(const std::string& path, const std::string& ext) {
  if (path.size() < ext.size()) return false;
  std::string tail = path.substr(path.size() - ext.size());
  for (char& c : tail) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return tail == ext;
}

bool HasTfliteExtension(const std::string& path) { return HasExtension(path, ".tflite"); }

bool StartsLikeTflite(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  if (!in.read(head, sizeof(head))) return false;
  return LooksLikeTflite(reinterpret_cast<const std::uint8_t*>(head), sizeof(head));
}

}  // namespace

bool IsValidUtf8(const std::string& s) { return detail::IsValidUtf8(s); }

void CheckTfliteStrings(const Graph& g, const std::string& path) {
  auto fail = [&](const std::string& what) {
    throw Error(ErrorCode::kBadModel,
                path + ": " + what + " is not valid UTF-8 (FlatBuffers strings are UTF-8)");
  };
  for (std::size_t t = 0; t < g.tensors().size(); ++t) {
    if (!IsValidUtf8(g.tensors()[t].name)) fail("the name of tensor " + std::to_string(t));
  }
  for (std::size_t i = 0; i < g.nodes().size(); ++i) {
    const Node& node = g.nodes()[i];
    if (!IsValidUtf8(node.name)) fail("the name of op " + std::to_string(i));
    if (!IsValidUtf8(node.attrs.unsupported_name)) {
      fail("the operator code name of op " + std::to_string(i));
    }
  }
  // The description quotes the path too; a path that is not UTF-8 is the user's business.
  if (IsValidUtf8(path) && !IsValidUtf8(g.description())) fail("the model description");
}

void RejectDirectory(const std::string& path, const char* what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // Reading a directory as a stream yields no bytes: say what is wrong, not "malformed JSON".
    throw Error(ErrorCode::kIo, "'" + path + "' is a directory, not a " + what + " file");
  }
}

// "-": the model comes on standard input, its kind told by its bytes (a TFLite identifier, JSON's
// opening brace, else ONNX), so `cat m.tflite | opcost metrics -` and pipelines work.
Graph LoadModelFromStdin(bool allow_unsupported) {
  const std::string bytes = detail::ReadInputFile("/dev/stdin");
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::string name = "<stdin>";
  if (LooksLikeTflite(data, bytes.size())) {
    TfliteImportOptions options;
    options.allow_unsupported = allow_unsupported;
    Graph g = ImportTfliteBuffer(data, bytes.size(), name, options);
    CheckTfliteStrings(g, name);
    return g;
  }
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    throw Error(ErrorCode::kBadModel, name + ": empty input (expected a JSON, .tflite or .onnx model)");
  }
  if (bytes[first] == '{') return ParseModel(bytes, name);
  OnnxImportOptions options;
  options.allow_unsupported = allow_unsupported;
  try {
    return ImportOnnxBuffer(data, bytes.size(), name, options);
  } catch (const Error& e) {
    // Say what else it was tried as: the user may have meant JSON or TFLite.
    throw Error(e.code(), std::string(e.what()) +
                              " (standard input is read as ONNX when it is neither JSON, which "
                              "starts with '{', nor TFLite, which has the identifier TFL3)");
  }
}

Graph LoadModelForCli(const std::string& path, bool allow_unsupported) {
  if (path == "-") return LoadModelFromStdin(allow_unsupported);
  RejectDirectory(path, "model");
  if (HasTfliteExtension(path) || StartsLikeTflite(path)) {
    TfliteImportOptions options;
    options.allow_unsupported = allow_unsupported;
    Graph g = ImportTflite(path, options);
    CheckTfliteStrings(g, path);
    return g;
  }
  if (HasExtension(path, ".onnx")) {
    OnnxImportOptions options;
    options.allow_unsupported = allow_unsupported;
    return ImportOnnx(path, options);  // names checked for UTF-8 there
  }
  return LoadModel(path);
}

}  // namespace opcost::cli
