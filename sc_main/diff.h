// `iopf-sim diff A.json B.json [--tolerance GLOB=PCT]...`: regression check between two stats
// files (docs/workflows.md "CI recipe"). Prints the metrics that moved, headline metrics
// (fault latency, stages, counts, invariants) first, then every other numeric leaf, values
// only one side has, and the configuration parameters that differ.
//
// Exit status: 0 nothing moved beyond tolerance (identical files give 0); 1 some metric
// moved beyond its tolerance, a value is only on one side or a text value changed;
// 2 bad input (unreadable file, not JSON, bad --tolerance).
//
// run.wall_s is never compared (host time); the embedded "config" is listed, not judged.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace iopf {

int run_diff(int argc, char** argv);   // argv[0] == "diff"
std::string diff_usage();

struct DiffResult {
    int exit_code = 0;        // 0 or 1
    std::string report;       // what run_diff prints
};
// Compares two stats JSONs; tolerances are (glob over dotted paths, percent), the last
// matching one wins; without a match the tolerance is 0 (any change moves).
DiffResult diff_stats(const nlohmann::json& a, const nlohmann::json& b,
                      const std::vector<std::pair<std::string, double>>& tolerances, const std::string& name_a = "A",
                      const std::string& name_b = "B");

}  // namespace iopf
