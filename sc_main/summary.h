// The human-readable table printed at the end of a run (unless --quiet).
#pragma once
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace iopf {

// What the run wrote and where the user could look next; the summary's last lines.
struct SummaryOutputs {
    std::string platform_arg;   // what --platform was given (to build example commands)
    std::string stats, fault_log, vcd, timeline, queue_log, gtkw;   // "" = not written / none
};

void print_summary(const nlohmann::json& stats, std::ostream& os, const SummaryOutputs& outputs = {});

}  // namespace iopf
