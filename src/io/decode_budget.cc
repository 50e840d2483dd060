#include "io/decode_budget.h"

#include <utility>

#include "opcost/error.h"

namespace opcost::detail {

DecodeBudget::DecodeBudget(std::string source, std::string grows, std::uint64_t total,
                           std::string rule)
    : source_(std::move(source)),
      grows_(std::move(grows)),
      rule_(std::move(rule)),
      total_(total),
      left_(total) {}

void DecodeBudget::Exceeded(const std::string& where) const {
  std::string message = source_ + ": ";
  if (!where.empty()) message += where + ": ";
  message += grows_ + " past the decode budget of " + std::to_string(total_) + " " + rule_ +
             ": a corrupted or hostile file";
  throw Error(ErrorCode::kBadModel, message);
}

}  // namespace opcost::detail
