#include "opcost/error.h"

namespace opcost {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kInvalidGraph: return "invalid_graph";
    case ErrorCode::kShapeMismatch: return "shape_mismatch";
    case ErrorCode::kUnsupportedOp: return "unsupported_op";
    case ErrorCode::kBadProfile: return "bad_profile";
    case ErrorCode::kBadModel: return "bad_model";
    case ErrorCode::kOutOfRange: return "out_of_range";
    case ErrorCode::kOverflow: return "overflow";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

Error WithContext(const Error& e, const std::string& place) {
  return Error(e.code(), place + ": " + e.what());
}

}  // namespace opcost
