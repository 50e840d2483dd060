// Harness: runs every case of the blob once, each kernel call bracketed by hel_mark_begin/_end
// (count.py cuts QEMU's execution log at these), then writes all outputs to the host file
// helium_out.bin through semihosting for the host to compare byte by byte.
#include <stdint.h>

#include "cases.h"
#include "nnk_args.h"
#include "semihost.h"

void hel_fc_s8(const NnkFcArgs* a);
void hel_conv1x1_s8(const NnkConvArgs* a);
void hel_dwconv_s8(const NnkConvArgs* a);
void hel_conv_s8(const NnkConvArgs* a);
void hel_maxpool_s8(const NnkPoolArgs* a);
void hel_avgpool_s8(const NnkPoolArgs* a);
void hel_relu_s8(const NnkActArgs* a);

// Markers: never inlined, and the asm keeps them from being merged or removed.
__attribute__((noinline, used)) void hel_mark_begin(uint32_t i) { __asm volatile("" ::"r"(i)); }
__attribute__((noinline, used)) void hel_mark_end(uint32_t i) { __asm volatile("" ::"r"(i)); }

static int RunCase(const HelCase* k) {
  switch (k->kind) {
    case HEL_FC: hel_fc_s8((const NnkFcArgs*)k->args); return 0;
    case HEL_CONV1X1: hel_conv1x1_s8((const NnkConvArgs*)k->args); return 0;
    case HEL_DWCONV: hel_dwconv_s8((const NnkConvArgs*)k->args); return 0;
    case HEL_CONV: hel_conv_s8((const NnkConvArgs*)k->args); return 0;
    case HEL_MAXPOOL: hel_maxpool_s8((const NnkPoolArgs*)k->args); return 0;
    case HEL_AVGPOOL: hel_avgpool_s8((const NnkPoolArgs*)k->args); return 0;
    case HEL_RELU: hel_relu_s8((const NnkActArgs*)k->args); return 0;
    default: return -1;
  }
}

int main(void) {
  const HelBlob* blob = (const HelBlob*)HEL_BLOB;
  if (blob->magic != HEL_MAGIC) return 4;
  for (uint32_t i = 0; i < blob->n_cases; i++) {
    hel_mark_begin(i);
    const int rc = RunCase(&blob->cases[i]);
    hel_mark_end(i);
    if (rc != 0) return 5;
  }
  static const char kName[] = "helium_out.bin";
  if (hel_write_file(kName, sizeof(kName) - 1, (const void*)blob->out_start, blob->out_bytes) != 0)
    return 6;
  return 0;
}
