// Model registry: every platform component type registers a factory under its JSON "type"
// from its own source file, with one line:
//
//   IOPF_REGISTER_MODEL("dma_engine", build_order::device, "one-line description", factory);
//
// The factory builds the component named `name` from its parameters, binds its sockets and
// interrupt lines through the PlatformBuilder (by component name, never by class), and adds
// what firmware says about it. The platform builder (platform.cpp) knows no type by name:
// it sorts components by their type's build order and calls the factories.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/component.h"
#include "models/common/context.h"
#include "models/common/firmware.h"
#include "models/devices/format/dev_ctrl.h"

namespace iopf {

class Router;

// Build order of a type: a component may refer only to components of an earlier band (a
// device to its IOMMU, an endpoint to its root complex, the host to everything). Within a
// band a type's own offset orders it (kept as the order the models were built in before the
// registry, so process creation order, and with it every result, is unchanged).
namespace build_order {
constexpr int interconnect = 100, memory = 200, iommu = 300, device = 400, pcie_bridge = 500, pcie_function = 600,
              host = 900;
}

class PlatformBuilder {
public:
    explicit PlatformBuilder(SimContext& ctx) : ctx(ctx) {}
    SimContext& ctx;

    ParamScope params(const std::string& component) const { return ctx.params.scope(component); }
    // The interconnect (its factory sets it; it is built before every other component).
    Router& bus();
    void set_bus(Router& r) { bus_ = &r; }
    // Puts `target` on the interconnect at [base, base + size).
    void map(DeviceTargetSocket& target, uint64_t base, uint64_t size, const std::string& range_name);
    // The interconnect's port for initiators (devices not behind an IOMMU, IOMMU walk ports).
    DeviceTargetSocket& bus_port();

    // "The IOMMU of device X": the IOMMU named `iommu` (the value of parameter
    // `component.key`), or null for "" (no IOMMU). Unknown name: ConfigError naming the key.
    IommuModel* iommu(const std::string& component, const std::string& key, const std::string& iommu);
    // Binds a DMA master's initiator socket to its IOMMU's device port, or to the interconnect.
    template <class Socket>
    void bind_dma(Socket& s, const std::string& component, const std::string& key, const std::string& iommu_name) {
        if (IommuModel* m = iommu(component, key, iommu_name)) s.bind(m->device_port());
        else s.bind(bus_port());
        iommu_of_[component] = iommu_name;
    }
    // A platform DMA master (DMA engine, trace player): reads its `smmu` key, binds its socket
    // to that IOMMU (enabled at start when there is none), maps its control page (CTRL.EN,
    // models/devices/device_ctrl.h) at `ctrl_base`, lists it in the firmware tables with its
    // StreamID and CTRL address, and records its device role.
    template <class Dev>
    void add_dma_master(const std::string& n, Dev& d) {
        const std::string smmu = params(n).get_string("smmu", "", {"SMMU the device sits behind (\"\" = none)", src::config});
        bind_dma(d.socket, n, "smmu", smmu);
        if (smmu.empty()) d.enable_at_start();
        const uint64_t page = dev_ctrl::kDefaultWindow + dev_ctrl::kSize * next_index("dma_master.ctrl");
        d.ctrl.set_base(params(n).get_addr("ctrl_base", page,
                                           {"physical address of the device's 4 KiB control page (CTRL.EN: bus-master enable)",
                                            "assumed: DMA masters get consecutive 4 KiB pages from 0x0c000000 in build order, clear of the IOMMU and GPU register blocks"}));
        if (d.ctrl.base() % dev_ctrl::kSize)
            throw ConfigError("parameter '" + n + ".ctrl_base': the control page must be 4 KiB aligned");
        map(d.ctrl.socket, d.ctrl.base(), dev_ctrl::kSize, n + ".ctrl");
        FirmwareDevice fd;
        fd.device = n;
        fd.smmu = smmu;
        fd.sid = d.sid();
        fd.can_stall = d.can_stall();
        fd.ctrl_addr = d.ctrl.base() + dev_ctrl::CTRL;
        firmware().devices.push_back(fd);
        add_device(n, d);
    }
    // The IOMMU (name) in front of component `name`'s DMA: "" = none. A bridge (root complex)
    // records it for the functions below it.
    const std::string& iommu_of(const std::string& name) const;
    void set_iommu_of(const std::string& name, const std::string& iommu) { iommu_of_[name] = iommu; }

    // Roles of the component being built (end-of-run checks, lookups by later factories).
    void add_iommu(const std::string& name, IommuModel& m) { iommus_[name] = &m; }
    void add_device(const std::string& name, DeviceModel& d) { devices_[name] = &d; }
    const std::map<std::string, IommuModel*>& iommus() const { return iommus_; }
    const std::map<std::string, DeviceModel*>& devices() const { return devices_; }

    // What the host's firmware tables will say (filled by the factories).
    Firmware& firmware() { return firmware_; }
    // Interrupt number for `unit`'s line `irq`: parameter `unit.irq.<irq>` if present, else
    // `fallback` (each model's documented default).
    unsigned irq_number(const std::string& unit, const std::string& irq, unsigned fallback);

    // A component built earlier, if it is a T (null otherwise).
    template <class T>
    T* find(const std::string& name) const {
        auto it = built_.find(name);
        return it == built_.end() ? nullptr : dynamic_cast<T*>(it->second);
    }
    void note_built(const std::string& name, sc_core::sc_module* m) { built_[name] = m; }
    // 0, 1, 2, ... per key (e.g. the port numbers of a root complex's endpoints).
    unsigned next_index(const std::string& key) { return counters_[key]++; }

private:
    Router* bus_ = nullptr;
    std::map<std::string, std::string> iommu_of_;
    std::map<std::string, unsigned> counters_;
    std::map<std::string, sc_core::sc_module*> built_;
    std::map<std::string, IommuModel*> iommus_;
    std::map<std::string, DeviceModel*> devices_;
    Firmware firmware_;
};

using ModelFactory = std::function<std::unique_ptr<sc_core::sc_module>(PlatformBuilder&, const std::string& name)>;

struct ModelInfo {
    std::string type;
    int order = 0;
    std::string description;
    ModelFactory make;
};

class ModelRegistry {
public:
    static void add(ModelInfo info);
    static const ModelInfo* find(const std::string& type);
    static std::vector<const ModelInfo*> all();    // sorted by type name
    static std::string known_types();              // "a|b|c"
};

struct ModelRegistration {
    ModelRegistration(const char* type, int order, const char* description, ModelFactory make) {
        ModelRegistry::add({type, order, description, std::move(make)});
    }
};

#define IOPF_MODEL_CONCAT2(a, b) a##b
#define IOPF_MODEL_CONCAT(a, b) IOPF_MODEL_CONCAT2(a, b)
// Variadic so a lambda factory may contain unparenthesised commas.
#define IOPF_REGISTER_MODEL(type, order, description, ...)                                                  \
    static const ::iopf::ModelRegistration IOPF_MODEL_CONCAT(iopf_model_registration_, __LINE__)(type, order, \
                                                                                                description, __VA_ARGS__)

}  // namespace iopf
