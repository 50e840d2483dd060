// Arm semihosting calls (QEMU -semihosting-config enable=on,target=native): BKPT 0xAB with the
// operation in r0 and a pointer to its argument block in r1.
#ifndef HEL_SEMIHOST_H_
#define HEL_SEMIHOST_H_

#include <stdint.h>

static inline int32_t hel_semihost(int32_t op, const void* arg) {
  register int32_t r0 __asm("r0") = op;
  register const void* r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

// SYS_EXIT_EXTENDED: QEMU exits with `code` as its own exit status.
static inline void hel_exit(int32_t code) {
  const uint32_t block[2] = {0x20026u /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
  for (;;) hel_semihost(0x20, block);
}

// Writes `n` bytes to a new host file `name` (relative to QEMU's working directory).
// Returns 0 on success.
static inline int hel_write_file(const char* name, uint32_t name_len, const void* data,
                                 uint32_t n) {
  const uint32_t open_block[3] = {(uint32_t)name, 4u /* "wb" */, name_len};
  const int32_t fd = hel_semihost(0x01 /* SYS_OPEN */, open_block);
  if (fd < 0) return -1;
  const uint32_t write_block[3] = {(uint32_t)fd, (uint32_t)data, n};
  const int32_t not_written = hel_semihost(0x05 /* SYS_WRITE */, write_block);
  const uint32_t close_block[1] = {(uint32_t)fd};
  hel_semihost(0x02 /* SYS_CLOSE */, close_block);
  return not_written == 0 ? 0 : -1;
}

#endif  // HEL_SEMIHOST_H_
