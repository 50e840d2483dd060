// Strict JSON reading and writing of hardware profiles (docs/profile-format.md).
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

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

// The strict JSON reader plus what every profile value cites: the ids of "sources".
class ProfileReader : public detail::JsonReader {
 public:
  explicit ProfileReader(const std::string& source) : JsonReader(source, ErrorCode::kBadProfile) {}

  void AddSourceId(const std::string& id) { source_ids_.insert(id); }

  // obj["source"], which must name an entry of "sources".
  std::string SourceRef(const json& obj, const std::string& path) const {
    const std::string spath = detail::JoinPath(path, "source");
    const std::string id = String(Member(obj, "source", path), spath);
    if (source_ids_.count(id) == 0) {
      Fail(spath, "unknown provenance id \"" + id + "\" (not a key of /sources)");
    }
    return id;
  }

  // {"value": number in (0, max] or, with allow_zero, [0, max], "source": id, "note"}
  double SourcedValue(const json& obj, const std::string& path, bool allow_zero, double max,
                      std::string* source) const {
    CheckObject(obj, path, {"value", "source", "note"});
    const std::string vpath = detail::JoinPath(path, "value");
    const json& v = Member(obj, "value", path);
    const double d = InRange(allow_zero ? NonNegativeNumber(v, vpath) : PositiveNumber(v, vpath),
                             vpath, 0.0, max);
    *source = SourceRef(obj, path);
    return d;
  }
  // The same for the member `key` of `obj`.
  double SourcedMember(const json& obj, const char* key, const std::string& path, bool allow_zero,
                       double max, std::string* source) const {
    return SourcedValue(Member(obj, key, path), detail::JoinPath(path, key), allow_zero, max,
                        source);
  }

 private:
  std::set<std::string> source_ids_;
};

// The enum value whose name(value) is `name`.
template <typename Enum, std::size_t N>
bool FindByName(const Enum (&values)[N], const char* (*name_of)(Enum), const std::string& name,
                Enum* out) {
  for (Enum e : values) {
    if (name == name_of(e)) {
      *out = e;
      return true;
    }
  }
  return false;
}

// {"points": [[macs_per_output, macs_per_cycle], ...], "source", "note"}, sorted by x.
void ReadThroughput(const ProfileReader& r, const json& t, const std::string& tpath,
                    CategoryProfile* out) {
  r.CheckObject(t, tpath, {"points", "source", "note"});
  const json& pts = r.Member(t, "points", tpath);
  const std::string ppath = tpath + "/points";
  if (!pts.is_array() || pts.empty()) r.Fail(ppath, "must be a non-empty array of [x, y]");
  std::vector<ThroughputCurve::Point> points;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const std::string ip = detail::JoinPath(ppath, i);
    const json& p = pts.at(i);
    if (!p.is_array() || p.size() != 2) {
      r.Fail(ip, "must be [macs_per_output, macs_per_cycle] (got " + detail::Excerpt(p) + ")");
    }
    ThroughputCurve::Point pt;
    pt.macs_per_output =
        r.InRange(r.PositiveNumber(p.at(0), ip + "/0"), ip + "/0", 0.0, kMaxMacsPerOutput);
    pt.macs_per_cycle =
        r.InRange(r.PositiveNumber(p.at(1), ip + "/1"), ip + "/1", kMinPerCycle, kMaxPerCycle);
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
}

void ReadCategory(const ProfileReader& r, OpCategory c, const json& v, const std::string& path,
                  CategoryProfile* out) {
  r.ExpectObject(v, path);
  const json* characterized = r.Find(v, "characterized");
  if (characterized != nullptr && !r.Bool(*characterized, path + "/characterized")) {
    r.CheckObject(v, path, {"characterized", "note"});
    out->characterized = false;
    out->note = r.OptionalString(v, "note", path);
    return;
  }
  if (IsMacCategory(c)) {
    r.CheckObject(v, path, {"characterized", "throughput", "overhead_cycles", "power_mw", "note"});
    ReadThroughput(r, r.Member(v, "throughput", path), path + "/throughput", out);
  } else {
    r.CheckObject(v, path,
                  {"characterized", "cycles_per_element", "overhead_cycles", "power_mw", "note"});
    out->cycles_per_element = r.SourcedMember(v, "cycles_per_element", path, false,
                                              kMaxCyclesPerUnit, &out->throughput_source);
  }
  out->overhead_cycles =
      r.SourcedMember(v, "overhead_cycles", path, true, kMaxOverheadCycles, &out->overhead_source);
  out->power_mw = r.SourcedMember(v, "power_mw", path, false, kMaxPowerMw, &out->power_source);
  out->note = r.OptionalString(v, "note", path);
  out->characterized = true;
}

// {"kind", "bytes": {"value", "source", "note"}, "read_cycles_per_byte", "note"}
MemoryRegion ReadRegion(const ProfileReader& r, const std::string& name, const json& j,
                        const std::string& rp) {
  r.CheckObject(j, rp, {"kind", "bytes", "read_cycles_per_byte", "note"});
  MemoryRegion region;
  region.name = name;
  if (region.name.empty()) r.Fail(rp, "a region name must not be empty");
  region.kind =
      r.OneOf(r.Member(j, "kind", rp), rp + "/kind", {"flash", "sram", "tcm", "external"});
  const std::string bp = rp + "/bytes";
  const json& b = r.Member(j, "bytes", rp);
  r.CheckObject(b, bp, {"value", "source", "note"});
  region.bytes = r.IntAtLeast(r.Member(b, "value", bp), bp + "/value", 1);
  region.bytes_source = r.SourceRef(b, bp);
  region.read_cycles_per_byte =
      r.SourcedMember(j, "read_cycles_per_byte", rp, true, kMaxCyclesPerUnit, &region.read_source);
  region.note = r.OptionalString(j, "note", rp);
  return region;
}

void ReadMemory(const ProfileReader& r, const json& v, MemorySystem* out) {
  r.CheckObject(v, "/memory", {"regions", "weights", "activations", "note"});
  const json& regions = r.Member(v, "regions", "/memory");
  if (!regions.is_object() || regions.empty()) {
    r.Fail("/memory/regions", "must be a non-empty object (name -> region)");
  }
  for (auto it = regions.begin(); it != regions.end(); ++it) {
    out->regions.push_back(ReadRegion(r, it.key(), it.value(), "/memory/regions/" + it.key()));
  }
  for (const char* key : {"weights", "activations"}) {
    const std::string path = std::string("/memory/") + key;
    const std::string name = r.String(r.Member(v, key, "/memory"), path);
    const int index = out->Find(name);
    if (index < 0) r.Fail(path, "names no region of /memory/regions (got \"" + name + "\")");
    (key[0] == 'w' ? out->weights_region : out->activations_region) = index;
  }
}

void ReadValidation(const ProfileReader& r, const json& v, std::vector<ValidationRecord>* out) {
  r.ExpectArray(v, "/validation");
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string vp = detail::JoinPath("/validation", i);
    const json& j = v.at(i);
    r.CheckObject(j, vp,
                  {"kind", "rows", "in_sample_rows", "latency_error_pct", "naive_latency_error_pct",
                   "source", "note"});
    ValidationRecord rec;
    rec.kind = r.OneOf(r.Member(j, "kind", vp), vp + "/kind", {"absolute", "leave_one_out"});
    rec.rows = r.IntAtLeast(r.Member(j, "rows", vp), vp + "/rows", 1);
    if (const json* in = r.Find(j, "in_sample_rows")) {
      rec.in_sample_rows = r.IntInRange(*in, vp + "/in_sample_rows", 0, rec.rows);
    }
    rec.latency_error_pct =
        r.NonNegativeNumber(r.Member(j, "latency_error_pct", vp), vp + "/latency_error_pct");
    rec.naive_latency_error_pct = r.NonNegativeNumber(r.Member(j, "naive_latency_error_pct", vp),
                                                      vp + "/naive_latency_error_pct");
    rec.source = r.SourceRef(j, vp);
    out->push_back(rec);
  }
}

// {"flash_bytes": {"value", "source", "note"}, "sram_bytes": {...}, "note"}
void ReadRuntimeReserve(const ProfileReader& r, const json& v, RuntimeReserve* out) {
  r.CheckObject(v, "/runtime_reserve", {"flash_bytes", "sram_bytes", "note"});
  auto read_bytes = [&](const char* key, std::string* source) {
    const std::string path = std::string("/runtime_reserve/") + key;
    const json& b = r.Member(v, key, "/runtime_reserve");
    r.CheckObject(b, path, {"value", "source", "note"});
    const std::int64_t bytes =
        r.IntInRange(r.Member(b, "value", path), path + "/value", 0, kMaxReserveBytes);
    *source = r.SourceRef(b, path);
    return bytes;
  };
  out->flash_bytes = read_bytes("flash_bytes", &out->flash_source);
  out->sram_bytes = read_bytes("sram_bytes", &out->sram_source);
  out->note = r.OptionalString(v, "note", "/runtime_reserve");
}

OpCategory ReadCategoryName(const ProfileReader& r, const json& v, const std::string& path) {
  const std::string name = r.String(v, path);
  OpCategory c;
  if (!ParseOpCategory(name, &c)) r.Fail(path, "unknown op category \"" + name + "\"");
  return c;
}

// "format", "format_version" (and what needs version 2), "name", "description".
void ReadHeader(const ProfileReader& r, const json& doc, HardwareProfile* p) {
  const std::string format = r.String(r.Member(doc, "format", ""), "/format");
  if (format != "opcost-profile") {
    r.Fail("/format", "must be \"opcost-profile\" (got \"" + format + "\")");
  }
  const std::int64_t version =
      r.IntAtLeast(r.Member(doc, "format_version", ""), "/format_version", 0);
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
  p->format_version = static_cast<int>(version);
  p->name = r.String(r.Member(doc, "name", ""), "/name");
  if (p->name.empty()) r.Fail("/name", "must not be empty");
  p->description = r.OptionalString(doc, "description", "");
}

// "sources": {id: {"kind", "citation"}}; read first, as everything else cites them.
void ReadSources(ProfileReader& r, const json& doc, HardwareProfile* p) {
  const json& sources = r.Member(doc, "sources", "");
  if (!sources.is_object() || sources.empty()) r.Fail("/sources", "must be a non-empty object");
  for (auto it = sources.begin(); it != sources.end(); ++it) {
    const std::string sp = "/sources/" + it.key();
    r.CheckObject(it.value(), sp, {"kind", "citation"});
    ProvenanceSource s;
    s.id = it.key();
    s.kind = r.OneOf(r.Member(it.value(), "kind", sp), sp + "/kind",
                     {"datasheet", "measurement", "derived", "generator", "estimate"});
    s.citation = r.String(r.Member(it.value(), "citation", sp), sp + "/citation");
    if (s.citation.empty()) r.Fail(sp + "/citation", "must not be empty");
    p->sources.push_back(s);
    r.AddSourceId(s.id);
  }
}

// "hardware", "naive_model" and "idle_power_mw": the device and its whole-device numbers.
void ReadHardware(const ProfileReader& r, const json& doc, HardwareProfile* p) {
  const std::string hp = "/hardware";
  const json& hw = r.Member(doc, "hardware", "");
  r.CheckObject(hw, hp,
                {"core", "mcu", "board", "clock_hz", "flash_bytes", "sram_bytes", "kernel_library",
                 "kernel_library_version", "source"});
  p->core = r.String(r.Member(hw, "core", hp), hp + "/core");
  p->mcu = r.OptionalString(hw, "mcu", hp);
  p->board = r.OptionalString(hw, "board", hp);
  p->clock_hz = r.InRange(r.PositiveNumber(r.Member(hw, "clock_hz", hp), hp + "/clock_hz"),
                          hp + "/clock_hz", kMinClockHz, kMaxClockHz);
  p->flash_bytes = r.IntAtLeast(r.Member(hw, "flash_bytes", hp), hp + "/flash_bytes", 1);
  p->sram_bytes = r.IntAtLeast(r.Member(hw, "sram_bytes", hp), hp + "/sram_bytes", 1);
  p->kernel_library = r.String(r.Member(hw, "kernel_library", hp), hp + "/kernel_library");
  p->kernel_library_version = r.OptionalString(hw, "kernel_library_version", hp);
  p->identity_source = r.SourceRef(hw, hp);

  const std::string np = "/naive_model";
  const json& naive = r.Member(doc, "naive_model", "");
  r.CheckObject(naive, np, {"ops_per_cycle", "source", "note"});
  p->naive_ops_per_cycle =
      r.InRange(r.PositiveNumber(r.Member(naive, "ops_per_cycle", np), np + "/ops_per_cycle"),
                np + "/ops_per_cycle", kMinPerCycle, kMaxPerCycle);
  p->naive_source = r.SourceRef(naive, np);
  p->idle_power_mw =
      r.SourcedMember(doc, "idle_power_mw", "", true, kMaxPowerMw, &p->idle_power_source);
}

// "categories": every op category, by name; at least one characterized.
void ReadCategories(const ProfileReader& r, const json& doc, HardwareProfile* p) {
  const json& cats = r.Member(doc, "categories", "");
  r.ExpectObject(cats, "/categories");
  for (auto it = cats.begin(); it != cats.end(); ++it) {
    OpCategory c;
    if (!ParseOpCategory(it.key(), &c)) {
      r.Fail("/categories", "unknown field \"" + it.key() + "\" (not an op category)");
    }
  }
  bool any = false;
  for (int i = 0; i < kNumOpCategories; ++i) {
    const auto c = static_cast<OpCategory>(i);
    const char* name = OpCategoryName(c);
    const json* v = r.Find(cats, name);
    if (v == nullptr) {
      r.Fail("/categories", std::string("missing category \"") + name +
                                "\" (list every category; use {\"characterized\": false} for "
                                "one the profile does not cover)");
    }
    ReadCategory(r, c, *v, std::string("/categories/") + name, &p->mutable_category(c));
    any = any || p->category(c).characterized;
  }
  if (!any) r.Fail("/categories", "no category is characterized");
}

VariantRule ReadVariant(const ProfileReader& r, const json& v, const std::string& vp) {
  r.CheckObject(v, vp, {"category", "condition", "value", "factor", "source", "note"});
  VariantRule rule;
  rule.category = ReadCategoryName(r, r.Member(v, "category", vp), vp + "/category");
  const std::string cond = r.String(r.Member(v, "condition", vp), vp + "/condition");
  if (!FindByName(kConditions, VariantConditionName, cond, &rule.condition)) {
    r.Fail(vp + "/condition", "unknown condition \"" + cond + "\"");
  }
  rule.value = r.IntAtLeast(r.Member(v, "value", vp), vp + "/value", 1);
  rule.factor = r.InRange(r.PositiveNumber(r.Member(v, "factor", vp), vp + "/factor"),
                          vp + "/factor", kMinFactor, kMaxFactor);
  rule.source = r.SourceRef(v, vp);
  rule.note = r.OptionalString(v, "note", vp);
  return rule;
}

ScratchRule ReadScratchRule(const ProfileReader& r, const json& s, const std::string& sp) {
  r.CheckObject(s, sp,
                {"category", "kernel", "term", "bytes_per_unit", "constant_bytes", "source"});
  ScratchRule rule;
  rule.category = ReadCategoryName(r, r.Member(s, "category", sp), sp + "/category");
  rule.kernel = r.OptionalString(s, "kernel", sp);
  const std::string term = r.String(r.Member(s, "term", sp), sp + "/term");
  if (!FindByName(kTerms, ScratchTermName, term, &rule.term)) {
    r.Fail(sp + "/term", "unknown term \"" + term + "\"");
  }
  rule.bytes_per_unit = r.IntAtLeast(r.Member(s, "bytes_per_unit", sp), sp + "/bytes_per_unit", 0);
  const json* constant = r.Find(s, "constant_bytes");
  rule.constant_bytes =
      constant != nullptr ? r.IntAtLeast(*constant, sp + "/constant_bytes", 0) : 0;
  rule.source = r.SourceRef(s, sp);
  return rule;
}

// "variants" and "scratch": optional arrays of rules; at most one scratch rule per category.
void ReadRules(const ProfileReader& r, const json& doc, HardwareProfile* p) {
  if (const json* vs = r.Find(doc, "variants")) {
    r.ExpectArray(*vs, "/variants");
    for (std::size_t i = 0; i < vs->size(); ++i) {
      p->variants.push_back(ReadVariant(r, vs->at(i), detail::JoinPath("/variants", i)));
    }
  }
  if (const json* ss = r.Find(doc, "scratch")) {
    r.ExpectArray(*ss, "/scratch");
    bool seen[kNumOpCategories] = {};
    for (std::size_t i = 0; i < ss->size(); ++i) {
      const std::string sp = detail::JoinPath("/scratch", i);
      const ScratchRule rule = ReadScratchRule(r, ss->at(i), sp);
      if (seen[static_cast<int>(rule.category)]) {
        r.Fail(sp + "/category", std::string("second scratch rule for category \"") +
                                     OpCategoryName(rule.category) + "\"");
      }
      seen[static_cast<int>(rule.category)] = true;
      p->scratch.push_back(rule);
    }
  }
}

HardwareProfile Parse(const json& doc, const std::string& source_name) {
  ProfileReader r(source_name);
  HardwareProfile p;
  r.CheckObject(doc, "",
                {"format", "format_version", "name", "description", "hardware", "sources",
                 "naive_model", "idle_power_mw", "categories", "variants", "scratch", "memory",
                 "runtime_reserve", "validation"});
  ReadHeader(r, doc, &p);
  ReadSources(r, doc, &p);
  ReadHardware(r, doc, &p);
  ReadCategories(r, doc, &p);
  ReadRules(r, doc, &p);
  if (const json* m = r.Find(doc, "memory")) ReadMemory(r, *m, &p.memory);
  if (const json* rr = r.Find(doc, "runtime_reserve")) {
    ReadRuntimeReserve(r, *rr, &p.runtime_reserve);
  }
  if (const json* v = r.Find(doc, "validation")) ReadValidation(r, *v, &p.validation);
  return p;
}

ordered_json Sourced(double value, const std::string& source) {
  ordered_json j;
  j["value"] = value;
  j["source"] = source;
  return j;
}

ordered_json WriteHardware(const HardwareProfile& p) {
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
  return hw;
}

ordered_json WriteSources(const std::vector<ProvenanceSource>& sources) {
  ordered_json j = ordered_json::object();
  for (const ProvenanceSource& s : sources) {
    j[s.id] = {{"kind", s.kind}, {"citation", s.citation}};
  }
  return j;
}

ordered_json WriteCategory(OpCategory c, const CategoryProfile& cp) {
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
  return j;
}

ordered_json WriteVariants(const std::vector<VariantRule>& variants) {
  ordered_json vs = ordered_json::array();
  for (const VariantRule& v : variants) {
    ordered_json j;
    j["category"] = OpCategoryName(v.category);
    j["condition"] = VariantConditionName(v.condition);
    j["value"] = v.value;
    j["factor"] = v.factor;
    j["source"] = v.source;
    if (!v.note.empty()) j["note"] = v.note;
    vs.push_back(j);
  }
  return vs;
}

ordered_json WriteScratch(const std::vector<ScratchRule>& scratch) {
  ordered_json ss = ordered_json::array();
  for (const ScratchRule& s : scratch) {
    ordered_json j;
    j["category"] = OpCategoryName(s.category);
    if (!s.kernel.empty()) j["kernel"] = s.kernel;
    j["term"] = ScratchTermName(s.term);
    j["bytes_per_unit"] = s.bytes_per_unit;
    j["constant_bytes"] = s.constant_bytes;
    j["source"] = s.source;
    ss.push_back(j);
  }
  return ss;
}

ordered_json WriteMemory(const MemorySystem& memory) {
  ordered_json regions = ordered_json::object();
  for (const MemoryRegion& m : memory.regions) {
    ordered_json j;
    j["kind"] = m.kind;
    j["bytes"] = {{"value", m.bytes}, {"source", m.bytes_source}};
    j["read_cycles_per_byte"] = Sourced(m.read_cycles_per_byte, m.read_source);
    if (!m.note.empty()) j["note"] = m.note;
    regions[m.name] = j;
  }
  return {
      {"regions", regions},
      {"weights", memory.regions[static_cast<std::size_t>(memory.weights_region)].name},
      {"activations", memory.regions[static_cast<std::size_t>(memory.activations_region)].name}};
}

ordered_json WriteRuntimeReserve(const RuntimeReserve& rr) {
  ordered_json j;
  j["flash_bytes"] = {{"value", rr.flash_bytes}, {"source", rr.flash_source}};
  j["sram_bytes"] = {{"value", rr.sram_bytes}, {"source", rr.sram_source}};
  if (!rr.note.empty()) j["note"] = rr.note;
  return j;
}

ordered_json WriteValidation(const std::vector<ValidationRecord>& validation) {
  ordered_json vs = ordered_json::array();
  for (const ValidationRecord& v : validation) {
    ordered_json j = {{"kind", v.kind}, {"rows", v.rows}};
    if (v.in_sample_rows > 0) j["in_sample_rows"] = v.in_sample_rows;
    j["latency_error_pct"] = v.latency_error_pct;
    j["naive_latency_error_pct"] = v.naive_latency_error_pct;
    j["source"] = v.source;
    vs.push_back(std::move(j));
  }
  return vs;
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
  HardwareProfile p = Parse(doc, source_name);
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
  doc["hardware"] = WriteHardware(p);
  doc["sources"] = WriteSources(p.sources);
  doc["naive_model"] = {{"ops_per_cycle", p.naive_ops_per_cycle}, {"source", p.naive_source}};
  doc["idle_power_mw"] = Sourced(p.idle_power_mw, p.idle_power_source);
  ordered_json cats = ordered_json::object();
  for (int i = 0; i < kNumOpCategories; ++i) {
    const auto c = static_cast<OpCategory>(i);
    cats[OpCategoryName(c)] = WriteCategory(c, p.category(c));
  }
  doc["categories"] = cats;
  if (!p.variants.empty()) doc["variants"] = WriteVariants(p.variants);
  if (!p.scratch.empty()) doc["scratch"] = WriteScratch(p.scratch);
  if (!p.memory.empty()) doc["memory"] = WriteMemory(p.memory);
  if (has_reserve) doc["runtime_reserve"] = WriteRuntimeReserve(p.runtime_reserve);
  if (!p.validation.empty()) doc["validation"] = WriteValidation(p.validation);
  return doc.dump(2) + "\n";
}

void SaveProfile(const HardwareProfile& profile, const std::string& path) {
  detail::WriteFileAtomically(path, SaveProfileToString(profile));
}

std::int64_t ScratchBytes(const HardwareProfile& profile, const LayerDesc& layer) {
  return ScratchBytes(profile, layer, ComputeLayerMetrics(layer));
}

std::int64_t ScratchBytes(const HardwareProfile& profile, const LayerDesc& layer,
                          const OpMetrics& m) {
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
