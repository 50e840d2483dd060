#include "emulator.h"

#include <unicorn/unicorn.h>

#include <stdexcept>

#include "flash_model.h"

namespace opcost::characterize {
namespace {

void Check(uc_err err, const char* what) {
  if (err != UC_ERR_OK) throw std::runtime_error(std::string("unicorn: ") + what + ": " + uc_strerror(err));
}

void BlockHook(uc_engine*, std::uint64_t address, std::uint32_t size, void* user) {
  static_cast<Emulator*>(user)->OnBlock(address, size);
}

void FlashReadHook(uc_engine*, uc_mem_type, std::uint64_t address, int size, std::int64_t, void* user) {
  static_cast<FlashCache*>(user)->Access(address, size);
}

}  // namespace

Emulator::Emulator(const std::string& core, const ElfImage& image) {
  int model;
  if (core == "cortex-m7") {
    model = UC_CPU_ARM_CORTEX_M7;
  } else if (core == "cortex-m4") {
    model = UC_CPU_ARM_CORTEX_M4;
  } else if (core == "cortex-m33") {
    model = UC_CPU_ARM_CORTEX_M33;
  } else {
    throw std::runtime_error("unknown core '" + core +
                             "' (expected cortex-m7, cortex-m4 or cortex-m33)");
  }
  Check(uc_open(UC_ARCH_ARM, static_cast<uc_mode>(UC_MODE_THUMB | UC_MODE_MCLASS), &uc_), "uc_open");
  Check(uc_ctl_set_cpu_model(uc_, model), "set cpu model");  // before any mapping
  Check(uc_mem_map(uc_, 0, 1u << 20, UC_PROT_ALL), "map code");
  Check(uc_mem_map(uc_, kRamBase, kRamBytes, UC_PROT_ALL), "map ram");
  for (const ElfSegment& seg : image.segments) Write(seg.address, seg.bytes.data(), seg.bytes.size());
  stub_ = image.Symbol("nnk_return_stub");
  uc_hook hook;
  Check(uc_hook_add(uc_, &hook, UC_HOOK_BLOCK, reinterpret_cast<void*>(&BlockHook), this, 1, 0),
        "add block hook");
}

Emulator::~Emulator() {
  if (uc_ != nullptr) uc_close(uc_);
}

void Emulator::MapFlash(std::uint32_t base, std::uint32_t bytes, FlashCache* cache) {
  Check(uc_mem_map(uc_, base, bytes, UC_PROT_READ), "map flash");
  uc_hook hook;
  Check(uc_hook_add(uc_, &hook, UC_HOOK_MEM_READ, reinterpret_cast<void*>(&FlashReadHook), cache, base,
                    std::uint64_t{base} + bytes - 1),
        "add flash read hook");
}

void Emulator::Write(std::uint32_t address, const void* data, std::size_t size) {
  Check(uc_mem_write(uc_, address, data, size), "mem write");
}

void Emulator::Read(std::uint32_t address, void* data, std::size_t size) {
  Check(uc_mem_read(uc_, address, data, size), "mem read");
}

void Emulator::OnBlock(std::uint64_t address, std::uint32_t size) {
  if (prev_ != nullptr) {
    const bool taken = address != prev_end_;
    const bool predicted_taken = prev_->predictor >= 2;
    if (taken) {
      counts_.taken_exits++;
      if (prev_->predictor < 3) prev_->predictor++;
    } else if (prev_->predictor > 0) {
      prev_->predictor--;
    }
    if (taken != predicted_taken) counts_.mispredicts++;
  }
  BlockStats& stats = counts_.blocks[BlockKey(address, size)];
  stats.executions++;
  prev_ = &stats;  // unordered_map references stay valid across inserts
  prev_end_ = address + size;
}

const RunCounts& Emulator::Call(std::uint32_t fn, std::uint32_t arg) {
  counts_ = RunCounts{};
  prev_ = nullptr;
  std::uint32_t r0 = arg, sp = kRamBase + kRamBytes - 64, lr = stub_ | 1u;
  Check(uc_reg_write(uc_, UC_ARM_REG_R0, &r0), "write r0");
  Check(uc_reg_write(uc_, UC_ARM_REG_SP, &sp), "write sp");
  Check(uc_reg_write(uc_, UC_ARM_REG_LR, &lr), "write lr");
  Check(uc_emu_start(uc_, fn | 1u, stub_, 0, 0), "emu_start");
  // The return into the stub is the last taken exit; it is not part of the kernel.
  return counts_;
}

}  // namespace opcost::characterize
