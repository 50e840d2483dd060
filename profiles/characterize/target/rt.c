// Freestanding runtime for the characterization image: no newlib, no startup code (the host
// runner calls kernels directly), a return stub the runner stops at.
#include <stddef.h>
#include <stdint.h>

// Word at a time (unaligned LDR/STR are legal on v7E-M), like a tuned libc would.
void* memset(void* dst, int v, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint32_t v4 = (uint8_t)v * 0x01010101u;
  for (; n >= 4; n -= 4, d += 4) *(uint32_t*)d = v4;
  while (n--) *d++ = (uint8_t)v;
  return dst;
}
void* memcpy(void* dst, const void* src, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t* s = (const uint8_t*)src;
  for (; n >= 4; n -= 4, d += 4, s += 4) *(uint32_t*)d = *(const uint32_t*)s;
  while (n--) *d++ = *s++;
  return dst;
}

// The runner sets LR here; emulation stops when the PC reaches it (never at address 0: Unicorn
// M-class aborts on a return to 0).
__attribute__((naked, used, section(".stub"))) void nnk_return_stub(void) { __asm__("bkpt #0"); }
