#include "elf_image.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace opcost::characterize {
namespace {

std::uint32_t U32(const std::vector<std::uint8_t>& b, std::size_t off, const std::string& path) {
  if (off + 4 > b.size()) throw std::runtime_error(path + ": truncated ELF at offset " + std::to_string(off));
  std::uint32_t v;
  std::memcpy(&v, &b[off], 4);
  return v;
}
std::uint16_t U16(const std::vector<std::uint8_t>& b, std::size_t off, const std::string& path) {
  if (off + 2 > b.size()) throw std::runtime_error(path + ": truncated ELF at offset " + std::to_string(off));
  std::uint16_t v;
  std::memcpy(&v, &b[off], 2);
  return v;
}

}  // namespace

std::uint32_t ElfImage::Symbol(const std::string& name) const {
  auto it = symbols.find(name);
  if (it == symbols.end()) throw std::runtime_error("image has no symbol '" + name + "'");
  return it->second;
}

ElfImage LoadElfImage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (b.size() < 52 || std::memcmp(b.data(), "\x7f" "ELF", 4) != 0 || b[4] != 1 || b[5] != 1)
    throw std::runtime_error(path + ": not an ELF32 little-endian file");
  if (U16(b, 18, path) != 40) throw std::runtime_error(path + ": e_machine is not ARM (40)");
  ElfImage image;
  const std::uint32_t phoff = U32(b, 28, path);
  const std::uint16_t phentsize = U16(b, 42, path), phnum = U16(b, 44, path);
  for (std::uint16_t i = 0; i < phnum; i++) {
    const std::size_t ph = phoff + std::size_t{i} * phentsize;
    if (U32(b, ph, path) != 1) continue;  // PT_LOAD
    const std::uint32_t offset = U32(b, ph + 4, path), vaddr = U32(b, ph + 8, path);
    const std::uint32_t filesz = U32(b, ph + 16, path), memsz = U32(b, ph + 20, path);
    if (std::size_t{offset} + filesz > b.size() || filesz > memsz)
      throw std::runtime_error(path + ": PT_LOAD segment " + std::to_string(i) + " out of file");
    ElfSegment seg;
    seg.address = vaddr;
    seg.bytes.assign(b.begin() + offset, b.begin() + offset + filesz);
    seg.bytes.resize(memsz, 0);
    image.segments.push_back(std::move(seg));
  }
  const std::uint32_t shoff = U32(b, 32, path);
  const std::uint16_t shentsize = U16(b, 46, path), shnum = U16(b, 48, path);
  for (std::uint16_t i = 0; i < shnum; i++) {
    const std::size_t sh = shoff + std::size_t{i} * shentsize;
    if (U32(b, sh + 4, path) != 2) continue;  // SHT_SYMTAB
    const std::uint32_t sym_off = U32(b, sh + 16, path), sym_size = U32(b, sh + 20, path);
    const std::uint32_t strtab_index = U32(b, sh + 24, path);
    const std::size_t str_sh = shoff + std::size_t{strtab_index} * shentsize;
    const std::uint32_t str_off = U32(b, str_sh + 16, path), str_size = U32(b, str_sh + 20, path);
    if (std::size_t{str_off} + str_size > b.size()) throw std::runtime_error(path + ": bad strtab");
    for (std::uint32_t s = 0; s + 16 <= sym_size; s += 16) {
      const std::uint32_t name = U32(b, sym_off + s, path), value = U32(b, sym_off + s + 4, path);
      if (name >= str_size) continue;
      const char* str = reinterpret_cast<const char*>(&b[str_off + name]);
      const std::size_t len = strnlen(str, str_size - name);
      if (len == 0) continue;
      image.symbols[std::string(str, len)] = value & ~1u;
    }
  }
  if (image.segments.empty()) throw std::runtime_error(path + ": no PT_LOAD segment");
  return image;
}

}  // namespace opcost::characterize
