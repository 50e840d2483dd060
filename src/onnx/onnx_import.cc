// The public entry points: read the file (bounded by the input budget), decode, map.
#include "opcost/onnx_import.h"

#include <filesystem>
#include <string>

#include "io/file_io.h"
#include "onnx/onnx_importer.h"
#include "onnx/onnx_model.h"
#include "opcost/error.h"

namespace opcost {
namespace {

std::string Stem(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  const std::size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  return name.empty() ? "model" : name;
}

Graph Import(const std::uint8_t* data, std::size_t size, const std::string& source,
             const OnnxImportOptions& options, const std::string& external_dir) {
  const onnx::OnnxModel model = onnx::ReadOnnxModel(data, size, source);
  onnx::Importer importer(model, source, options, external_dir);
  try {
    return importer.Run(Stem(source));
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(source, 0) == 0) throw;
    throw WithContext(e, source);
  }
}

}  // namespace

Graph ImportOnnxBuffer(const std::uint8_t* data, std::size_t size, const std::string& source_name,
                       const OnnxImportOptions& options) {
  return Import(data, size, source_name, options, options.external_data_dir);
}

Graph ImportOnnx(const std::string& path, const OnnxImportOptions& options) {
  // Bounded by MaxInputBytes (1 GiB by default): a file past it, or past protobuf's 2 GiB
  // message limit, is refused before it is read whole; big weights belong in external data.
  const std::string bytes = detail::ReadInputFile(path);
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return Import(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), path, options,
                dir);
}

}  // namespace opcost
