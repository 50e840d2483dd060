// How every command loads a model: JSON model files through the model loader. (The TFLite
// importer extends this to .tflite files.)
#include <string>

#include "cli/command.h"
#include "opcost/model_io.h"

namespace opcost::cli {

Graph LoadModelForCli(const std::string& path) { return LoadModel(path); }

}  // namespace opcost::cli
