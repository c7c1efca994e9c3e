#include "platforms/registry.h"

#include <algorithm>

#include "models/memory/router.h"

namespace iopf {

namespace {
std::map<std::string, ModelInfo>& table() {
    static std::map<std::string, ModelInfo> t;   // constructed on first use (static init order)
    return t;
}
}  // namespace

void ModelRegistry::add(ModelInfo info) {
    const std::string t = info.type;
    table()[t] = std::move(info);
}

const ModelInfo* ModelRegistry::find(const std::string& type) {
    auto it = table().find(type);
    return it == table().end() ? nullptr : &it->second;
}

std::vector<const ModelInfo*> ModelRegistry::all() {
    std::vector<const ModelInfo*> out;
    for (const auto& [k, v] : table()) out.push_back(&v);
    return out;
}

std::string ModelRegistry::known_types() {
    std::string s;
    for (const auto& [k, v] : table()) s += (s.empty() ? "" : "|") + k;
    return s;
}

Router& PlatformBuilder::bus() {
    if (!bus_) throw std::logic_error("platform: the interconnect is not built yet");
    return *bus_;
}

const std::string& PlatformBuilder::iommu_of(const std::string& name) const {
    static const std::string none;
    auto it = iommu_of_.find(name);
    return it == iommu_of_.end() ? none : it->second;
}

void PlatformBuilder::map(DeviceTargetSocket& target, uint64_t base, uint64_t size, const std::string& range_name) {
    bus().out.bind(target);
    bus().map(base, size, range_name);
}

DeviceTargetSocket& PlatformBuilder::bus_port() { return bus().in; }

IommuModel* PlatformBuilder::iommu(const std::string& component, const std::string& key, const std::string& name) {
    if (name.empty()) return nullptr;
    auto it = iommus_.find(name);
    if (it == iommus_.end()) {
        std::string known;
        for (const auto& [n, m] : iommus_) known += (known.empty() ? "" : ", ") + n;
        throw ConfigError("parameter '" + component + "." + key + "': no IOMMU component named '" + name + "'" +
                          (known.empty() ? " (the platform has none)" : " (IOMMUs: " + known + ")"));
    }
    return it->second;
}

unsigned PlatformBuilder::irq_number(const std::string& unit, const std::string& irq, unsigned fallback) {
    return static_cast<unsigned>(params(unit).sub("irq").get_uint(
        irq, fallback, "", {"interrupt number of the " + irq + " line (what firmware tells the OS)", src::config}, 0, 1023));
}

}  // namespace iopf
