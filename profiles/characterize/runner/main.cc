// opcost_characterize: runs the Cortex-M kernel image in Unicorn over a sweep of layer shapes,
// checks every output byte against the host reference, and turns the executed blocks into cycles
// with the per-core timing model (docs/characterization.md).
//
//   opcost_characterize --image nnk-cortex-m7.elf --core cortex-m7 --sweep full
//       --blocks-out blocks.tsv                       # pass 1: the distinct executed blocks
//   opcost_characterize ... --costs costs.tsv --csv-out sweep.csv   # pass 2: cycles
//   opcost_characterize ... --costs costs.tsv --memory-model f746|l4r5 --memory-csv-out mem.csv
//       # opt-in: weights and bias in emulated flash behind a read cache (flash_model.h)
//
// Exit codes: 0 all outputs bit-exact, 1 a mismatch or an error, 2 usage.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../target/nnk_args.h"
#include "elf_image.h"
#include "emulator.h"
#include "flash_model.h"
#include "layers.h"
#include "library_reference.h"

namespace opcost::characterize {
namespace {

// Terms the per-block llvm-mca cycles do not contain (docs/characterization.md, "Timing model").
struct CoreTiming {
  double mispredict_cycles;  // per mispredicted block exit (2-bit bimodal predictor)
  double taken_cycles;       // per taken block exit (pipeline refill without prediction)
};
CoreTiming TimingFor(const std::string& core) {
  if (core == "cortex-m7") return {6.0, 0.0};  // M7 has a BTAC; mispredict 6-8 cycles (jnk0le)
  // M4 and M33: 3-stage pipelines without a branch predictor, taken branch = 1 + P, P ~ 2
  // (for the M33 taken from the M4: its TRM gives no branch timing).
  return {0.0, 2.0};
}

struct BlockCost {
  double cycles = 0;
  std::uint32_t instructions = 0;
};

std::map<std::uint64_t, BlockCost> LoadCosts(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::map<std::uint64_t, BlockCost> costs;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    line_no++;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string addr_hex;
    std::uint32_t size = 0;
    BlockCost c;
    if (!(f >> addr_hex >> size >> c.instructions >> c.cycles) || c.cycles < 0)
      throw std::runtime_error(path + ":" + std::to_string(line_no) + ": expected 'addr size instructions cycles'");
    costs[BlockKey(std::stoull(addr_hex, nullptr, 16), size)] = c;
  }
  return costs;
}

struct Buffers {
  std::uint32_t next = kRamBase + 0x100;
  std::uint32_t limit = kRamBase + kRamBytes - 0x10000;
  const char* what = "layer does not fit the emulated RAM";
  std::uint32_t Take(std::size_t bytes) {
    const std::uint32_t at = next;
    next += static_cast<std::uint32_t>((bytes + 15) & ~std::size_t{15});
    if (next > limit) throw std::runtime_error(what);
    return at;
  }
};

template <typename T>
std::uint32_t Put(Emulator& emu, Buffers& buf, const std::vector<T>& v) {
  const std::uint32_t at = buf.Take(v.size() * sizeof(T) + 4);
  if (!v.empty()) emu.Write(at, v.data(), v.size() * sizeof(T));
  return at;
}

// Writes the layer into the emulator, calls its kernel, returns the counts; *output gets the
// target's result. With a flash model (opt-in), filter and bias go to the flash region (16-byte
// aligned from kFlashBase, as in RAM) and the cache starts empty.
const RunCounts& RunOnTarget(Emulator& emu, const ElfImage& image, const LayerSpec& s, const LayerData& d,
                             std::vector<std::int8_t>* output, FlashCache* flash = nullptr) {
  Buffers buf;
  Buffers flash_buf{kFlashBase, kFlashBase + kFlashBytes, "layer weights do not fit the emulated flash"};
  Buffers& wbuf = flash != nullptr ? flash_buf : buf;  // filter and bias
  const std::uint32_t args_at = kRamBase;
  const std::uint32_t in_at = Put(emu, buf, d.input);
  const std::uint32_t out_at = buf.Take(static_cast<std::size_t>(s.outputs()) + 4);
  std::vector<std::int8_t> poison(static_cast<std::size_t>(s.outputs()), 0x5A);
  emu.Write(out_at, poison.data(), poison.size());
  std::uint32_t fn = image.Symbol(std::string("nnk_") + KernelName(s.kernel));
  switch (s.kernel) {
    case Kernel::kConv:
    case Kernel::kConv1x1:
    case Kernel::kDepthwise: {
      NnkConvArgs a{};
      a.input = in_at;
      a.filter = Put(emu, wbuf, d.filter);
      a.bias = Put(emu, wbuf, d.bias);
      a.output = out_at;
      a.mult = Put(emu, buf, d.mult);
      a.shift = Put(emu, buf, d.shift);
      a.scratch = buf.Take(2u * 2u * static_cast<std::size_t>(s.k_h) * s.k_w * s.in_c);
      a.in_h = s.in_h, a.in_w = s.in_w, a.in_c = s.in_c;
      a.out_h = s.out_h(), a.out_w = s.out_w(), a.out_c = s.out_c;
      a.k_h = s.k_h, a.k_w = s.k_w, a.stride_h = a.stride_w = s.stride, a.pad_h = a.pad_w = s.pad;
      a.input_offset = d.input_offset, a.output_offset = d.output_offset;
      a.act_min = d.act_min, a.act_max = d.act_max;
      emu.Write(args_at, &a, sizeof a);
      break;
    }
    case Kernel::kFullyConnected: {
      NnkFcArgs a{};
      a.input = in_at;
      a.filter = Put(emu, wbuf, d.filter);
      a.bias = Put(emu, wbuf, d.bias);
      a.output = out_at;
      a.in_c = s.in_c, a.units = s.out_c, a.mult = d.mult[0], a.shift = d.shift[0];
      a.input_offset = d.input_offset, a.output_offset = d.output_offset;
      a.act_min = d.act_min, a.act_max = d.act_max;
      emu.Write(args_at, &a, sizeof a);
      break;
    }
    case Kernel::kMaxPool:
    case Kernel::kAvgPool: {
      NnkPoolArgs a{};
      a.input = in_at, a.output = out_at, a.scratch = buf.Take(4u * static_cast<std::size_t>(s.in_c));
      a.in_h = s.in_h, a.in_w = s.in_w, a.c = s.in_c, a.out_h = s.out_h(), a.out_w = s.out_w();
      a.k_h = s.k_h, a.k_w = s.k_w, a.stride_h = a.stride_w = s.stride, a.pad_h = a.pad_w = s.pad;
      a.act_min = d.act_min, a.act_max = d.act_max;
      emu.Write(args_at, &a, sizeof a);
      break;
    }
    case Kernel::kRelu: {
      NnkActArgs a{in_at, out_at, s.in_c, d.act_min, d.act_max};
      emu.Write(args_at, &a, sizeof a);
      break;
    }
  }
  if (flash != nullptr) flash->Reset();
  const RunCounts& counts = emu.Call(fn, args_at);
  output->resize(static_cast<std::size_t>(s.outputs()));
  emu.Read(out_at, output->data(), output->size());
  return counts;
}

std::vector<LayerSpec> ReadLayers(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<LayerSpec> layers;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    line_no++;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string name;
    LayerSpec s;
    if (!(f >> name >> s.in_h >> s.in_w >> s.in_c >> s.out_c >> s.k_h >> s.k_w >> s.stride >> s.pad))
      throw std::runtime_error(path + ":" + std::to_string(line_no) + ": expected 'kernel in_h in_w in_c out_c k_h k_w stride pad'");
    bool known = false;
    for (Kernel k : {Kernel::kConv, Kernel::kConv1x1, Kernel::kDepthwise, Kernel::kFullyConnected}) {
      if (name == KernelName(k)) s.kernel = k, known = true;
    }
    if (!known) throw std::runtime_error(path + ":" + std::to_string(line_no) + ": unknown kernel '" + name + "'");
    layers.push_back(s);
  }
  return layers;
}

int Usage() {
  std::cerr << "usage: opcost_characterize --image ELF --core cortex-m7|cortex-m4|cortex-m33 [--sweep full|reduced]\n"
               "         [--blocks-out FILE] [--costs FILE --csv-out FILE] [--limit N]\n"
               "         [--memory-model f746|l4r5 --memory-csv-out FILE] [--layers FILE]\n";
  return 2;
}

int Main(int argc, char** argv) {
  std::map<std::string, std::string> opt{{"--sweep", "full"}};
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (key.rfind("--", 0) != 0 || i + 1 >= argc) return Usage();
    opt[key] = argv[i + 1];
  }
  if (!opt.count("--image") || !opt.count("--core")) return Usage();
  const std::string core = opt["--core"];
  const ElfImage image = LoadElfImage(opt["--image"]);
  Emulator emu(core, image);
  // --layers FILE replaces the sweep by explicit shapes (memory_networks.py), one per line:
  // KERNEL in_h in_w in_c out_c k_h k_w stride pad   (KERNEL: conv_s8, conv1x1_s8, dwconv_s8, fc_s8)
  std::vector<LayerSpec> sweep = opt.count("--layers") ? ReadLayers(opt["--layers"]) : MakeSweep(opt["--sweep"]);
  if (opt.count("--limit")) sweep.resize(std::min(sweep.size(), static_cast<std::size_t>(std::stoul(opt["--limit"]))));
  std::map<std::uint64_t, BlockCost> costs;
  const bool with_cycles = opt.count("--costs") != 0;
  if (with_cycles) costs = LoadCosts(opt["--costs"]);
  const CoreTiming timing = TimingFor(core);
  // Opt-in memory model: weights in emulated flash behind the board's read cache.
  std::unique_ptr<FlashCache> flash;
  std::ofstream mem_csv;
  if (opt.count("--memory-model") || opt.count("--memory-csv-out")) {
    if (!opt.count("--memory-model") || !opt.count("--memory-csv-out")) return Usage();
    flash = std::make_unique<FlashCache>(FlashModelFor(opt["--memory-model"]));
    emu.MapFlash(kFlashBase, kFlashBytes, flash.get());
    mem_csv.open(opt["--memory-csv-out"]);
    if (!mem_csv) throw std::runtime_error(opt["--memory-csv-out"] + ": cannot write");
    mem_csv << "core,memory_model,category,kernel,in_h,in_w,in_c,out_h,out_w,out_c,k,stride,pad,macs,"
               "weight_bytes,flash_reads,flash_bytes_read,line_misses,flash_bytes_fetched,stall_cycles,"
               "analytic_stall_cycles,ratio_emulated_analytic,compute_cycles,stall_pct_of_compute,"
               "word_fill_stall_cycles,bitexact\n";
  }

  std::ofstream csv_file;
  std::ostream* csv = &std::cout;
  if (opt.count("--csv-out")) {
    csv_file.open(opt["--csv-out"]);
    if (!csv_file) throw std::runtime_error(opt["--csv-out"] + ": cannot write");
    csv = &csv_file;
  }
  *csv << "core,category,kernel,in_h,in_w,in_c,out_h,out_w,out_c,k,stride,pad,macs,outputs,"
          "macs_per_output,window_ops,instructions,taken_exits,mispredicts,cycles,bitexact\n";
  std::set<std::uint64_t> all_blocks;
  int failures = 0;          // target vs the runner's own plain-loop reference
  int library_failures = 0;  // target vs opcost::kernels
  std::uint64_t total_insns = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < sweep.size(); i++) {
    const LayerSpec& s = sweep[i];
    const LayerData d = MakeLayerData(s, ShapeSeed(s));  // same data in the full and reduced sweeps
    std::vector<std::int8_t> got;
    const RunCounts& counts = RunOnTarget(emu, image, s, d, &got, flash.get());
    const std::vector<std::int8_t> want = ReferenceOutput(s, d);
    std::vector<std::int8_t> lib;
    std::string lib_error;
    const bool lib_ok = LibraryOutput(s, d, &lib, &lib_error);
    if (!lib_ok || lib != got) {
      library_failures++;
      std::size_t j = 0;
      while (lib_ok && j < got.size() && got[j] == lib[j]) j++;
      std::cerr << "MISMATCH (opcost::kernels) layer " << i << " " << KernelName(s.kernel) << ": "
                << (lib_ok ? "byte " + std::to_string(j) + " target " + std::to_string(int{got[j]}) +
                                 " library " + std::to_string(int{lib[j]})
                           : "library rejected the layer: " + lib_error)
                << "\n";
    }
    const bool exact = got == want && lib_ok && lib == got;
    if (got != want) {
      failures++;
      std::size_t j = 0;
      while (j < got.size() && got[j] == want[j]) j++;
      std::cerr << "MISMATCH layer " << i << " " << KernelName(s.kernel) << " in " << s.in_h << "x" << s.in_w << "x"
                << s.in_c << " out_c " << s.out_c << " k " << s.k_h << " s " << s.stride << ": byte " << j
                << " target " << int{got[j]} << " reference " << int{want[j]} << "\n";
    }
    double cycles = 0;
    std::uint64_t insns = 0;
    for (const auto& [key, stats] : counts.blocks) {
      all_blocks.insert(key);
      if (!with_cycles) continue;
      auto it = costs.find(key);
      if (it == costs.end()) {
        std::ostringstream msg;
        msg << "block 0x" << std::hex << (key >> 16) << std::dec << " size " << (key & 0xFFFF)
            << " is not in the cost table (rebuild it from this image)";
        throw std::runtime_error(msg.str());
      }
      cycles += static_cast<double>(stats.executions) * it->second.cycles;
      insns += stats.executions * it->second.instructions;
    }
    cycles += static_cast<double>(counts.mispredicts) * timing.mispredict_cycles +
              static_cast<double>(counts.taken_exits) * timing.taken_cycles;
    total_insns += insns;
    const double mpo = s.macs() > 0 ? static_cast<double>(s.macs()) / static_cast<double>(s.outputs()) : 0.0;
    *csv << core << ',' << CategoryName(s.kernel) << ',' << KernelName(s.kernel) << ',' << s.in_h << ',' << s.in_w
         << ',' << s.in_c << ',' << s.out_h() << ',' << s.out_w() << ',' << s.out_c << ',' << s.k_h << ','
         << s.stride << ',' << s.pad << ',' << s.macs() << ',' << s.outputs() << ',' << mpo << ','
         << s.window_ops() << ',' << insns << ',' << counts.taken_exits << ',' << counts.mispredicts << ','
         << static_cast<std::int64_t>(cycles + 0.5) << ',' << (exact ? 1 : 0) << '\n';
    if (flash != nullptr && s.macs() > 0) {
      const FlashCounts& fc = flash->counts();
      const FlashModelConfig& mc = flash->config();
      const std::int64_t weight_bytes =
          static_cast<std::int64_t>(d.filter.size()) + 4 * static_cast<std::int64_t>(d.bias.size());
      const double analytic = static_cast<double>(weight_bytes) * mc.analytic_cycles_per_byte;
      const std::int64_t compute = static_cast<std::int64_t>(cycles + 0.5);
      char ratio[32], pct[32];
      std::snprintf(ratio, sizeof ratio, "%.4f", static_cast<double>(fc.stall_cycles) / analytic);
      if (compute > 0) {
        std::snprintf(pct, sizeof pct, "%.3f", 100.0 * static_cast<double>(fc.stall_cycles) / static_cast<double>(compute));
      } else {
        pct[0] = '\0';  // no --costs: no compute cycles
      }
      mem_csv << core << ',' << mc.name << ',' << CategoryName(s.kernel) << ',' << KernelName(s.kernel) << ','
              << s.in_h << ',' << s.in_w << ',' << s.in_c << ',' << s.out_h() << ',' << s.out_w() << ',' << s.out_c
              << ',' << s.k_h << ',' << s.stride << ',' << s.pad << ',' << s.macs() << ',' << weight_bytes << ','
              << fc.reads << ',' << fc.bytes_read << ',' << fc.line_misses << ','
              << fc.line_misses * mc.line_bytes << ',' << fc.stall_cycles << ','
              << static_cast<std::int64_t>(analytic + 0.5) << ',' << ratio << ',' << compute << ',' << pct << ','
              << fc.word_fill_stall_cycles << ',' << (exact ? 1 : 0) << '\n';
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (opt.count("--blocks-out")) {
    std::ofstream out(opt["--blocks-out"]);
    if (!out) throw std::runtime_error(opt["--blocks-out"] + ": cannot write");
    for (std::uint64_t key : all_blocks) out << std::hex << (key >> 16) << std::dec << ' ' << (key & 0xFFFF) << '\n';
  }
  std::cerr << "SUMMARY core " << core << " layers " << sweep.size() << " bitexact " << sweep.size() - std::max(failures, library_failures)
            << " mismatched " << failures << " library_mismatched " << library_failures << " blocks " << all_blocks.size() << " instructions " << total_insns
            << " seconds " << secs << "\n";
  return failures == 0 && library_failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace opcost::characterize

int main(int argc, char** argv) {
  try {
    return opcost::characterize::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "opcost_characterize: " << e.what() << "\n";
    return 1;
  }
}
