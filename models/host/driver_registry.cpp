#include "models/host/driver_registry.h"

namespace iopf {

namespace {
std::map<std::string, DriverFactory>& table() {
    static std::map<std::string, DriverFactory> t;
    return t;
}
}  // namespace

void DriverRegistry::add(const std::string& compatible, DriverFactory f) { table()[compatible] = std::move(f); }

const DriverFactory* DriverRegistry::find(const std::string& compatible) {
    auto it = table().find(compatible);
    return it == table().end() ? nullptr : &it->second;
}

}  // namespace iopf
