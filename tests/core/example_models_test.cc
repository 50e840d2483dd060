// The bundled example networks (models/*.json) checked against the published or derived figures
// in ../shared/measured/ (OPCOST_SHARED_DIR). Each expected number names its file and row; where a
// source is exact the check is exact, where it is rounded or truncated it allows exactly that.
// "md" below is ../shared/measured/model_architectures.md.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "opcost/graph.h"
#include "opcost/metrics.h"
#include "opcost/model_io.h"

namespace opcost {
namespace {

std::string ModelPath(const std::string& stem) {
  return std::string(OPCOST_SOURCE_DIR) + "/models/" + stem + ".json";
}

struct Loaded {
  Graph graph;
  NetworkMetrics metrics;
};

Loaded Load(const std::string& stem) {
  Loaded l{LoadModel(ModelPath(stem)), {}};
  l.metrics = ComputeMetrics(l.graph);
  return l;
}

// Largest input_bytes + output_bytes of one op: the activation peak of a plain chain executed
// with two buffers (what the "live act. bytes" columns of md section 3 give for chains).
std::int64_t MaxOpActivationBytes(const NetworkMetrics& m) {
  std::int64_t peak = 0;
  for (const OpMetrics& op : m.layers) peak = std::max(peak, op.input_bytes + op.output_bytes);
  return peak;
}

// A figure published truncated to one unit of `step`: stated <= value < stated + step.
void ExpectTruncatedTo(std::int64_t value, double stated, double step) {
  const auto v = static_cast<double>(value);
  EXPECT_GE(v, stated * (1 - 1e-12)) << "stated " << stated;
  EXPECT_LT(v, stated + step) << "stated " << stated;
}

// ---------------------------------------------------------------------------------------------
// Totals of every bundled model; nodes = op count (the sources' layer tables, or the file's own).
struct ExpectedTotals {
  const char* model;
  std::int64_t macs;
  std::int64_t params;  // weights + biases, BatchNorm folded
  std::int64_t nodes;
  bool other_area = false;  // a file another area adds to models/; skipped while it is absent
};

void PrintTo(const ExpectedTotals& e, std::ostream* os) { *os << e.model; }

// Hello Edge recurrent models: no totals are published (hello_edge_kws_models.csv columns
// paper_memory_KB / paper_ops are "NOT FOUND"), so the expectations are derived here from the
// exact hyper-parameters of that file (model_size_info column) with md section 2's per-step
// formulas, written out as expressions. Input features F = 10 MFCC; 12 classes.
constexpr std::int64_t BasicLstmMacs(std::int64_t u) {  // md: per-step MACs = 4*(10+n)*n, 49 steps
  return 49 * 4 * (10 + u) * u + u * 12;
}
constexpr std::int64_t BasicLstmParams(std::int64_t u) {  // kernel [10+u,4u] + bias 4u; FC u*12+12
  return 4 * u * (10 + u) + 4 * u + u * 12 + 12;
}
// md: LSTM per-step MACs = 4*(10+proj)*cells + 3*cells + cells*proj. The 3*cells term is the
// peephole products; opcost's lstm op has no peepholes (docs/model-format.md), so it is
// subtracted here, and the 3*cells peephole weights are missing from params likewise.
constexpr std::int64_t LstmMacs(std::int64_t p, std::int64_t u, std::int64_t t) {
  return t * (4 * (10 + p) * u + 3 * u + u * p) - t * 3 * u + p * 12;
}
constexpr std::int64_t LstmParams(std::int64_t p, std::int64_t u) {
  return 4 * u * (10 + p) + 4 * u + p * u + p * 12 + 12;
}
constexpr std::int64_t GruMacs(std::int64_t u, std::int64_t t) {  // md: 3*(10+n)*n per step
  return t * 3 * (10 + u) * u + u * 12;
}
constexpr std::int64_t GruParams(std::int64_t u) {  // gates + candidate kernels and biases
  return 3 * u * (10 + u) + 3 * u + u * 12 + 12;
}
// CRNN: conv c (10x4 VALID) -> 20 x w x c; 20 steps of w*c features; 2 GRU of u; FC f; FC 12.
constexpr std::int64_t CrnnMacs(std::int64_t c, std::int64_t w, std::int64_t u, std::int64_t f) {
  return 20 * w * c * 10 * 4 + 20 * 3 * u * (w * c + u) + 20 * 3 * u * (u + u) + u * f + f * 12;
}
constexpr std::int64_t CrnnParams(std::int64_t c, std::int64_t w, std::int64_t u,
                                  std::int64_t f) {
  return (40 * c + c) + (3 * u * (w * c + u) + 3 * u) + (3 * u * (2 * u) + 3 * u) +
         (u * f + f) + (f * 12 + 12);
}

const ExpectedTotals kTotals[] = {
    // md section 1 "cmsisnn_cifar10_m4 (32-16-32)": "Total derived MACs = 6,558,720;
    // weights+biases = 33,210"; 10 layers in the table (kernel calls of code/m4).
    {"cifar10_cmsisnn", 6558720, 33210, 10},
    // md section 1 "cmsisnn_cifar10_m7 (32-32-64)": 12,298,240 MACs; 89,578 weights+biases.
    {"cifar10_cmsisnn_m7", 12298240, 89578, 10},

    // md section 3, "KWS DS-CNN (from the reference .tflite)" total row 2656768 MACs, 13 ops;
    // consistency check at the top of md: 22,604 weights+biases.
    {"mlperf_kws_ds_cnn", 2656768, 22604, 13},
    // md section 3 "VWW MobileNetV1-0.25 96x96" total row 7489664 MACs, 31 ops; md consistency
    // check: 210,850 weights+biases.
    {"mlperf_vww_mobilenet_v1_025", 7489664, 210850, 31},
    // md section 3 "IC ResNet-8" total row 12501632 MACs, 16 ops; md consistency check: 77,706.
    {"mlperf_ic_resnet8", 12501632, 77706, 16},
    // md section 3 "AD FC autoencoder" total row 264192 MACs, 10 ops; md check: 265,864.
    {"mlperf_ad_autoencoder", 264192, 265864, 10},

    // md section 2 derived tables "HelloEdge DNN-S" (79,200 / 79,644, 4 layers) and the line
    // "DNN-M / DNN-L totals (derived)": 198,144 / 198,924 and 494,424 / 495,744.
    {"hello_edge_dnn_s", 79200, 79644, 4},
    {"hello_edge_dnn_m", 198144, 198924, 4},
    {"hello_edge_dnn_l", 494424, 495744, 4},
    // md section 2 "HelloEdge CNN-S/M/L (derived)" totals, 5 layers each.
    {"hello_edge_cnn_s", 2498304, 69238, 5},
    {"hello_edge_cnn_m", 8633856, 178444, 5},
    {"hello_edge_cnn_l", 12636672, 476206, 5},
    // md section 2 "HelloEdge DS-CNN-S/M/L (derived)" totals; 11, 11 and 13 layers.
    {"hello_edge_ds_cnn_s", 2656768, 22604, 11},
    {"hello_edge_ds_cnn_m", 9816384, 135032, 11},
    {"hello_edge_ds_cnn_l", 28327812, 410700, 13},
    // hello_edge_kws_models.csv rows "Basic LSTM,S/M/L": 118 / 214 / 344 units, 49x10 input.
    {"hello_edge_basic_lstm_s", BasicLstmMacs(118), BasicLstmParams(118), 2},
    {"hello_edge_basic_lstm_m", BasicLstmMacs(214), BasicLstmParams(214), 2},
    {"hello_edge_basic_lstm_l", BasicLstmMacs(344), BasicLstmParams(344), 2},
    // rows "LSTM,S/M/L": model_size_info "98 144" (25x10), "130 280" and "188 500" (49x10).
    {"hello_edge_lstm_s", LstmMacs(98, 144, 25), LstmParams(98, 144), 2},
    {"hello_edge_lstm_m", LstmMacs(130, 280, 49), LstmParams(130, 280), 2},
    {"hello_edge_lstm_l", LstmMacs(188, 500, 49), LstmParams(188, 500), 2},
    // rows "GRU,S/M/L": "1 154" (25x10), "1 250" and "1 400" (49x10).
    {"hello_edge_gru_s", GruMacs(154, 25), GruParams(154), 2},
    {"hello_edge_gru_m", GruMacs(250, 49), GruParams(250), 2},
    {"hello_edge_gru_l", GruMacs(400, 49), GruParams(400), 2},
    // rows "CRNN,S/M/L": "48 10 4 2 2 2 60 84", "128 10 4 2 2 2 76 164", "100 10 4 2 1 2 136 188";
    // conv output 20x4 (S, M) and 20x7 (L) as md section 2 states.
    {"hello_edge_crnn_s", CrnnMacs(48, 4, 60, 84), CrnnParams(48, 4, 60, 84), 6},
    {"hello_edge_crnn_m", CrnnMacs(128, 4, 76, 164), CrnnParams(128, 4, 76, 164), 6},
    {"hello_edge_crnn_l", CrnnMacs(100, 7, 136, 188), CrnnParams(100, 7, 136, 188), 6},

    // MobileNetV2 0.35: only rounded aggregates are published (checked in the tests below); the
    // exact values here are a hand computation from Sandler et al. Table 2 with channels
    // 16 | 8 | 8,8 | 16 x3 | 24 x4 | 32 x3 | 56 x3 | 112 | last, expansion 6 (see docs/models.md).
    {"mobilenet_v2_035_144", 23499152, 744072, 64},
    {"mobilenet_v2_035_128", 20220672, 1670088, 65},

    // Hand-written memory-test networks (no external source): per layer, conv MACs =
    // OH*OW*Cout*KH*KW*Cin. DenseNet block on 16x16: bottleneck i reads 16*i channels ->
    // 256*64*16*i; 3x3 conv 256*16*9*64 each; transition 256*56*112. Sum over i = 1..6.
    {"densenet_block", 256 * 64 * 16 * 21 + 6 * 256 * 16 * 9 * 64 + 256 * 56 * 112,
     64 * 16 * 21 + 6 * 64 + 6 * (16 * 9 * 64 + 16) + (56 * 112 + 56), 20},
    {"densenet_block_chain", 256 * 64 * 16 * 21 + 6 * 256 * 16 * 9 * 64 + 256 * 56 * 112,
     64 * 16 * 21 + 6 * 64 + 6 * (16 * 9 * 64 + 16) + (56 * 112 + 56), 20},
    // NAS cell on 16x16x32: 21 edges, 7 of each kind (conv 3x3: 256*32*9*32 MACs, 9216+32
    // params; conv 1x1: 256*32*32, 1024+32; depthwise 3x3: 256*32*9, 288+32) and 15 adds.
    {"nas_cell", 7 * (256 * 32 * 9 * 32 + 256 * 32 * 32 + 256 * 32 * 9),
     7 * ((9216 + 32) + (1024 + 32) + (288 + 32)), 36},
    {"nas_cell_chain", 7 * (256 * 32 * 9 * 32 + 256 * 32 * 32 + 256 * 32 * 9),
     7 * ((9216 + 32) + (1024 + 32) + (288 + 32)), 36},
    // The 9-node cell (order search, issue 16): 45 edges cycling conv 3x3 (12), conv 1x1 (11),
    // depthwise 3x3 (11) and 3x3 average pooling (11, no MACs); 36 adds; a 1x1 projection (the
    // twelfth 1x1 conv) and a global average pool.
    {"nas_cell_9node", 12 * (256 * 32 * 9 * 32 + 256 * 32 * 32) + 11 * 256 * 32 * 9,
     12 * ((9216 + 32) + (1024 + 32)) + 11 * (288 + 32), 83},

    // The memory area's peak-memory example (md section 5): derived_layer_tables.csv rows
    // "tflite-tools README example", MACs 388800 + 1806336 + 401408 + 1280 and params
    // 448 + 2320 + 401536 + 1290; 6 ops (Conv1, Conv2, max pool, FC1, FC2, softmax).
    {"tflite_tools_example", 388800 + 1806336 + 401408 + 1280, 448 + 2320 + 401536 + 1290, 6,
     true},
};

class ExampleModelsTotals : public ::testing::TestWithParam<ExpectedTotals> {};

TEST_P(ExampleModelsTotals, MacsParamsAndOpCount) {
  const ExpectedTotals& e = GetParam();
  if (e.other_area && !std::filesystem::exists(ModelPath(e.model))) {
    GTEST_SKIP() << e.model << ".json is not (yet) in models/";
  }
  const Loaded l = Load(e.model);
  EXPECT_EQ(l.metrics.total.macs, e.macs);
  EXPECT_EQ(l.metrics.total.params, e.params);
  EXPECT_EQ(l.metrics.total.weight_params + l.metrics.total.bias_params, e.params);
  // int8 weights and int32 biases (docs/model-format.md): the weight bytes of docs/models.md.
  EXPECT_EQ(l.metrics.total.weight_bytes,
            l.metrics.total.weight_params + 4 * l.metrics.total.bias_params);
  if (e.nodes >= 0) {
    EXPECT_EQ(static_cast<std::int64_t>(l.graph.nodes().size()), e.nodes);
  }
  // Every bundled model cites where it comes from.
  EXPECT_NE(l.graph.description().find("../shared/"), std::string::npos) << e.model;
  EXPECT_EQ(l.graph.name(), e.model);
  // Saving and reloading gives the same per-op counts.
  const NetworkMetrics again = ComputeMetrics(ParseModel(SaveModelToString(l.graph), e.model));
  ASSERT_EQ(again.layers.size(), l.metrics.layers.size());
  for (std::size_t i = 0; i < again.layers.size(); ++i) {
    EXPECT_EQ(again.layers[i].macs, l.metrics.layers[i].macs) << i;
    EXPECT_EQ(again.layers[i].params, l.metrics.layers[i].params) << i;
    EXPECT_EQ(again.layers[i].output_bytes, l.metrics.layers[i].output_bytes) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(ExampleModels, ExampleModelsTotals, ::testing::ValuesIn(kTotals),
                         [](const ::testing::TestParamInfo<ExpectedTotals>& param_info) {
                           return std::string(param_info.param.model);
                         });

TEST(ExampleModels, EveryBundledModelHasExpectedTotals) {
  std::set<std::string> expected;
  for (const ExpectedTotals& e : kTotals) {
    if (!e.other_area || std::filesystem::exists(ModelPath(e.model))) expected.insert(e.model);
  }
  std::set<std::string> found;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OPCOST_SOURCE_DIR) + "/models")) {
    if (entry.path().extension() == ".json") found.insert(entry.path().stem().string());
  }
  EXPECT_EQ(found, expected);
}

// ---------------------------------------------------------------------------------------------
// Per layer against ../shared/measured/derived_layer_tables.csv, read at test time: MACs,
// weights+biases (BN folded), output elements and MACs per output of every row of the models
// bundled here. Layers are matched by name (the model files use the table's layer names).

// Splits one CSV line with RFC 4180 quoting (no embedded newlines in this file).
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else if (c != '\r') {
      cells.back() += c;
    }
  }
  return cells;
}

TEST(ExampleModels, PerLayerDerivedTables) {
  // derived_layer_tables.csv "model" column -> bundled model. The remaining model of the file,
  // "tflite-tools README example", uses the tool's tensor names and is not matched here.
  const std::map<std::string, std::string> kModels = {
      {"cmsisnn_cifar10_m7 (32-32-64)", "cifar10_cmsisnn_m7"},
      {"cmsisnn_cifar10_m4 (32-16-32)", "cifar10_cmsisnn"},
      {"MLPerfTiny KWS DS-CNN", "mlperf_kws_ds_cnn"},
      {"MLPerfTiny VWW MobileNetV1-0.25 96x96", "mlperf_vww_mobilenet_v1_025"},
      {"MLPerfTiny IC ResNet-8 (v0.5-v1.3 ref, 16/32/64)", "mlperf_ic_resnet8"},
      {"MLPerfTiny AD FC-AutoEncoder", "mlperf_ad_autoencoder"},
      {"HelloEdge DNN-S", "hello_edge_dnn_s"},
      {"HelloEdge DNN-M", "hello_edge_dnn_m"},
      {"HelloEdge DNN-L", "hello_edge_dnn_l"},
      {"HelloEdge CNN-S", "hello_edge_cnn_s"},
      {"HelloEdge CNN-M", "hello_edge_cnn_m"},
      {"HelloEdge CNN-L", "hello_edge_cnn_l"},
      {"HelloEdge DS-CNN-S", "hello_edge_ds_cnn_s"},
      {"HelloEdge DS-CNN-M", "hello_edge_ds_cnn_m"},
      {"HelloEdge DS-CNN-L", "hello_edge_ds_cnn_l"},
  };
  std::ifstream in(std::string(OPCOST_SHARED_DIR) + "/measured/derived_layer_tables.csv");
  ASSERT_TRUE(in) << "cannot read derived_layer_tables.csv under " << OPCOST_SHARED_DIR;
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const std::vector<std::string> header = SplitCsvLine(line);
  const auto column = [&header](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t c_model = column("model"), c_layer = column("layer"), c_macs = column("macs"),
                    c_params = column("params_weights_plus_bias"),
                    c_out = column("out_elems"), c_mpo = column("macs_per_output");
  std::map<std::string, Loaded> loaded;
  std::set<std::string> models_seen;
  int rows_checked = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = SplitCsvLine(line);
    ASSERT_EQ(cells.size(), header.size()) << line;
    const auto m = kModels.find(cells[c_model]);
    if (m == kModels.end()) continue;
    auto it = loaded.find(m->second);
    if (it == loaded.end()) it = loaded.emplace(m->second, Load(m->second)).first;
    const Loaded& l = it->second;
    const std::string& layer = cells[c_layer];
    SCOPED_TRACE(m->second + " / " + layer);
    const NodeId id = l.graph.FindNode(layer);
    ASSERT_NE(id, kNoNode);
    const OpMetrics& op = l.metrics.layers[static_cast<std::size_t>(id)];
    EXPECT_EQ(op.macs, std::stoll(cells[c_macs]));
    EXPECT_EQ(op.params, std::stoll(cells[c_params]));
    EXPECT_EQ(op.output_elements, std::stoll(cells[c_out]));
    EXPECT_DOUBLE_EQ(op.macs_per_output, std::stod(cells[c_mpo]));
    models_seen.insert(m->second);
    ++rows_checked;
  }
  EXPECT_EQ(models_seen.size(), kModels.size());
  EXPECT_EQ(rows_checked, 146);  // 152 data rows minus the 6 tflite-tools rows
}

// ---------------------------------------------------------------------------------------------
// MLPerf Tiny: per-op MACs, constant bytes and activation bytes against the op tables of md
// section 3, which were read from the reference int8 .tflite files.

std::vector<std::int64_t> Column(const NetworkMetrics& m, std::int64_t OpMetrics::*field) {
  std::vector<std::int64_t> v;
  for (const OpMetrics& op : m.layers) v.push_back(op.*field);
  return v;
}

std::vector<std::int64_t> ActivationColumn(const NetworkMetrics& m) {
  std::vector<std::int64_t> v;
  for (const OpMetrics& op : m.layers) v.push_back(op.input_bytes + op.output_bytes);
  return v;
}

TEST(ExampleModels, MlperfKwsPerOp) {
  const Loaded l = Load("mlperf_kws_ds_cnn");
  // md section 3 "KWS DS-CNN (from the reference .tflite)", column "MACs (derived)", ops 0-12.
  const std::vector<std::int64_t> macs = {320000, 72000, 512000, 72000, 512000, 72000, 512000,
                                          72000,  512000, 0,     0,      768,   0};
  EXPECT_EQ(Column(l.metrics, &OpMetrics::macs), macs);
  // Same table, column "const bytes" (int8 weights + int32 bias). Op 10 (RESHAPE) has 8 bytes
  // there: its int32[2] new-shape tensor, which opcost holds as an attribute, hence 0 here.
  const std::vector<std::int64_t> const_bytes = {2816, 832, 4352, 832, 4352, 832, 4352,
                                                 832,  4352, 0,   0,    816, 0};
  EXPECT_EQ(Column(l.metrics, &OpMetrics::weight_bytes), const_bytes);
  EXPECT_EQ(l.metrics.total.weight_bytes, 24376 - 8);  // total row 24376 minus the reshape shape
  // Column "live act. bytes (derived)": for this chain, input + output bytes of each op.
  const std::vector<std::int64_t> live = {8490,  16000, 16000, 16000, 16000, 16000, 16000,
                                          16000, 16000, 8064,  128,   76,    24};
  EXPECT_EQ(ActivationColumn(l.metrics), live);
  // hello_edge_kws_deployment_buffers.csv row DS-CNN-S: two consecutive 25x5x64 buffers = 16000 B.
  EXPECT_EQ(MaxOpActivationBytes(l.metrics), 16000);
}

TEST(ExampleModels, MlperfVwwPerOp) {
  const Loaded l = Load("mlperf_vww_mobilenet_v1_025");
  // md section 3 "VWW MobileNetV1-0.25 96x96 (from the reference .tflite)", MACs, ops 0-30.
  const std::vector<std::int64_t> macs = {
      497664, 165888, 294912, 82944,  294912, 165888, 589824, 41472,  294912, 82944, 589824,
      20736,  294912, 41472,  589824, 41472,  589824, 41472,  589824, 41472,  589824, 41472,
      589824, 10368,  294912, 20736,  589824, 0,      0,      512,    0};
  EXPECT_EQ(Column(l.metrics, &OpMetrics::macs), macs);
  // Same table, "const bytes"; the RESHAPE (op 28) shape tensor (8 bytes) is an attribute here.
  const std::vector<std::int64_t> const_bytes = {
      248,  104,   192,   208,  640,   416,  1152,  416,   2304,  832,   4352,
      832,  8704,  1664,  16896, 1664, 16896, 1664, 16896, 1664,  16896, 1664,
      16896, 1664, 33792, 3328, 66560, 0,     0,     520,   0};
  EXPECT_EQ(Column(l.metrics, &OpMetrics::weight_bytes), const_bytes);
  EXPECT_EQ(l.metrics.total.weight_bytes, 219072 - 8);  // total row 219072 minus reshape shape
  // "live act. bytes (derived)" = input + output bytes of each op of this chain; peak 55296.
  const std::vector<std::int64_t> live = {
      46080, 36864, 55296, 46080, 27648, 36864, 36864, 23040, 13824, 18432, 18432,
      11520, 6912,  9216,  9216,  9216,  9216,  9216,  9216,  9216,  9216,  9216,
      9216,  5760,  3456,  4608,  4608,  2560,  512,   258,   4};
  EXPECT_EQ(ActivationColumn(l.metrics), live);
  EXPECT_EQ(MaxOpActivationBytes(l.metrics), 55296);
}

TEST(ExampleModels, MlperfResnet8PerOp) {
  const Loaded l = Load("mlperf_ic_resnet8");
  // md section 3 "IC ResNet-8 (from the reference .tflite)", MACs, ops 0-15 (same op order).
  const std::vector<std::int64_t> macs = {442368, 2359296, 2359296, 0, 1179648, 2359296,
                                          131072, 0,       1179648, 2359296, 131072, 0,
                                          0,      0,       640,     0};
  EXPECT_EQ(Column(l.metrics, &OpMetrics::macs), macs);
  const std::vector<std::int64_t> const_bytes = {496,   2368, 2368, 0, 4736, 9344, 640, 0,
                                                 18688, 37120, 2304, 0, 0,   0,    680, 0};
  EXPECT_EQ(Column(l.metrics, &OpMetrics::weight_bytes), const_bytes);
  EXPECT_EQ(l.metrics.total.weight_bytes, 78752 - 8);  // total row minus the reshape shape
  // The residual adds read two 32x32x16 / 16x16x32 / 8x8x64 int8 tensors.
  EXPECT_EQ(l.metrics.layers[3].input_bytes, 2 * 16384);
  EXPECT_EQ(l.metrics.layers[7].input_bytes, 2 * 8192);
  EXPECT_EQ(l.metrics.layers[11].input_bytes, 2 * 4096);
}

TEST(ExampleModels, MlperfAutoencoderPerOp) {
  const Loaded l = Load("mlperf_ad_autoencoder");
  // md section 3 "AD FC autoencoder (from the reference .tflite)", MACs and const bytes.
  const std::vector<std::int64_t> macs = {81920, 16384, 16384, 16384, 1024,
                                          1024,  16384, 16384, 16384, 81920};
  EXPECT_EQ(Column(l.metrics, &OpMetrics::macs), macs);
  const std::vector<std::int64_t> const_bytes = {82432, 16896, 16896, 16896, 1056,
                                                 1536,  16896, 16896, 16896, 84480};
  EXPECT_EQ(Column(l.metrics, &OpMetrics::weight_bytes), const_bytes);
  EXPECT_EQ(l.metrics.total.weight_bytes, 270880);  // total row: no reshape in this model
  const std::vector<std::int64_t> live = {768, 256, 256, 256, 136, 136, 256, 256, 256, 768};
  EXPECT_EQ(ActivationColumn(l.metrics), live);
}

// ---------------------------------------------------------------------------------------------
// CMSIS-NN CIFAR-10: the rounded "Network statistics" of cmsisnn_cifar10.csv.

TEST(ExampleModels, CmsisNnCifar10Statistics) {
  const Loaded l = Load("cifar10_cmsisnn");
  const NetworkMetrics& m = l.metrics;
  // Layer order: conv1 pool1 relu1 conv2 relu2 pool2 conv3 relu3 pool3 ip1 (md section 1).
  ASSERT_EQ(m.layers.size(), 10u);
  // cmsisnn_cifar10.csv "stated" rows, ops with 1 MAC = 2 ops. The figures are truncated, not
  // rounded (Conv2 6,553,600 ops is written "6.5 MOps"), so each value must lie in
  // [stated, stated + one unit of its last digit).
  // Conv1 "4.9 MOps", Conv2 "6.5 MOps", Conv3 "1.6 MOps", IP1 "10k".
  ExpectTruncatedTo(2 * m.layers[0].macs, 4.9e6, 0.1e6);
  ExpectTruncatedTo(2 * m.layers[3].macs, 6.5e6, 0.1e6);
  ExpectTruncatedTo(2 * m.layers[6].macs, 1.6e6, 0.1e6);
  ExpectTruncatedTo(2 * m.layers[9].macs, 10e3, 1e3);
  // The source counts one op per pooling window element, 9 per output of a 3x3 window. opcost's
  // average pool has 8 additions + 1 division per output, the same 9: Pool2 "9.2 kOps", Pool3
  // "4.6k".
  ExpectTruncatedTo(m.layers[5].other_ops, 9.2e3, 0.1e3);
  ExpectTruncatedTo(m.layers[8].other_ops, 4.6e3, 0.1e3);
  // opcost counts a max over 9 values as 8 comparisons (docs/metrics.md), one op per output
  // less than the source: Pool1 "73.7 kOps" = comparisons + outputs.
  EXPECT_EQ(m.layers[1].comparisons, 16 * 16 * 32 * 8);
  ExpectTruncatedTo(m.layers[1].comparisons + m.layers[1].output_elements, 73.7e3, 0.1e3);
  // "Total Ops: 13.2 MOps" counts convolutions, FC and pooling in that way (no bias adds, no
  // relu): 13,208,992. (With opcost's max-pool count it would be 13,196,800.)
  std::int64_t pooling_ops = 0;
  for (const OpMetrics& op : m.layers) {
    if (op.category == OpCategory::kPooling) pooling_ops += op.other_ops;
  }
  ExpectTruncatedTo(2 * m.total.macs + pooling_ops + m.layers[1].output_elements, 13.2e6, 0.1e6);
  // Weights: CMSIS_5 arm_nnexamples_cifar10.cpp row "weights_memory 32.3 KB" (KiB) = int8
  // weights without biases; md section 1 consistency check: 33,120 B.
  EXPECT_EQ(m.total.weight_params, 33120);
  ExpectTruncatedTo(m.total.weight_params, 32.3 * 1024, 0.1 * 1024);
  // Per-layer "weight_size" rows: Conv1 "2.34kB" (2400 B = 2.34 KiB), Conv2 and Conv3
  // "12.8kB" (12800 B), IP1 "5kB" (5120 B = 5 KiB).
  EXPECT_EQ(m.layers[0].weight_params, 2400);
  EXPECT_EQ(m.layers[3].weight_params, 12800);
  EXPECT_EQ(m.layers[6].weight_params, 12800);
  EXPECT_EQ(m.layers[9].weight_params, 5120);
  // Activation buffers "40 KB" / scratch_buffer 40960 B: the ping-pong pair conv1 output
  // (32x32x32) + pool1 output (16x16x32) = 40,960 B (md consistency check).
  EXPECT_EQ(MaxOpActivationBytes(m), 40960);
  // activation_tensor_size rows: "32kB" conv1 out, "8kB" pool1 out, "1kB" pool2 out, "2kB"
  // conv3 out, "0.5kB" pool3 out (conv2 out "8kB as written" is really 4 KiB, see the CSV).
  EXPECT_EQ(m.layers[0].output_bytes, 32 * 1024);
  EXPECT_EQ(m.layers[1].output_bytes, 8 * 1024);
  EXPECT_EQ(m.layers[3].output_bytes, 4 * 1024);
  EXPECT_EQ(m.layers[5].output_bytes, 1 * 1024);
  EXPECT_EQ(m.layers[6].output_bytes, 2 * 1024);
  EXPECT_EQ(m.layers[8].output_bytes, 512);
  EXPECT_EQ(m.layers[0].input_bytes, 3 * 1024);  // "input 32x32x3 ... 3kB"
}

// ---------------------------------------------------------------------------------------------
// Hello Edge: per-layer figures of md section 2's derived tables and the deployed buffers.

TEST(ExampleModels, HelloEdgeDsCnnSMatchesMlperfKwsAndDeployment) {
  const Loaded he = Load("hello_edge_ds_cnn_s");
  // md section 3: the MLPerf KWS DS-CNN has the "same topology as Hello Edge DS-CNN-S".
  const Loaded mlperf = Load("mlperf_kws_ds_cnn");
  EXPECT_EQ(he.metrics.total.macs, mlperf.metrics.total.macs);
  EXPECT_EQ(he.metrics.total.params, mlperf.metrics.total.params);
  // hello_edge_kws_deployment_buffers.csv row DS-CNN-S: 2*64*25*5 = 16000 B of activations.
  EXPECT_EQ(MaxOpActivationBytes(he.metrics), 16000);
}

TEST(ExampleModels, HelloEdgePerLayerDerivedTables) {
  // md section 2 "HelloEdge DS-CNN-M (derived)": MACs and W+B per layer.
  const Loaded m = Load("hello_edge_ds_cnn_m");
  EXPECT_EQ(Column(m.metrics, &OpMetrics::macs),
            (std::vector<std::int64_t>{1720000, 100620, 1922960, 100620, 1922960, 100620,
                                       1922960, 100620, 1922960, 0, 2064}));
  EXPECT_EQ(Column(m.metrics, &OpMetrics::params),
            (std::vector<std::int64_t>{7052, 1720, 29756, 1720, 29756, 1720, 29756, 1720, 29756,
                                       0, 2076}));
  // md section 2 "HelloEdge CNN-L (derived)".
  const Loaded c = Load("hello_edge_cnn_l");
  EXPECT_EQ(Column(c.metrics, &OpMetrics::macs),
            (std::vector<std::int64_t>{672000, 11673600, 282112, 7424, 1536}));
  EXPECT_EQ(Column(c.metrics, &OpMetrics::params),
            (std::vector<std::int64_t>{2460, 182476, 282170, 7552, 1548}));
  // derived_layer_tables.csv "HelloEdge CNN-S" conv2 row: 1120.0 MACs per output.
  const Loaded s = Load("hello_edge_cnn_s");
  EXPECT_DOUBLE_EQ(s.metrics.layers[1].macs_per_output, 1120.0);
}

TEST(ExampleModels, HelloEdgeRecurrentShapes) {
  // md section 2: the CRNN conv output is 20x4 (S, M) and 20x7 (L): 20 GRU time steps.
  const Loaded s = Load("hello_edge_crnn_s");
  EXPECT_EQ(s.graph.tensor(s.graph.FindTensor("conv1")).shape, (Shape{1, 20, 4, 48}));
  const Loaded l = Load("hello_edge_crnn_l");
  EXPECT_EQ(l.graph.tensor(l.graph.FindTensor("conv1")).shape, (Shape{1, 20, 7, 100}));
  // LSTM-S: the last projected output (98) feeds the classifier.
  const Loaded lstm = Load("hello_edge_lstm_s");
  EXPECT_EQ(lstm.graph.tensor(lstm.graph.FindTensor("lstm")).shape, (Shape{1, 98}));
  EXPECT_EQ(lstm.metrics.layers[0].category, OpCategory::kFullyConnected);
}

// ---------------------------------------------------------------------------------------------
// MobileNetV2 0.35: rounded published aggregates.

TEST(ExampleModels, MobileNetV2At144MatchesMcunetZoo) {
  const Loaded l = Load("mobilenet_v2_035_144");
  const NetworkMetrics& m = l.metrics;
  // mcunet_model_zoo.csv row mbv2-w0.35: MACs "23.5M" (rounded to 0.1M).
  EXPECT_NEAR(static_cast<double>(m.total.macs), 23.5e6, 0.05e6);
  // Same row: params "0.75M". The zoo counts PyTorch parameters: BatchNorm has a scale and a
  // shift per channel where the folded model has one bias, so add one per conv output channel
  // (every conv bias here; the classifier's 1000 biases are real biases).
  std::int64_t conv_bias = 0;
  for (const OpMetrics& op : m.layers) {
    if (op.category != OpCategory::kFullyConnected) conv_bias += op.bias_params;
  }
  EXPECT_EQ(conv_bias, 6208);
  EXPECT_NEAR(static_cast<double>(m.total.params + conv_bias), 0.75e6, 0.005e6);
  // 144 -> 72 -> 36 -> 18 -> 9 -> 5: the final feature map is 5x5x448.
  EXPECT_EQ(l.graph.tensor(l.graph.FindTensor("conv_last")).shape, (Shape{1, 5, 5, 448}));
}

TEST(ExampleModels, MobileNetV2At128MatchesStWeightsFlash) {
  const Loaded l = Load("mobilenet_v2_035_128");
  // st_modelzoo_stm32h747_m7.csv row "MobileNet v2 0.35 (ImageNet)", 128x128x3:
  // weights_flash_KiB 1654.5 = int8 weights + int32 biases, exactly 1,694,208 B.
  EXPECT_EQ(l.metrics.total.weight_bytes, 1694208);
  EXPECT_DOUBLE_EQ(static_cast<double>(l.metrics.total.weight_bytes) / 1024.0, 1654.5);
  EXPECT_EQ(l.graph.tensor(l.graph.FindTensor("conv_last")).shape, (Shape{1, 4, 4, 1280}));
}

// ---------------------------------------------------------------------------------------------
// Skip-connection networks and their plain-chain twins (for the memory tests).

// Names of the activation tensors each node reads (constants excluded), in order.
std::vector<std::vector<std::string>> DataInputs(const Graph& g) {
  std::vector<std::vector<std::string>> out;
  for (const Node& n : g.nodes()) {
    std::vector<std::string> names;
    for (TensorId t : n.inputs) {
      if (!g.tensor(t).is_constant) names.push_back(g.tensor(t).name);
    }
    out.push_back(names);
  }
  return out;
}

// True if the first node reads only graph inputs and every later node reads only outputs of the
// node just before it: the paper's "regular feed-forward network" that needs to store only the
// input and output of the current layer.
bool IsPlainChain(const Graph& g) {
  const auto inputs = DataInputs(g);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (const std::string& name : inputs[i]) {
      const NodeId producer = g.producer(g.FindTensor(name));
      if (producer != static_cast<NodeId>(i) - 1) return false;  // kNoNode == -1 for i == 0
    }
  }
  return true;
}

void ExpectTwins(const std::string& skip_model, const std::string& chain_model) {
  SCOPED_TRACE(skip_model);
  const Loaded a = Load(skip_model);
  const Loaded b = Load(chain_model);
  ASSERT_EQ(a.graph.nodes().size(), b.graph.nodes().size());
  for (std::size_t i = 0; i < a.graph.nodes().size(); ++i) {
    const Node& na = a.graph.nodes()[i];
    const Node& nb = b.graph.nodes()[i];
    EXPECT_EQ(na.name, nb.name);
    EXPECT_EQ(na.type, nb.type);
    EXPECT_EQ(a.graph.tensor(na.outputs[0]).shape, b.graph.tensor(nb.outputs[0]).shape);
    EXPECT_EQ(a.metrics.layers[i].macs, b.metrics.layers[i].macs);
    EXPECT_EQ(a.metrics.layers[i].params, b.metrics.layers[i].params);
    EXPECT_EQ(a.metrics.layers[i].weight_bytes, b.metrics.layers[i].weight_bytes);
  }
  EXPECT_EQ(a.metrics.total.weight_bytes, b.metrics.total.weight_bytes);
  EXPECT_FALSE(IsPlainChain(a.graph));
  EXPECT_TRUE(IsPlainChain(b.graph));
}

TEST(ExampleModels, DenseNetBlockAndChainTwin) {
  ExpectTwins("densenet_block", "densenet_block_chain");
  const Loaded l = Load("densenet_block");
  // Layer 6 reads the input and 5 earlier feature maps: 16 + 5*16 = 96 channels.
  EXPECT_EQ(l.graph.tensor(l.graph.FindTensor("cat6")).shape, (Shape{1, 16, 16, 96}));
  EXPECT_EQ(l.graph.tensor(l.graph.FindTensor("cat_out")).shape, (Shape{1, 16, 16, 112}));
  EXPECT_EQ(l.graph.tensor(l.graph.FindTensor("transition_pool")).shape, (Shape{1, 8, 8, 56}));
}

TEST(ExampleModels, NasCellAndChainTwin) {
  ExpectTwins("nas_cell", "nas_cell_chain");
  const Loaded l = Load("nas_cell");
  // Many skip edges: node i (0 = input) feeds every later node j = i+1..6, so the input is read by
  // 6 edges, n1 by 5, ..., n5 by 1.
  std::map<std::string, int> readers;
  for (const auto& names : DataInputs(l.graph)) {
    for (const std::string& n : names) ++readers[n];
  }
  const char* const kNodes[] = {"input", "n1", "n2", "n3", "n4", "n5"};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(readers[kNodes[i]], 6 - i) << kNodes[i];
}

}  // namespace
}  // namespace opcost
