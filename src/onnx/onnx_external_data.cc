// External data (TensorProto.data_location = EXTERNAL): the weights live in another file next
// to the model. opcost only needs their size, so the file is measured, never read. A location
// must stay inside the model's directory (no absolute path, no "..", no symlink out of it).
#include <filesystem>
#include <system_error>

#include "onnx/onnx_importer.h"
#include "opcost/error.h"

namespace opcost::onnx {
namespace fs = std::filesystem;

std::int64_t ExternalDataBytes(const OnnxTensor& t, const std::string& base_dir,
                               const std::string& source) {
  const std::string where = source + ": initializer '" + t.name + "': external data";
  auto fail = [&](ErrorCode code, const std::string& rule) -> std::int64_t {
    throw Error(code, where + " '" + t.location + "': " + rule);
  };
  if (base_dir.empty()) {
    return fail(ErrorCode::kBadModel,
                "no directory to resolve it in (an in-memory model; set "
                "OnnxImportOptions::external_data_dir)");
  }
  if (t.location.empty()) return fail(ErrorCode::kBadModel, "has no location");
  const fs::path location(t.location);
  if (location.is_absolute() || location.has_root_name() || location.has_root_directory()) {
    return fail(ErrorCode::kBadModel, "location must be relative to the model's directory");
  }
  for (const fs::path& part : location.lexically_normal()) {
    if (part == "..") {
      return fail(ErrorCode::kBadModel, "location escapes the model's directory");
    }
  }
  std::error_code ec;
  const fs::path base = fs::canonical(fs::path(base_dir), ec);
  if (ec) return fail(ErrorCode::kIo, "cannot resolve the model directory (" + ec.message() + ")");
  const fs::path file = fs::canonical(base / location, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot open it (" + ec.message() + ")");
  const fs::path relative = file.lexically_relative(base);
  if (relative.empty() || *relative.begin() == "..") {
    return fail(ErrorCode::kBadModel, "resolves outside the model's directory (a symbolic link)");
  }
  if (!fs::is_regular_file(file, ec)) return fail(ErrorCode::kIo, "is not a regular file");
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec) return fail(ErrorCode::kIo, "cannot get its size (" + ec.message() + ")");
  const auto file_bytes = static_cast<std::int64_t>(size);
  if (t.external_offset > file_bytes) {
    return fail(ErrorCode::kBadModel, "offset " + std::to_string(t.external_offset) +
                                          " is past the end of the file (" +
                                          std::to_string(file_bytes) + " bytes)");
  }
  const std::int64_t left = file_bytes - t.external_offset;
  if (t.external_length < 0) return left;
  if (t.external_length > left) {
    return fail(ErrorCode::kBadModel, "offset " + std::to_string(t.external_offset) + " + length " +
                                          std::to_string(t.external_length) +
                                          " is past the end of the file (" +
                                          std::to_string(file_bytes) + " bytes)");
  }
  return t.external_length;
}

}  // namespace opcost::onnx
