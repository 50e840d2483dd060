#include <string>

#include "cli/command.h"

namespace opcost::cli {

OutputFormat ParseOutputFormat(const std::string& value) {
  if (value == "table") return OutputFormat::kTable;
  if (value == "json") return OutputFormat::kJson;
  if (value == "csv") return OutputFormat::kCsv;
  throw UsageError("--format must be table, json or csv (got '" + value + "')");
}

bool ParsedArgs::Has(const std::string& name) const {
  for (const auto& [k, v] : options) {
    if (k == name) return true;
  }
  return false;
}

std::string ParsedArgs::Get(const std::string& name, const std::string& fallback) const {
  for (const auto& [k, v] : options) {
    if (k == name) return v;
  }
  return fallback;
}

ParsedArgs ParseArgs(const Args& args, const std::vector<std::string>& with_value,
                     const std::vector<std::string>& switches) {
  ParsedArgs parsed;
  auto contains = [](const std::vector<std::string>& list, const std::string& s) {
    for (const std::string& x : list) {
      if (x == s) return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-' ) {
      parsed.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    std::string value;
    bool has_value = false;
    const std::size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    // The option as the user spelled it ("-o", "--format"), for messages.
    const std::string spelled = a.substr(0, a.find('='));
    // A repeated option would silently use only one of the values.
    if ((contains(with_value, name) || contains(switches, name)) && parsed.Has(name)) {
      throw UsageError("option " + spelled + " given more than once");
    }
    if (contains(with_value, name)) {
      if (!has_value) {
        if (i + 1 >= args.size()) throw UsageError("option " + spelled + " needs a value");
        value = args[++i];
      }
      parsed.options.emplace_back(name, value);
    } else if (contains(switches, name)) {
      if (has_value) throw UsageError("option " + spelled + " takes no value");
      parsed.options.emplace_back(name, "");
    } else {
      throw UsageError("unknown option '" + a + "'");
    }
  }
  return parsed;
}

}  // namespace opcost::cli
