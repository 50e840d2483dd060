// Private pieces shared by the multiply-accumulate kernels (conv, depthwise conv, fully
// connected): parameter checks they have in common, the sliding-window loop of the two convs and
// the output stage (bias, int32 range check, requantization). Dependency-free like the kernels.
#ifndef OPCOST_SRC_KERNELS_KERNEL_UTIL_H_
#define OPCOST_SRC_KERNELS_KERNEL_UTIL_H_

#include <cstdint>

#include "kernels/validate.h"
#include "opcost/kernels/conv.h"
#include "opcost/kernels/kernel_types.h"
#include "opcost/kernels/requantize.h"

namespace opcost::kernels::detail {

// Zero points and fused activation of an int8 MAC kernel, checked in this order.
inline Status CheckMacQuantization(std::int32_t input_offset, std::int32_t filter_offset,
                                   std::int32_t output_offset, std::int32_t activation_min,
                                   std::int32_t activation_max) {
  OPCOST_RETURN_IF_ERROR(CheckInputOffset(input_offset, "input_offset must be in [-127, 128]"));
  OPCOST_RETURN_IF_ERROR(CheckInputOffset(filter_offset, "filter_offset must be in [-127, 128]"));
  OPCOST_RETURN_IF_ERROR(CheckOutputOffset(output_offset, "output_offset must be in [-128, 127]"));
  return CheckActivation(activation_min, activation_max);
}

// The dims conv and depthwise conv share, checked in this order.
inline Status CheckConvInputDims(std::int64_t batches, std::int64_t input_h, std::int64_t input_w,
                                 std::int64_t input_ch, std::int64_t filter_h,
                                 std::int64_t filter_w) {
  OPCOST_RETURN_IF_ERROR(CheckDim(batches, "batches must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(input_h, "input_h must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(input_w, "input_w must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(input_ch, "input_ch must be in [1, 2^24]"));
  OPCOST_RETURN_IF_ERROR(CheckDim(filter_h, "filter_h must be in [1, 2^24]"));
  return CheckDim(filter_w, "filter_w must be in [1, 2^24]");
}

// Every ConvParams field of conv and depthwise conv: strides, dilations, padding, then the
// quantization.
inline Status CheckConvParams(const ConvParams& p) {
  OPCOST_RETURN_IF_ERROR(CheckRange(p.stride_h, 1, kMaxDim, "stride_h must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.stride_w, 1, kMaxDim, "stride_w must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.dilation_h, 1, kMaxDim, "dilation_h must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.dilation_w, 1, kMaxDim, "dilation_w must be >= 1"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.pad_h, 0, kMaxDim, "pad_h must be >= 0"));
  OPCOST_RETURN_IF_ERROR(CheckRange(p.pad_w, 0, kMaxDim, "pad_w must be >= 0"));
  return CheckMacQuantization(p.input_offset, p.filter_offset, p.output_offset, p.activation_min,
                              p.activation_max);
}

// Both spatial axes of a (possibly dilated) conv window, height first.
inline Status CheckConvWindow(const ConvParams& p, std::int64_t input_h, std::int64_t input_w,
                              std::int64_t filter_h, std::int64_t filter_w, std::int64_t output_h,
                              std::int64_t output_w) {
  OPCOST_RETURN_IF_ERROR(CheckWindowAxis(
      input_h, filter_h, p.stride_h, p.dilation_h, p.pad_h, output_h,
      "pad_h must be smaller than the effective filter height",
      "output_h is not reachable from input_h, filter_h, stride_h, dilation_h and pad_h"));
  return CheckWindowAxis(
      input_w, filter_w, p.stride_w, p.dilation_w, p.pad_w, output_w,
      "pad_w must be smaller than the effective filter width",
      "output_w is not reachable from input_w, filter_w, stride_w, dilation_w and pad_w");
}

// The last step of a MAC kernel for one output element: adds the bias (if any), rejects an
// accumulator outside int32 (the target's accumulator would wrap) and requantizes with channel
// `ch`'s multiplier and shift (or the single per-tensor pair). `element` is the output index
// the error names.
inline Status StoreAccumulator(std::int64_t acc, std::int64_t ch, Span<const std::int32_t> bias,
                               const Requantization& requant, std::int32_t output_offset,
                               std::int32_t activation_min, std::int32_t activation_max,
                               std::int64_t element, std::int8_t* out) {
  if (!bias.empty()) acc += bias[ch];
  if (acc < INT32_MIN || acc > INT32_MAX) {
    return Fail(StatusCode::kOverflow, "accumulator exceeds int32 at output element", element);
  }
  const std::int64_t q = requant.multipliers.size != 1 ? ch : 0;
  *out = RequantizeToInt8(static_cast<std::int32_t>(acc), requant.multipliers[q], requant.shifts[q],
                          output_offset, activation_min, activation_max);
  return Ok();
}

// The loop nest of conv and depthwise conv over validated NHWC buffers. For every output element
// (batch b, row oy, column ox, channel oc, in output order) it calls
//   mac(in_batch, in_y0, in_x0, oc) -> int64 accumulator
// where in_batch is batch b of the input and (in_y0, in_x0) the input position of the window's
// top-left tap (negative inside the leading padding), then stores it with StoreAccumulator.
template <typename Mac>
Status ConvLoop(const ConvParams& p, std::int64_t batches, std::int64_t input_h,
                std::int64_t input_w, std::int64_t input_ch, std::int64_t output_h,
                std::int64_t output_w, std::int64_t output_ch, const std::int8_t* input,
                Span<const std::int32_t> bias, const Requantization& requant,
                Span<std::int8_t> output, Mac mac) {
  std::int8_t* out = output.data;
  for (std::int64_t b = 0; b < batches; ++b) {
    const std::int8_t* in_batch = input + b * input_h * input_w * input_ch;
    for (std::int64_t oy = 0; oy < output_h; ++oy) {
      const std::int64_t in_y0 = oy * p.stride_h - p.pad_h;
      for (std::int64_t ox = 0; ox < output_w; ++ox) {
        const std::int64_t in_x0 = ox * p.stride_w - p.pad_w;
        for (std::int64_t oc = 0; oc < output_ch; ++oc) {
          const std::int64_t acc = mac(in_batch, in_y0, in_x0, oc);
          OPCOST_RETURN_IF_ERROR(StoreAccumulator(acc, oc, bias, requant, p.output_offset,
                                                  p.activation_min, p.activation_max,
                                                  out - output.data, out));
          ++out;
        }
      }
    }
  }
  return Ok();
}

// Runs acc = tap(ky, kx, iy, ix, acc) for every tap of the window at (in_y0, in_x0) that lies
// inside the input (padding contributes nothing) and returns acc, starting at 0. The
// accumulator goes by value so that it stays in a register (a pointer to it could alias the
// int8 buffers).
template <typename Tap>
std::int64_t SumWindow(const ConvParams& p, std::int64_t in_y0, std::int64_t in_x0,
                       std::int64_t filter_h, std::int64_t filter_w, std::int64_t input_h,
                       std::int64_t input_w, Tap tap) {
  std::int64_t acc = 0;
  for (std::int64_t ky = 0; ky < filter_h; ++ky) {
    const std::int64_t iy = in_y0 + ky * p.dilation_h;
    if (iy < 0 || iy >= input_h) continue;
    for (std::int64_t kx = 0; kx < filter_w; ++kx) {
      const std::int64_t ix = in_x0 + kx * p.dilation_w;
      if (ix < 0 || ix >= input_w) continue;
      acc = tap(ky, kx, iy, ix, acc);
    }
  }
  return acc;
}

}  // namespace opcost::kernels::detail

#endif  // OPCOST_SRC_KERNELS_KERNEL_UTIL_H_
