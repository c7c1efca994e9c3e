// Command-line options of `iopf-sim` (DESIGN.md "Interfaces users and CI rely on").
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/common/inject.h"

namespace iopf {

struct Options {
    std::string platform = "showcase";
    std::vector<std::pair<std::string, std::string>> sets;   // --set key.path=value
    std::vector<InjectSpec> injects;                          // --inject
    std::vector<std::string> set_files;                      // --set-file FILE.json (before --set)
    uint64_t seed = 1;
    std::string stats, fault_log, vcd, trace_filter, queue_log;
    std::string mode;        // "" = platform default
    std::string duration;    // "" = platform default
    bool quiet = false;
    bool check_isolation = false;   // --check-isolation
    bool list_platforms = false;
    bool list_models = false;   // --list-models
    std::string describe;    // platform to describe
    bool help = false;
    bool version = false;    // --version
    bool describe_json = false;   // --json: --describe prints the effective configuration JSON
    std::string dump_config; // --dump-config FILE
    std::string timeline;    // --timeline FILE.json (Chrome Trace Event Format)
    std::string config;      // --config FILE: replay a dumped configuration (or a stats JSON)
    bool platform_set = false, seed_set = false;
};

// Parses argv. Throws ConfigError (exit 2) with one line on bad usage.
Options parse_options(int argc, char** argv);
std::string usage();

}  // namespace iopf
