// Argument blocks of the target kernels. Shared by the Cortex-M image (32-bit) and the host
// runner (64-bit): every field is 32 bits wide and pointers are target addresses (uint32_t), so
// the layout is identical on both compilers (checked by static_assert on both sides).
#ifndef NNK_ARGS_H_
#define NNK_ARGS_H_

#include <stdint.h>

// Tensors are NHWC int8 with batch 1; filters follow TFLite: conv [Cout,KH,KW,Cin],
// depthwise [1,KH,KW,C] (multiplier 1), fully connected [units,Cin]. Quantization follows
// TFLite int8: per-channel (conv, depthwise) or per-tensor (fc) multiplier/shift.
typedef struct {
  uint32_t input, filter, bias, output;  // int8*, int8*, int32*, int8*
  uint32_t mult, shift;                  // int32* per output channel
  uint32_t scratch;                      // int16 im2col buffer (conv) / int32 sums (avg pool)
  int32_t in_h, in_w, in_c;
  int32_t out_h, out_w, out_c;
  int32_t k_h, k_w, stride_h, stride_w, pad_h, pad_w;
  int32_t input_offset, output_offset;  // -input_zero_point, output_zero_point
  int32_t act_min, act_max;
} NnkConvArgs;

typedef struct {
  uint32_t input, filter, bias, output;  // fc: filter [units, in_c], bias [units]
  int32_t in_c, units;
  int32_t mult, shift;  // per-tensor
  int32_t input_offset, output_offset;
  int32_t act_min, act_max;
} NnkFcArgs;

typedef struct {
  uint32_t input, output, scratch;  // scratch: int32 sums per channel (avg pool)
  int32_t in_h, in_w, c;
  int32_t out_h, out_w;
  int32_t k_h, k_w, stride_h, stride_w, pad_h, pad_w;
  int32_t act_min, act_max;
} NnkPoolArgs;

typedef struct {
  uint32_t input, output;
  int32_t size;
  int32_t act_min, act_max;  // relu: max(x, act_min) then min(x, act_max)
} NnkActArgs;

#ifdef __cplusplus
static_assert(sizeof(NnkConvArgs) == 23 * 4, "NnkConvArgs layout");
static_assert(sizeof(NnkFcArgs) == 12 * 4, "NnkFcArgs layout");
static_assert(sizeof(NnkPoolArgs) == 16 * 4, "NnkPoolArgs layout");
static_assert(sizeof(NnkActArgs) == 5 * 4, "NnkActArgs layout");
#else
_Static_assert(sizeof(NnkConvArgs) == 23 * 4, "NnkConvArgs layout");
_Static_assert(sizeof(NnkFcArgs) == 12 * 4, "NnkFcArgs layout");
_Static_assert(sizeof(NnkPoolArgs) == 16 * 4, "NnkPoolArgs layout");
_Static_assert(sizeof(NnkActArgs) == 5 * 4, "NnkActArgs layout");
#endif

#endif  // NNK_ARGS_H_
