// Shape inference: computes every op output shape from its inputs and attributes and checks
// every input. A mismatch throws Error{kShapeMismatch} naming the op, the rule and the values:
//   cannot infer shape of conv2d node 'conv1' (#3): input channels must equal weight channels x
//   groups (got 16 vs 8 x 1)
//
//   opcost::InferShapes(graph);  // after building or loading; loaders call it for you
#ifndef OPCOST_SHAPE_INFERENCE_H_
#define OPCOST_SHAPE_INFERENCE_H_

#include "opcost/graph.h"

namespace opcost {

// Validates the graph structure (Graph::Validate) and infers the output shape (and dtype, which
// follows the first input unless the op says otherwise) of every node in execution order.
// Graph inputs and constants must have their shapes set. Throws kInvalidGraph, kShapeMismatch,
// kInvalidArgument (bad attribute such as a zero stride) or kOverflow.
void InferShapes(Graph& graph);

// Infers the outputs of one node whose input shapes are already known (used by builders that
// add one node at a time). Same errors as InferShapes, without the whole-graph validation.
void InferNodeShapes(Graph& graph, NodeId node);

}  // namespace opcost

#endif  // OPCOST_SHAPE_INFERENCE_H_
