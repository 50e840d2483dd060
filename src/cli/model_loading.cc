// How every command loads a model: a TFLite flatbuffer (by its "TFL3" identifier, or a .tflite
// extension) through the TFLite importer, anything else through the JSON model loader.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/command.h"
#include "opcost/error.h"
#include "opcost/model_io.h"
#include "opcost/tflite_import.h"

namespace opcost::cli {
namespace {

bool HasTfliteExtension(const std::string& path) {
  const std::string ext = ".tflite";
  if (path.size() < ext.size()) return false;
  std::string tail = path.substr(path.size() - ext.size());
  for (char& c : tail) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return tail == ext;
}

bool StartsLikeTflite(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  if (!in.read(head, sizeof(head))) return false;
  return LooksLikeTflite(reinterpret_cast<const std::uint8_t*>(head), sizeof(head));
}

}  // namespace

void RejectDirectory(const std::string& path, const char* what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // Reading a directory as a stream yields no bytes: say what is wrong, not "malformed JSON".
    throw Error(ErrorCode::kIo, "'" + path + "' is a directory, not a " + what + " file");
  }
}

Graph LoadModelForCli(const std::string& path) {
  RejectDirectory(path, "model");
  if (HasTfliteExtension(path) || StartsLikeTflite(path)) return ImportTflite(path);
  return LoadModel(path);
}

}  // namespace opcost::cli
