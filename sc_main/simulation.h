// One run of the simulator: load the platform, apply overrides, elaborate, simulate, write
// outputs, and turn the outcome into an exit status (0 ok, 1 invariant broken, 2 bad input).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sc_main/options.h"

namespace iopf {

// Directories searched for platform NAME.json, in order.
std::vector<std::string> platform_dirs();
// Resolves NAME or FILE.json to a path; throws ConfigError when not found.
std::string find_platform(const std::string& name_or_path);
// Reads and parses a platform file; throws ConfigError naming the file on failure.
nlohmann::json load_platform_file(const std::string& path);

int run_simulation(const Options& opt);

}  // namespace iopf
