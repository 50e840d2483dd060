#include "kernels/test_vectors.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <map>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/json_reader.h"
#include "opcost/error.h"
#include "opcost/kernels/check.h"
#include "opcost/kernels/conv.h"
#include "opcost/kernels/depthwise_conv.h"
#include "opcost/kernels/elementwise.h"
#include "opcost/kernels/fully_connected.h"
#include "opcost/kernels/pooling.h"
#include "opcost/kernels/softmax.h"

namespace opcost::kernels {
namespace {

using json = nlohmann::json;

// One vector file, read through the strict JSON reader. Config keys and arrays are taken by name
// as the kernels need them, so the ones nobody took (typos, unknown fields) are rejected at the
// end (CheckAllUsed).
class VectorCase {
 public:
  // `j` must outlive the case.
  VectorCase(const json& j, const std::string& file)
      : r_(file, ErrorCode::kInvalidArgument),
        file_(file),
        config_(Section(j, "config")),
        arrays_(Section(j, "arrays")) {
    name_ = r_.String(r_.Member(j, "case", ""), "/case");
    kind_ = r_.String(r_.Member(j, "kind", ""), "/kind");
  }

  const std::string& name() const { return name_; }
  const std::string& kind() const { return kind_; }
  const json& config() const { return config_; }

  [[noreturn]] void Fail(const std::string& path, const std::string& rule) const {
    r_.Fail(path, rule);
  }

  bool Has(const std::string& key) const { return config_.contains(key); }

  // An integer config value in [lo, hi].
  std::int64_t Int(const std::string& key,
                   std::int64_t lo = std::numeric_limits<std::int32_t>::min(),
                   std::int64_t hi = std::numeric_limits<std::int32_t>::max()) {
    return r_.IntInRange(r_.Take(config_, key, "/config"), "/config/" + key, lo, hi);
  }
  std::int64_t IntOr(const std::string& key, std::int64_t fallback,
                     std::int64_t lo = std::numeric_limits<std::int32_t>::min(),
                     std::int64_t hi = std::numeric_limits<std::int32_t>::max()) {
    return Has(key) ? Int(key, lo, hi) : fallback;
  }
  // Dimensions up to 2^15: a product of four stays far inside int64 (real cases use < 2^12).
  std::int64_t Dim(const std::string& key) { return Int(key, 1, std::int64_t{1} << 15); }

  std::string String(const std::string& key) {
    return r_.String(r_.Take(config_, key, "/config"), "/config/" + key);
  }
  std::string OneOf(const std::string& key, std::initializer_list<const char*> allowed) {
    return r_.OneOf(r_.Take(config_, key, "/config"), "/config/" + key, allowed);
  }

  // An informational config value that must equal what the other keys imply.
  void Expect(const std::string& key, std::int64_t expected) {
    if (!Has(key)) return;
    const std::int64_t v = r_.Int(r_.Take(config_, key, "/config"), "/config/" + key);
    if (v != expected) {
      Fail("/config/" + key, "contradicts the other sizes (got " + std::to_string(v) +
                                 ", expected " + std::to_string(expected) + ")");
    }
  }
  // A config key that is known but carries nothing the kernels need.
  void Ignore(const std::string& key) { r_.MarkRead("/config", key); }

  bool HasArray(const std::string& name) const { return arrays_.contains(name); }
  void IgnoreArray(const std::string& name) { r_.MarkRead("/arrays", name); }

  std::vector<std::int8_t> Int8(const std::string& name) {
    return Array<std::int8_t>(name, "int8_t");
  }
  std::vector<std::int32_t> Int32(const std::string& name) {
    return Array<std::int32_t>(name, "int32_t");
  }
  // An array that must hold exactly `size` elements.
  std::vector<std::int8_t> Int8(const std::string& name, std::int64_t size) {
    auto v = Int8(name);
    CheckSize(name, static_cast<std::int64_t>(v.size()), size);
    return v;
  }
  std::vector<std::int32_t> Int32(const std::string& name, std::int64_t size) {
    auto v = Int32(name);
    CheckSize(name, static_cast<std::int64_t>(v.size()), size);
    return v;
  }
  void CheckSize(const std::string& name, std::int64_t got, std::int64_t expected) const {
    if (got != expected) {
      Fail("/arrays/" + name + "/data",
           "must hold " + std::to_string(expected) + " elements (got " + std::to_string(got) + ")");
    }
  }

  // The output size the config implies, checked against the reference output in the file before
  // anything is allocated: the file's size, not its config, bounds the allocation.
  std::size_t OutputElements(std::int64_t elements) const {
    const std::string name = HasArray("output_ref") ? "output_ref" : "output";
    const std::string path = "/arrays/" + name;
    const json& a = r_.Member(arrays_, name, "/arrays");
    r_.ExpectObject(a, path);
    const json& data = r_.Member(a, "data", path);
    r_.ExpectArray(data, path + "/data");
    const auto have = static_cast<std::int64_t>(data.size());
    if (elements != have) {
      Fail(path + "/data", "the config implies " + std::to_string(elements) +
                               " output elements, the reference holds " + std::to_string(have));
    }
    return static_cast<std::size_t>(elements);
  }

  // The reference output: `output_ref`, or `output` in the cases that name it so.
  std::vector<std::int8_t> Reference() {
    if (HasArray("output_ref")) {
      IgnoreArray("output");  // a few files keep a stale `output` beside output_ref
      return Int8("output_ref");
    }
    return Int8("output");
  }

  // Rejects every config key and array nobody read or ignored.
  void CheckAllUsed() const {
    r_.RejectUnread(config_, "/config");
    r_.RejectUnread(arrays_, "/arrays");
  }

  const std::string& file() const { return file_; }

 private:
  // The object `key` of the top level, which holds exactly case, kind, config and arrays.
  const json& Section(const json& j, const char* key) const {
    r_.CheckObject(j, "", {"case", "kind", "config", "arrays"});
    const json& section = r_.Member(j, key, "");
    r_.ExpectObject(section, std::string("/") + key);
    return section;
  }

  // {"type": <type>, "data": [integers that fit in Int]}
  template <typename Int>
  std::vector<Int> Array(const std::string& name, const char* type) {
    const std::string path = "/arrays/" + name;
    const json& a = r_.Take(arrays_, name, "/arrays");
    r_.CheckObject(a, path, {"type", "data"});
    const std::string got = r_.String(r_.Member(a, "type", path), path + "/type");
    if (got != type) {
      Fail(path + "/type", std::string("must be \"") + type + "\" (got \"" + got + "\")");
    }
    return r_.IntArray<Int>(r_.Member(a, "data", path), path + "/data");
  }

  detail::JsonReader r_;
  std::string file_;
  const json& config_;
  const json& arrays_;
  std::string name_;
  std::string kind_;
};

std::int32_t I32(std::int64_t v) { return static_cast<std::int32_t>(v); }

std::string Where(const VectorCase& vc, const std::string& what) {
  return vc.file() + ": case '" + vc.name() + "': " + what;
}

// The fields ConvDims and DepthwiseConvDims share.
template <typename Dims>
void SetConvDims(std::int64_t batches, std::int64_t in_h, std::int64_t in_w, std::int64_t in_ch,
                 std::int64_t f_h, std::int64_t f_w, std::int64_t out_h, std::int64_t out_w,
                 Dims* d) {
  d->batches = batches;
  d->input_h = in_h;
  d->input_w = in_w;
  d->input_ch = in_ch;
  d->filter_h = f_h;
  d->filter_w = f_w;
  d->output_h = out_h;
  d->output_w = out_w;
}

// ---------------------------------------------------------------------------------------------
// Single-kernel cases.

ConvParams ReadConvParams(VectorCase& vc) {
  ConvParams p;
  p.input_offset = I32(vc.Int("INPUT_OFFSET"));
  p.filter_offset = I32(vc.IntOr("FILTER_OFFSET", 0));
  p.output_offset = I32(vc.Int("OUTPUT_OFFSET"));
  p.stride_h = I32(vc.Int("STRIDE_Y"));
  p.stride_w = I32(vc.Int("STRIDE_X"));
  p.dilation_h = I32(vc.IntOr("DILATION_Y", 1));
  p.dilation_w = I32(vc.IntOr("DILATION_X", 1));
  p.pad_h = I32(vc.Int("PAD_Y"));
  p.pad_w = I32(vc.Int("PAD_X"));
  p.activation_min = I32(vc.Int("OUT_ACTIVATION_MIN"));
  p.activation_max = I32(vc.Int("OUT_ACTIVATION_MAX"));
  return p;
}

std::vector<std::int8_t> RunConv(VectorCase& vc, bool depthwise) {
  const ConvParams p = ReadConvParams(vc);
  const std::int64_t batches = vc.Dim("INPUT_BATCHES");
  const std::int64_t in_h = vc.Dim("INPUT_H"), in_w = vc.Dim("INPUT_W"), in_ch = vc.Dim("IN_CH");
  const std::int64_t out_h = vc.Dim("OUTPUT_H"), out_w = vc.Dim("OUTPUT_W");
  const std::int64_t out_ch = vc.Dim("OUT_CH");
  const std::int64_t f_h = vc.Dim("FILTER_Y"), f_w = vc.Dim("FILTER_X");
  vc.Expect("INPUT_SIZE", in_h * in_w * in_ch);
  vc.Expect("DST_SIZE", batches * out_h * out_w * out_ch);
  const auto input = vc.Int8("input", batches * in_h * in_w * in_ch);
  const auto mults = vc.Int32("output_mult", out_ch);
  const auto shifts = vc.Int32("output_shift", out_ch);
  const auto bias =
      vc.HasArray("biases") ? vc.Int32("biases", out_ch) : std::vector<std::int32_t>{};
  std::vector<std::int8_t> output(vc.OutputElements(batches * out_h * out_w * out_ch));
  const Requantization rq{AsSpan(mults), AsSpan(shifts)};
  if (depthwise) {
    DepthwiseConvDims d;
    SetConvDims(batches, in_h, in_w, in_ch, f_h, f_w, out_h, out_w, &d);
    d.depth_multiplier = vc.Dim("CH_MULT");
    if (d.output_ch() != out_ch) {
      vc.Fail("/config/OUT_CH", "must equal IN_CH * CH_MULT (got " + std::to_string(out_ch) + ")");
    }
    const auto weights = vc.Int8("weights", f_h * f_w * out_ch);
    ThrowIfError(
        DepthwiseConvInt8(p, d, AsSpan(input), AsSpan(weights), AsSpan(bias), rq, AsSpan(output)),
        Where(vc, "DepthwiseConvInt8"));
  } else {
    if (vc.Has("CH_MULT")) vc.Expect("CH_MULT", 1);
    ConvDims d;
    SetConvDims(batches, in_h, in_w, in_ch, f_h, f_w, out_h, out_w, &d);
    d.output_ch = out_ch;
    const auto weights = vc.Int8("weights");
    const std::int64_t per_filter = out_ch * f_h * f_w;
    if (weights.empty() || static_cast<std::int64_t>(weights.size()) % per_filter != 0) {
      vc.Fail("/arrays/weights", "size must be a multiple of OUT_CH*FILTER_Y*FILTER_X");
    }
    d.filter_ch = static_cast<std::int64_t>(weights.size()) / per_filter;
    vc.Expect("FILTER_CH", d.filter_ch);
    ThrowIfError(ConvInt8(p, d, AsSpan(input), AsSpan(weights), AsSpan(bias), rq, AsSpan(output)),
                 Where(vc, "ConvInt8"));
  }
  return output;
}

std::vector<std::int8_t> RunFullyConnected(VectorCase& vc) {
  FullyConnectedParams p;
  p.input_offset = I32(vc.Int("INPUT_OFFSET"));
  p.filter_offset = I32(vc.IntOr("FILTER_OFFSET", 0));
  p.output_offset = I32(vc.Int("OUTPUT_OFFSET"));
  p.activation_min = I32(vc.Int("OUT_ACTIVATION_MIN"));
  p.activation_max = I32(vc.Int("OUT_ACTIVATION_MAX"));
  FullyConnectedDims d;
  d.batches = vc.Dim("INPUT_BATCHES");
  d.accum_depth = vc.Dim("ACCUMULATION_DEPTH");
  d.output_ch = vc.Dim("OUT_CH");
  vc.Expect("INPUT_SIZE", d.accum_depth);
  vc.Expect("DST_SIZE", d.batches * d.output_ch);
  const std::int64_t in_ch = vc.Dim("IN_CH"), in_w = vc.Dim("INPUT_W"), in_h = vc.Dim("INPUT_H");
  if (in_ch * in_w * in_h != d.accum_depth) {
    vc.Fail("/config/ACCUMULATION_DEPTH", "must equal IN_CH * INPUT_W * INPUT_H");
  }
  vc.Expect("BATCH_SIZE", 1);
  if (vc.Has("W_TYPE")) vc.OneOf("W_TYPE", {"INT8"});
  const bool per_channel = vc.Has("PER_CHANNEL_QUANT") && vc.String("PER_CHANNEL_QUANT") == "true";
  std::vector<std::int32_t> mults, shifts;
  if (per_channel) {
    mults = vc.Int32("output_multiplier", d.output_ch);
    shifts = vc.Int32("output_shift", d.output_ch);
  } else {
    mults = {I32(vc.Int("OUTPUT_MULTIPLIER"))};
    shifts = {I32(vc.Int("OUTPUT_SHIFT"))};
    // Per-tensor cases of the CMSIS suite carry stale per-channel arrays of other tests.
    for (const char* stale : {"output_mult", "output_multiplier", "output_shift"}) {
      vc.IgnoreArray(stale);
    }
  }
  const auto input = vc.Int8("input", d.batches * d.accum_depth);
  const auto weights = vc.Int8("weights", d.output_ch * d.accum_depth);
  std::vector<std::int32_t> bias;
  if (vc.HasArray("biases")) bias = vc.Int32("biases", d.output_ch);
  if (vc.HasArray("bias")) bias = vc.Int32("bias", d.output_ch);
  std::vector<std::int8_t> output(vc.OutputElements(d.batches * d.output_ch));
  ThrowIfError(FullyConnectedInt8(p, d, AsSpan(input), AsSpan(weights), AsSpan(bias),
                                  Requantization{AsSpan(mults), AsSpan(shifts)}, AsSpan(output)),
               Where(vc, "FullyConnectedInt8"));
  return output;
}

std::vector<std::int8_t> RunPool(VectorCase& vc, bool average) {
  PoolParams p;
  p.stride_h = I32(vc.Int("STRIDE_H"));
  p.stride_w = I32(vc.Int("STRIDE_W"));
  p.pad_h = I32(vc.Int("PADDING_H"));
  p.pad_w = I32(vc.Int("PADDING_W"));
  p.activation_min = I32(vc.Int("ACTIVATION_MIN"));
  p.activation_max = I32(vc.Int("ACTIVATION_MAX"));
  PoolDims d;
  d.batches = vc.Dim("BATCH_SIZE");
  d.input_h = vc.Dim("INPUT_H");
  d.input_w = vc.Dim("INPUT_W");
  d.channels = vc.Dim("INPUT_C");
  d.filter_h = vc.Dim("FILTER_H");
  d.filter_w = vc.Dim("FILTER_W");
  d.output_h = vc.Dim("OUTPUT_H");
  d.output_w = vc.Dim("OUTPUT_W");
  vc.Expect("OUTPUT_C", d.channels);
  vc.Ignore("INPUT_N");  // the CMSIS generator's own batch field; BATCH_SIZE is the one used
  vc.OneOf("PAD", {"SAME", "VALID"});
  const auto input = vc.Int8("input_tensor", d.batches * d.input_h * d.input_w * d.channels);
  std::vector<std::int8_t> output(
      vc.OutputElements(d.batches * d.output_h * d.output_w * d.channels));
  if (average) {
    ThrowIfError(AvgPoolInt8(p, d, AsSpan(input), AsSpan(output)), Where(vc, "AvgPoolInt8"));
  } else {
    ThrowIfError(MaxPoolInt8(p, d, AsSpan(input), AsSpan(output)), Where(vc, "MaxPoolInt8"));
  }
  return output;
}

std::vector<std::int8_t> RunSoftmax(VectorCase& vc) {
  SoftmaxParams p;
  p.input_multiplier = I32(vc.Int("INPUT_MULT"));
  p.input_left_shift = I32(vc.Int("INPUT_LEFT_SHIFT"));
  p.diff_min = I32(vc.Int("DIFF_MIN"));
  const std::int64_t rows = vc.Dim("NUM_ROWS"), row_size = vc.Dim("ROW_SIZE");
  vc.Expect("DST_SIZE", rows * row_size);
  const auto input = vc.Int8("input", rows * row_size);
  std::vector<std::int8_t> output(vc.OutputElements(rows * row_size));
  ThrowIfError(SoftmaxInt8(p, rows, row_size, AsSpan(input), AsSpan(output)),
               Where(vc, "SoftmaxInt8"));
  return output;
}

std::vector<std::int8_t> RunElementwise(VectorCase& vc, bool add) {
  const std::int64_t size = vc.Dim("DST_SIZE");
  const auto a = vc.Int8("input1", size);
  const auto b = vc.Int8("input2", size);
  std::vector<std::int8_t> output(vc.OutputElements(size));
  if (add) {
    vc.IgnoreArray("input");  // a stale array of the CMSIS generator, not an operand
    AddParams p;
    p.input1_offset = I32(vc.Int("INPUT1_OFFSET"));
    p.input2_offset = I32(vc.Int("INPUT2_OFFSET"));
    p.left_shift = I32(vc.Int("LEFT_SHIFT"));
    p.input1_multiplier = I32(vc.Int("INPUT1_MULT"));
    p.input1_shift = I32(vc.Int("INPUT1_SHIFT"));
    p.input2_multiplier = I32(vc.Int("INPUT2_MULT"));
    p.input2_shift = I32(vc.Int("INPUT2_SHIFT"));
    p.output_multiplier = I32(vc.Int("OUTPUT_MULT"));
    p.output_shift = I32(vc.Int("OUTPUT_SHIFT"));
    p.output_offset = I32(vc.Int("OUTPUT_OFFSET"));
    p.activation_min = I32(vc.Int("OUT_ACTIVATION_MIN"));
    p.activation_max = I32(vc.Int("OUT_ACTIVATION_MAX"));
    ThrowIfError(AddInt8(p, AsSpan(a), AsSpan(b), AsSpan(output)), Where(vc, "AddInt8"));
  } else {
    MulParams p;
    p.input1_offset = I32(vc.Int("INPUT1_OFFSET"));
    p.input2_offset = I32(vc.Int("INPUT2_OFFSET"));
    p.output_multiplier = I32(vc.Int("OUTPUT_MULT"));
    p.output_shift = I32(vc.Int("OUTPUT_SHIFT"));
    p.output_offset = I32(vc.Int("OUTPUT_OFFSET"));
    p.activation_min = I32(vc.Int("OUT_ACTIVATION_MIN"));
    p.activation_max = I32(vc.Int("OUT_ACTIVATION_MAX"));
    ThrowIfError(MulInt8(p, AsSpan(a), AsSpan(b), AsSpan(output)), Where(vc, "MulInt8"));
  }
  return output;
}

// ---------------------------------------------------------------------------------------------
// Whole-model cases: layers named <TYPE>_<index>_<FIELD> in config and layer_<index>_<type>_<field>
// in arrays; run in index order, each consuming the previous layer's output.

struct Activations {
  std::vector<std::int8_t> data;
  std::int64_t h = 0, w = 0, c = 0;  // NHWC with batch 1; after an fc: h = w = 1
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

// The config keys every DS-CNN layer repeats under other names (FILTER_W = FILTER_X, ...).
void ExpectAliases(VectorCase& vc, const std::string& k) {
  for (const char* pair : {"FILTER", "STRIDE", "PAD", "DILATION"}) {
    const std::string base = k + pair;
    if (vc.Has(base + "_X")) vc.Expect(base + "_W", vc.Int(base + "_X"));
    if (vc.Has(base + "_Y")) vc.Expect(base + "_H", vc.Int(base + "_Y"));
  }
}

// The input of a conv or pooling layer must be the previous layer's output (batch 1).
void ExpectLayerInput(VectorCase& vc, const std::string& k, const Activations& act) {
  ExpectAliases(vc, k);
  vc.Expect(k + "INPUT_BATCHES", 1);
  vc.Expect(k + "INPUT_H", act.h);
  vc.Expect(k + "INPUT_W", act.w);
  vc.Expect(k + "IN_CH", act.c);
}

// The context of an error in layer k ("CONV_2D_3_" -> "layer CONV_2D_3").
std::string LayerWhere(const VectorCase& vc, const std::string& k) {
  return Where(vc, "layer " + k.substr(0, k.size() - 1));
}

void RunModelConv(VectorCase& vc, const std::string& k, const std::string& a, bool depthwise,
                  Activations* act) {
  ExpectLayerInput(vc, k, *act);
  vc.Expect(k + "INPUT_SIZE", act->h * act->w * act->c);
  ConvParams p;
  p.input_offset = I32(vc.Int(k + "INPUT_OFFSET"));
  p.output_offset = I32(vc.Int(k + "OUTPUT_OFFSET"));
  p.stride_h = I32(vc.Int(k + "STRIDE_Y"));
  p.stride_w = I32(vc.Int(k + "STRIDE_X"));
  p.dilation_h = I32(vc.Int(k + "DILATION_Y"));
  p.dilation_w = I32(vc.Int(k + "DILATION_X"));
  p.pad_h = I32(vc.Int(k + "PAD_Y"));
  p.pad_w = I32(vc.Int(k + "PAD_X"));
  p.activation_min = I32(vc.Int(k + "OUT_ACTIVATION_MIN"));
  p.activation_max = I32(vc.Int(k + "OUT_ACTIVATION_MAX"));
  const std::int64_t out_h = vc.Dim(k + "OUTPUT_H"), out_w = vc.Dim(k + "OUTPUT_W");
  const std::int64_t out_ch = vc.Dim(k + "OUT_CH");
  const std::int64_t f_h = vc.Dim(k + "FILTER_Y"), f_w = vc.Dim(k + "FILTER_X");
  vc.Expect(k + "DST_SIZE", out_h * out_w * out_ch);
  const auto mults = vc.Int32(a + "output_mult", out_ch);
  const auto shifts = vc.Int32(a + "output_shift", out_ch);
  const auto bias = vc.Int32(a + "bias", out_ch);
  const Requantization rq{AsSpan(mults), AsSpan(shifts)};
  std::vector<std::int8_t> output(static_cast<std::size_t>(out_h * out_w * out_ch));
  if (depthwise) {
    vc.Ignore(k + "ACCUMULATION_DEPTH");  // the generator's input size, not a filter depth
    DepthwiseConvDims d;
    SetConvDims(1, act->h, act->w, act->c, f_h, f_w, out_h, out_w, &d);
    if (out_ch % act->c != 0) vc.Fail("/config/" + k + "OUT_CH", "must be a multiple of IN_CH");
    d.depth_multiplier = out_ch / act->c;
    const auto weights = vc.Int8(a + "weights", f_h * f_w * out_ch);
    ThrowIfError(DepthwiseConvInt8(p, d, AsSpan(act->data), AsSpan(weights), AsSpan(bias), rq,
                                   AsSpan(output)),
                 LayerWhere(vc, k));
  } else {
    ConvDims d;
    SetConvDims(1, act->h, act->w, act->c, f_h, f_w, out_h, out_w, &d);
    d.filter_ch = act->c;
    d.output_ch = out_ch;
    const auto weights = vc.Int8(a + "weights", out_ch * f_h * f_w * act->c);
    ThrowIfError(
        ConvInt8(p, d, AsSpan(act->data), AsSpan(weights), AsSpan(bias), rq, AsSpan(output)),
        LayerWhere(vc, k));
  }
  *act = Activations{std::move(output), out_h, out_w, out_ch};
}

void RunModelAvgPool(VectorCase& vc, const std::string& k, Activations* act) {
  ExpectLayerInput(vc, k, *act);
  vc.Expect(k + "OUT_CH", act->c);
  vc.Expect(k + "INPUT_SIZE", act->h * act->w * act->c);
  vc.Expect(k + "DILATION_X", 1);
  vc.Expect(k + "DILATION_Y", 1);
  // Pooling keeps the input's quantization: the offsets only restate the zero point.
  const std::int64_t in_offset = vc.Int(k + "INPUT_OFFSET");
  vc.Expect(k + "OUTPUT_OFFSET", -in_offset);
  PoolParams p;
  p.stride_h = I32(vc.Int(k + "STRIDE_Y"));
  p.stride_w = I32(vc.Int(k + "STRIDE_X"));
  p.pad_h = I32(vc.Int(k + "PAD_Y"));
  p.pad_w = I32(vc.Int(k + "PAD_X"));
  p.activation_min = I32(vc.Int(k + "OUT_ACTIVATION_MIN"));
  p.activation_max = I32(vc.Int(k + "OUT_ACTIVATION_MAX"));
  PoolDims d;
  d.input_h = act->h;
  d.input_w = act->w;
  d.channels = act->c;
  d.filter_h = vc.Dim(k + "FILTER_Y");
  d.filter_w = vc.Dim(k + "FILTER_X");
  d.output_h = vc.Dim(k + "OUTPUT_H");
  d.output_w = vc.Dim(k + "OUTPUT_W");
  vc.Expect(k + "DST_SIZE", d.output_h * d.output_w * d.channels);
  std::vector<std::int8_t> output(static_cast<std::size_t>(d.output_h * d.output_w * d.channels));
  ThrowIfError(AvgPoolInt8(p, d, AsSpan(act->data), AsSpan(output)), LayerWhere(vc, k));
  *act = Activations{std::move(output), d.output_h, d.output_w, d.channels};
}

void RunModelFullyConnected(VectorCase& vc, const std::string& k, const std::string& a,
                            Activations* act) {
  // The generator fills FILTER/STRIDE/PAD/DILATION and IN_CH/OUT_CH of fully connected layers
  // with the previous layer's values; only the fields below describe the layer itself.
  for (const char* f :
       {"OUT_CH", "IN_CH", "INPUT_W", "INPUT_H", "DST_SIZE", "INPUT_SIZE", "OUTPUT_H"}) {
    vc.Ignore(k + f);
  }
  for (const char* f : {"FILTER", "STRIDE", "PAD", "DILATION"}) {
    for (const char* s : {"_X", "_Y", "_W", "_H"}) vc.Ignore(k + f + s);
  }
  vc.Expect(k + "INPUT_BATCHES", 1);
  FullyConnectedParams p;
  p.input_offset = I32(vc.Int(k + "INPUT_OFFSET"));
  p.output_offset = I32(vc.Int(k + "OUTPUT_OFFSET"));
  p.activation_min = I32(vc.Int(k + "OUT_ACTIVATION_MIN"));
  p.activation_max = I32(vc.Int(k + "OUT_ACTIVATION_MAX"));
  FullyConnectedDims d;
  d.accum_depth = static_cast<std::int64_t>(act->data.size());
  const auto bias = vc.Int32(a + "bias");
  d.output_ch = static_cast<std::int64_t>(bias.size());
  vc.Expect(k + "OUTPUT_W", d.output_ch);
  const auto weights = vc.Int8(a + "weights", d.output_ch * d.accum_depth);
  const std::vector<std::int32_t> mult{I32(vc.Int(k + "OUTPUT_MULTIPLIER"))};
  const std::vector<std::int32_t> shift{I32(vc.Int(k + "OUTPUT_SHIFT"))};
  std::vector<std::int8_t> output(static_cast<std::size_t>(d.output_ch));
  ThrowIfError(FullyConnectedInt8(p, d, AsSpan(act->data), AsSpan(weights), AsSpan(bias),
                                  Requantization{AsSpan(mult), AsSpan(shift)}, AsSpan(output)),
               LayerWhere(vc, k));
  *act = Activations{std::move(output), 1, 1, d.output_ch};
}

void RunModelSoftmax(VectorCase& vc, const std::string& k, Activations* act) {
  for (const char* f : {"OUT_CH", "INPUT_W", "INPUT_H", "DST_SIZE"}) vc.Ignore(k + f);
  const std::int64_t rows = vc.Dim(k + "NUM_ROWS"), row_size = vc.Dim(k + "ROW_SIZE");
  vc.Expect(k + "IN_CH", row_size);
  if (rows * row_size != static_cast<std::int64_t>(act->data.size())) {
    vc.Fail("/config/" + k + "ROW_SIZE",
            "NUM_ROWS * ROW_SIZE must equal the previous output size (" +
                std::to_string(act->data.size()) + ")");
  }
  SoftmaxParams p;
  p.input_multiplier = I32(vc.Int(k + "MULT"));
  p.input_left_shift = I32(vc.Int(k + "SHIFT"));
  p.diff_min = I32(vc.Int(k + "DIFF_MIN"));
  std::vector<std::int8_t> output(act->data.size());
  ThrowIfError(SoftmaxInt8(p, rows, row_size, AsSpan(act->data), AsSpan(output)),
               LayerWhere(vc, k));
  act->data = std::move(output);
}

// The layers a model case's config names: index -> type. Every key must be
// <LAYER_TYPE>_<index>_<FIELD>.
std::map<int, std::string> ModelLayers(const VectorCase& vc) {
  static const char* const kTypes[] = {"DEPTHWISE_CONV_2D", "CONV_2D", "AVERAGE_POOL_2D",
                                       "FULLY_CONNECTED", "SOFTMAX"};
  std::map<int, std::string> layers;
  for (const auto& item : vc.config().items()) {
    const std::string& key = item.key();
    bool matched = false;
    for (const char* type : kTypes) {
      const std::string t = type;
      if (key.compare(0, t.size() + 1, t + "_") != 0) continue;
      std::size_t pos = t.size() + 1;
      std::size_t end = pos;
      while (end < key.size() && std::isdigit(static_cast<unsigned char>(key[end]))) ++end;
      if (end == pos || end - pos > 4 || end >= key.size() || key[end] != '_') continue;
      const int index = std::stoi(key.substr(pos, end - pos));
      auto [it, inserted] = layers.emplace(index, t);
      if (!inserted && it->second != t) {
        vc.Fail("/config/" + key, "layer " + std::to_string(index) + " has two types (" +
                                      it->second + ", " + t + ")");
      }
      matched = true;
      break;
    }
    if (!matched) vc.Fail("/config/" + key, "not of the form <LAYER_TYPE>_<index>_<FIELD>");
  }
  if (layers.empty()) vc.Fail("/config", "a model case needs at least one layer");
  return layers;
}

std::vector<std::int8_t> RunModel(VectorCase& vc) {
  const std::map<int, std::string> layers = ModelLayers(vc);
  // The input of the first layer: a conv whose config gives the input image.
  const auto& first = *layers.begin();
  const std::string k0 = first.second + "_" + std::to_string(first.first) + "_";
  if (first.second != "CONV_2D" && first.second != "DEPTHWISE_CONV_2D") {
    vc.Fail("/config/" + k0 + "*", "the first layer must be a convolution");
  }
  Activations act;
  act.h = vc.Dim(k0 + "INPUT_H");
  act.w = vc.Dim(k0 + "INPUT_W");
  act.c = vc.Dim(k0 + "IN_CH");
  act.data = vc.Int8("input", act.h * act.w * act.c);
  for (const auto& [index, type] : layers) {
    const std::string k = type + "_" + std::to_string(index) + "_";
    const std::string a = "layer_" + std::to_string(index) + "_" + Lower(type) + "_";
    if (type == "CONV_2D") {
      RunModelConv(vc, k, a, false, &act);
    } else if (type == "DEPTHWISE_CONV_2D") {
      RunModelConv(vc, k, a, true, &act);
    } else if (type == "AVERAGE_POOL_2D") {
      RunModelAvgPool(vc, k, &act);
    } else if (type == "FULLY_CONNECTED") {
      RunModelFullyConnected(vc, k, a, &act);
    } else {
      RunModelSoftmax(vc, k, &act);
    }
  }
  return act.data;
}

// Runs the case its kind names; the output, to compare with the reference.
std::vector<std::int8_t> RunCase(VectorCase& vc) {
  const std::string& kind = vc.kind();
  if (kind == "conv") return RunConv(vc, false);
  if (kind == "depthwise_conv") return RunConv(vc, true);
  if (kind == "fully_connected") return RunFullyConnected(vc);
  if (kind == "avg_pool") return RunPool(vc, true);
  if (kind == "max_pool") return RunPool(vc, false);
  if (kind == "softmax") return RunSoftmax(vc);
  if (kind == "add") return RunElementwise(vc, true);
  if (kind == "mul") return RunElementwise(vc, false);
  if (kind == "model") return RunModel(vc);
  vc.Fail("/kind", "unknown kind \"" + kind + "\"");
}

// Fills the comparison fields of `result` (differences, detail, passed) and its output.
void Compare(std::vector<std::int8_t> out, const std::vector<std::int8_t>& ref,
             VectorResult* result) {
  result->num_elements = static_cast<std::int64_t>(std::min(out.size(), ref.size()));
  for (std::size_t i = 0; i < out.size() && i < ref.size(); ++i) {
    if (out[i] != ref[i]) {
      if (result->first_difference < 0) result->first_difference = static_cast<std::int64_t>(i);
      ++result->num_differences;
    }
  }
  if (out.size() != ref.size()) {
    result->detail = "output has " + std::to_string(out.size()) + " bytes, expected " +
                     std::to_string(ref.size());
  } else if (result->first_difference >= 0) {
    const auto i = static_cast<std::size_t>(result->first_difference);
    result->detail = "output[" + std::to_string(i) + "] = " + std::to_string(out[i]) +
                     ", expected " + std::to_string(ref[i]) + " (" +
                     std::to_string(result->num_differences) + " of " + std::to_string(ref.size()) +
                     " bytes differ)";
  }
  result->passed = result->detail.empty();
  result->output = std::move(out);
}

}  // namespace

VectorResult RunVectorFile(const std::string& path) {
  const json j =
      detail::ParseJsonText(detail::ReadTextFile(path), path, ErrorCode::kInvalidArgument);
  VectorCase vc(j, path);
  VectorResult result;
  result.name = vc.name();
  result.kind = vc.kind();
  std::vector<std::int8_t> out = RunCase(vc);
  const std::vector<std::int8_t> ref = vc.Reference();
  vc.CheckAllUsed();
  Compare(std::move(out), ref, &result);
  return result;
}

std::vector<VectorResult> RunVectorDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorCode::kIo, "test-vector directory '" + dir + "' is not a readable directory");
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json") files.push_back(it->path());
  }
  if (ec) throw Error(ErrorCode::kIo, "cannot list '" + dir + "': " + ec.message());
  if (files.empty()) throw Error(ErrorCode::kIo, "no .json test-vector file in '" + dir + "'");
  std::sort(files.begin(), files.end());
  std::vector<VectorResult> results;
  results.reserve(files.size());
  for (const fs::path& f : files) {
    try {
      results.push_back(RunVectorFile(f.string()));
    } catch (const Error& e) {
      VectorResult r;
      r.name = f.stem().string();
      r.detail = e.what();
      results.push_back(std::move(r));
    } catch (const std::bad_alloc&) {
      // One file's sizes must not end the whole directory run.
      VectorResult r;
      r.name = f.stem().string();
      r.detail = f.string() + ": out of memory running the case (sizes too large)";
      results.push_back(std::move(r));
    }
  }
  return results;
}

}  // namespace opcost::kernels
