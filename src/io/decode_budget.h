// A bound on what reading a model file may expand into: a small corrupted or hostile file can
// point many entries at one shared table, or declare huge fields, so every decoded copy is
// charged here and the read stops with a clear error long before memory runs out. The importers
// pick the total (a multiple of the file size) and count in their own units (bytes, elements).
#ifndef OPCOST_SRC_IO_DECODE_BUDGET_H_
#define OPCOST_SRC_IO_DECODE_BUDGET_H_

#include <cstdint>
#include <string>

namespace opcost::detail {

class DecodeBudget {
 public:
  // `source` names the file in errors; `grows` says what would go past the budget ("shared
  // tables expanded"); `rule` names the unit of `total` and how it follows from the file
  // ("elements (16 per file byte, at least 2^20)").
  DecodeBudget(std::string source, std::string grows, std::uint64_t total, std::string rule);

  // Takes `amount` from what is left; throws Error{kBadModel} if that is more than is left.
  void Charge(std::uint64_t amount) {
    if (amount > left_) Exceeded(std::string());
    left_ -= amount;
  }
  // As above; `where` (a node, a tensor) is named in the error after the file.
  void Charge(std::uint64_t amount, const std::string& where) {
    if (amount > left_) Exceeded(where);
    left_ -= amount;
  }

  std::uint64_t left() const { return left_; }

 private:
  [[noreturn]] void Exceeded(const std::string& where) const;

  std::string source_;
  std::string grows_;
  std::string rule_;
  std::uint64_t total_;
  std::uint64_t left_;
};

}  // namespace opcost::detail

#endif  // OPCOST_SRC_IO_DECODE_BUDGET_H_
