// libFuzzer target for `opcost run`: JSON model text -> RunInt8 under a small activation
// budget. A model either runs (every output has its tensor's element count) or is refused with
// opcost::Error; the budget must stop a huge model before anything large is allocated (under
// ASan an oversized allocation is a crash, not a refusal).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "opcost/error.h"
#include "opcost/interpreter.h"
#include "opcost/model_io.h"

namespace {

// Activations the interpreter may keep live at once; inputs the fuzzer itself would allocate
// beyond this are skipped (they are the caller's memory, not RunInt8's).
constexpr std::int64_t kBudgetBytes = std::int64_t{1} << 20;

// Deterministic input values: a run must not depend on anything but the fuzz input.
std::vector<std::int8_t> Values(std::int64_t count, std::uint32_t seed) {
  std::vector<std::int8_t> v(static_cast<std::size_t>(count));
  for (std::int8_t& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<std::int8_t>(seed >> 24);
  }
  return v;
}

// One buffer per graph input, or false when the inputs alone would exceed the budget.
bool MakeInputs(const opcost::Graph& g, std::uint32_t seed,
                std::vector<std::vector<std::int8_t>>* inputs) {
  std::int64_t total = 0;
  for (opcost::TensorId id : g.inputs()) {
    const std::int64_t n = g.tensor(id).shape.NumElements();
    if (n < 0 || n > kBudgetBytes - total) return false;
    total += n;
    inputs->push_back(Values(n, seed + static_cast<std::uint32_t>(inputs->size())));
  }
  return true;
}

void CheckOutputs(const opcost::Graph& g, const std::vector<std::vector<std::int8_t>>& outputs) {
  bool ok = outputs.size() == g.outputs().size();
  for (std::size_t i = 0; ok && i < outputs.size(); ++i) {
    ok = static_cast<std::int64_t>(outputs[i].size()) ==
         g.tensor(g.outputs()[i]).shape.NumElements();
  }
  if (!ok) {
    std::fprintf(stderr, "run_fuzzer: invariant broken: one output per graph output, sized\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const opcost::Graph g = opcost::ParseModel(text, "fuzz.json");
    std::vector<std::vector<std::int8_t>> inputs;
    if (!MakeInputs(g, static_cast<std::uint32_t>(size), &inputs)) return 0;
    CheckOutputs(g, opcost::RunInt8(g, inputs, kBudgetBytes));
  } catch (const opcost::Error&) {
  }
  return 0;
}
