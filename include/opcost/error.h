// opcost::Error, the one exception type the library throws.
//
//   try {
//     opcost::Graph g = opcost::LoadModel("net.json");
//   } catch (const opcost::Error& e) {
//     std::cerr << e.what();   // names the file, JSON path or layer, the rule and the value
//     if (e.code() == opcost::ErrorCode::kIo) ...
//   }
//
// The library never prints, exits or aborts on user input; it throws Error with a message that
// names the place (file, JSON path, layer) and the rule that was broken.
#ifndef OPCOST_ERROR_H_
#define OPCOST_ERROR_H_

#include <stdexcept>
#include <string>

namespace opcost {

enum class ErrorCode {
  kInvalidArgument,  // a caller-supplied value is out of its documented domain
  kInvalidGraph,     // dangling/duplicate tensors, cycles, non-topological order
  kShapeMismatch,    // shape inference found inconsistent shapes
  kUnsupportedOp,    // an op type the operation (loader, profile, kernel) does not know
  kBadProfile,       // a hardware profile failed validation
  kBadModel,         // a model file failed validation (JSON, TFLite)
  kOutOfRange,       // an index or value is outside the valid range
  kOverflow,         // a 64-bit count would overflow
  kIo,               // a file could not be read or written
  kInternal,         // a broken invariant inside opcost: a bug
};

// Returns a stable lower-case name for `code`, e.g. "shape_mismatch".
const char* ErrorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// The one way to add where an error happened while unwinding: a copy of `e` whose message starts
// with `place` + ": ", e.g. "net.json: /layers/3 (layer 'conv1'): " or "candidate #4: ", so that
// every message reads from the outermost place inward to the rule that was broken.
//   catch (const Error& e) { throw WithContext(e, "candidate #" + std::to_string(i)); }
Error WithContext(const Error& e, const std::string& place);

}  // namespace opcost

#endif  // OPCOST_ERROR_H_
