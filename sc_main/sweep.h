// `iopf-sim sweep`: parameter sweeps (docs/workflows.md). Runs every point of the cross
// product of the --vary lists in its own child process (SystemC cannot elaborate twice in
// one process), up to -j at once, and collects one row per point in DIR/results.csv.
//
//   iopf-sim sweep --platform P --vary key=v1,v2 [--vary ...] [--set k=v]... [--seed N]
//                  [--mode M] [--duration T] [-j N] [--vcd] [--force] --out DIR
//                  [--emit-jobs FILE]
//   iopf-sim sweep --merge DIR
//
// Handled in sc_main before any SystemC elaboration. Exit status: 0 every point ran and
// exited 0; 1 some point failed (its stderr is kept in its folder); 2 bad input, before
// anything runs.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iopf {

int run_sweep(int argc, char** argv);   // argv[0] == "sweep"
std::string sweep_usage();

// The headline metrics results.csv carries for one point, as (column, text) pairs in column
// order; empty text when the stats lack the key. Exposed for tests.
std::vector<std::pair<std::string, std::string>> sweep_metrics(const nlohmann::json& stats);

}  // namespace iopf
