// int8 NN kernels for Cortex-M55/M85 written the way Helium (MVE) kernels are written (our own
// code, after the idioms of CMSIS-NN's MVE paths):
//   - dot products over 16 int8 lanes with VMLADAVA (multiply, add across lanes, accumulate into
//     a scalar), the input offset folded in afterwards as offset x sum(weights), the weight sum
//     taken with VADDVA in the same loop (no weight pre-processing outside the timed call);
//   - fully connected: 4 units per pass sharing each 16-byte input load;
//   - 1x1 convolution: a GEMM, 4 pixels per pass sharing each 16-byte weight load (and its sum),
//     outputs scattered to the 4 pixels with one VSTRB scatter store;
//   - depthwise: 8 channels per pass in two int32 vectors (widening byte loads VLDRB.S32,
//     VMUL + VADD), padding by clipping the window, the last C % 8 channels predicated (VCTP);
//   - standard convolution: im2col of 4 output pixels into an int8 buffer (padding taps filled
//     with the input zero point, so they add 0), then the 1x1 kernel's 4-column GEMM over it;
//   - max / average pooling: 16 (max) or 8 (average, int32 sums) channels per pass, the window
//     clipped to the input; the average's rounded division by a multiply-high with a reciprocal;
//   - ReLU: 16 lanes per step, clamped with VMAX / VMIN, the tail predicated;
//   - requantization vectorized (VQRDMULH + rounding shift with the round-half-away fix-up),
//     bit-exact with TFLite's MultiplyByQuantizedMultiplier (opcost::kernels).
// Leftover input bytes (C % 16) use tail-predicated loads; the main loops are unpredicated.
// Argument blocks are the existing pipeline's (../../target/nnk_args.h).
#include <arm_mve.h>
#include <stdint.h>

#include "nnk_args.h"

#define HEL_ENTRY __attribute__((used, noinline))

// Scalar requantization, the same arithmetic as nnk.c's Requantize (TFLite double rounding).
static inline int32_t RequantizeScalar(int32_t v, int32_t mult, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  const int32_t x = (int32_t)((uint32_t)v << left);
  const int32_t hi = (int32_t)(((int64_t)x * mult + (1LL << 30)) >> 31);
  const int32_t mask = (int32_t)((1u << right) - 1u);
  const int32_t rem = hi & mask;
  const int32_t threshold = (mask >> 1) + (hi < 0 ? 1 : 0);
  return (hi >> right) + (rem > threshold ? 1 : 0);
}

static inline int8_t FinishScalar(int32_t acc, int32_t mult, int32_t shift, int32_t out_offset,
                                  int32_t lo, int32_t hi) {
  int32_t v = RequantizeScalar(acc, mult, shift) + out_offset;
  return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

// Four lanes of MultiplyByQuantizedMultiplier. VQRDMULH is exactly the reference's rounding
// doubling high multiply (ties toward +inf); VRSHL rounds ties up, the reference rounds them
// away from zero, so negative values are first stepped down by one (saturating, so INT32_MIN
// stays put) whenever there is a right shift.
static inline int32x4_t RequantizeV(int32x4_t acc, int32x4_t mult, int32x4_t shift) {
  const int32x4_t zero = vdupq_n_s32(0);
  const int32x4_t left = vmaxq_s32(shift, zero);
  const int32x4_t right = vminq_s32(shift, zero);  // <= 0: VRSHL by a negative amount
  acc = vshlq_s32(acc, left);  // wraps like the C code's (uint32_t)v << left
  acc = vqrdmulhq_s32(acc, mult);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(acc, right), 31);  // -1 if acc < 0 and right < 0
  acc = vqaddq_s32(acc, fixup);
  return vrshlq_s32(acc, right);
}

static inline int32x4_t FinishV(int32x4_t acc, int32x4_t mult, int32x4_t shift,
                                int32_t out_offset, int32_t lo, int32_t hi) {
  acc = vaddq_n_s32(RequantizeV(acc, mult, shift), out_offset);
  return vminq_s32(vmaxq_s32(acc, vdupq_n_s32(lo)), vdupq_n_s32(hi));
}

// sum_k w[k] * x[k] and sum_k w[k] over n bytes, 16 lanes per step, the tail predicated.
static inline void DotAndSum(const int8_t* x, const int8_t* w, int n, int32_t* dot,
                             int32_t* wsum) {
  int32_t d = 0, s = 0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const int8x16_t wv = vldrbq_s8(w + i);
    d = vmladavaq_s8(d, vldrbq_s8(x + i), wv);
    s = vaddvaq_s8(s, wv);
  }
  if (i < n) {
    const mve_pred16_t p = vctp8q((uint32_t)(n - i));
    const int8x16_t wv = vldrbq_z_s8(w + i, p);  // inactive lanes read as 0: add nothing
    d = vmladavaq_s8(d, vldrbq_z_s8(x + i, p), wv);
    s = vaddvaq_s8(s, wv);
  }
  *dot = d;
  *wsum = s;
}

// Fully connected, per-tensor requantization: 4 units per pass, each input vector loaded once
// for the 4 weight rows (as CMSIS-NN's MVE vec_mat_mult does).
HEL_ENTRY void hel_fc_s8(const NnkFcArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  int8_t* out = (int8_t*)a->output;
  const int c = a->in_c;
  const int32x4_t mult = vdupq_n_s32(a->mult), shift = vdupq_n_s32(a->shift);
  int u = 0;
  for (; u + 4 <= a->units; u += 4) {
    const int8_t* w0 = filter + u * c;
    const int8_t *w1 = w0 + c, *w2 = w1 + c, *w3 = w2 + c;
    int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 16 <= c; i += 16) {
      const int8x16_t xv = vldrbq_s8(in + i);
      const int8x16_t v0 = vldrbq_s8(w0 + i), v1 = vldrbq_s8(w1 + i);
      const int8x16_t v2 = vldrbq_s8(w2 + i), v3 = vldrbq_s8(w3 + i);
      d0 = vmladavaq_s8(d0, xv, v0);
      s0 = vaddvaq_s8(s0, v0);
      d1 = vmladavaq_s8(d1, xv, v1);
      s1 = vaddvaq_s8(s1, v1);
      d2 = vmladavaq_s8(d2, xv, v2);
      s2 = vaddvaq_s8(s2, v2);
      d3 = vmladavaq_s8(d3, xv, v3);
      s3 = vaddvaq_s8(s3, v3);
    }
    if (i < c) {
      const mve_pred16_t p = vctp8q((uint32_t)(c - i));
      const int8x16_t xv = vldrbq_z_s8(in + i, p);
      const int8x16_t v0 = vldrbq_z_s8(w0 + i, p), v1 = vldrbq_z_s8(w1 + i, p);
      const int8x16_t v2 = vldrbq_z_s8(w2 + i, p), v3 = vldrbq_z_s8(w3 + i, p);
      d0 = vmladavaq_s8(d0, xv, v0);
      s0 = vaddvaq_s8(s0, v0);
      d1 = vmladavaq_s8(d1, xv, v1);
      s1 = vaddvaq_s8(s1, v1);
      d2 = vmladavaq_s8(d2, xv, v2);
      s2 = vaddvaq_s8(s2, v2);
      d3 = vmladavaq_s8(d3, xv, v3);
      s3 = vaddvaq_s8(s3, v3);
    }
    // acc = bias + sum w*x + input_offset * sum w, for the 4 units as one vector.
    int32x4_t dot = vdupq_n_s32(d0), wsum = vdupq_n_s32(s0);
    dot = vsetq_lane_s32(d1, dot, 1);
    dot = vsetq_lane_s32(d2, dot, 2);
    dot = vsetq_lane_s32(d3, dot, 3);
    wsum = vsetq_lane_s32(s1, wsum, 1);
    wsum = vsetq_lane_s32(s2, wsum, 2);
    wsum = vsetq_lane_s32(s3, wsum, 3);
    int32x4_t acc = vaddq_s32(vldrwq_s32(bias + u), dot);
    acc = vmlaq_n_s32(acc, wsum, a->input_offset);
    vstrbq_s32(out + u, FinishV(acc, mult, shift, a->output_offset, a->act_min, a->act_max));
  }
  for (; u < a->units; u++) {  // the last units % 4
    int32_t d, s;
    DotAndSum(in, filter + u * c, c, &d, &s);
    out[u] = FinishScalar(bias[u] + d + a->input_offset * s, a->mult, a->shift, a->output_offset,
                          a->act_min, a->act_max);
  }
}

// 1x1 convolution (pad 0, any stride): out[p][oc] = w[oc] . in[p]. A GEMM with 4 pixels per pass:
// each weight vector is loaded (and summed) once for the 4 pixels, the 4 results of one channel
// are requantized as one vector and scattered to the 4 pixels' rows.
HEL_ENTRY void hel_conv1x1_s8(const NnkConvArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  const int32_t* mults = (const int32_t*)a->mult;
  const int32_t* shifts = (const int32_t*)a->shift;
  int8_t* out = (int8_t*)a->output;
  const int c = a->in_c, cout = a->out_c, ow = a->out_w;
  const int pixels = a->out_h * ow;
  const uint32x4_t row_offsets = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)cout);
  int p = 0;
  for (; p + 4 <= pixels; p += 4) {
    const int8_t* x[4];
    for (int j = 0; j < 4; j++) {
      const int q = p + j;
      x[j] = in + ((q / ow) * a->stride_h * a->in_w + (q % ow) * a->stride_w) * c;
    }
    for (int oc = 0; oc < cout; oc++) {
      const int8_t* w = filter + oc * c;
      int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0, s = 0;
      int i = 0;
      for (; i + 16 <= c; i += 16) {
        const int8x16_t wv = vldrbq_s8(w + i);
        d0 = vmladavaq_s8(d0, vldrbq_s8(x[0] + i), wv);
        d1 = vmladavaq_s8(d1, vldrbq_s8(x[1] + i), wv);
        d2 = vmladavaq_s8(d2, vldrbq_s8(x[2] + i), wv);
        d3 = vmladavaq_s8(d3, vldrbq_s8(x[3] + i), wv);
        s = vaddvaq_s8(s, wv);
      }
      if (i < c) {
        const mve_pred16_t pr = vctp8q((uint32_t)(c - i));
        const int8x16_t wv = vldrbq_z_s8(w + i, pr);
        d0 = vmladavaq_s8(d0, vldrbq_z_s8(x[0] + i, pr), wv);
        d1 = vmladavaq_s8(d1, vldrbq_z_s8(x[1] + i, pr), wv);
        d2 = vmladavaq_s8(d2, vldrbq_z_s8(x[2] + i, pr), wv);
        d3 = vmladavaq_s8(d3, vldrbq_z_s8(x[3] + i, pr), wv);
        s = vaddvaq_s8(s, wv);
      }
      int32x4_t acc = vdupq_n_s32(d0);
      acc = vsetq_lane_s32(d1, acc, 1);
      acc = vsetq_lane_s32(d2, acc, 2);
      acc = vsetq_lane_s32(d3, acc, 3);
      acc = vaddq_n_s32(acc, bias[oc] + a->input_offset * s);
      const int32x4_t r = FinishV(acc, vdupq_n_s32(mults[oc]), vdupq_n_s32(shifts[oc]),
                                  a->output_offset, a->act_min, a->act_max);
      vstrbq_scatter_offset_s32(out + p * cout + oc, row_offsets, r);
    }
  }
  for (; p < pixels; p++) {  // the last pixels % 4, one at a time
    const int8_t* x = in + ((p / ow) * a->stride_h * a->in_w + (p % ow) * a->stride_w) * c;
    for (int oc = 0; oc < cout; oc++) {
      int32_t d, s;
      DotAndSum(x, filter + oc * c, c, &d, &s);
      out[p * cout + oc] = FinishScalar(bias[oc] + d + a->input_offset * s, mults[oc], shifts[oc],
                                        a->output_offset, a->act_min, a->act_max);
    }
  }
}

// The clipped window of one output pixel: rows [ky_lo, ky_hi) and columns [kx_lo, kx_hi) of the
// filter fall inside the input; `in` points at the input pixel under filter tap (0, 0) (which
// may lie in the padding: only taps inside the window are read).
typedef struct {
  const int8_t* in;
  int ky_lo, ky_hi, kx_lo, kx_hi;
} DwWindow;

// 8 channels of one output pixel: two int32x4 accumulators, unpredicated loads. Twice the
// channels of the 4-lane form per pass over the window, so the scalar loop overhead per tap is
// shared by 8 MACs. MVE has no vector x vector integer multiply-accumulate: VMUL then VADD.
static inline void Dw8(const NnkConvArgs* a, const DwWindow* win, int ch, int8_t* o) {
  const int c = a->in_c;
  const int8_t* filter = (const int8_t*)a->filter;
  int32x4_t acc0 = vldrwq_s32((const int32_t*)a->bias + ch);
  int32x4_t acc1 = vldrwq_s32((const int32_t*)a->bias + ch + 4);
  for (int ky = win->ky_lo; ky < win->ky_hi; ky++) {
    const int8_t* x = win->in + ky * a->in_w * c + ch;
    const int8_t* w = filter + ky * a->k_w * c + ch;
    for (int kx = win->kx_lo; kx < win->kx_hi; kx++) {
      const int32x4_t x0 = vaddq_n_s32(vldrbq_s32(x + kx * c), a->input_offset);
      const int32x4_t x1 = vaddq_n_s32(vldrbq_s32(x + kx * c + 4), a->input_offset);
      acc0 = vaddq_s32(acc0, vmulq_s32(x0, vldrbq_s32(w + kx * c)));
      acc1 = vaddq_s32(acc1, vmulq_s32(x1, vldrbq_s32(w + kx * c + 4)));
    }
  }
  const int32_t* mults = (const int32_t*)a->mult + ch;
  const int32_t* shifts = (const int32_t*)a->shift + ch;
  vstrbq_s32(o + ch, FinishV(acc0, vldrwq_s32(mults), vldrwq_s32(shifts), a->output_offset,
                             a->act_min, a->act_max));
  vstrbq_s32(o + ch + 4, FinishV(acc1, vldrwq_s32(mults + 4), vldrwq_s32(shifts + 4),
                                 a->output_offset, a->act_min, a->act_max));
}

// Up to 4 channels (the last C % 8), predicated with VCTP: inactive lanes load 0, store nothing.
static inline void Dw4Tail(const NnkConvArgs* a, const DwWindow* win, int ch, int8_t* o) {
  const int c = a->in_c;
  const int8_t* filter = (const int8_t*)a->filter;
  const mve_pred16_t pr = vctp32q((uint32_t)(c - ch));
  int32x4_t acc = vldrwq_z_s32((const int32_t*)a->bias + ch, pr);
  for (int ky = win->ky_lo; ky < win->ky_hi; ky++) {
    const int8_t* x = win->in + ky * a->in_w * c + ch;
    const int8_t* w = filter + ky * a->k_w * c + ch;
    for (int kx = win->kx_lo; kx < win->kx_hi; kx++) {
      const int32x4_t xv = vaddq_n_s32(vldrbq_z_s32(x + kx * c, pr), a->input_offset);
      acc = vaddq_s32(acc, vmulq_s32(xv, vldrbq_z_s32(w + kx * c, pr)));
    }
  }
  const int32x4_t r = FinishV(acc, vldrwq_z_s32((const int32_t*)a->mult + ch, pr),
                              vldrwq_z_s32((const int32_t*)a->shift + ch, pr), a->output_offset,
                              a->act_min, a->act_max);
  vstrbq_p_s32(o + ch, r, pr);
}

// Depthwise convolution, depth multiplier 1, any KxK window, stride and padding: per output
// pixel, 8 channels per pass (two int32 vectors), then the last C % 8 in predicated passes of 4;
// the window is clipped to the input (padding contributes 0).
HEL_ENTRY void hel_dwconv_s8(const NnkConvArgs* a) {
  const int c = a->in_c;
  for (int oy = 0; oy < a->out_h; oy++) {
    const int iy0 = oy * a->stride_h - a->pad_h;
    DwWindow win;
    win.ky_lo = iy0 < 0 ? -iy0 : 0;
    win.ky_hi = iy0 + a->k_h > a->in_h ? a->in_h - iy0 : a->k_h;
    for (int ox = 0; ox < a->out_w; ox++) {
      const int ix0 = ox * a->stride_w - a->pad_w;
      win.kx_lo = ix0 < 0 ? -ix0 : 0;
      win.kx_hi = ix0 + a->k_w > a->in_w ? a->in_w - ix0 : a->k_w;
      win.in = (const int8_t*)a->input + (iy0 * a->in_w + ix0) * c;
      int8_t* o = (int8_t*)a->output + (oy * a->out_w + ox) * c;
      int ch = 0;
      for (; ch + 8 <= c; ch += 8) Dw8(a, &win, ch, o);
      for (; ch < c; ch += 4) Dw4Tail(a, &win, ch, o);
    }
  }
}

// Copies n bytes, 16 per step, the last step predicated (VCTP: inactive lanes neither load nor
// store): the tail-predicated loop of MVE code, written with explicit predicates.
static inline void CopyBytes(int8_t* dst, const int8_t* src, int n) {
  for (int i = 0; i < n; i += 16) {
    const mve_pred16_t p = vctp8q((uint32_t)(n - i));
    vstrbq_p_s8(dst + i, vldrbq_z_s8(src + i, p), p);
  }
}

static inline void FillBytes(int8_t* dst, int8_t value, int n) {
  const int8x16_t v = vdupq_n_s8(value);
  for (int i = 0; i < n; i += 16) vstrbq_p_s8(dst + i, v, vctp8q((uint32_t)(n - i)));
}

// One im2col column: the k_h x k_w x in_c patch under output pixel q, row by row of the filter.
// Taps in the padding hold the input zero point (-input_offset, an int8 by construction), so
// that (x + input_offset) is 0 there and the GEMM needs no bounds checks. The taps of a filter
// row that fall inside the input are contiguous in NHWC: one copy per row.
static void Im2colColumn(const NnkConvArgs* a, int q, int8_t* col) {
  const int c = a->in_c, row = a->k_w * c;
  const int8_t zero_point = (int8_t)-a->input_offset;
  const int iy0 = (q / a->out_w) * a->stride_h - a->pad_h;
  const int ix0 = (q % a->out_w) * a->stride_w - a->pad_w;
  const int kx_lo = ix0 < 0 ? -ix0 : 0;
  const int kx_hi = ix0 + a->k_w > a->in_w ? a->in_w - ix0 : a->k_w;
  for (int ky = 0; ky < a->k_h; ky++, col += row) {
    const int iy = iy0 + ky;
    if (iy < 0 || iy >= a->in_h) {
      FillBytes(col, zero_point, row);
      continue;
    }
    FillBytes(col, zero_point, kx_lo * c);
    CopyBytes(col + kx_lo * c, (const int8_t*)a->input + (iy * a->in_w + ix0 + kx_lo) * c,
              (kx_hi - kx_lo) * c);
    FillBytes(col + kx_hi * c, zero_point, (a->k_w - kx_hi) * c);
  }
}

// Standard convolution (any KxK, stride, padding) via im2col: 4 output pixels' patches are
// copied into the scratch buffer (4 columns of k_h*k_w*in_c bytes) and multiplied with every
// filter row as in hel_conv1x1_s8 (each weight vector loaded and summed once for 4 columns,
// VMLADAVA per column, results scattered to the 4 pixels' rows). The last pixels % 4 use one
// column and DotAndSum.
HEL_ENTRY void hel_conv_s8(const NnkConvArgs* a) {
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  const int32_t* mults = (const int32_t*)a->mult;
  const int32_t* shifts = (const int32_t*)a->shift;
  int8_t* out = (int8_t*)a->output;
  int8_t* cols = (int8_t*)a->scratch;
  const int n = a->k_h * a->k_w * a->in_c, cout = a->out_c;
  const int pixels = a->out_h * a->out_w;
  const uint32x4_t row_offsets = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)cout);
  const int8_t* x[4] = {cols, cols + n, cols + 2 * n, cols + 3 * n};
  int p = 0;
  for (; p + 4 <= pixels; p += 4) {
    for (int j = 0; j < 4; j++) Im2colColumn(a, p + j, cols + j * n);
    for (int oc = 0; oc < cout; oc++) {
      const int8_t* w = filter + oc * n;
      int32_t d0 = 0, d1 = 0, d2 = 0, d3 = 0, s = 0;
      int i = 0;
      for (; i + 16 <= n; i += 16) {
        const int8x16_t wv = vldrbq_s8(w + i);
        d0 = vmladavaq_s8(d0, vldrbq_s8(x[0] + i), wv);
        d1 = vmladavaq_s8(d1, vldrbq_s8(x[1] + i), wv);
        d2 = vmladavaq_s8(d2, vldrbq_s8(x[2] + i), wv);
        d3 = vmladavaq_s8(d3, vldrbq_s8(x[3] + i), wv);
        s = vaddvaq_s8(s, wv);
      }
      if (i < n) {
        const mve_pred16_t pr = vctp8q((uint32_t)(n - i));
        const int8x16_t wv = vldrbq_z_s8(w + i, pr);
        d0 = vmladavaq_s8(d0, vldrbq_z_s8(x[0] + i, pr), wv);
        d1 = vmladavaq_s8(d1, vldrbq_z_s8(x[1] + i, pr), wv);
        d2 = vmladavaq_s8(d2, vldrbq_z_s8(x[2] + i, pr), wv);
        d3 = vmladavaq_s8(d3, vldrbq_z_s8(x[3] + i, pr), wv);
        s = vaddvaq_s8(s, wv);
      }
      int32x4_t acc = vdupq_n_s32(d0);
      acc = vsetq_lane_s32(d1, acc, 1);
      acc = vsetq_lane_s32(d2, acc, 2);
      acc = vsetq_lane_s32(d3, acc, 3);
      acc = vaddq_n_s32(acc, bias[oc] + a->input_offset * s);
      const int32x4_t r = FinishV(acc, vdupq_n_s32(mults[oc]), vdupq_n_s32(shifts[oc]),
                                  a->output_offset, a->act_min, a->act_max);
      vstrbq_scatter_offset_s32(out + p * cout + oc, row_offsets, r);
    }
  }
  for (; p < pixels; p++) {  // the last pixels % 4, one column at a time
    Im2colColumn(a, p, cols);
    for (int oc = 0; oc < cout; oc++) {
      int32_t d, s;
      DotAndSum(cols, filter + oc * n, n, &d, &s);
      out[p * cout + oc] = FinishScalar(bias[oc] + d + a->input_offset * s, mults[oc], shifts[oc],
                                        a->output_offset, a->act_min, a->act_max);
    }
  }
}

// The part of a pooling window inside the input, for output pixel (oy, ox).
typedef struct {
  const int8_t* in;  // input pixel under window tap (ky_lo, kx_lo)
  int rows, cols, count;
} PoolWindow;

static inline PoolWindow PoolWindowAt(const NnkPoolArgs* a, int oy, int ox) {
  const int iy0 = oy * a->stride_h - a->pad_h, ix0 = ox * a->stride_w - a->pad_w;
  const int ky_lo = iy0 < 0 ? -iy0 : 0, kx_lo = ix0 < 0 ? -ix0 : 0;
  const int ky_hi = iy0 + a->k_h > a->in_h ? a->in_h - iy0 : a->k_h;
  const int kx_hi = ix0 + a->k_w > a->in_w ? a->in_w - ix0 : a->k_w;
  PoolWindow w;
  w.in = (const int8_t*)a->input + ((iy0 + ky_lo) * a->in_w + ix0 + kx_lo) * a->c;
  w.rows = ky_hi - ky_lo;
  w.cols = kx_hi - kx_lo;
  w.count = w.rows * w.cols;
  return w;
}

// Max pooling: per output pixel, 16 channels per pass (VMAX over the window's taps), the last
// C % 16 predicated; clamped to [act_min, act_max].
HEL_ENTRY void hel_maxpool_s8(const NnkPoolArgs* a) {
  const int c = a->c;
  const int8x16_t lo = vdupq_n_s8((int8_t)a->act_min), hi = vdupq_n_s8((int8_t)a->act_max);
  int8_t* out = (int8_t*)a->output;
  for (int oy = 0; oy < a->out_h; oy++) {
    for (int ox = 0; ox < a->out_w; ox++, out += c) {
      const PoolWindow win = PoolWindowAt(a, oy, ox);
      for (int ch = 0; ch < c; ch += 16) {
        const mve_pred16_t pr = vctp8q((uint32_t)(c - ch));
        int8x16_t best = vdupq_n_s8(-128);
        for (int ky = 0; ky < win.rows; ky++) {
          const int8_t* x = win.in + ky * a->in_w * c + ch;
          for (int kx = 0; kx < win.cols; kx++) best = vmaxq_s8(best, vldrbq_z_s8(x + kx * c, pr));
        }
        vstrbq_p_s8(out + ch, vminq_s8(vmaxq_s8(best, lo), hi), pr);
      }
    }
  }
}

// Rounded division of 4 window sums by count, ties away from zero (the reference's
// sum > 0 ? (sum + count/2)/count : (sum - count/2)/count), without a divide: |sum| + count/2
// times ceil(2^31 / count), high half doubled. Exact while |sum| + count/2 < 2^31 / count
// (int8 windows of up to 16K taps).
static inline int32x4_t RoundedDivide(int32x4_t sum, int count, uint32_t reciprocal) {
  const uint32x4_t t = vreinterpretq_u32_s32(vaddq_n_s32(vabsq_s32(sum), count / 2));
  const int32x4_t q = vreinterpretq_s32_u32(vmulhq_u32(vshlq_n_u32(t, 1), vdupq_n_u32(reciprocal)));
  return vpselq_s32(vnegq_s32(q), q, vcmpltq_n_s32(sum, 0));
}

// Average pooling: per output pixel, 8 channels per pass in two int32 vectors of window sums
// (widening loads VLDRB.S32), the last C % 8 in predicated passes of 4; one scalar divide per
// pixel for the reciprocal of the window size.
HEL_ENTRY void hel_avgpool_s8(const NnkPoolArgs* a) {
  const int c = a->c;
  const int32x4_t lo = vdupq_n_s32(a->act_min), hi = vdupq_n_s32(a->act_max);
  int8_t* out = (int8_t*)a->output;
  for (int oy = 0; oy < a->out_h; oy++) {
    for (int ox = 0; ox < a->out_w; ox++, out += c) {
      const PoolWindow win = PoolWindowAt(a, oy, ox);
      const uint32_t reciprocal = 0x7FFFFFFFu / (uint32_t)win.count + 1u;  // ceil(2^31 / count)
      int ch = 0;
      for (; ch + 8 <= c; ch += 8) {
        int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
        for (int ky = 0; ky < win.rows; ky++) {
          const int8_t* x = win.in + ky * a->in_w * c + ch;
          for (int kx = 0; kx < win.cols; kx++) {
            s0 = vaddq_s32(s0, vldrbq_s32(x + kx * c));
            s1 = vaddq_s32(s1, vldrbq_s32(x + kx * c + 4));
          }
        }
        s0 = RoundedDivide(s0, win.count, reciprocal);
        s1 = RoundedDivide(s1, win.count, reciprocal);
        vstrbq_s32(out + ch, vminq_s32(vmaxq_s32(s0, lo), hi));
        vstrbq_s32(out + ch + 4, vminq_s32(vmaxq_s32(s1, lo), hi));
      }
      for (; ch < c; ch += 4) {
        const mve_pred16_t pr = vctp32q((uint32_t)(c - ch));
        int32x4_t s = vdupq_n_s32(0);
        for (int ky = 0; ky < win.rows; ky++) {
          const int8_t* x = win.in + ky * a->in_w * c + ch;
          for (int kx = 0; kx < win.cols; kx++) s = vaddq_s32(s, vldrbq_z_s32(x + kx * c, pr));
        }
        s = RoundedDivide(s, win.count, reciprocal);
        vstrbq_p_s32(out + ch, vminq_s32(vmaxq_s32(s, lo), hi), pr);
      }
    }
  }
}

// ReLU (and ReLU6-like clamps): max(x, act_min) then min(x, act_max), 16 lanes per step, the
// last step predicated.
HEL_ENTRY void hel_relu_s8(const NnkActArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  int8_t* out = (int8_t*)a->output;
  const int8x16_t lo = vdupq_n_s8((int8_t)a->act_min), hi = vdupq_n_s8((int8_t)a->act_max);
  for (int i = 0; i < a->size; i += 16) {
    const mve_pred16_t p = vctp8q((uint32_t)(a->size - i));
    vstrbq_p_s8(out + i, vminq_s8(vmaxq_s8(vldrbq_z_s8(in + i, p), lo), hi), p);
  }
}
