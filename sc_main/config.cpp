#include "sc_main/config.h"

#include <cstdlib>
#include <utility>

#include "models/common/build_info.h"
#include "models/common/params.h"
#include "models/common/units.h"

namespace iopf {
namespace {

// ParamInfo gains a "source" (where the default comes from) with the sourcing work; use it
// when the field exists, null until then.
template <class T>
auto source_of(const T& p, int) -> decltype(p.source, nlohmann::json()) {
    if (p.source.empty()) return nullptr;
    return p.source;
}
template <class T>
nlohmann::json source_of(const T&, long) {
    return nullptr;
}

// The JSON value that reads back as `p.value`: numbers and booleans as JSON scalars, the
// rest (sizes, addresses, times, enums, strings) as the text the parameter parses.
nlohmann::json typed_value(const ParamInfo& p) {
    if (p.type == "uint") {
        if (auto v = parse_uint(p.value)) return *v;
    } else if (p.type == "double") {
        char* end = nullptr;
        const double d = std::strtod(p.value.c_str(), &end);
        if (!p.value.empty() && end == p.value.c_str() + p.value.size()) return d;
    } else if (p.type == "bool") {
        return p.value == "true";
    }
    return p.value;
}

}  // namespace

nlohmann::json effective_config(const Params& params, const std::string& platform_name, uint64_t seed) {
    nlohmann::json parameters = nlohmann::json::object();
    nlohmann::json platform = nlohmann::json::object();
    for (const auto& p : params.declared()) {
        parameters[p.path] = {{"type", p.type},   {"value", p.value}, {"default", p.def},
                              {"unit", p.unit},   {"meaning", p.doc}, {"source", source_of(p, 0)}};
        nlohmann::json::json_pointer ptr;
        size_t start = 0;
        while (true) {
            const size_t dot = p.path.find('.', start);
            ptr /= p.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        if (p.type == "object") {
            if (!platform.contains(ptr)) platform[ptr] = nlohmann::json::object();
        } else {
            const nlohmann::json* dist = params.value_json(p.path);   // a distribution-valued cost
            platform[ptr] = dist ? *dist : typed_value(p);
        }
    }
    return {{"schema_version", kConfigSchemaVersion},
            {"build", {{"version", sim_version()}, {"git_commit", git_commit()}}},
            {"platform_name", platform_name},
            {"seed", seed},
            {"parameters", std::move(parameters)},
            {"platform_json", std::move(platform)}};
}

std::optional<ReplayConfig> as_replay_config(const nlohmann::json& j) {
    if (!j.is_object()) return std::nullopt;
    const nlohmann::json* c = &j;
    if (j.contains("config") && j["config"].is_object() && j["config"].contains("schema_version")) c = &j["config"];
    if (!c->contains("schema_version") || !c->contains("platform_json")) return std::nullopt;
    if (!(*c)["schema_version"].is_number_unsigned() || (*c)["schema_version"].get<int>() > kConfigSchemaVersion)
        throw ConfigError("config: schema_version " + (*c)["schema_version"].dump() + " is newer than this iopf-sim reads (" +
                          std::to_string(kConfigSchemaVersion) + ")");
    ReplayConfig r;
    r.platform = (*c)["platform_json"];
    r.platform_name = c->value("platform_name", std::string("config"));
    r.seed = c->value("seed", uint64_t{1});
    return r;
}

}  // namespace iopf
