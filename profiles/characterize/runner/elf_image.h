// Minimal ELF32 little-endian loader for the characterization image: loadable segments and
// function symbols. Not a general ELF reader.
#ifndef OPCOST_CHARACTERIZE_ELF_IMAGE_H_
#define OPCOST_CHARACTERIZE_ELF_IMAGE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace opcost::characterize {

struct ElfSegment {
  std::uint32_t address = 0;
  std::vector<std::uint8_t> bytes;  // file bytes, zero-filled up to the memory size
};

struct ElfImage {
  std::vector<ElfSegment> segments;
  std::map<std::string, std::uint32_t> symbols;  // name -> address (Thumb bit cleared)
  // Throws std::runtime_error naming the symbol if it is missing.
  std::uint32_t Symbol(const std::string& name) const;
};

// Throws std::runtime_error naming the file and the defect (not ELF32 LE ARM, truncated, ...).
ElfImage LoadElfImage(const std::string& path);

}  // namespace opcost::characterize

#endif  // OPCOST_CHARACTERIZE_ELF_IMAGE_H_
