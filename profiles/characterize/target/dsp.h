// ARMv7E-M DSP instructions as inline asm. GCC 12 does not fold "ror #8" into SXTB16/SXTAB16
// and never emits PKHBT/PKHTB from C, so (as CMSIS-NN does) the kernels spell them out.
#ifndef NNK_DSP_H_
#define NNK_DSP_H_

#include <stdint.h>
#include <stddef.h>

// Freestanding: no libc headers; rt.c defines these.
void* memset(void* dst, int v, size_t n);
void* memcpy(void* dst, const void* src, size_t n);

static inline uint32_t ReadU32(const void* p) {  // unaligned LDR is legal on v7E-M
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}
static inline void WriteU32(void* p, uint32_t v) { __builtin_memcpy(p, &v, 4); }

static inline uint32_t Sxtb16(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(x));
  return r;
}
static inline uint32_t Sxtb16Ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
// a + sign-extended bytes 0 and 2 of x, per 16-bit lane.
static inline uint32_t Sxtab16(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
static inline uint32_t Sxtab16Ror8(uint32_t a, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(x));
  return r;
}
// bottom half of a, top half of (b << 16).
static inline uint32_t Pkhbt16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
// top half of a, bottom half of (b >> 16).
static inline uint32_t Pkhtb16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
static inline int32_t Smlad(uint32_t x, uint32_t y, int32_t acc) {
  int32_t r;
  __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
  return r;
}
static inline int32_t Smlabb(uint32_t x, uint32_t y, int32_t acc) {
  int32_t r;
  __asm__("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
  return r;
}
static inline int32_t Smlatt(uint32_t x, uint32_t y, int32_t acc) {
  int32_t r;
  __asm__("smlatt %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(acc));
  return r;
}
// Per signed byte lane: max(a, b) and min(a, b) (SSUB8 sets GE, SEL picks).
static inline uint32_t Max8(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
static inline uint32_t Min8(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
// 4 int8 -> two q15 pairs in natural order: *lo = [b0, b1], *hi = [b2, b3].
static inline void ReadAndPad(const int8_t* p, uint32_t* lo, uint32_t* hi) {
  uint32_t w = ReadU32(p);
  uint32_t odd = Sxtb16Ror8(w);  // [b1, b3]
  uint32_t even = Sxtb16(w);     // [b0, b2]
  *hi = Pkhtb16(odd, even);
  *lo = Pkhbt16(even, odd);
}

// TFLite int8 requantization: rounding doubling high multiply, then rounding right shift.
static inline int32_t Requantize(int32_t v, int32_t mult, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0;
  int32_t right = shift > 0 ? 0 : -shift;
  int32_t x = (int32_t)((uint32_t)v << left);
  int32_t hi = (int32_t)(((int64_t)x * mult + (1LL << 30)) >> 31);
  int32_t mask = (int32_t)((1u << right) - 1u);
  int32_t rem = hi & mask;
  int32_t threshold = (mask >> 1) + (hi < 0 ? 1 : 0);
  return (hi >> right) + (rem > threshold ? 1 : 0);
}
static inline int8_t Clamp8(int32_t v, int32_t lo, int32_t hi) {
  return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

#endif  // NNK_DSP_H_
