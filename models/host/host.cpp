#include "models/host/host.h"
#include "platforms/registry.h"

#include <algorithm>
#include <map>

#include "models/common/units.h"
#include "models/host/mapping.h"
#include "models/host/stream_attach.h"
#include "models/common/run_guard.h"

namespace iopf {
Host::Host(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, const Firmware& fw_tables)
    : sc_module(name), cpu("cpu", ctx, p.sub("cpu")), bus("bus", ctx), irqc("irqc", ctx, p.sub("irq"), cpu) {
    ParamScope kp = p.sub("kernel_pool");
    const uint64_t pool_base = kp.get_addr("base", 0x80000000ull, {"DRAM reserved for kernel allocations (tables, queues)", src::config});
    const uint64_t pool_size = kp.get_size("size", 64ull << 20, {"size of the kernel pool", src::config});
    pool_ = std::make_unique<PhysAlloc>(pool_base, pool_size, "kernel pool");
    mm_ = std::make_unique<OsMm>("mm", ctx, p, cpu, bus, *pool_);
    if (mm_->user_pool().base() < pool_base + pool_size && pool_base < mm_->user_pool().base() + mm_->user_pool().size())
        throw ConfigError("parameter 'host.mm.user_pool.base': the user pool overlaps the kernel pool");
    iopf_ = std::make_unique<IopfQueue>("iopf", ctx, p.sub("iopf"), cpu, *mm_);
    if (p.has("vms")) {
        hyp_ = std::make_unique<Hypervisor>("hypervisor", ctx, p, cpu, bus, *pool_, *mm_);
        iopf_->stage2_handler = [this](const IopfFault& f) { return hyp_->handle_s2_fault(f); };
    }

    // Interrupt numbers come from firmware (the platform): two lines may not share one.
    std::map<unsigned, std::string> irq_owner;
    for (const auto& u : fw_tables.units)
        for (const auto& q : u.irqs) {
            if (q.name == "sev") continue;   // a wake-up line, not an interrupt
            auto [it, fresh] = irq_owner.emplace(q.number, u.name + ".irq." + q.name);
            if (!fresh)
                throw ConfigError("parameter '" + u.name + ".irq." + q.name + "': interrupt " + std::to_string(q.number) +
                                  " is already " + it->second);
        }

    const std::vector<FirmwareDevice>& devices = fw_tables.devices;
    const std::vector<std::string> configured =
        p.children("streams", {"per device: the contexts the OS sets up for it", src::config});
    ParamScope sp = p.sub("streams");
    for (const auto& dev_name : configured) {
        bool known = false;
        for (const auto& d : devices) known |= d.device == dev_name;
        if (!known) throw ConfigError("parameter '" + sp.path(dev_name) + "': no device named '" + dev_name + "' in the platform");
    }

    // One driver per firmware unit, matched by its "compatible" (models/host/driver_registry.h),
    // in firmware order; then the ASIDs every bound driver asked for.
    AsidAllocator asids;
    HostEnv env{ctx, p, cpu, bus, irqc, *pool_, *mm_, *iopf_, fw_tables, *this, hyp_.get(), asids};
    for (const auto& u : fw_tables.units) {
        const DriverFactory* f = DriverRegistry::find(u.compatible);
        if (!f) continue;   // no driver for this unit: firmware describes it, nothing binds it
        auto drv = (*f)(env, u);
        IommuDriver* iommu = dynamic_cast<IommuDriver*>(drv.get());
        drivers_.push_back({u.name, std::move(drv), iommu});
    }
    asids.allocate(*mm_);
    mm_->on_exit = [this](MmStruct& mm) {
        for (auto& d : drivers_)
            if (d.iommu) d.iommu->sva_unbind(mm);
        mm.pasid_bound = false;
    };
    ctx_ = &ctx;
    SC_HAS_PROCESS(Host);
    SC_THREAD(boot);
}

void Host::boot() { guarded(*ctx_, [this] { boot_steps(); }); }

void Host::boot_steps() {
    OnCore core(cpu);
    mm_->init_tables();
}

IOPF_REGISTER_MODEL("host", build_order::host,
                    "host CPU: cores, interrupt controller, OS memory manager, IOMMU drivers and the IOPF queue",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto h = std::make_unique<Host>(n.c_str(), b.ctx, b.params(n), b.firmware());
                        h->bus.socket.bind(b.bus_port());
                        b.map(h->irqc.msi, h->irqc.doorbell_base(), h->irqc.doorbell_size(), n + ".irqc");
                        return h;
                    });

}  // namespace iopf
