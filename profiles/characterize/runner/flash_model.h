// Opt-in memory model of the runner (--memory-model, docs/characterization.md "Memory in the
// emulator"): a layer's weights and bias live in a flash region at the board's flash address and
// every data read of that region goes through a small read cache in front of a flash with wait
// states. Off by default; the default pipeline keeps ideal zero-wait memory.
//
//   f746: Cortex-M7 L1 D-cache, 4 KB, 4-way set associative, 32-byte lines (Cortex-M7 TRM;
//         F746 datasheet: 4 KB D-cache); LRU replacement is an assumption (the TRM's policy is
//         not modelled). A miss fills the 32-byte line over the 64-bit AXI bus: 4 beats, 7 wait
//         states each (FLASH_ACR LATENCY = 7 at 216 MHz) = 28 stall cycles.
//   l4r5: ART data cache on the D-code bus, 8 lines of 4 x 64 bits, fully associative, LRU
//         (STM32L4 HAL stm32l4xx_hal_flash.c header comment); a miss reads the line's 4 64-bit
//         words at 5 wait states each (LATENCY = 5 at 120 MHz) = 20 stall cycles.
// Simplifications: a stall is added in full (no overlap with execution, no critical-word-first),
// the cache starts empty for every layer and only holds flash data (activations and the stack are
// in zero-wait SRAM and never evict weights), instruction fetches are not modelled.
#ifndef OPCOST_CHARACTERIZE_FLASH_MODEL_H_
#define OPCOST_CHARACTERIZE_FLASH_MODEL_H_

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace opcost::characterize {

constexpr std::uint32_t kFlashBase = 0x08000000u;
constexpr std::uint32_t kFlashBytes = 4u << 20;

struct FlashModelConfig {
  std::string name;           // "f746", "l4r5"
  std::uint32_t line_bytes;   // cache line
  std::uint32_t ways;         // associativity
  std::uint32_t sets;         // 1 = fully associative
  std::uint32_t beat_bytes;   // bytes per flash access (64-bit)
  std::uint32_t wait_states;  // stall cycles per flash access
  double analytic_cycles_per_byte;  // the profiles' read_cycles_per_byte (wait states / 8 bytes)
};

inline FlashModelConfig FlashModelFor(const std::string& name) {
  if (name == "f746") return {"f746", 32, 4, 4096 / (32 * 4), 8, 7, 7.0 / 8.0};
  if (name == "l4r5") return {"l4r5", 32, 8, 1, 8, 5, 5.0 / 8.0};
  throw std::runtime_error("unknown memory model '" + name + "' (expected f746 or l4r5)");
}

struct FlashCounts {
  std::uint64_t reads = 0;           // load accesses to the flash region
  std::uint64_t bytes_read = 0;      // bytes those loads asked for
  std::uint64_t line_misses = 0;     // line allocations
  std::uint64_t stall_cycles = 0;    // line fill: every miss fetches the whole line
  std::uint64_t word_fetches = 0;    // sensitivity: only the missing 64-bit words are fetched
  std::uint64_t word_fill_stall_cycles = 0;
};

// Set-associative read cache with LRU replacement (timestamps), valid mask per 64-bit word.
class FlashCache {
 public:
  explicit FlashCache(const FlashModelConfig& c)
      : c_(c), lines_(static_cast<std::size_t>(c.sets) * c.ways) {}

  const FlashModelConfig& config() const { return c_; }
  const FlashCounts& counts() const { return counts_; }

  void Reset() {
    for (Line& l : lines_) l = Line{};
    counts_ = FlashCounts{};
    clock_ = 0;
  }

  // One load of `size` bytes at `address` (may be unaligned and cross lines).
  void Access(std::uint64_t address, int size) {
    counts_.reads++;
    counts_.bytes_read += static_cast<std::uint64_t>(size);
    const std::uint64_t first = address / c_.line_bytes, last = (address + size - 1) / c_.line_bytes;
    for (std::uint64_t line = first; line <= last; line++) {
      const std::uint64_t lo = std::max<std::uint64_t>(address, line * c_.line_bytes);
      const std::uint64_t hi = std::min<std::uint64_t>(address + size, (line + 1) * c_.line_bytes);
      std::uint32_t want = 0;
      for (std::uint64_t b = lo / c_.beat_bytes; b <= (hi - 1) / c_.beat_bytes; b++)
        want |= 1u << (b % (c_.line_bytes / c_.beat_bytes));
      Touch(line, want);
    }
  }

 private:
  struct Line {
    std::uint64_t tag = ~std::uint64_t{0};
    std::uint64_t used = 0;
    std::uint32_t words = 0;  // valid 64-bit words (word-fill sensitivity)
  };

  void Touch(std::uint64_t line, std::uint32_t want) {
    const std::uint32_t set = static_cast<std::uint32_t>(line % c_.sets);
    Line* ways = &lines_[static_cast<std::size_t>(set) * c_.ways];
    clock_++;
    Line* victim = &ways[0];
    for (std::uint32_t w = 0; w < c_.ways; w++) {
      if (ways[w].tag == line) {
        ways[w].used = clock_;
        FetchWords(&ways[w], want);
        return;
      }
      if (ways[w].used < victim->used) victim = &ways[w];
    }
    counts_.line_misses++;
    counts_.stall_cycles += static_cast<std::uint64_t>(c_.line_bytes / c_.beat_bytes) * c_.wait_states;
    victim->tag = line;
    victim->used = clock_;
    victim->words = 0;
    FetchWords(victim, want);
  }

  void FetchWords(Line* l, std::uint32_t want) {
    const std::uint32_t missing = want & ~l->words;
    if (missing == 0) return;
    const std::uint64_t n = static_cast<std::uint64_t>(__builtin_popcount(missing));
    counts_.word_fetches += n;
    counts_.word_fill_stall_cycles += n * c_.wait_states;
    l->words |= missing;
  }

  FlashModelConfig c_;
  std::vector<Line> lines_;
  FlashCounts counts_;
  std::uint64_t clock_ = 0;
};

}  // namespace opcost::characterize

#endif  // OPCOST_CHARACTERIZE_FLASH_MODEL_H_
