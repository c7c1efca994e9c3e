// One run of the simulator: load the platform, apply overrides, elaborate, simulate, write
// outputs, and turn the outcome into an exit status (0 ok, 1 invariant broken, 2 bad input).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sc_main/options.h"

namespace iopf {

// Where shipped data (platforms/, traces/, tools/, docs/) lives, in order: an installed
// prefix's share/iopf-sim/SUB, the directory above the binary, the source tree.
std::vector<std::string> data_dirs(const std::string& sub);
// The first existing SUB/FILE in data_dirs(SUB); "" when none.
std::string find_data_file(const std::string& sub, const std::string& file);
// Directories searched for platform NAME.json, in order.
std::vector<std::string> platform_dirs();
// Resolves NAME or FILE.json to a path; throws ConfigError when not found.
std::string find_platform(const std::string& name_or_path);
// Reads and parses a platform file; throws ConfigError naming the file on failure.
nlohmann::json load_platform_file(const std::string& path);

int run_simulation(const Options& opt);

}  // namespace iopf
