// A Cortex-M core in Unicorn 2 that calls kernels of the image like functions and counts the
// executed translation blocks. Block hooks (not per-instruction hooks): Unicorn's code hook
// skips condition-failed instructions inside IT blocks, which still take issue slots.
#ifndef OPCOST_CHARACTERIZE_EMULATOR_H_
#define OPCOST_CHARACTERIZE_EMULATOR_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "elf_image.h"

struct uc_struct;

namespace opcost::characterize {

class FlashCache;  // flash_model.h

constexpr std::uint32_t kRamBase = 0x20000000u;
constexpr std::uint32_t kRamBytes = 64u << 20;

// Key of one executed block: start address and size in bytes.
inline std::uint64_t BlockKey(std::uint64_t address, std::uint32_t size) {
  return (address << 16) | size;
}

struct BlockStats {
  std::uint64_t executions = 0;
  std::uint8_t predictor = 1;  // 2-bit counter on "the block's exit is taken", weakly not taken
};

// What one call executed.
struct RunCounts {
  std::unordered_map<std::uint64_t, BlockStats> blocks;
  std::uint64_t taken_exits = 0;   // the next block does not start where this one ends
  std::uint64_t mispredicts = 0;   // per-exit 2-bit bimodal predictor disagreed
};

class Emulator {
 public:
  // core: "cortex-m7" or "cortex-m4". Throws std::runtime_error.
  Emulator(const std::string& core, const ElfImage& image);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  void Write(std::uint32_t address, const void* data, std::size_t size);
  void Read(std::uint32_t address, void* data, std::size_t size);
  // Calls fn(r0 = arg) and returns the block counts of this call.
  const RunCounts& Call(std::uint32_t fn, std::uint32_t arg);

  // Opt-in memory model (flash_model.h): maps [base, base + bytes) read-only and sends every
  // data read of it to cache->Access. Off unless called; the default runner never calls it.
  void MapFlash(std::uint32_t base, std::uint32_t bytes, FlashCache* cache);

  // Internal: called by the block hook.
  void OnBlock(std::uint64_t address, std::uint32_t size);

 private:
  uc_struct* uc_ = nullptr;
  std::uint32_t stub_ = 0;
  RunCounts counts_;
  BlockStats* prev_ = nullptr;
  std::uint64_t prev_end_ = 0;
};

}  // namespace opcost::characterize

#endif  // OPCOST_CHARACTERIZE_EMULATOR_H_
