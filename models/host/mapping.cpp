#include "models/host/mapping.h"

namespace iopf {

Mapping parse_mapping(ParamScope m, const std::string& name) {
    Mapping map;
    map.name = name;
    map.va = m.get_addr("va", 0, {"input (IO virtual) address of the mapping", src::config});
    map.pa = m.get_addr("pa", 0, {"physical address the mapping points at", src::config});
    map.size = m.get_size("size", 4096, {"size of the mapping (4 KiB multiple)", src::config});
    const std::string perm = m.get_enum("perm", "rw", {"r", "rw", "rx", "rwx", "x"}, {"access permissions", src::config});
    map.read = perm.find('r') != std::string::npos;
    map.write = perm.find('w') != std::string::npos;
    map.exec = perm.find('x') != std::string::npos;
    map.user = !m.get_bool("priv_only", false, {"mapping accessible to privileged (PnU=1) transactions only", src::config});
    if ((map.va | map.pa | map.size) & 0xfff)
        throw ConfigError("parameter '" + m.prefix() + "': va, pa and size must be 4 KiB aligned");
    if (map.size == 0) throw ConfigError("parameter '" + m.path("size") + "': expected a positive size, got 0");
    if (map.va >= (1ull << 48) || map.size > (1ull << 48) - map.va)
        throw ConfigError("parameter '" + m.prefix() + "': va + size must stay below 2^48 (the 48-bit IOVA space)");
    if (map.pa + map.size < map.pa && map.pa + map.size != 0)
        throw ConfigError("parameter '" + m.prefix() + "': pa + size wraps past 2^64");
    return map;
}

void check_no_overlap(const std::vector<Mapping>& existing, const Mapping& m, const std::string& key) {
    for (const auto& o : existing)
        if (m.va < o.va + o.size && o.va < m.va + m.size)
            throw ConfigError("parameter '" + key + "': IOVA range overlaps mapping '" + o.name + "'");
}

}  // namespace iopf
