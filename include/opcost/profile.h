// Hardware profiles: what one microcontroller + kernel library pair does per op category, stored
// as data (profiles/*.json, format in docs/profile-format.md). The seed paper's idea: throughput
// per op type as a function of MACs per output, pre-characterized per hardware.
//
//   opcost::HardwareProfile p = opcost::LoadProfile("profiles/cortex-m7-f746.json");
//   const opcost::CategoryProfile& conv = p.category(opcost::OpCategory::kConv);
//   bool extrapolated = false;
//   double macs_per_cycle = conv.curve.Evaluate(288.0, &extrapolated);
//   std::int64_t im2col_bytes = opcost::ScratchBytes(p, layer_desc);
#ifndef OPCOST_PROFILE_H_
#define OPCOST_PROFILE_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "opcost/metrics.h"
#include "opcost/op_type.h"

namespace opcost {

// Version 2 adds the `memory` section and `validation`; version-1 files still load (no memory
// term: weights and activations read at the speed the curves were characterized with).
constexpr int kProfileFormatVersion = 2;
constexpr int kOldestProfileFormatVersion = 1;

// True for the categories whose cost follows a MACs-per-cycle curve (conv, conv_1x1,
// depthwise_conv, fully_connected); the others cost cycles per element.
bool IsMacCategory(OpCategory category);

// MACs per cycle as a function of MACs per output: piecewise linear in log(MACs per output)
// between points, clamped to the end values outside them. Immutable once built; Evaluate never
// allocates.
class ThroughputCurve {
 public:
  struct Point {
    double macs_per_output = 0.0;  // > 0, strictly increasing along the curve
    double macs_per_cycle = 0.0;   // > 0, finite
  };

  ThroughputCurve() = default;
  // Throws Error{kInvalidArgument} if `points` is empty, a value is not finite and positive, or
  // macs_per_output is not strictly increasing.
  explicit ThroughputCurve(std::vector<Point> points);

  // MACs per cycle at `macs_per_output`. Outside [first, last] point the end value is returned
  // and *extrapolated is set to true (it is left alone otherwise). A non-positive or NaN input
  // is treated as below the first point. Precondition: the curve is not empty.
  double Evaluate(double macs_per_output, bool* extrapolated) const noexcept;

  const std::vector<Point>& points() const { return points_; }
  bool empty() const { return points_.empty(); }

 private:
  std::vector<Point> points_;
  std::vector<double> log_x_;  // log(macs_per_output) per point
  std::vector<double> slope_;  // d(macs_per_cycle)/d(log x) per segment
};

// What the profile says about one op category.
struct CategoryProfile {
  // False when the profile declares the category on purpose as not characterized
  // ({"characterized": false}); the estimator then rejects layers of it unless a fallback is
  // allowed.
  bool characterized = false;
  ThroughputCurve curve;            // MAC categories
  double cycles_per_element = 0.0;  // other categories; see docs/profile-format.md for "element"
  double overhead_cycles = 0.0;     // fixed per-layer cost (call, setup), >= 0
  double power_mw = 0.0;            // average active power while running this category, > 0
  // Provenance ids (keys of HardwareProfile::sources) for each number.
  std::string throughput_source, overhead_source, power_source;
  std::string note;
};

// A slower (or faster) kernel path the data shows: when `condition` holds for a layer of
// `category`, its cycles (without the overhead) are multiplied by `factor`.
enum class VariantCondition {
  kInputChannelsNotMultipleOf,   // "input_channels_not_multiple_of": C_in % value != 0
  kOutputChannelsNotMultipleOf,  // "output_channels_not_multiple_of": C_out % value != 0
  kStrideGreaterThan,            // "stride_greater_than": max(stride_h, stride_w) > value
};
struct VariantRule {
  OpCategory category = OpCategory::kConv;
  VariantCondition condition = VariantCondition::kInputChannelsNotMultipleOf;
  std::int64_t value = 1;  // >= 1
  double factor = 1.0;     // > 0
  std::string source;
  std::string note;
};

// Scratch (working) memory a kernel needs besides its inputs and outputs, e.g. the im2col
// buffer: bytes = constant_bytes + bytes_per_unit x unit, unit chosen by `term`.
enum class ScratchTerm {
  kKernelAreaTimesInputChannels,  // "kernel_area_x_input_channels": KH x KW x C_in
  kInputChannels,                 // "input_channels": C_in
  kOutputChannels,                // "output_channels": C_out
  kNone,                          // "none": constant_bytes only
};
struct ScratchRule {
  OpCategory category = OpCategory::kConv;
  ScratchTerm term = ScratchTerm::kNone;
  std::int64_t bytes_per_unit = 0;  // >= 0
  std::int64_t constant_bytes = 0;  // >= 0
  std::string kernel;               // the kernel the rule describes, e.g. "arm_convolve_s8"
  std::string source;
};

// One provenance entry: where numbers come from.
struct ProvenanceSource {
  std::string id;        // the key other entries refer to
  std::string kind;      // "datasheet", "measurement", "derived", "generator", "estimate"
  std::string citation;  // document + table/page, file + row, or generator run
};

// One memory of the device (flash, SRAM, TCM, external). `read_cycles_per_byte` is what reading
// one byte of a layer's operands from it costs on top of the compute curves, which were
// characterized with ideal (zero-wait) memory: e.g. flash wait states per access divided by the
// bytes one access returns.
struct MemoryRegion {
  std::string name;                   // "flash", "sram", ...; the key in the file and in placements
  std::string kind;                   // "flash", "sram", "tcm", "external"
  std::int64_t bytes = 0;             // capacity, >= 1
  double read_cycles_per_byte = 0.0;  // >= 0
  std::string bytes_source, read_source;
  std::string note;
};

// Where a layer's operands live and what that costs (format version 2). Empty `regions`: no
// memory term (version-1 profiles).
struct MemorySystem {
  std::vector<MemoryRegion> regions;
  int weights_region = -1;      // index into regions: where weights live by default
  int activations_region = -1;  // index into regions: where activations live

  bool empty() const { return regions.empty(); }
  // Index of the region called `name`, or -1.
  int Find(const std::string& name) const;
};

// Where weights live: "what if I copy these weights to SRAM?". Region names are the keys of the
// profile's memory regions (profile.h), e.g. "flash" or "sram".
struct WeightPlacement {
  std::string all_layers;  // empty: the profile's default weights region
  // Per layer (node name) overrides; only graph estimates (EstimateGraph) have names.
  std::vector<std::pair<std::string, std::string>> layers;

  bool empty() const { return all_layers.empty() && layers.empty(); }
};

// How far the profile's numbers were checked against measurements (docs/accuracy.md): mean
// absolute latency error in percent, with the table and command that reproduce it. Absent
// (rows == 0) when the profile was never validated.
struct ValidationRecord {
  double latency_error_pct = 0.0;        // |estimate / measured - 1| x 100, mean over rows
  double naive_latency_error_pct = 0.0;  // same for the ops-proportional model
  std::int64_t rows = 0;
  // How many of the rows the profile was calibrated or fitted on (their error is in-sample, not a
  // check); 0 when all were held out. Only absolute records have any.
  std::int64_t in_sample_rows = 0;
  std::string kind;    // "absolute" or "leave_one_out"
  std::string source;  // provenance id naming the table and command
};

// The words every output puts after a record's row count when some rows were in-sample:
// ", all in-sample (the profile was calibrated or fitted on them)" or ", 2 of them in-sample
// (...)"; "" when all were held out.
std::string InSampleText(const ValidationRecord& record);

// What the runtime itself takes beside the model (docs/profile-format.md, "runtime_reserve"):
// its code and constant tables in flash; its own RAM (interpreter and kernel state, stack, I/O
// buffers) in SRAM. Counted in every fit check; zero when the profile does not say.
struct RuntimeReserve {
  std::int64_t flash_bytes = 0;
  std::int64_t sram_bytes = 0;
  std::string flash_source;  // provenance ids
  std::string sram_source;
  std::string note;
};

struct HardwareProfile {
  int format_version = kProfileFormatVersion;
  std::string name;  // also the file stem the CLI finds it by
  std::string description;
  // Identity.
  std::string core;   // "cortex-m7"
  std::string mcu;    // "STM32F746ZG"
  std::string board;  // "NUCLEO-F746ZG"
  double clock_hz = 0.0;
  std::int64_t flash_bytes = 0;
  std::int64_t sram_bytes = 0;
  std::string kernel_library;          // "CMSIS-NN"
  std::string kernel_library_version;  // "v4.1.0"
  std::string identity_source;

  std::array<CategoryProfile, kNumOpCategories> categories;
  // Static power when the core does not compute (sleep between inferences), mW.
  double idle_power_mw = 0.0;
  std::string idle_power_source;
  // The ops-proportional "naive" model: one average throughput (ops = 2 x MACs + other ops per
  // cycle) for every op, so estimates can show what an ops count alone would predict.
  double naive_ops_per_cycle = 0.0;
  std::string naive_source;

  std::vector<VariantRule> variants;
  std::vector<ScratchRule> scratch;
  MemorySystem memory;
  RuntimeReserve runtime_reserve;
  std::vector<ValidationRecord> validation;
  std::vector<ProvenanceSource> sources;
  std::string source_name;  // the file (or name) the profile was parsed from

  // The kind of `id` in sources ("datasheet", "measurement", ...), or "" if absent.
  const std::string& SourceKind(const std::string& id) const;

  const CategoryProfile& category(OpCategory c) const {
    return categories[static_cast<std::size_t>(c)];
  }
  CategoryProfile& mutable_category(OpCategory c) {
    return categories[static_cast<std::size_t>(c)];
  }
};

// Reads and validates a profile file, or finds a shipped profile by name as the CLI does
// ("cortex-m7-f746", "stm32f746-cmsis-nn": a name is an argument with no '/' and no ".json" that
// is not an existing file; it is looked up with FindProfile in DefaultProfileDirs(),
// profile_catalog.h). Throws Error{kIo} if it cannot be read (for a name: the directories
// searched and the closest names), Error{kBadProfile} naming the file and JSON path on any
// violation (malformed JSON, unknown key, missing category, non-positive or NaN value, unsorted or
// duplicate curve points, unknown provenance id, ...).
HardwareProfile LoadProfile(const std::string& path_or_name);
// Same from text; `source_name` stands in for the file name in messages.
HardwareProfile ParseProfile(const std::string& json_text,
                             const std::string& source_name = "<profile>");
// Serializes a profile in the file format (ParseProfile(SaveProfileToString(p)) equals p).
std::string SaveProfileToString(const HardwareProfile& profile);
// Throws Error{kIo} if the file cannot be written.
void SaveProfile(const HardwareProfile& profile, const std::string& path);

// Scratch bytes the kernel for `layer` needs under `profile`'s rules (0 when no rule matches
// the layer's category). The memory analysis adds this to the activations live at that step.
// Throws Error{kOverflow}.
std::int64_t ScratchBytes(const HardwareProfile& profile, const LayerDesc& layer);
// Same with the layer's metrics already computed (ComputeLayerMetrics(layer)): a NAS loop that
// has them skips counting the layer again.
std::int64_t ScratchBytes(const HardwareProfile& profile, const LayerDesc& layer,
                          const OpMetrics& metrics);

// Names used in the file format.
const char* VariantConditionName(VariantCondition condition);
const char* ScratchTermName(ScratchTerm term);

}  // namespace opcost

#endif  // OPCOST_PROFILE_H_
