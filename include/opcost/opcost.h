// Umbrella header: includes the whole public API of opcost (declares nothing itself).
//
//   #include "opcost/opcost.h"
//   opcost::Graph g = opcost::LoadModel("models/mlperf_kws_ds_cnn.json");
//   opcost::NetworkMetrics m = opcost::ComputeMetrics(g);
#ifndef OPCOST_OPCOST_H_
#define OPCOST_OPCOST_H_

#include "opcost/arena_planner.h"
#include "opcost/builder.h"
#include "opcost/error.h"
#include "opcost/estimator.h"
#include "opcost/fit.h"
#include "opcost/graph.h"
#include "opcost/interpreter.h"
#include "opcost/liveness.h"
#include "opcost/memory.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"
#include "opcost/onnx_import.h"
#include "opcost/op_type.h"
#include "opcost/order_search.h"
#include "opcost/profile.h"
#include "opcost/profile_catalog.h"
#include "opcost/report.h"
#include "opcost/shape_inference.h"
#include "opcost/tflite_import.h"
#include "opcost/types.h"
#include "opcost/validation.h"

#endif  // OPCOST_OPCOST_H_
