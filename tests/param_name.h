// Names for value-parameterized tests that read well and stay the same from build to build.
// Without a name generator gtest numbers the instances (/0, /1, ...) and CTest shows the printed
// value instead, which for a struct is "48-byte object <...>" (its pointer bytes change with
// every build). tests/CMakeLists.txt discovers tests with NO_PRETTY_VALUES, so the CTest name is
// the gtest name.
//
//   INSTANTIATE_TEST_SUITE_P(MlperfTiny, RealModelTest, ::testing::ValuesIn(kModels),
//                            [](const auto& param_info) {
//                              return test::ParamName(param_info.param.file);
//                            });
//   // -> MlperfTiny/RealModelTest.MatchesPublishedCounts/kws_ref_model
#ifndef OPCOST_TESTS_PARAM_NAME_H_
#define OPCOST_TESTS_PARAM_NAME_H_

#include <cctype>
#include <string>

namespace opcost::test {

// The stem of a path ("mlperf-tiny/kws_ref_model.tflite" -> "kws_ref_model"; a plain word stays
// as it is) with every character gtest does not allow in a name (not [A-Za-z0-9_]) made '_'.
inline std::string ParamName(const std::string& text) {
  std::string name = text.substr(text.find_last_of('/') + 1);  // npos + 1 == 0
  const std::size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name.erase(dot);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

}  // namespace opcost::test

#endif  // OPCOST_TESTS_PARAM_NAME_H_
