// The effective configuration of a run (issue 16): every parameter's value in effect, its
// default, unit, type, meaning and source, plus what is needed to repeat the run exactly
// (platform name, seed, the platform rebuilt from the effective values), and which build
// produced it. `--dump-config FILE` writes it, `--describe NAME --json` prints it, the stats
// JSON embeds it under "config", and `--config FILE` (or `--platform FILE`) replays it.
//
//   { "schema_version": 1,
//     "build": {"version": "0.1.0", "git_commit": "<40 hex>|unknown"},
//     "platform_name": "showcase", "seed": 1,
//     "parameters": { PATH: {"type","value","default","unit","meaning","source"} },
//     "platform_json": { the platform JSON with every parameter explicit } }
//
// "source" is where a default comes from (spec section, datasheet, measurement) when the
// model declares one, else null.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace iopf {

class Params;

constexpr int kConfigSchemaVersion = 1;

nlohmann::json effective_config(const Params& params, const std::string& platform_name, uint64_t seed);

// A dumped config, or a stats JSON embedding one under "config"; nullopt when `j` is neither.
struct ReplayConfig {
    nlohmann::json platform;     // the platform JSON to load
    std::string platform_name;
    uint64_t seed = 1;
};
std::optional<ReplayConfig> as_replay_config(const nlohmann::json& j);

}  // namespace iopf
