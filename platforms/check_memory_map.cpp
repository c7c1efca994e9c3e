#include "platforms/check_memory_map.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/common/params.h"
#include "models/common/units.h"

namespace iopf {
namespace {

struct Region {
    std::string name;
    uint64_t base = 0, size = 0;
    uint64_t end() const { return base + size; }   // one past the last byte
};

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string range_text(uint64_t base, uint64_t size) {
    return "[" + hex(base) + ", " + hex(base + size) + ")";
}

}  // namespace

void check_memory_map(const Params& params) {
    // The values in effect, by path; only numbers matter here.
    std::map<std::string, const ParamInfo*> by_path;
    for (const auto& p : params.declared()) by_path[p.path] = &p;
    auto number = [&](const std::string& path) -> std::optional<uint64_t> {
        auto it = by_path.find(path);
        if (it == by_path.end()) return std::nullopt;
        return parse_size(it->second->value);   // hex addresses and "64MiB" sizes alike
    };

    std::vector<Region> memories;
    for (const auto& p : params.declared()) {
        if (!ends_with(p.path, ".type") || p.value != "memory") continue;
        const std::string comp = p.path.substr(0, p.path.size() - 5);
        if (comp.find('.') != std::string::npos) continue;   // components are top-level keys
        auto base = number(comp + ".base"), size = number(comp + ".size");
        if (base && size) memories.push_back({comp, *base, *size});
    }
    if (memories.empty()) return;   // the builder already insists on one memory
    std::string known;
    for (const auto& m : memories) known += (known.empty() ? "" : ", ") + m.name + " " + range_text(m.base, m.size);

    auto inside_memory = [&](uint64_t base, uint64_t size) {
        for (const auto& m : memories)
            if (base >= m.base && size <= m.size && base - m.base <= m.size - size) return true;
        return false;
    };

    // The user page pool only matters to a platform with processes (SVA); do not make a
    // platform without any fit its default.
    bool has_processes = false;
    for (const auto& p : params.declared()) has_processes |= p.path.find(".processes.") != std::string::npos;

    for (const auto& p : params.declared()) {
        if (!has_processes && ends_with(p.path, ".mm.user_pool.base")) continue;
        // Pools: "<...>_pool.base" with a sibling ".size" (host.kernel_pool, host.mm.user_pool).
        // Mappings: "<...>.mappings.<name>.pa" with a sibling ".size".
        std::string scope, what;
        if (ends_with(p.path, "_pool.base")) {
            scope = p.path.substr(0, p.path.size() - 5);
            what = "pool";
        } else if (ends_with(p.path, ".pa") && p.path.find(".mappings.") != std::string::npos) {
            scope = p.path.substr(0, p.path.size() - 3);
            what = "mapping";
        } else {
            continue;
        }
        auto base = number(p.path), size = number(scope + ".size");
        if (!base || !size || *size == 0) continue;
        if (inside_memory(*base, *size)) continue;
        throw ConfigError("parameter '" + p.path + "': the " + what + " " + range_text(*base, *size) + " (" +
                          format_size(*size) + ") is not inside any memory; memories: " + known);
    }
}

}  // namespace iopf
