// The TFLite importer's state and services (private to src/tflite/): graph tensors made from
// TFLite tensors on first use, with dtype, shape, quantization and constant bytes
// (tflite_tensors.cc); operand checks and node emission (tflite_nodes.cc); the op mappers and
// the kTfliteOps table (tflite_ops.cc); the run over the subgraph (tflite_import.cc).
#ifndef OPCOST_SRC_TFLITE_TFLITE_IMPORTER_H_
#define OPCOST_SRC_TFLITE_TFLITE_IMPORTER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/decode_budget.h"
#include "io/dims_text.h"
#include "opcost/error.h"
#include "opcost/graph.h"
#include "opcost/tflite_import.h"
#include "tflite/tflite_reader.h"

namespace opcost::tflite {

using detail::DimsText;  // "[1,49,10,1]": dims as messages print them (io/dims_text.h)

class Importer {
 public:
  Importer(const TflModel& model, const std::string& source, const TfliteImportOptions& options);
  Graph Run(const std::string& graph_name);

  // The mappers of kTfliteOps (tflite_ops.cc): each adds the node(s) of TFLite operator `op` as
  // op type `type`, or imports the operator as unsupported.
  void MapConv(std::size_t op, OpType type);
  void MapFullyConnected(std::size_t op, OpType type);
  void MapPool(std::size_t op, OpType type);
  void MapMean(std::size_t op, OpType type);
  void MapTranspose(std::size_t op, OpType type);
  void MapBinary(std::size_t op, OpType type);
  void MapConcat(std::size_t op, OpType type);
  void MapPad(std::size_t op, OpType type);
  void MapReshape(std::size_t op, OpType type);
  void MapSoftmax(std::size_t op, OpType type);
  void MapUnary(std::size_t op, OpType type);
  void MapConvert(std::size_t op, OpType type);

 private:
  // ---- errors (tflite_import.cc) ----
  [[noreturn]] void Fail(ErrorCode code, const std::string& what) const;
  std::string Describe(std::int32_t t) const;
  std::string OpLabel(std::size_t i) const;
  [[noreturn]] void OpFail(std::size_t i, ErrorCode code, const std::string& what) const;

  // ---- tensors (tflite_tensors.cc) ----
  const TflTensor& T(std::int32_t t) const { return m_.tensors[static_cast<std::size_t>(t)]; }
  const TflBuffer& BufferOf(std::int32_t t) const { return m_.buffers[T(t).buffer]; }
  bool IsConstant(std::int32_t t) const { return BufferOf(t).size_bytes != 0 && !T(t).is_variable; }
  DataType MapType(std::int32_t t) const;
  Shape MapShape(std::int32_t t) const;
  Quantization MapQuantization(std::int32_t t, const Shape& shape) const;
  std::string TensorName(std::int32_t t) const;
  TensorId TensorFor(std::int32_t t);
  void CopyConstantData(std::int32_t t, Tensor* tensor);
  std::vector<std::int64_t> ReadIntConstant(std::size_t op, std::int32_t t, const char* what);
  void CheckAgainstFile();

  // ---- operands and nodes (tflite_nodes.cc) ----
  std::int32_t Input(std::size_t op, std::size_t k, const char* what) const;
  std::int32_t OptionalInput(std::size_t op, std::size_t k) const;
  void ExpectInputs(std::size_t op, std::size_t min_count, std::size_t max_count) const;
  void ExpectOptions(std::size_t op, int options_type, const char* name) const;
  Padding MapPadding(std::size_t op) const;
  Activation MapActivation(std::size_t op) const;
  void CheckStrides(std::size_t op) const;
  void RequireConstant(std::size_t op, std::int32_t t, const char* what) const;
  std::vector<std::int32_t> WeightsAndBias(std::size_t op, std::int32_t x, std::int32_t w);
  std::string NodeName(std::size_t op, OpType type) const;
  void AddNode(std::size_t op, OpType type, const OpAttributes& attrs,
               const std::vector<std::int32_t>& inputs, std::int32_t output);
  void AddNodeWithActivation(std::size_t op, OpType type, const OpAttributes& attrs,
                             const std::vector<std::int32_t>& inputs, std::int32_t output);
  OpType SeparateActivationOp(std::size_t op, Activation act) const;
  void AddUnsupported(std::size_t op);

  // ---- op mapping (tflite_ops.cc) ----
  // Maps operator `op` through the row of kTfliteOps its builtin code belongs to, or imports
  // it as unsupported; adds the operator to error messages.
  void MapOperator(std::size_t op);
  std::vector<std::size_t> MatchTransposeMean(std::size_t op);

  const TflModel& m_;
  const std::string& source_;
  const TfliteImportOptions& options_;
  detail::DecodeBudget copy_budget_;  // bytes of constant data copied out of buffers
  Graph graph_;
  std::vector<TensorId> graph_ids_;         // per TFLite tensor
  std::vector<std::int32_t> file_index_;    // per graph tensor: TFLite tensor or -1
  std::vector<int> consumers_;              // per TFLite tensor: reading ops + graph outputs
  std::vector<std::int64_t> first_reader_;  // per TFLite tensor: first reading op or -1
  std::vector<bool> skip_;                  // operators folded into an earlier node
};

}  // namespace opcost::tflite

#endif  // OPCOST_SRC_TFLITE_TFLITE_IMPORTER_H_
