// The human-readable table printed at the end of a run (unless --quiet).
#pragma once
#include <ostream>

#include <nlohmann/json.hpp>

namespace iopf {
void print_summary(const nlohmann::json& stats, std::ostream& os);
}
