// int8 NN kernels written the way the TensorFlow Lite Micro *reference* kernels compute (our own
// code, portable C): no DSP/SIMD intrinsics, no im2col, no channel or pixel blocking. Every output
// element loops over its whole filter window; the input offset is added to each input value, the
// padding bounds check sits inside the loop, indices go through a 4-D Offset() as TFLite's
// RuntimeShape does, parameters and dimensions are read into local constants before the loops
// (as the TFLM kernels do; reading them through the argument pointer inside the loops made GCC
// reload them per MAC and cost up to 2.2x), the accumulator is int32; bias, per-channel requantization (the same
// rounding doubling high multiply + rounding shift as nnk.c, compiled C), output offset, clamp.
// Pooling and ReLU are plain per-element loops. Same entry points and argument blocks as nnk.c
// (nnk_args.h), so the runner calls either image unchanged (build_image.sh CORE DIR reference).
#include <stddef.h>
#include <stdint.h>

#include "nnk_args.h"

#define NNK_ENTRY __attribute__((used, noinline))

// TFLite-style 4-D shape: dims[0..3] = N, H, W, C (or Cout, KH, KW, Cin for conv filters).
typedef struct {
  int32_t dims[4];
} Shape4;

static inline Shape4 MakeShape(int32_t d0, int32_t d1, int32_t d2, int32_t d3) {
  Shape4 s = {{d0, d1, d2, d3}};
  return s;
}

// Flat index of element (i0, i1, i2, i3), row major, as RuntimeShape's Offset().
static inline int Offset(const Shape4* s, int i0, int i1, int i2, int i3) {
  return ((i0 * s->dims[1] + i1) * s->dims[2] + i2) * s->dims[3] + i3;
}

static inline int32_t MinI(int32_t a, int32_t b) { return a < b ? a : b; }
static inline int32_t MaxI(int32_t a, int32_t b) { return a > b ? a : b; }

// TFLite int8 requantization, bit-identical to nnk.c's Requantize and the host references:
// rounding doubling high multiply (64-bit product), then rounding right shift.
static inline int32_t MultiplyByMultiplier(int32_t v, int32_t mult, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  const int32_t x = (int32_t)((uint32_t)v << left);
  const int32_t high = (int32_t)(((int64_t)x * mult + (1LL << 30)) >> 31);
  const int32_t mask = (int32_t)((1u << right) - 1u);
  const int32_t remainder = high & mask;
  const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + (remainder > threshold ? 1 : 0);
}

// Convolution, any kernel size, stride and padding (dilation 1): TFLite Micro's reference conv
// has no 1x1 special case, so nnk_conv1x1_s8 below runs the same loops.
static void ConvPerChannel(const NnkConvArgs* a) {
  const int8_t* input = (const int8_t*)a->input;
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  const int32_t* mult = (const int32_t*)a->mult;
  const int32_t* shift = (const int32_t*)a->shift;
  int8_t* output = (int8_t*)a->output;
  // Parameters and dimensions as local constants (the TFLM kernels read ConvParams and
  // RuntimeShape into const ints before the loops).
  const int32_t input_offset = a->input_offset, output_offset = a->output_offset;
  const int32_t act_min = a->act_min, act_max = a->act_max;
  const int stride_h = a->stride_h, stride_w = a->stride_w, pad_h = a->pad_h, pad_w = a->pad_w;
  const int in_h = a->in_h, in_w = a->in_w, in_c = a->in_c;
  const int out_h = a->out_h, out_w = a->out_w, out_c = a->out_c, k_h = a->k_h, k_w = a->k_w;
  const Shape4 in_shape = MakeShape(1, in_h, in_w, in_c);
  const Shape4 f_shape = MakeShape(out_c, k_h, k_w, in_c);
  const Shape4 out_shape = MakeShape(1, out_h, out_w, out_c);
  const int dilation_h = 1, dilation_w = 1;
  for (int b = 0; b < 1; ++b) {
    for (int out_y = 0; out_y < out_h; ++out_y) {
      for (int out_x = 0; out_x < out_w; ++out_x) {
        for (int oc = 0; oc < out_c; ++oc) {
          const int in_x_origin = out_x * stride_w - pad_w;
          const int in_y_origin = out_y * stride_h - pad_h;
          int32_t acc = 0;
          for (int fy = 0; fy < k_h; ++fy) {
            for (int fx = 0; fx < k_w; ++fx) {
              for (int ic = 0; ic < in_c; ++ic) {
                const int in_x = in_x_origin + dilation_w * fx;
                const int in_y = in_y_origin + dilation_h * fy;
                // Zero padding: points outside the image contribute nothing.
                const int inside = in_x >= 0 && in_x < in_w && in_y >= 0 && in_y < in_h;
                if (inside) {
                  const int32_t in_val = input[Offset(&in_shape, b, in_y, in_x, ic)];
                  const int32_t f_val = filter[Offset(&f_shape, oc, fy, fx, ic)];
                  acc += f_val * (in_val + input_offset);
                }
              }
            }
          }
          acc += bias[oc];
          acc = MultiplyByMultiplier(acc, mult[oc], shift[oc]);
          acc += output_offset;
          acc = MaxI(acc, act_min);
          acc = MinI(acc, act_max);
          output[Offset(&out_shape, b, out_y, out_x, oc)] = (int8_t)acc;
        }
      }
    }
  }
}

NNK_ENTRY void nnk_conv_s8(const NnkConvArgs* a) { ConvPerChannel(a); }

NNK_ENTRY void nnk_conv1x1_s8(const NnkConvArgs* a) { ConvPerChannel(a); }

// Depthwise convolution, depth multiplier 1: channel outside, filter window inside.
NNK_ENTRY void nnk_dwconv_s8(const NnkConvArgs* a) {
  const int8_t* input = (const int8_t*)a->input;
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  const int32_t* mult = (const int32_t*)a->mult;
  const int32_t* shift = (const int32_t*)a->shift;
  int8_t* output = (int8_t*)a->output;
  const int depth_multiplier = 1;
  const int32_t input_offset = a->input_offset, output_offset = a->output_offset;
  const int32_t act_min = a->act_min, act_max = a->act_max;
  const int stride_h = a->stride_h, stride_w = a->stride_w, pad_h = a->pad_h, pad_w = a->pad_w;
  const int in_h = a->in_h, in_w = a->in_w, in_c = a->in_c;
  const int out_h = a->out_h, out_w = a->out_w, k_h = a->k_h, k_w = a->k_w;
  const Shape4 in_shape = MakeShape(1, in_h, in_w, in_c);
  const Shape4 f_shape = MakeShape(1, k_h, k_w, in_c * depth_multiplier);
  const Shape4 out_shape = MakeShape(1, out_h, out_w, in_c * depth_multiplier);
  const int dilation_h = 1, dilation_w = 1;
  for (int b = 0; b < 1; ++b) {
    for (int out_y = 0; out_y < out_h; ++out_y) {
      for (int out_x = 0; out_x < out_w; ++out_x) {
        for (int ic = 0; ic < in_c; ++ic) {
          for (int m = 0; m < depth_multiplier; ++m) {
            const int oc = m + ic * depth_multiplier;
            const int in_x_origin = out_x * stride_w - pad_w;
            const int in_y_origin = out_y * stride_h - pad_h;
            int32_t acc = 0;
            for (int fy = 0; fy < k_h; ++fy) {
              for (int fx = 0; fx < k_w; ++fx) {
                const int in_x = in_x_origin + dilation_w * fx;
                const int in_y = in_y_origin + dilation_h * fy;
                const int inside = in_x >= 0 && in_x < in_w && in_y >= 0 && in_y < in_h;
                if (inside) {
                  const int32_t in_val = input[Offset(&in_shape, b, in_y, in_x, ic)];
                  const int32_t f_val = filter[Offset(&f_shape, 0, fy, fx, oc)];
                  acc += f_val * (in_val + input_offset);
                }
              }
            }
            acc += bias[oc];
            acc = MultiplyByMultiplier(acc, mult[oc], shift[oc]);
            acc += output_offset;
            acc = MaxI(acc, act_min);
            acc = MinI(acc, act_max);
            output[Offset(&out_shape, b, out_y, out_x, oc)] = (int8_t)acc;
          }
        }
      }
    }
  }
}

// Fully connected, batch 1, per-tensor requantization. Weights are symmetric int8 (zero point 0),
// so there is no filter offset term.
NNK_ENTRY void nnk_fc_s8(const NnkFcArgs* a) {
  const int8_t* input = (const int8_t*)a->input;
  const int8_t* filter = (const int8_t*)a->filter;
  const int32_t* bias = (const int32_t*)a->bias;
  int8_t* output = (int8_t*)a->output;
  const int batches = 1, accum_depth = a->in_c, output_depth = a->units;
  const int32_t input_offset = a->input_offset, output_offset = a->output_offset;
  const int32_t act_min = a->act_min, act_max = a->act_max, mult = a->mult, shift = a->shift;
  for (int b = 0; b < batches; ++b) {
    for (int oc = 0; oc < output_depth; ++oc) {
      int32_t acc = 0;
      for (int d = 0; d < accum_depth; ++d) {
        const int32_t in_val = input[b * accum_depth + d];
        const int32_t f_val = filter[oc * accum_depth + d];
        acc += f_val * (in_val + input_offset);
      }
      acc += bias[oc];
      acc = MultiplyByMultiplier(acc, mult, shift);
      acc += output_offset;
      acc = MaxI(acc, act_min);
      acc = MinI(acc, act_max);
      output[oc + output_depth * b] = (int8_t)acc;
    }
  }
}

// Max pooling: per output element, the window clipped to the image.
NNK_ENTRY void nnk_maxpool_s8(const NnkPoolArgs* a) {
  const int8_t* input = (const int8_t*)a->input;
  int8_t* output = (int8_t*)a->output;
  const int in_h = a->in_h, in_w = a->in_w, c = a->c, out_h = a->out_h, out_w = a->out_w;
  const int k_h = a->k_h, k_w = a->k_w, stride_h = a->stride_h, stride_w = a->stride_w;
  const int pad_h = a->pad_h, pad_w = a->pad_w;
  const int32_t act_min = a->act_min, act_max = a->act_max;
  const Shape4 in_shape = MakeShape(1, in_h, in_w, c);
  const Shape4 out_shape = MakeShape(1, out_h, out_w, c);
  for (int b = 0; b < 1; ++b) {
    for (int out_y = 0; out_y < out_h; ++out_y) {
      for (int out_x = 0; out_x < out_w; ++out_x) {
        for (int ch = 0; ch < c; ++ch) {
          const int in_x_origin = out_x * stride_w - pad_w;
          const int in_y_origin = out_y * stride_h - pad_h;
          const int fx_start = MaxI(0, -in_x_origin);
          const int fx_end = MinI(k_w, in_w - in_x_origin);
          const int fy_start = MaxI(0, -in_y_origin);
          const int fy_end = MinI(k_h, in_h - in_y_origin);
          int32_t max = -128;
          for (int fy = fy_start; fy < fy_end; ++fy) {
            for (int fx = fx_start; fx < fx_end; ++fx) {
              const int in_x = in_x_origin + fx, in_y = in_y_origin + fy;
              max = MaxI(max, input[Offset(&in_shape, b, in_y, in_x, ch)]);
            }
          }
          max = MaxI(max, act_min);
          max = MinI(max, act_max);
          output[Offset(&out_shape, b, out_y, out_x, ch)] = (int8_t)max;
        }
      }
    }
  }
}

// Average pooling over the clipped window; rounding half away from zero.
NNK_ENTRY void nnk_avgpool_s8(const NnkPoolArgs* a) {
  const int8_t* input = (const int8_t*)a->input;
  int8_t* output = (int8_t*)a->output;
  const int in_h = a->in_h, in_w = a->in_w, c = a->c, out_h = a->out_h, out_w = a->out_w;
  const int k_h = a->k_h, k_w = a->k_w, stride_h = a->stride_h, stride_w = a->stride_w;
  const int pad_h = a->pad_h, pad_w = a->pad_w;
  const int32_t act_min = a->act_min, act_max = a->act_max;
  const Shape4 in_shape = MakeShape(1, in_h, in_w, c);
  const Shape4 out_shape = MakeShape(1, out_h, out_w, c);
  for (int b = 0; b < 1; ++b) {
    for (int out_y = 0; out_y < out_h; ++out_y) {
      for (int out_x = 0; out_x < out_w; ++out_x) {
        for (int ch = 0; ch < c; ++ch) {
          const int in_x_origin = out_x * stride_w - pad_w;
          const int in_y_origin = out_y * stride_h - pad_h;
          const int fx_start = MaxI(0, -in_x_origin);
          const int fx_end = MinI(k_w, in_w - in_x_origin);
          const int fy_start = MaxI(0, -in_y_origin);
          const int fy_end = MinI(k_h, in_h - in_y_origin);
          int32_t acc = 0;
          int count = 0;
          for (int fy = fy_start; fy < fy_end; ++fy) {
            for (int fx = fx_start; fx < fx_end; ++fx) {
              const int in_x = in_x_origin + fx, in_y = in_y_origin + fy;
              acc += input[Offset(&in_shape, b, in_y, in_x, ch)];
              count++;
            }
          }
          int32_t avg = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          avg = MaxI(avg, act_min);
          avg = MinI(avg, act_max);
          output[Offset(&out_shape, b, out_y, out_x, ch)] = (int8_t)avg;
        }
      }
    }
  }
}

// ReLU / ReLU6 / clamp: one element per iteration.
NNK_ENTRY void nnk_relu_s8(const NnkActArgs* a) {
  const int8_t* input = (const int8_t*)a->input;
  int8_t* output = (int8_t*)a->output;
  const int size = a->size;
  const int32_t act_min = a->act_min, act_max = a->act_max;
  for (int i = 0; i < size; ++i) {
    const int32_t v = input[i];
    output[i] = (int8_t)MinI(MaxI(v, act_min), act_max);
  }
}
