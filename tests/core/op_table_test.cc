// The op table (src/core/op_table.cc and the family files' rows): one complete row per OpType, in
// enum order, whose facts agree with each other. The TFLite and int8 kernel tables are checked
// where they are defined (static_asserts in src/tflite/tflite_import.cc and
// src/kernels/interpreter.cc); a row with a field left out does not compile
// (-Wmissing-field-initializers).
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "core/op_registry.h"

namespace opcost {
namespace {

bool ListsField(const detail::OpInfo& info, const char* field) {
  for (const char* f : info.json_fields) {
    if (std::strcmp(f, field) == 0) return true;
  }
  return false;
}

TEST(OpTable, EveryOpTypeHasACompleteRowInEnumOrder) {
  for (int i = 0; i < kNumOpTypes; ++i) {
    const auto type = static_cast<OpType>(i);
    const detail::OpInfo& info = detail::GetOpInfo(type);  // throws if out of order
    SCOPED_TRACE(info.name);
    EXPECT_EQ(info.type, type);
    ASSERT_NE(info.name, nullptr);
    EXPECT_GT(std::strlen(info.name), 0u);
    EXPECT_GE(static_cast<int>(info.category), 0);
    EXPECT_LT(static_cast<int>(info.category), kNumOpCategories);
    EXPECT_GE(info.min_data_inputs, 0);
    EXPECT_TRUE(info.max_data_inputs == -1 || info.max_data_inputs >= info.min_data_inputs);
    // Required rules; check_layer and constants are nullptr where an op needs none.
    EXPECT_NE(info.infer, nullptr);
    EXPECT_NE(info.count, nullptr);
    // Roles: kNoInput, or an input after the data input.
    EXPECT_TRUE(info.weights_input == detail::kNoInput || info.weights_input >= 1);
    EXPECT_TRUE(info.bias_input == detail::kNoInput || info.bias_input > info.weights_input);
    for (const char* field : info.json_fields) {
      ASSERT_NE(field, nullptr);
      EXPECT_GT(std::strlen(field), 0u);
    }
    for (const char* field : info.required_json_fields) {
      EXPECT_TRUE(ListsField(info, field)) << field;
    }
  }
}

TEST(OpTable, FactsAgreeWithEachOther) {
  for (int i = 0; i < kNumOpTypes; ++i) {
    const detail::OpInfo& info = detail::GetOpInfo(static_cast<OpType>(i));
    SCOPED_TRACE(info.name);
    // An op with weights or a bias creates them when a model leaves them out.
    const bool has_constants =
        info.weights_input != detail::kNoInput || info.bias_input != detail::kNoInput;
    EXPECT_EQ(info.constants != nullptr, has_constants);
    // A weight-carrying op can be given without its bias ("bias": false).
    if (info.weights_input != detail::kNoInput) {
      EXPECT_TRUE(ListsField(info, "bias"));
    }
    // The fused activation is an attribute of the model format.
    EXPECT_EQ(info.fused_activation, ListsField(info, "activation"));
    // An alias costs nothing and owns no buffer, so it never writes into its input.
    if (info.alias) {
      EXPECT_FALSE(info.in_place);
      EXPECT_EQ(info.category, OpCategory::kOther);
    }
  }
}

TEST(OpTable, NamedFactsMatchTheDocs) {
  // docs/memory.md: reshape and flatten alias; the elementwise activations and add run in place.
  std::string alias, in_place;
  for (int i = 0; i < kNumOpTypes; ++i) {
    const detail::OpInfo& info = detail::GetOpInfo(static_cast<OpType>(i));
    if (info.alias) alias += std::string(info.name) + " ";
    if (info.in_place) in_place += std::string(info.name) + " ";
  }
  EXPECT_EQ(alias, "reshape flatten ");
  EXPECT_EQ(in_place, "relu relu6 sigmoid tanh add hard_swish hard_sigmoid ");
}

}  // namespace
}  // namespace opcost
