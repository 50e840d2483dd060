#include "opcost/kernels/check.h"

namespace opcost::kernels {

ErrorCode ToErrorCode(StatusCode code) {
  switch (code) {
    case StatusCode::kShapeMismatch:
      return ErrorCode::kShapeMismatch;
    case StatusCode::kOverflow:
      return ErrorCode::kOverflow;
    case StatusCode::kInvalidArgument:
    case StatusCode::kBufferTooSmall:
      return ErrorCode::kInvalidArgument;
    case StatusCode::kOk:
      break;
  }
  return ErrorCode::kInternal;  // kOk is not an error; asking for its code is a bug
}

std::string StatusMessage(const Status& status, const std::string& context) {
  std::string msg = context.empty() ? std::string() : context + ": ";
  msg += status.message;
  msg += " (got " + std::to_string(status.actual);
  if (status.has_expected) msg += ", need " + std::to_string(status.expected);
  msg += ")";
  return msg;
}

void ThrowIfError(const Status& status, const std::string& context) {
  if (status.ok()) return;
  throw Error(ToErrorCode(status.code), StatusMessage(status, context));
}

}  // namespace opcost::kernels
