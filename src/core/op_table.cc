// The one table of op types: names, categories, and each op's rules (from the family files).
#include <string>

#include "core/op_registry.h"
#include "opcost/error.h"
#include "opcost/op_type.h"

namespace opcost {
namespace detail {
namespace {

// Indexed by OpType; the order must follow the enum (checked by a test).
const OpInfo* const kOpTable[kNumOpTypes] = {
    &kConv2DInfo,
    &kDepthwiseConv2DInfo,
    &kFullyConnectedInfo,
    &kMaxPoolInfo,
    &kAvgPoolInfo,
    &kGlobalAvgPoolInfo,
    &kReluInfo,
    &kRelu6Info,
    &kSigmoidInfo,
    &kTanhInfo,
    &kAddInfo,
    &kMulInfo,
    &kConcatInfo,
    &kPadInfo,
    &kReshapeInfo,
    &kFlattenInfo,
    &kSoftmaxInfo,
    &kBatchNormInfo,
    &kLstmInfo,
    &kGruInfo,
    &kQuantizeInfo,
    &kDequantizeInfo,
    &kHardSwishInfo,
    &kHardSigmoidInfo,
    &kUnsupportedInfo,
};

constexpr const char* kCategoryNames[kNumOpCategories] = {
    "conv",    "conv_1x1",   "depthwise_conv", "fully_connected",
    "pooling", "activation", "elementwise",    "other"};

constexpr const char* kActivationNames[] = {"none",         "relu", "relu6",
                                            "relu_n1_to_1", "tanh", "sigmoid"};

}  // namespace

const OpInfo& GetOpInfo(OpType type) {
  const int i = static_cast<int>(type);
  if (i < 0 || i >= kNumOpTypes || kOpTable[i]->type != type) {
    throw Error(ErrorCode::kInternal, "op table entry " + std::to_string(i) + " is inconsistent");
  }
  return *kOpTable[i];
}

}  // namespace detail

const char* OpTypeName(OpType type) { return detail::GetOpInfo(type).name; }

bool ParseOpType(const std::string& name, OpType* type) {
  for (int i = 0; i < kNumOpTypes; ++i) {
    const detail::OpInfo& info = detail::GetOpInfo(static_cast<OpType>(i));
    if (name == info.name) {
      *type = info.type;
      return true;
    }
  }
  return false;
}

const char* OpCategoryName(OpCategory category) {
  return detail::kCategoryNames[static_cast<int>(category)];
}

bool ParseOpCategory(const std::string& name, OpCategory* category) {
  for (int i = 0; i < kNumOpCategories; ++i) {
    if (name == detail::kCategoryNames[i]) {
      *category = static_cast<OpCategory>(i);
      return true;
    }
  }
  return false;
}

const char* ActivationName(Activation activation) {
  return detail::kActivationNames[static_cast<int>(activation)];
}

bool ParseActivation(const std::string& name, Activation* activation) {
  for (int i = 0; i < 6; ++i) {
    if (name == detail::kActivationNames[i]) {
      *activation = static_cast<Activation>(i);
      return true;
    }
  }
  return false;
}

}  // namespace opcost
