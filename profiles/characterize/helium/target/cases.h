// Layout of the test-data blob that gen.cc writes and QEMU's loader puts at HEL_BLOB. Every field
// is 32 bits; pointers are target addresses inside the blob (argument blocks, tensors, outputs).
#ifndef HEL_CASES_H_
#define HEL_CASES_H_

#include <stdint.h>

#define HEL_BLOB 0x60000000u
#define HEL_MAGIC 0x314C4548u  // "HEL1"

enum {
  HEL_FC = 1, HEL_CONV1X1 = 2, HEL_DWCONV = 3, HEL_CONV = 4, HEL_MAXPOOL = 5, HEL_AVGPOOL = 6,
  HEL_RELU = 7
};

typedef struct {
  uint32_t kind;       // HEL_FC (args: NnkFcArgs), HEL_CONV / HEL_CONV1X1 / HEL_DWCONV
                       // (NnkConvArgs), HEL_MAXPOOL / HEL_AVGPOOL (NnkPoolArgs), HEL_RELU
                       // (NnkActArgs)
  uint32_t args;       // address of the argument block
  uint32_t output;     // address of the output tensor (also inside the argument block)
  uint32_t out_bytes;  // its size
} HelCase;

typedef struct {
  uint32_t magic, n_cases;
  uint32_t out_start, out_bytes;  // all outputs, contiguous: written to the host in one go
  HelCase cases[];
} HelBlob;

#endif  // HEL_CASES_H_
