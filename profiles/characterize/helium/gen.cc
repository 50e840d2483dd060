// Host side of the Helium characterization: builds the test-data blob that QEMU loads next to
// the Cortex-M55 image, and the expected outputs.
//
//   helium_gen SHAPES BLOB EXPECTED CASES_CSV
//
// SHAPES: one layer per line, "category in_h in_w in_c out_c k stride pad" (category one of
// fully_connected, conv, conv_1x1, depthwise_conv, maxpool, avgpool, relu; '#' starts a comment;
// relu: in_h = in_w = 1 and in_c = out_c = the tensor size, as in the sweep). The data of each
// layer is the existing sweep's (runner/layers.cc, MakeLayerData with ShapeSeed), so a shape here
// gets the same tensors as the same shape in data/sweep-cortex-m7.csv. The expected output is
// computed twice, by the runner's plain loops (ReferenceOutput) and by the project's kernels
// (opcost::kernels through LibraryOutput); the two must agree or the generator fails.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "layers.h"
#include "library_reference.h"
#include "nnk_args.h"

extern "C" {
#include "cases.h"
}

namespace oc = opcost::characterize;

namespace {

struct Shape {
  std::string category;
  oc::LayerSpec spec;
};

bool ParseShapes(const char* path, std::vector<Shape>* shapes, std::string* error) {
  std::ifstream f(path);
  if (!f) {
    *error = std::string("cannot read ") + path;
    return false;
  }
  std::string line;
  int line_no = 0;
  while (std::getline(f, line)) {
    line_no++;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    std::istringstream in(line);
    Shape s;
    if (!(in >> s.category)) continue;  // blank or comment
    oc::LayerSpec& p = s.spec;
    int k = 1;
    if (!(in >> p.in_h >> p.in_w >> p.in_c >> p.out_c >> k >> p.stride >> p.pad)) {
      *error = std::string(path) + ":" + std::to_string(line_no) + ": expected 8 fields";
      return false;
    }
    p.k_h = p.k_w = k;
    if (s.category == "fully_connected") {
      p.kernel = oc::Kernel::kFullyConnected;
    } else if (s.category == "conv_1x1" && k == 1 && p.pad == 0) {
      p.kernel = oc::Kernel::kConv1x1;
    } else if (s.category == "depthwise_conv" && p.out_c == p.in_c) {
      p.kernel = oc::Kernel::kDepthwise;
    } else if (s.category == "conv") {
      p.kernel = oc::Kernel::kConv;
    } else if (s.category == "maxpool" && p.out_c == p.in_c) {
      p.kernel = oc::Kernel::kMaxPool;
    } else if (s.category == "avgpool" && p.out_c == p.in_c) {
      p.kernel = oc::Kernel::kAvgPool;
    } else if (s.category == "relu" && p.out_c == p.in_c && p.in_h == 1 && p.in_w == 1) {
      p.kernel = oc::Kernel::kRelu;
    } else {
      *error = std::string(path) + ":" + std::to_string(line_no) + ": unsupported layer";
      return false;
    }
    shapes->push_back(s);
  }
  if (shapes->empty()) *error = std::string(path) + ": no shapes";
  return !shapes->empty();
}

// The blob under construction: byte offsets inside it map to target address HEL_BLOB + offset.
class Blob {
 public:
  uint32_t Put(const void* data, size_t n) {
    const uint32_t at = Reserve(n);
    if (n) std::memcpy(bytes_.data() + (at - HEL_BLOB), data, n);
    return at;
  }
  template <typename T>
  uint32_t PutVec(const std::vector<T>& v) { return Put(v.data(), v.size() * sizeof(T)); }
  // 16-byte aligned, filled with 0x5A so that an output byte the kernel never writes is caught.
  uint32_t Reserve(size_t n) {
    bytes_.resize((bytes_.size() + 15) & ~size_t{15}, 0x5A);
    const uint32_t at = HEL_BLOB + static_cast<uint32_t>(bytes_.size());
    bytes_.resize(bytes_.size() + n, 0x5A);
    return at;
  }
  void Patch(uint32_t at, const void* data, size_t n) {
    std::memcpy(bytes_.data() + (at - HEL_BLOB), data, n);
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Writes a layer's tensors and argument block (and its scratch buffer: conv's im2col columns);
// returns the argument block's address.
uint32_t PutLayer(Blob* blob, const oc::LayerSpec& s, const oc::LayerData& d, uint32_t output) {
  const uint32_t in = blob->PutVec(d.input);
  if (s.kernel == oc::Kernel::kRelu) {
    const NnkActArgs a{in, output, s.in_c, d.act_min, d.act_max};
    return blob->Put(&a, sizeof a);
  }
  if (s.kernel == oc::Kernel::kMaxPool || s.kernel == oc::Kernel::kAvgPool) {
    NnkPoolArgs a{};
    a.input = in; a.output = output; a.scratch = 0;  // the Helium kernels need no scratch
    a.in_h = s.in_h; a.in_w = s.in_w; a.c = s.in_c; a.out_h = s.out_h(); a.out_w = s.out_w();
    a.k_h = s.k_h; a.k_w = s.k_w; a.stride_h = a.stride_w = s.stride; a.pad_h = a.pad_w = s.pad;
    a.act_min = d.act_min; a.act_max = d.act_max;
    return blob->Put(&a, sizeof a);
  }
  const uint32_t filter = blob->PutVec(d.filter);
  const uint32_t bias = blob->PutVec(d.bias);
  const uint32_t mult = blob->PutVec(d.mult), shift = blob->PutVec(d.shift);
  if (s.kernel == oc::Kernel::kFullyConnected) {
    const NnkFcArgs a{in, filter, bias, output, s.in_c, s.out_c, d.mult[0], d.shift[0],
                      d.input_offset, d.output_offset, d.act_min, d.act_max};
    return blob->Put(&a, sizeof a);
  }
  NnkConvArgs a{};
  a.input = in; a.filter = filter; a.bias = bias; a.output = output;
  a.mult = mult; a.shift = shift;
  // im2col: 4 columns of k_h * k_w * in_c bytes (hel_conv_s8); the other kernels need none.
  a.scratch = s.kernel == oc::Kernel::kConv
                  ? blob->Reserve(4u * static_cast<size_t>(s.k_h) * s.k_w * s.in_c) : 0;
  a.in_h = s.in_h; a.in_w = s.in_w; a.in_c = s.in_c;
  a.out_h = s.out_h(); a.out_w = s.out_w(); a.out_c = s.out_c;
  a.k_h = s.k_h; a.k_w = s.k_w; a.stride_h = a.stride_w = s.stride; a.pad_h = a.pad_w = s.pad;
  a.input_offset = d.input_offset; a.output_offset = d.output_offset;
  a.act_min = d.act_min; a.act_max = d.act_max;
  return blob->Put(&a, sizeof a);
}

uint32_t KindOf(oc::Kernel k) {
  switch (k) {
    case oc::Kernel::kFullyConnected: return HEL_FC;
    case oc::Kernel::kConv1x1: return HEL_CONV1X1;
    case oc::Kernel::kDepthwise: return HEL_DWCONV;
    case oc::Kernel::kConv: return HEL_CONV;
    case oc::Kernel::kMaxPool: return HEL_MAXPOOL;
    case oc::Kernel::kAvgPool: return HEL_AVGPOOL;
    default: return HEL_RELU;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: helium_gen SHAPES BLOB EXPECTED CASES_CSV\n");
    return 2;
  }
  std::vector<Shape> shapes;
  std::string error;
  if (!ParseShapes(argv[1], &shapes, &error)) {
    std::fprintf(stderr, "helium_gen: %s\n", error.c_str());
    return 1;
  }
  Blob blob;
  const size_t header = sizeof(HelBlob) + shapes.size() * sizeof(HelCase);
  blob.Reserve(header);
  std::vector<oc::LayerData> data;
  std::vector<std::vector<int8_t>> expected;
  for (const Shape& sh : shapes) {
    data.push_back(oc::MakeLayerData(sh.spec, oc::ShapeSeed(sh.spec)));
    std::vector<int8_t> plain = oc::ReferenceOutput(sh.spec, data.back()), library;
    if (!oc::LibraryOutput(sh.spec, data.back(), &library, &error) || library != plain) {
      std::fprintf(stderr, "helium_gen: host references disagree on a %s layer %s\n",
                   sh.category.c_str(), error.c_str());
      return 1;
    }
    expected.push_back(plain);
  }
  // Outputs first and contiguous (the target writes them back in one semihosting call), then
  // each layer's inputs and argument block.
  std::vector<uint32_t> outputs;
  const uint32_t out_start = blob.Reserve(0);
  for (const auto& e : expected) outputs.push_back(blob.Reserve(e.size()));
  const uint32_t out_bytes = blob.Reserve(0) - out_start;
  std::vector<HelCase> cases;
  for (size_t i = 0; i < shapes.size(); i++) {
    const uint32_t args = PutLayer(&blob, shapes[i].spec, data[i], outputs[i]);
    cases.push_back(HelCase{KindOf(shapes[i].spec.kernel), args, outputs[i],
                            static_cast<uint32_t>(expected[i].size())});
  }
  const uint32_t head[4] = {HEL_MAGIC, static_cast<uint32_t>(cases.size()), out_start, out_bytes};
  blob.Patch(HEL_BLOB, head, sizeof head);
  blob.Patch(HEL_BLOB + sizeof head, cases.data(), cases.size() * sizeof(HelCase));

  std::ofstream(argv[2], std::ios::binary)
      .write(reinterpret_cast<const char*>(blob.bytes().data()),
             static_cast<std::streamsize>(blob.bytes().size()));
  // EXPECTED has the layout of the output region (gaps for alignment filled with 0x5A).
  std::vector<uint8_t> exp(out_bytes, 0x5A);
  for (size_t i = 0; i < expected.size(); i++) {
    std::memcpy(exp.data() + (outputs[i] - out_start), expected[i].data(), expected[i].size());
  }
  std::ofstream(argv[3], std::ios::binary)
      .write(reinterpret_cast<const char*>(exp.data()), static_cast<std::streamsize>(exp.size()));
  std::ofstream csv(argv[4]);
  // category and kernel as the sweep CSV names them (oc::CategoryName / KernelName).
  csv << "case,category,kernel,in_h,in_w,in_c,out_h,out_w,out_c,k,stride,pad,macs,outputs,"
         "macs_per_output,window_ops,out_offset,out_bytes\n";
  for (size_t i = 0; i < shapes.size(); i++) {
    const oc::LayerSpec& s = shapes[i].spec;
    csv << i << ',' << oc::CategoryName(s.kernel) << ',' << oc::KernelName(s.kernel) << ','
        << s.in_h << ',' << s.in_w << ',' << s.in_c << ','
        << s.out_h() << ',' << s.out_w() << ',' << s.out_c << ',' << s.k_h << ',' << s.stride
        << ',' << s.pad << ',' << s.macs() << ',' << s.outputs() << ','
        << s.macs() / s.outputs() << ',' << s.window_ops() << ',' << (outputs[i] - out_start)
        << ',' << expected[i].size() << '\n';
  }
  std::printf("helium_gen: %zu layers, blob %zu bytes, outputs %u bytes\n", shapes.size(),
              blob.bytes().size(), out_bytes);
  return 0;
}
