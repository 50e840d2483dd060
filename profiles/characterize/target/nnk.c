// int8 NN kernels for Cortex-M4/M7 written the way optimized Cortex-M libraries write them
// (CMSIS-NN style; this is our own code): im2col into q15 with the input offset folded in,
// a 2 output channels x 2 pixels matrix multiply with SMLAD, 1x1 convolution without im2col,
// depthwise 4 channels per step, fully connected 2 units per step, pooling and ReLU with SIMD.
// Entry points take one argument block (nnk_args.h) so the host runner can call them with r0.
#include <stdint.h>

#include "dsp.h"
#include "nnk_args.h"

#define NNK_ENTRY __attribute__((used, noinline))

static inline uint32_t Dup16(int32_t v) { return ((uint32_t)v & 0xFFFFu) | ((uint32_t)v << 16); }
static inline uint32_t Dup8(int32_t v) { return ((uint32_t)v & 0xFFu) * 0x01010101u; }

static inline int8_t Finish(int32_t acc, int32_t mult, int32_t shift, int32_t out_offset,
                            int32_t lo, int32_t hi) {
  return Clamp8(Requantize(acc, mult, shift) + out_offset, lo, hi);
}

// One output pixel's receptive field as q15 with the input offset added; padding becomes 0
// (a padded input equals the zero point, so input + offset = 0).
static void Im2colPixel(const NnkConvArgs* a, int oy, int ox, int16_t* col) {
  const int8_t* in = (const int8_t*)a->input;
  const uint32_t off2 = Dup16(a->input_offset);
  const int c = a->in_c;
  for (int ky = 0; ky < a->k_h; ky++) {
    const int iy = oy * a->stride_h - a->pad_h + ky;
    for (int kx = 0; kx < a->k_w; kx++) {
      const int ix = ox * a->stride_w - a->pad_w + kx;
      if (iy < 0 || iy >= a->in_h || ix < 0 || ix >= a->in_w) {
        memset(col, 0, (size_t)c * 2);
        col += c;
        continue;
      }
      const int8_t* src = in + (iy * a->in_w + ix) * c;
      int i = 0;
      for (; i + 4 <= c; i += 4) {
        const uint32_t w = ReadU32(src + i);
        const uint32_t odd = Sxtab16Ror8(off2, w);  // [b1, b3] + offset
        const uint32_t even = Sxtab16(off2, w);     // [b0, b2] + offset
        WriteU32(col + i, Pkhbt16(even, odd));
        WriteU32(col + i + 2, Pkhtb16(odd, even));
      }
      for (; i < c; i++) col[i] = (int16_t)(src[i] + a->input_offset);
      col += c;
    }
  }
}

// out0/out1 = filter x col0/col1 for every output channel: 2 channels x 2 pixels per step.
static void MatMul2x2(const NnkConvArgs* a, int k_total, const int16_t* col0, const int16_t* col1,
                      int8_t* out0, int8_t* out1) {
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  const int32_t* mult = (const int32_t*)a->mult;
  const int32_t* shift = (const int32_t*)a->shift;
  int oc = 0;
  for (; oc + 2 <= a->out_c; oc += 2) {
    const int8_t* w0 = filter + oc * k_total;
    const int8_t* w1 = w0 + k_total;
    const int16_t* c0 = col0;
    const int16_t* c1 = col1;
    int32_t s00 = bias[oc], s01 = bias[oc], s10 = bias[oc + 1], s11 = bias[oc + 1];
    for (int k = k_total >> 2; k > 0; k--) {
      uint32_t a01, a23, b01, b23;
      ReadAndPad(w0, &a01, &a23);
      ReadAndPad(w1, &b01, &b23);
      w0 += 4;
      w1 += 4;
      const uint32_t x01 = ReadU32(c0), x23 = ReadU32(c0 + 2);
      const uint32_t y01 = ReadU32(c1), y23 = ReadU32(c1 + 2);
      c0 += 4;
      c1 += 4;
      s00 = Smlad(a01, x01, s00);
      s00 = Smlad(a23, x23, s00);
      s01 = Smlad(a01, y01, s01);
      s01 = Smlad(a23, y23, s01);
      s10 = Smlad(b01, x01, s10);
      s10 = Smlad(b23, x23, s10);
      s11 = Smlad(b01, y01, s11);
      s11 = Smlad(b23, y23, s11);
    }
    for (int k = k_total & 3; k > 0; k--) {
      const int32_t wa = *w0++, wb = *w1++, x = *c0++, y = *c1++;
      s00 += wa * x;
      s01 += wa * y;
      s10 += wb * x;
      s11 += wb * y;
    }
    out0[oc] = Finish(s00, mult[oc], shift[oc], a->output_offset, a->act_min, a->act_max);
    out1[oc] = Finish(s01, mult[oc], shift[oc], a->output_offset, a->act_min, a->act_max);
    out0[oc + 1] = Finish(s10, mult[oc + 1], shift[oc + 1], a->output_offset, a->act_min, a->act_max);
    out1[oc + 1] = Finish(s11, mult[oc + 1], shift[oc + 1], a->output_offset, a->act_min, a->act_max);
  }
  if (oc < a->out_c) {  // odd channel count: last channel, two pixels
    const int8_t* w0 = filter + oc * k_total;
    int32_t s0 = bias[oc], s1 = bias[oc];
    for (int k = 0; k < k_total; k++) {
      s0 += w0[k] * col0[k];
      s1 += w0[k] * col1[k];
    }
    out0[oc] = Finish(s0, mult[oc], shift[oc], a->output_offset, a->act_min, a->act_max);
    out1[oc] = Finish(s1, mult[oc], shift[oc], a->output_offset, a->act_min, a->act_max);
  }
}

// One pixel left over: 1 pixel x 1 channel per step, still 4 MACs per SMLAD pair.
static void MatMul1(const NnkConvArgs* a, int k_total, const int16_t* col0, int8_t* out0) {
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  const int32_t* mult = (const int32_t*)a->mult;
  const int32_t* shift = (const int32_t*)a->shift;
  for (int oc = 0; oc < a->out_c; oc++) {
    const int8_t* w0 = filter + oc * k_total;
    const int16_t* c0 = col0;
    int32_t s = bias[oc];
    for (int k = k_total >> 2; k > 0; k--) {
      uint32_t a01, a23;
      ReadAndPad(w0, &a01, &a23);
      w0 += 4;
      s = Smlad(a01, ReadU32(c0), s);
      s = Smlad(a23, ReadU32(c0 + 2), s);
      c0 += 4;
    }
    for (int k = k_total & 3; k > 0; k--) s += *w0++ * *c0++;
    out0[oc] = Finish(s, mult[oc], shift[oc], a->output_offset, a->act_min, a->act_max);
  }
}

// General convolution (any kernel, stride, padding): im2col two pixels, then MatMul2x2.
NNK_ENTRY void nnk_conv_s8(const NnkConvArgs* a) {
  const int k_total = a->k_h * a->k_w * a->in_c;
  int16_t* col0 = (int16_t*)a->scratch;
  int16_t* col1 = col0 + k_total;
  int8_t* out = (int8_t*)a->output;
  const int pixels = a->out_h * a->out_w;
  int p = 0;
  for (; p + 2 <= pixels; p += 2) {
    Im2colPixel(a, p / a->out_w, p % a->out_w, col0);
    Im2colPixel(a, (p + 1) / a->out_w, (p + 1) % a->out_w, col1);
    MatMul2x2(a, k_total, col0, col1, out + p * a->out_c, out + (p + 1) * a->out_c);
  }
  if (p < pixels) {
    Im2colPixel(a, p / a->out_w, p % a->out_w, col0);
    MatMul1(a, k_total, col0, out + p * a->out_c);
  }
}

// 1x1 convolution, no padding: a GEMM straight on the int8 input (no im2col). Input and
// weights are both expanded to the same lane order ([b0,b2], [b1,b3]), so no PKH is needed.
NNK_ENTRY void nnk_conv1x1_s8(const NnkConvArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  const int32_t* mult = (const int32_t*)a->mult;
  const int32_t* shift = (const int32_t*)a->shift;
  int8_t* out = (int8_t*)a->output;
  const uint32_t off2 = Dup16(a->input_offset);
  const int c = a->in_c;
  const int pixels = a->out_h * a->out_w;
  for (int p = 0; p < pixels; p += 2) {
    const int two = p + 1 < pixels;
    const int q = two ? p + 1 : p;
    const int8_t* x0 = in + ((p / a->out_w) * a->stride_h * a->in_w + (p % a->out_w) * a->stride_w) * c;
    const int8_t* x1 = in + ((q / a->out_w) * a->stride_h * a->in_w + (q % a->out_w) * a->stride_w) * c;
    int8_t* out0 = out + p * a->out_c;
    int8_t* out1 = out + q * a->out_c;
    for (int oc = 0; oc < a->out_c; oc += 2) {
      const int pair = oc + 1 < a->out_c;
      const int8_t* w0 = filter + oc * c;
      const int8_t* w1 = pair ? w0 + c : w0;
      int32_t s00 = bias[oc], s01 = bias[oc];
      int32_t s10 = pair ? bias[oc + 1] : 0, s11 = s10;
      int i = 0;
      for (; i + 4 <= c; i += 4) {
        const uint32_t wa = ReadU32(w0 + i), wb = ReadU32(w1 + i);
        const uint32_t xa = ReadU32(x0 + i), ya = ReadU32(x1 + i);
        const uint32_t wa_e = Sxtb16(wa), wa_o = Sxtb16Ror8(wa);
        const uint32_t wb_e = Sxtb16(wb), wb_o = Sxtb16Ror8(wb);
        const uint32_t xa_e = Sxtab16(off2, xa), xa_o = Sxtab16Ror8(off2, xa);
        const uint32_t ya_e = Sxtab16(off2, ya), ya_o = Sxtab16Ror8(off2, ya);
        s00 = Smlad(wa_e, xa_e, s00);
        s00 = Smlad(wa_o, xa_o, s00);
        s01 = Smlad(wa_e, ya_e, s01);
        s01 = Smlad(wa_o, ya_o, s01);
        s10 = Smlad(wb_e, xa_e, s10);
        s10 = Smlad(wb_o, xa_o, s10);
        s11 = Smlad(wb_e, ya_e, s11);
        s11 = Smlad(wb_o, ya_o, s11);
      }
      for (; i < c; i++) {
        const int32_t xv = x0[i] + a->input_offset, yv = x1[i] + a->input_offset;
        s00 += w0[i] * xv;
        s01 += w0[i] * yv;
        s10 += w1[i] * xv;
        s11 += w1[i] * yv;
      }
      out0[oc] = Finish(s00, mult[oc], shift[oc], a->output_offset, a->act_min, a->act_max);
      if (two) out1[oc] = Finish(s01, mult[oc], shift[oc], a->output_offset, a->act_min, a->act_max);
      if (pair) {
        out0[oc + 1] = Finish(s10, mult[oc + 1], shift[oc + 1], a->output_offset, a->act_min, a->act_max);
        if (two) out1[oc + 1] = Finish(s11, mult[oc + 1], shift[oc + 1], a->output_offset, a->act_min, a->act_max);
      }
    }
  }
}

// Depthwise convolution, multiplier 1: 4 channels per step with SMLABB/SMLATT.
NNK_ENTRY void nnk_dwconv_s8(const NnkConvArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  const int32_t* mult = (const int32_t*)a->mult;
  const int32_t* shift = (const int32_t*)a->shift;
  int8_t* out = (int8_t*)a->output;
  const uint32_t off2 = Dup16(a->input_offset);
  const int c = a->in_c;
  for (int oy = 0; oy < a->out_h; oy++) {
    const int iy0 = oy * a->stride_h - a->pad_h;
    const int ky_lo = iy0 < 0 ? -iy0 : 0;
    const int ky_hi = iy0 + a->k_h > a->in_h ? a->in_h - iy0 : a->k_h;
    for (int ox = 0; ox < a->out_w; ox++) {
      const int ix0 = ox * a->stride_w - a->pad_w;
      const int kx_lo = ix0 < 0 ? -ix0 : 0;
      const int kx_hi = ix0 + a->k_w > a->in_w ? a->in_w - ix0 : a->k_w;
      int8_t* o = out + (oy * a->out_w + ox) * c;
      int ch = 0;
      for (; ch + 4 <= c; ch += 4) {
        int32_t s0 = bias[ch], s1 = bias[ch + 1], s2 = bias[ch + 2], s3 = bias[ch + 3];
        for (int ky = ky_lo; ky < ky_hi; ky++) {
          const int8_t* src = in + ((iy0 + ky) * a->in_w + ix0) * c + ch;
          const int8_t* w = filter + ky * a->k_w * c + ch;
          for (int kx = kx_lo; kx < kx_hi; kx++) {
            const uint32_t xv = ReadU32(src + kx * c), wv = ReadU32(w + kx * c);
            const uint32_t x02 = Sxtab16(off2, xv), x13 = Sxtab16Ror8(off2, xv);
            const uint32_t w02 = Sxtb16(wv), w13 = Sxtb16Ror8(wv);
            s0 = Smlabb(x02, w02, s0);
            s2 = Smlatt(x02, w02, s2);
            s1 = Smlabb(x13, w13, s1);
            s3 = Smlatt(x13, w13, s3);
          }
        }
        o[ch] = Finish(s0, mult[ch], shift[ch], a->output_offset, a->act_min, a->act_max);
        o[ch + 1] = Finish(s1, mult[ch + 1], shift[ch + 1], a->output_offset, a->act_min, a->act_max);
        o[ch + 2] = Finish(s2, mult[ch + 2], shift[ch + 2], a->output_offset, a->act_min, a->act_max);
        o[ch + 3] = Finish(s3, mult[ch + 3], shift[ch + 3], a->output_offset, a->act_min, a->act_max);
      }
      for (; ch < c; ch++) {
        int32_t s = bias[ch];
        for (int ky = ky_lo; ky < ky_hi; ky++)
          for (int kx = kx_lo; kx < kx_hi; kx++)
            s += (in[((iy0 + ky) * a->in_w + ix0 + kx) * c + ch] + a->input_offset) *
                 filter[(ky * a->k_w + kx) * c + ch];
        o[ch] = Finish(s, mult[ch], shift[ch], a->output_offset, a->act_min, a->act_max);
      }
    }
  }
}

// Fully connected (batch 1): 2 units per step, both operands in [b0,b2]/[b1,b3] lane order.
NNK_ENTRY void nnk_fc_s8(const NnkFcArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  int8_t* out = (int8_t*)a->output;
  const uint32_t off2 = Dup16(a->input_offset);
  const int c = a->in_c;
  for (int u = 0; u < a->units; u += 2) {
    const int pair = u + 1 < a->units;
    const int8_t* w0 = filter + u * c;
    const int8_t* w1 = pair ? w0 + c : w0;
    int32_t s0 = bias[u], s1 = pair ? bias[u + 1] : 0;
    int i = 0;
    for (; i + 4 <= c; i += 4) {
      const uint32_t xv = ReadU32(in + i);
      const uint32_t x02 = Sxtab16(off2, xv), x13 = Sxtab16Ror8(off2, xv);
      const uint32_t wa = ReadU32(w0 + i), wb = ReadU32(w1 + i);
      s0 = Smlad(Sxtb16(wa), x02, s0);
      s0 = Smlad(Sxtb16Ror8(wa), x13, s0);
      s1 = Smlad(Sxtb16(wb), x02, s1);
      s1 = Smlad(Sxtb16Ror8(wb), x13, s1);
    }
    for (; i < c; i++) {
      const int32_t xv = in[i] + a->input_offset;
      s0 += w0[i] * xv;
      s1 += w1[i] * xv;
    }
    out[u] = Finish(s0, a->mult, a->shift, a->output_offset, a->act_min, a->act_max);
    if (pair) out[u + 1] = Finish(s1, a->mult, a->shift, a->output_offset, a->act_min, a->act_max);
  }
}

// Max pooling: running max over the (clipped) window, 4 channels per SSUB8+SEL.
NNK_ENTRY void nnk_maxpool_s8(const NnkPoolArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  int8_t* out = (int8_t*)a->output;
  const int c = a->c;
  const uint32_t lo4 = Dup8(a->act_min), hi4 = Dup8(a->act_max);
  for (int oy = 0; oy < a->out_h; oy++) {
    const int iy0 = oy * a->stride_h - a->pad_h;
    const int ky_lo = iy0 < 0 ? -iy0 : 0;
    const int ky_hi = iy0 + a->k_h > a->in_h ? a->in_h - iy0 : a->k_h;
    for (int ox = 0; ox < a->out_w; ox++) {
      const int ix0 = ox * a->stride_w - a->pad_w;
      const int kx_lo = ix0 < 0 ? -ix0 : 0;
      const int kx_hi = ix0 + a->k_w > a->in_w ? a->in_w - ix0 : a->k_w;
      int8_t* o = out + (oy * a->out_w + ox) * c;
      memcpy(o, in + ((iy0 + ky_lo) * a->in_w + ix0 + kx_lo) * c, (size_t)c);
      for (int ky = ky_lo; ky < ky_hi; ky++) {
        for (int kx = kx_lo; kx < kx_hi; kx++) {
          const int8_t* src = in + ((iy0 + ky) * a->in_w + ix0 + kx) * c;
          int i = 0;
          for (; i + 4 <= c; i += 4) WriteU32(o + i, Max8(ReadU32(o + i), ReadU32(src + i)));
          for (; i < c; i++)
            if (src[i] > o[i]) o[i] = src[i];
        }
      }
      int i = 0;
      for (; i + 4 <= c; i += 4) WriteU32(o + i, Min8(Max8(ReadU32(o + i), lo4), hi4));
      for (; i < c; i++) o[i] = Clamp8(o[i], a->act_min, a->act_max);
    }
  }
}

// Average pooling over the clipped window, TFLite rounding (half away from zero).
NNK_ENTRY void nnk_avgpool_s8(const NnkPoolArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  int8_t* out = (int8_t*)a->output;
  int32_t* sums = (int32_t*)a->scratch;
  const int c = a->c;
  for (int oy = 0; oy < a->out_h; oy++) {
    const int iy0 = oy * a->stride_h - a->pad_h;
    const int ky_lo = iy0 < 0 ? -iy0 : 0;
    const int ky_hi = iy0 + a->k_h > a->in_h ? a->in_h - iy0 : a->k_h;
    for (int ox = 0; ox < a->out_w; ox++) {
      const int ix0 = ox * a->stride_w - a->pad_w;
      const int kx_lo = ix0 < 0 ? -ix0 : 0;
      const int kx_hi = ix0 + a->k_w > a->in_w ? a->in_w - ix0 : a->k_w;
      memset(sums, 0, (size_t)c * 4);
      for (int ky = ky_lo; ky < ky_hi; ky++) {
        for (int kx = kx_lo; kx < kx_hi; kx++) {
          const int8_t* src = in + ((iy0 + ky) * a->in_w + ix0 + kx) * c;
          int i = 0;
          for (; i + 4 <= c; i += 4) {  // SXTB16 both lane pairs, add halves
            const uint32_t v = ReadU32(src + i);
            const uint32_t e = Sxtb16(v), od = Sxtb16Ror8(v);
            sums[i] += (int16_t)e;
            sums[i + 1] += (int16_t)od;
            sums[i + 2] += (int16_t)(e >> 16);
            sums[i + 3] += (int16_t)(od >> 16);
          }
          for (; i < c; i++) sums[i] += src[i];
        }
      }
      const int32_t count = (ky_hi - ky_lo) * (kx_hi - kx_lo);
      int8_t* o = out + (oy * a->out_w + ox) * c;
      for (int i = 0; i < c; i++) {
        const int32_t s = sums[i];
        const int32_t avg = s > 0 ? (s + count / 2) / count : (s - count / 2) / count;
        o[i] = Clamp8(avg, a->act_min, a->act_max);
      }
    }
  }
}

// ReLU (and ReLU6 / clamps): 4 lanes per SSUB8+SEL pair.
NNK_ENTRY void nnk_relu_s8(const NnkActArgs* a) {
  const int8_t* in = (const int8_t*)a->input;
  int8_t* out = (int8_t*)a->output;
  const uint32_t lo4 = Dup8(a->act_min), hi4 = Dup8(a->act_max);
  int i = 0;
  for (; i + 4 <= a->size; i += 4) WriteU32(out + i, Min8(Max8(ReadU32(in + i), lo4), hi4));
  for (; i < a->size; i++) out[i] = Clamp8(in[i], a->act_min, a->act_max);
}
