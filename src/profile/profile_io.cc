// Strict JSON reading and writing of hardware profiles (docs/profile-format.md).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "io/file_io.h"
#include "io/json_reader.h"
#include "opcost/error.h"
#include "opcost/profile.h"
#include "opcost/profile_catalog.h"

namespace opcost {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr VariantCondition kConditions[] = {VariantCondition::kInputChannelsNotMultipleOf,
                                            VariantCondition::kOutputChannelsNotMultipleOf,
                                            VariantCondition::kStrideGreaterThan};
constexpr ScratchTerm kTerms[] = {ScratchTerm::kKernelAreaTimesInputChannels,
                                  ScratchTerm::kInputChannels, ScratchTerm::kOutputChannels,
                                  ScratchTerm::kNone};

// Ranges of the numbers (docs/profile-format.md, "Ranges"): wide enough for any real device,
// narrow enough that cycles, seconds and joules of any model stay finite.
constexpr double kMaxMacsPerOutput = 1e12;
constexpr double kMinPerCycle = 1e-6;  // MACs or ops per cycle
constexpr double kMaxPerCycle = 1e4;
constexpr double kMaxCyclesPerUnit = 1e6;  // cycles per element, per byte
constexpr double kMaxOverheadCycles = 1e12;
constexpr double kMaxPowerMw = 1e7;
constexpr double kMinClockHz = 1e3;
constexpr double kMaxClockHz = 1e11;
constexpr double kMinFactor = 1e-3;
constexpr double kMaxFactor = 1e3;
// A runtime reserve of 2^50 B (1 PiB) is beyond any device; the bound keeps used + reserve finite.
constexpr std::int64_t kMaxReserveBytes = std::int64_t{1} << 50;

// Reads one profile document; every error names the source and the JSON path.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void Fail(const std::string& path, const std::string& message) const {
    throw Error(ErrorCode::kBadProfile,
                source_ + ": " + (path.empty() ? std::string("/") : path) + ": " + message);
  }

  void CheckObject(const json& v, const std::string& path,
                   std::initializer_list<const char*> allowed) const {
    if (!v.is_object()) Fail(path, "must be an object (got " + std::string(v.type_name()) + ")");
    for (auto it = v.begin(); it != v.end(); ++it) {
      bool known = false;
      for (const char* k : allowed) known = known || it.key() == k;
      if (!known) Fail(path, "unknown key \"" + it.key() + "\"");
    }
  }

  const json& Require(const json& obj, const char* key, const std::string& path) const {
    if (!obj.contains(key)) Fail(path, "missing required key \"" + std::string(key) + "\"");
    return obj.at(key);
  }

  std::string String(const json& v, const std::string& path) const {
    if (!v.is_string()) Fail(path, "must be a string (got " + std::string(v.type_name()) + ")");
    return v.get<std::string>();
  }
  std::string OptString(const json& obj, const char* key, const std::string& path) const {
    return obj.contains(key) ? String(obj.at(key), path + "/" + key) : std::string();
  }

  double Number(const json& v, const std::string& path) const {
    if (!v.is_number()) Fail(path, "must be a number (got " + std::string(v.type_name()) + ")");
    const double d = v.get<double>();
    if (!std::isfinite(d)) Fail(path, "must be finite (got " + detail::Excerpt(v) + ")");
    return d;
  }
  double Positive(const json& v, const std::string& path) const {
    const double d = Number(v, path);
    if (!(d > 0.0)) Fail(path, "must be > 0 (got " + detail::Excerpt(v) + ")");
    return d;
  }
  // Plausibility bounds: they keep every derived quantity (cycles, seconds, joules) finite for
  // any model, so that no estimate prints inf or NaN (docs/profile-format.md, "Ranges").
  double InRange(double d, const std::string& path, double lo, double hi) const {
    if (!(d >= lo && d <= hi)) {
      std::ostringstream m;
      m << "must be between " << lo << " and " << hi << " (got " << d << ")";
      Fail(path, m.str());
    }
    return d;
  }
  double NonNegative(const json& v, const std::string& path) const {
    const double d = Number(v, path);
    if (!(d >= 0.0)) Fail(path, "must be >= 0 (got " + detail::Excerpt(v) + ")");
    return d;
  }
  std::int64_t Integer(const json& v, const std::string& path, std::int64_t min) const {
    if (!v.is_number_integer()) {
      Fail(path, "must be an integer (got " + detail::Excerpt(v) + ")");
    }
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      Fail(path, "is too large (got " + detail::Excerpt(v) + ")");
    }
    const std::int64_t i = v.get<std::int64_t>();
    if (i < min)
      Fail(path, "must be >= " + std::to_string(min) + " (got " + detail::Excerpt(v) + ")");
    return i;
  }

  // A source reference: must name an entry of "sources".
  std::string SourceRef(const json& obj, const std::string& path) const {
    const std::string id = String(Require(obj, "source", path), path + "/source");
    if (source_ids_.count(id) == 0) {
      Fail(path + "/source", "unknown provenance id \"" + id + "\" (not a key of /sources)");
    }
    return id;
  }

  // {"value": number, "source": id}
  double SourcedValue(const json& obj, const std::string& path, bool allow_zero,
                      std::string* source, double max) const {
    CheckObject(obj, path, {"value", "source", "note"});
    const std::string vpath = path + "/value";
    const json& v = Require(obj, "value", path);
    const double d =
        InRange(allow_zero ? NonNegative(v, vpath) : Positive(v, vpath), vpath, 0.0, max);
    *source = SourceRef(obj, path);
    return d;
  }

  std::set<std::string> source_ids_;

 private:
  std::string source_;
};

void ReadCategory(const Reader& r, OpCategory c, const json& v, const std::string& path,
                  CategoryProfile* out) {
  if (!v.is_object()) r.Fail(path, "must be an object");
  if (v.contains("characterized")) {
    const json& ch = v.at("characterized");
    if (!ch.is_boolean()) r.Fail(path + "/characterized", "must be a boolean");
    if (!ch.get<bool>()) {
      r.CheckObject(v, path, {"characterized", "note"});
      out->characterized = false;
      out->note = r.OptString(v, "note", path);
      return;
    }
  }
  const bool mac = IsMacCategory(c);
  if (mac) {
    r.CheckObject(v, path, {"characterized", "throughput", "overhead_cycles", "power_mw", "note"});
    if (v.contains("cycles_per_element")) r.Fail(path, "unknown key \"cycles_per_element\"");
    const std::string tpath = path + "/throughput";
    const json& t = r.Require(v, "throughput", path);
    r.CheckObject(t, tpath, {"points", "source", "note"});
    const json& pts = r.Require(t, "points", tpath);
    const std::string ppath = tpath + "/points";
    if (!pts.is_array() || pts.empty()) r.Fail(ppath, "must be a non-empty array of [x, y]");
    std::vector<ThroughputCurve::Point> points;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const std::string ip = ppath + "/" + std::to_string(i);
      const json& p = pts.at(i);
      if (!p.is_array() || p.size() != 2) {
        r.Fail(ip, "must be [macs_per_output, macs_per_cycle] (got " + detail::Excerpt(p) + ")");
      }
      ThroughputCurve::Point pt;
      pt.macs_per_output =
          r.InRange(r.Positive(p.at(0), ip + "/0"), ip + "/0", 0.0, kMaxMacsPerOutput);
      pt.macs_per_cycle =
          r.InRange(r.Positive(p.at(1), ip + "/1"), ip + "/1", kMinPerCycle, kMaxPerCycle);
      if (!points.empty()) {
        const double prev = points.back().macs_per_output;
        if (pt.macs_per_output == prev) {
          r.Fail(ip + "/0", "duplicate macs_per_output " + detail::Excerpt(p.at(0)));
        }
        if (pt.macs_per_output < prev) {
          r.Fail(ip + "/0", "points must be sorted by increasing macs_per_output (" +
                                detail::Excerpt(p.at(0)) + " after " + std::to_string(prev) + ")");
        }
      }
      points.push_back(pt);
    }
    out->curve = ThroughputCurve(std::move(points));
    out->throughput_source = r.SourceRef(t, tpath);
  } else {
    r.CheckObject(v, path,
                  {"characterized", "cycles_per_element", "overhead_cycles", "power_mw", "note"});
    out->cycles_per_element =
        r.SourcedValue(r.Require(v, "cycles_per_element", path), path + "/cycles_per_element",
                       false, &out->throughput_source, kMaxCyclesPerUnit);
  }
  out->overhead_cycles =
      r.SourcedValue(r.Require(v, "overhead_cycles", path), path + "/overhead_cycles", true,
                     &out->overhead_source, kMaxOverheadCycles);
  out->power_mw = r.SourcedValue(r.Require(v, "power_mw", path), path + "/power_mw", false,
                                 &out->power_source, kMaxPowerMw);
  out->note = r.OptString(v, "note", path);
  out->characterized = true;
}

void ReadMemory(const Reader& r, const json& v, MemorySystem* out) {
  r.CheckObject(v, "/memory", {"regions", "weights", "activations", "note"});
  const json& regions = r.Require(v, "regions", "/memory");
  if (!regions.is_object() || regions.empty()) {
    r.Fail("/memory/regions", "must be a non-empty object (name -> region)");
  }
  for (auto it = regions.begin(); it != regions.end(); ++it) {
    const std::string rp = "/memory/regions/" + it.key();
    const json& j = it.value();
    r.CheckObject(j, rp, {"kind", "bytes", "read_cycles_per_byte", "note"});
    MemoryRegion region;
    region.name = it.key();
    if (region.name.empty()) r.Fail(rp, "a region name must not be empty");
    region.kind = r.String(r.Require(j, "kind", rp), rp + "/kind");
    static const char* kKinds[] = {"flash", "sram", "tcm", "external"};
    bool kind_ok = false;
    for (const char* k : kKinds) kind_ok = kind_ok || region.kind == k;
    if (!kind_ok) {
      r.Fail(rp + "/kind",
             "must be one of flash, sram, tcm, external (got \"" + region.kind + "\")");
    }
    const std::string bp = rp + "/bytes";
    const json& b = r.Require(j, "bytes", rp);
    r.CheckObject(b, bp, {"value", "source", "note"});
    region.bytes = r.Integer(r.Require(b, "value", bp), bp + "/value", 1);
    region.bytes_source = r.SourceRef(b, bp);
    region.read_cycles_per_byte =
        r.SourcedValue(r.Require(j, "read_cycles_per_byte", rp), rp + "/read_cycles_per_byte", true,
                       &region.read_source, kMaxCyclesPerUnit);
    region.note = r.OptString(j, "note", rp);
    out->regions.push_back(region);
  }
  for (const char* key : {"weights", "activations"}) {
    const std::string path = std::string("/memory/") + key;
    const std::string name = r.String(r.Require(v, key, "/memory"), path);
    const int index = out->Find(name);
    if (index < 0) r.Fail(path, "names no region of /memory/regions (got \"" + name + "\")");
    (key[0] == 'w' ? out->weights_region : out->activations_region) = index;
  }
}

void ReadValidation(const Reader& r, const json& v, std::vector<ValidationRecord>* out) {
  if (!v.is_array()) r.Fail("/validation", "must be an array");
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string vp = "/validation/" + std::to_string(i);
    const json& j = v.at(i);
    r.CheckObject(
        j, vp, {"kind", "rows", "latency_error_pct", "naive_latency_error_pct", "source", "note"});
    ValidationRecord rec;
    rec.kind = r.String(r.Require(j, "kind", vp), vp + "/kind");
    if (rec.kind != "absolute" && rec.kind != "leave_one_out") {
      r.Fail(vp + "/kind", "must be absolute or leave_one_out (got \"" + rec.kind + "\")");
    }
    rec.rows = r.Integer(r.Require(j, "rows", vp), vp + "/rows", 1);
    rec.latency_error_pct =
        r.NonNegative(r.Require(j, "latency_error_pct", vp), vp + "/latency_error_pct");
    rec.naive_latency_error_pct =
        r.NonNegative(r.Require(j, "naive_latency_error_pct", vp), vp + "/naive_latency_error_pct");
    rec.source = r.SourceRef(j, vp);
    out->push_back(rec);
  }
}

OpCategory ReadCategoryName(const Reader& r, const json& v, const std::string& path) {
  const std::string name = r.String(v, path);
  OpCategory c;
  if (!ParseOpCategory(name, &c)) r.Fail(path, "unknown op category \"" + name + "\"");
  return c;
}

// {"flash_bytes": {"value", "source"}, "sram_bytes": {"value", "source"}, "note"}
void ReadRuntimeReserve(const Reader& r, const json& v, RuntimeReserve* out) {
  r.CheckObject(v, "/runtime_reserve", {"flash_bytes", "sram_bytes", "note"});
  auto read_bytes = [&](const char* key, std::string* source) {
    const std::string path = std::string("/runtime_reserve/") + key;
    const json& b = r.Require(v, key, "/runtime_reserve");
    r.CheckObject(b, path, {"value", "source", "note"});
    const std::int64_t bytes = r.Integer(r.Require(b, "value", path), path + "/value", 0);
    if (bytes > kMaxReserveBytes) {
      r.Fail(path + "/value", "must be <= " + std::to_string(kMaxReserveBytes) + " (got " +
                                  std::to_string(bytes) + ")");
    }
    *source = r.SourceRef(b, path);
    return bytes;
  };
  out->flash_bytes = read_bytes("flash_bytes", &out->flash_source);
  out->sram_bytes = read_bytes("sram_bytes", &out->sram_source);
  out->note = r.OptString(v, "note", "/runtime_reserve");
}

HardwareProfile Parse(const json& doc, const Reader& reader_in) {
  Reader r = reader_in;
  HardwareProfile p;
  r.CheckObject(
      doc, "",
      {"format", "format_version", "name", "description", "hardware", "sources", "naive_model",
       "idle_power_mw", "categories", "variants", "scratch", "memory", "runtime_reserve",
       "validation"});
  const std::string format = r.String(r.Require(doc, "format", ""), "/format");
  if (format != "opcost-profile") {
    r.Fail("/format", "must be \"opcost-profile\" (got \"" + format + "\")");
  }
  const std::int64_t version =
      r.Integer(r.Require(doc, "format_version", ""), "/format_version", 0);
  if (version < kOldestProfileFormatVersion || version > kProfileFormatVersion) {
    r.Fail("/format_version", "unsupported version " + std::to_string(version) +
                                  " (this build reads " +
                                  std::to_string(kOldestProfileFormatVersion) + " to " +
                                  std::to_string(kProfileFormatVersion) + ")");
  }
  for (const char* key : {"memory", "runtime_reserve", "validation"}) {
    if (version < 2 && doc.contains(key)) {
      r.Fail(std::string("/") + key, "needs format_version 2 (the file says 1)");
    }
  }
  p.format_version = static_cast<int>(version);
  p.name = r.String(r.Require(doc, "name", ""), "/name");
  if (p.name.empty()) r.Fail("/name", "must not be empty");
  p.description = r.OptString(doc, "description", "");

  // Sources first: everything else refers to them.
  const json& sources = r.Require(doc, "sources", "");
  if (!sources.is_object() || sources.empty()) r.Fail("/sources", "must be a non-empty object");
  for (auto it = sources.begin(); it != sources.end(); ++it) {
    const std::string sp = "/sources/" + it.key();
    r.CheckObject(it.value(), sp, {"kind", "citation"});
    ProvenanceSource s;
    s.id = it.key();
    s.kind = r.String(r.Require(it.value(), "kind", sp), sp + "/kind");
    static const char* kKinds[] = {"datasheet", "measurement", "derived", "generator", "estimate"};
    bool kind_ok = false;
    for (const char* k : kKinds) kind_ok = kind_ok || s.kind == k;
    if (!kind_ok) {
      r.Fail(sp + "/kind",
             "must be one of datasheet, measurement, derived, generator, "
             "estimate (got \"" +
                 s.kind + "\")");
    }
    s.citation = r.String(r.Require(it.value(), "citation", sp), sp + "/citation");
    if (s.citation.empty()) r.Fail(sp + "/citation", "must not be empty");
    p.sources.push_back(s);
    r.source_ids_.insert(s.id);
  }

  const json& hw = r.Require(doc, "hardware", "");
  r.CheckObject(hw, "/hardware",
                {"core", "mcu", "board", "clock_hz", "flash_bytes", "sram_bytes", "kernel_library",
                 "kernel_library_version", "source"});
  p.core = r.String(r.Require(hw, "core", "/hardware"), "/hardware/core");
  p.mcu = r.OptString(hw, "mcu", "/hardware");
  p.board = r.OptString(hw, "board", "/hardware");
  p.clock_hz = r.InRange(r.Positive(r.Require(hw, "clock_hz", "/hardware"), "/hardware/clock_hz"),
                         "/hardware/clock_hz", kMinClockHz, kMaxClockHz);
  p.flash_bytes = r.Integer(r.Require(hw, "flash_bytes", "/hardware"), "/hardware/flash_bytes", 1);
  p.sram_bytes = r.Integer(r.Require(hw, "sram_bytes", "/hardware"), "/hardware/sram_bytes", 1);
  p.kernel_library =
      r.String(r.Require(hw, "kernel_library", "/hardware"), "/hardware/kernel_library");
  p.kernel_library_version = r.OptString(hw, "kernel_library_version", "/hardware");
  p.identity_source = r.SourceRef(hw, "/hardware");

  const json& naive = r.Require(doc, "naive_model", "");
  r.CheckObject(naive, "/naive_model", {"ops_per_cycle", "source", "note"});
  p.naive_ops_per_cycle = r.InRange(
      r.Positive(r.Require(naive, "ops_per_cycle", "/naive_model"), "/naive_model/ops_per_cycle"),
      "/naive_model/ops_per_cycle", kMinPerCycle, kMaxPerCycle);
  p.naive_source = r.SourceRef(naive, "/naive_model");

  p.idle_power_mw = r.SourcedValue(r.Require(doc, "idle_power_mw", ""), "/idle_power_mw", true,
                                   &p.idle_power_source, kMaxPowerMw);

  const json& cats = r.Require(doc, "categories", "");
  if (!cats.is_object()) r.Fail("/categories", "must be an object");
  for (auto it = cats.begin(); it != cats.end(); ++it) {
    OpCategory c;
    if (!ParseOpCategory(it.key(), &c)) {
      r.Fail("/categories", "unknown key \"" + it.key() + "\" (not an op category)");
    }
  }
  bool any = false;
  for (int i = 0; i < kNumOpCategories; ++i) {
    const auto c = static_cast<OpCategory>(i);
    const char* name = OpCategoryName(c);
    if (!cats.contains(name)) {
      r.Fail("/categories", std::string("missing category \"") + name +
                                "\" (list every category; use {\"characterized\": false} for "
                                "one the profile does not cover)");
    }
    ReadCategory(r, c, cats.at(name), std::string("/categories/") + name, &p.mutable_category(c));
    any = any || p.category(c).characterized;
  }
  if (!any) r.Fail("/categories", "no category is characterized");

  if (doc.contains("variants")) {
    const json& vs = doc.at("variants");
    if (!vs.is_array()) r.Fail("/variants", "must be an array");
    for (std::size_t i = 0; i < vs.size(); ++i) {
      const std::string vp = "/variants/" + std::to_string(i);
      const json& v = vs.at(i);
      r.CheckObject(v, vp, {"category", "condition", "value", "factor", "source", "note"});
      VariantRule rule;
      rule.category = ReadCategoryName(r, r.Require(v, "category", vp), vp + "/category");
      const std::string cond = r.String(r.Require(v, "condition", vp), vp + "/condition");
      bool found = false;
      for (VariantCondition vc : kConditions) {
        if (cond == VariantConditionName(vc)) {
          rule.condition = vc;
          found = true;
        }
      }
      if (!found) r.Fail(vp + "/condition", "unknown condition \"" + cond + "\"");
      rule.value = r.Integer(r.Require(v, "value", vp), vp + "/value", 1);
      rule.factor = r.InRange(r.Positive(r.Require(v, "factor", vp), vp + "/factor"),
                              vp + "/factor", kMinFactor, kMaxFactor);
      rule.source = r.SourceRef(v, vp);
      rule.note = r.OptString(v, "note", vp);
      p.variants.push_back(rule);
    }
  }
  if (doc.contains("scratch")) {
    const json& ss = doc.at("scratch");
    if (!ss.is_array()) r.Fail("/scratch", "must be an array");
    bool seen[kNumOpCategories] = {};
    for (std::size_t i = 0; i < ss.size(); ++i) {
      const std::string sp = "/scratch/" + std::to_string(i);
      const json& s = ss.at(i);
      r.CheckObject(s, sp,
                    {"category", "kernel", "term", "bytes_per_unit", "constant_bytes", "source"});
      ScratchRule rule;
      rule.category = ReadCategoryName(r, r.Require(s, "category", sp), sp + "/category");
      if (seen[static_cast<int>(rule.category)]) {
        r.Fail(sp + "/category", std::string("second scratch rule for category \"") +
                                     OpCategoryName(rule.category) + "\"");
      }
      seen[static_cast<int>(rule.category)] = true;
      rule.kernel = r.OptString(s, "kernel", sp);
      const std::string term = r.String(r.Require(s, "term", sp), sp + "/term");
      bool found = false;
      for (ScratchTerm t : kTerms) {
        if (term == ScratchTermName(t)) {
          rule.term = t;
          found = true;
        }
      }
      if (!found) r.Fail(sp + "/term", "unknown term \"" + term + "\"");
      rule.bytes_per_unit =
          r.Integer(r.Require(s, "bytes_per_unit", sp), sp + "/bytes_per_unit", 0);
      rule.constant_bytes = s.contains("constant_bytes")
                                ? r.Integer(s.at("constant_bytes"), sp + "/constant_bytes", 0)
                                : 0;
      rule.source = r.SourceRef(s, sp);
      p.scratch.push_back(rule);
    }
  }
  if (doc.contains("memory")) ReadMemory(r, doc.at("memory"), &p.memory);
  if (doc.contains("runtime_reserve")) {
    ReadRuntimeReserve(r, doc.at("runtime_reserve"), &p.runtime_reserve);
  }
  if (doc.contains("validation")) ReadValidation(r, doc.at("validation"), &p.validation);
  return p;
}

ordered_json Sourced(double value, const std::string& source) {
  ordered_json j;
  j["value"] = value;
  j["source"] = source;
  return j;
}

}  // namespace

int MemorySystem::Find(const std::string& name) const {
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (regions[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

const std::string& HardwareProfile::SourceKind(const std::string& id) const {
  static const std::string kNone;
  for (const ProvenanceSource& s : sources) {
    if (s.id == id) return s.kind;
  }
  return kNone;
}

const char* VariantConditionName(VariantCondition condition) {
  switch (condition) {
    case VariantCondition::kInputChannelsNotMultipleOf:
      return "input_channels_not_multiple_of";
    case VariantCondition::kOutputChannelsNotMultipleOf:
      return "output_channels_not_multiple_of";
    case VariantCondition::kStrideGreaterThan:
      return "stride_greater_than";
  }
  return "?";
}

const char* ScratchTermName(ScratchTerm term) {
  switch (term) {
    case ScratchTerm::kKernelAreaTimesInputChannels:
      return "kernel_area_x_input_channels";
    case ScratchTerm::kInputChannels:
      return "input_channels";
    case ScratchTerm::kOutputChannels:
      return "output_channels";
    case ScratchTerm::kNone:
      return "none";
  }
  return "?";
}

HardwareProfile ParseProfile(const std::string& json_text, const std::string& source_name) {
  const json doc = detail::ParseJsonText(json_text, source_name, ErrorCode::kBadProfile);
  Reader reader(source_name);
  HardwareProfile p = Parse(doc, reader);
  p.source_name = source_name;
  return p;
}

HardwareProfile LoadProfile(const std::string& path_or_name) {
  std::error_code ec;
  if (!IsProfilePath(path_or_name) && !std::filesystem::exists(path_or_name, ec)) {
    return FindProfile(path_or_name, DefaultProfileDirs());  // a shipped name, as the CLI takes
  }
  return ParseProfile(detail::ReadTextFile(path_or_name), path_or_name);
}

std::string SaveProfileToString(const HardwareProfile& p) {
  ordered_json doc;
  doc["format"] = "opcost-profile";
  // The oldest version that holds everything: version-1 readers keep reading what they can.
  const bool has_reserve = p.runtime_reserve.flash_bytes > 0 || p.runtime_reserve.sram_bytes > 0;
  const bool v2 = !p.memory.empty() || has_reserve || !p.validation.empty();
  doc["format_version"] = v2 ? 2 : 1;
  doc["name"] = p.name;
  if (!p.description.empty()) doc["description"] = p.description;
  ordered_json hw;
  hw["core"] = p.core;
  if (!p.mcu.empty()) hw["mcu"] = p.mcu;
  if (!p.board.empty()) hw["board"] = p.board;
  hw["clock_hz"] = p.clock_hz;
  hw["flash_bytes"] = p.flash_bytes;
  hw["sram_bytes"] = p.sram_bytes;
  hw["kernel_library"] = p.kernel_library;
  if (!p.kernel_library_version.empty()) hw["kernel_library_version"] = p.kernel_library_version;
  hw["source"] = p.identity_source;
  doc["hardware"] = hw;
  ordered_json sources = ordered_json::object();
  for (const ProvenanceSource& s : p.sources) {
    sources[s.id] = {{"kind", s.kind}, {"citation", s.citation}};
  }
  doc["sources"] = sources;
  doc["naive_model"] = {{"ops_per_cycle", p.naive_ops_per_cycle}, {"source", p.naive_source}};
  doc["idle_power_mw"] = Sourced(p.idle_power_mw, p.idle_power_source);
  ordered_json cats = ordered_json::object();
  for (int i = 0; i < kNumOpCategories; ++i) {
    const auto c = static_cast<OpCategory>(i);
    const CategoryProfile& cp = p.category(c);
    ordered_json j = ordered_json::object();
    if (!cp.characterized) {
      j["characterized"] = false;
    } else {
      if (IsMacCategory(c)) {
        ordered_json pts = ordered_json::array();
        for (const auto& pt : cp.curve.points())
          pts.push_back({pt.macs_per_output, pt.macs_per_cycle});
        j["throughput"] = {{"points", pts}, {"source", cp.throughput_source}};
      } else {
        j["cycles_per_element"] = Sourced(cp.cycles_per_element, cp.throughput_source);
      }
      j["overhead_cycles"] = Sourced(cp.overhead_cycles, cp.overhead_source);
      j["power_mw"] = Sourced(cp.power_mw, cp.power_source);
    }
    if (!cp.note.empty()) j["note"] = cp.note;
    cats[OpCategoryName(c)] = j;
  }
  doc["categories"] = cats;
  if (!p.variants.empty()) {
    ordered_json vs = ordered_json::array();
    for (const VariantRule& v : p.variants) {
      ordered_json j;
      j["category"] = OpCategoryName(v.category);
      j["condition"] = VariantConditionName(v.condition);
      j["value"] = v.value;
      j["factor"] = v.factor;
      j["source"] = v.source;
      if (!v.note.empty()) j["note"] = v.note;
      vs.push_back(j);
    }
    doc["variants"] = vs;
  }
  if (!p.scratch.empty()) {
    ordered_json ss = ordered_json::array();
    for (const ScratchRule& s : p.scratch) {
      ordered_json j;
      j["category"] = OpCategoryName(s.category);
      if (!s.kernel.empty()) j["kernel"] = s.kernel;
      j["term"] = ScratchTermName(s.term);
      j["bytes_per_unit"] = s.bytes_per_unit;
      j["constant_bytes"] = s.constant_bytes;
      j["source"] = s.source;
      ss.push_back(j);
    }
    doc["scratch"] = ss;
  }
  if (!p.memory.empty()) {
    ordered_json regions = ordered_json::object();
    for (const MemoryRegion& m : p.memory.regions) {
      ordered_json j;
      j["kind"] = m.kind;
      j["bytes"] = {{"value", m.bytes}, {"source", m.bytes_source}};
      j["read_cycles_per_byte"] = Sourced(m.read_cycles_per_byte, m.read_source);
      if (!m.note.empty()) j["note"] = m.note;
      regions[m.name] = j;
    }
    doc["memory"] = {
        {"regions", regions},
        {"weights", p.memory.regions[static_cast<std::size_t>(p.memory.weights_region)].name},
        {"activations",
         p.memory.regions[static_cast<std::size_t>(p.memory.activations_region)].name}};
  }
  if (has_reserve) {
    const RuntimeReserve& rr = p.runtime_reserve;
    ordered_json j;
    j["flash_bytes"] = {{"value", rr.flash_bytes}, {"source", rr.flash_source}};
    j["sram_bytes"] = {{"value", rr.sram_bytes}, {"source", rr.sram_source}};
    if (!rr.note.empty()) j["note"] = rr.note;
    doc["runtime_reserve"] = j;
  }
  if (!p.validation.empty()) {
    ordered_json vs = ordered_json::array();
    for (const ValidationRecord& v : p.validation) {
      vs.push_back({{"kind", v.kind},
                    {"rows", v.rows},
                    {"latency_error_pct", v.latency_error_pct},
                    {"naive_latency_error_pct", v.naive_latency_error_pct},
                    {"source", v.source}});
    }
    doc["validation"] = vs;
  }
  return doc.dump(2) + "\n";
}

void SaveProfile(const HardwareProfile& profile, const std::string& path) {
  detail::WriteFileAtomically(path, SaveProfileToString(profile));
}

std::int64_t ScratchBytes(const HardwareProfile& profile, const LayerDesc& layer) {
  const OpMetrics m = ComputeLayerMetrics(layer);
  for (const ScratchRule& rule : profile.scratch) {
    if (rule.category != m.category) continue;
    std::int64_t unit = 0;
    switch (rule.term) {
      case ScratchTerm::kKernelAreaTimesInputChannels:
        unit = CheckedMul(CheckedMul(layer.attrs.kernel_h, layer.attrs.kernel_w),
                          layer.input.Channels());
        break;
      case ScratchTerm::kInputChannels:
        unit = layer.input.Channels();
        break;
      case ScratchTerm::kOutputChannels:
        unit = layer.output.Channels();
        break;
      case ScratchTerm::kNone:
        unit = 0;
        break;
    }
    return CheckedAdd(rule.constant_bytes, CheckedMul(rule.bytes_per_unit, unit));
  }
  return 0;
}

}  // namespace opcost
