// The JSON model format (docs/model-format.md): load, parse and save graphs.
//
//   opcost::Graph g = opcost::LoadModel("models/hello_edge_ds_cnn_s.json");   // shapes inferred
//   std::string text = opcost::SaveModelToString(g);               // round-trips to g
//
// Every load error is an Error{kBadModel} (or kIo, kInvalidGraph, kShapeMismatch, kOverflow)
// whose message names the file, the JSON path and the layer, e.g.
//   models/x.json: /layers/3 (layer 'conv2'): unknown field "kernal"
#ifndef OPCOST_MODEL_IO_H_
#define OPCOST_MODEL_IO_H_

#include <string>

#include "opcost/graph.h"

namespace opcost {

constexpr int kModelFormatVersion = 1;

// Reads and parses a JSON model file; runs InferShapes.
Graph LoadModel(const std::string& path);
// Parses JSON text; `source_name` is used in error messages in place of a file name.
Graph ParseModel(const std::string& json_text, const std::string& source_name = "<model>");
// Writes the general (DAG) form: every layer with explicit inputs and outputs, every graph
// input and constant declared in "tensors" (with data and quantization when present).
std::string SaveModelToString(const Graph& graph);
void SaveModel(const Graph& graph, const std::string& path);  // throws kIo

}  // namespace opcost

#endif  // OPCOST_MODEL_IO_H_
