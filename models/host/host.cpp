#include "models/host/host.h"
#include "platforms/registry.h"

#include <algorithm>
#include <map>

#include "models/common/units.h"
#include "models/host/mapping.h"
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
    std::vector<SmmuV3Firmware> smmus;
    std::vector<SmmuV2Firmware> smmus_v2;
    std::vector<GpuFirmware> gpus;
    std::vector<VtdFirmware> vtds;
    for (const auto& u : fw_tables.units) {
        if (u.compatible == "arm,smmu-v3") {
            SmmuV3Firmware f;
            f.name = u.name;
            f.mmio_base = u.mmio_base;
            f.evtq_irq = u.irq("evtq")->line;
            f.gerror_irq = u.irq("gerror")->line;
            f.priq_irq = u.irq("priq")->line;
            f.sev = u.irq("sev")->line;
            f.evtq_irq_num = u.irq("evtq")->number;
            f.gerror_irq_num = u.irq("gerror")->number;
            f.priq_irq_num = u.irq("priq")->number;
            smmus.push_back(f);
        } else if (u.compatible == "arm,mmu-500") {
            SmmuV2Firmware f;
            f.name = u.name;
            f.mmio_base = u.mmio_base;
            f.global_irq = dynamic_cast<const sc_core::sc_signal<bool>*>(u.irq("global")->line);
            f.global_irq_num = u.irq("global")->number;
            for (unsigned i = 0; const FirmwareIrq* q = u.irq("context" + std::to_string(i)); ++i) {
                f.context_irqs.push_back(dynamic_cast<const sc_core::sc_signal<bool>*>(q->line));
                f.context_irq_nums.push_back(q->number);
            }
            smmus_v2.push_back(f);
        } else if (u.compatible == "intel,vtd") {
            VtdFirmware f;
            f.name = u.name;
            f.mmio_base = u.mmio_base;
            f.fault_irq = u.irq("fault")->number;
            f.prq_irq = u.irq("prq")->number;
            vtds.push_back(f);
        } else if (u.compatible == "iopf,gpu") {
            gpus.push_back({u.name, u.iommu, u.mmio_base, u.prop("state-size")});
        }
    }
    std::vector<std::string> configured = p.children("streams", {"per device: the contexts the OS sets up for it", src::config});
    ParamScope sp = p.sub("streams");
    for (const auto& dev_name : configured) {
        bool known = false;
        for (const auto& d : devices) known |= d.device == dev_name;
        if (!known) throw ConfigError("parameter '" + sp.path(dev_name) + "': no device named '" + dev_name + "' in the platform");
    }

    // The devices firmware puts behind IOMMU `iommu`, with what the OS sets up for each.
    auto streams_of = [&](const std::string& iommu) {
        std::vector<StreamAttach> attach;
        for (const auto& d : devices) {
            if (d.smmu != iommu) continue;
            StreamAttach a;
            a.device = d.device;
            a.sid = d.sid;
            a.bus_master_enable = d.bus_master_enable;
            a.can_stall = d.can_stall;
            a.pcie = d.pcie;
            a.ecam_base = d.ecam_base;
            ParamScope ds = sp.sub(d.device);
            if (std::find(configured.begin(), configured.end(), d.device) == configured.end()) {
                // No host.streams entry: the OS never attaches the device (STE stays V=0).
                a.config = StreamAttach::Config::detached;
                attach.push_back(std::move(a));
                continue;
            }
            if (d.pcie) {
                a.ats = ds.get_bool("ats", true, {"enable ATS on the PCIe function (STE.EATS, ATS Control)", "Linux arm-smmu-v3.c arm_smmu_enable_ats(): ATS is enabled when the device and the SMMU support it"});
                a.pri_credits = ds.get_uint("pri_credits", 16, "requests",
                                            {"outstanding page request allocation the OS grants (Linux: 16)", "REFERENCE.md (Linux IOPF semantics): Linux passes 16 outstanding page requests per function to pci_enable_pri() (Intel VT-d: 2048)"}, 0, 1u << 31);
            }
            const std::string sva = ds.get_string("sva", "", {"processes bound with SVA, comma-separated (PASID = SubstreamID)", src::config});
            for (size_t pos = 0; pos < sva.size();) {
                size_t comma = sva.find(',', pos);
                std::string n = sva.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
                if (!n.empty()) {
                    if (!mm_->find(n)) throw ConfigError("parameter '" + ds.path("sva") + "': no process named '" + n + "'");
                    a.sva.push_back(n);
                }
                if (comma == std::string::npos) break;
                pos = comma + 1;
            }
            a.iopf = ds.get_bool("iopf", !a.sva.empty() && (a.can_stall || a.pcie),
                                 {"the device driver enables IOPF (recoverable faults go to the IOPF queue)", "Linux: a driver calls iommu_dev_enable_feature(IOMMU_DEV_FEAT_IOPF) for SVA on a stall-capable or PRI device"});
            const std::string cfg = ds.get_enum("config", "translate", {"translate", "bypass", "abort", "s2_only", "nested"},
                                                {"STE.Config the driver installs for this device (s2_only / nested: assigned to `vm`)", src::config});
            a.config = cfg == "bypass" ? StreamAttach::Config::bypass
                     : cfg == "abort" ? StreamAttach::Config::abort
                     : cfg == "s2_only" ? StreamAttach::Config::s2_only
                     : cfg == "nested" ? StreamAttach::Config::nested : StreamAttach::Config::translate;
            a.vm = ds.get_string("vm", "", {"the VM (host.vms) the device is assigned to (config s2_only or nested)", src::config});
            if ((cfg == "s2_only" || cfg == "nested") && (!hyp_ || !hyp_->has_vm(a.vm)))
                throw ConfigError("parameter '" + ds.path("vm") + "': no VM named '" + a.vm + "' in host.vms");
            for (const auto& cn : ds.children("contexts", {"address spaces (CDs) of the device", src::config})) {
                ParamScope cs = ds.sub("contexts").sub(cn);
                StreamContext c;
                c.name = cn;
                c.ssv = cs.has("ssid");
                c.ssid = cs.get_uint("ssid", 0, "", {"SubstreamID (PASID) selecting this CD; absent = the stream's only CD", src::config}, 0, 0xfffff);
                c.asid = cs.get_uint("asid", 0, "", {"ASID tagging this context's TLB entries (0 or absent: the driver allocates one)", "Linux: arm-smmu-v3 allocates ASIDs from an xarray (arm_smmu_asid_xa); pinning one is a platform choice"}, 0, 0xffff);
                for (const auto& mn : cs.children("mappings", {"IOVA -> PA mappings in this context's page tables", src::config})) {
                    Mapping m = parse_mapping(cs.sub("mappings").sub(mn), mn);
                    if (pool_->contains(m.pa) || pool_->contains(m.pa + m.size - 1) ||
                        (m.pa < pool_base && m.pa + m.size > pool_base))
                        throw ConfigError("parameter '" + cs.sub("mappings").path(mn) +
                                          ".pa': overlaps the kernel pool at " + hex(pool_base));
                    check_no_overlap(c.mappings, m, cs.sub("mappings").path(mn));
                    c.mappings.push_back(m);
                }
                a.contexts.push_back(std::move(c));
            }
            attach.push_back(std::move(a));
        }
        return attach;
    };

    std::vector<std::vector<StreamAttach>> attaches;
    for (const auto& fw : smmus) attaches.push_back(streams_of(fw.name));
    allocate_asids(sp, attaches);
    for (size_t index = 0; index < smmus.size(); ++index) {
        SmmuV3Firmware f = smmus[index];
        drivers_.push_back(std::make_unique<SmmuV3Driver>((f.name + "_driver").c_str(), ctx,
                                                          p.sub("smmu_driver"), cpu, bus, irqc, *pool_, f,
                                                          std::move(attaches[index]), mm_.get(), iopf_.get()));
        drivers_.back()->set_hypervisor(hyp_.get());
    }
    for (const auto& f : vtds)
        vtd_drivers_.push_back(std::make_unique<IntelIommuDriver>((f.name + "_driver").c_str(), ctx, p.sub("vtd_driver"),
                                                                  cpu, bus, irqc, *pool_, f, streams_of(f.name),
                                                                  mm_.get(), iopf_.get()));
    v2_ = std::make_unique<HostV2>(ctx, p, cpu, bus, irqc, *pool_, smmus_v2, gpus, devices);
    mm_->on_exit = [this](MmStruct& mm) {
        for (auto& d : drivers_) d->sva_unbind(mm);
        mm.pasid_bound = false;
    };
    ctx_ = &ctx;
    SC_HAS_PROCESS(Host);
    SC_THREAD(boot);
}

void Host::allocate_asids(ParamScope streams, std::vector<std::vector<StreamAttach>>& attaches) {
    // Every address space (a stream context's own tables, or a process bound with SVA) has
    // its own ASID, so no two share TLB entries. A platform may pin one; two address spaces
    // pinned to one ASID are rejected. The rest are allocated like Linux's arm_smmu_asid_xa
    // (xa_alloc from 1, the lowest free), processes first, then contexts in platform order.
    std::map<uint16_t, std::string> used;   // ASID -> the address space holding it
    auto claim = [&](uint16_t asid, const std::string& who, const std::string& key) {
        auto [it, fresh] = used.emplace(asid, who);
        if (!fresh)
            throw ConfigError("parameter '" + key + "': ASID " + std::to_string(asid) + " already given to " +
                              it->second + " (two address spaces may not share an ASID)");
    };
    for (const auto& mm : mm_->processes())
        if (mm->asid) claim(mm->asid, "process '" + mm->name + "'", "host.processes." + mm->name + ".asid");
    for (auto& list : attaches)
        for (auto& a : list)
            for (auto& c : a.contexts)
                if (c.asid) claim(c.asid, "'" + a.device + "' context '" + c.name + "'",
                                  streams.sub(a.device).sub("contexts").sub(c.name).path("asid"));
    uint32_t next = 1;
    auto alloc = [&](const std::string& who) {
        while (used.count(uint16_t(next))) ++next;
        if (next > 0xffff) throw ConfigError("host: more than 65535 address spaces: no ASID left for " + who);
        used.emplace(uint16_t(next), who);
        return uint16_t(next);
    };
    for (const auto& mm : mm_->processes())
        if (!mm->asid) mm->asid = alloc("process '" + mm->name + "'");
    for (auto& list : attaches)
        for (auto& a : list)
            for (auto& c : a.contexts)
                if (!c.asid) c.asid = alloc("'" + a.device + "' context '" + c.name + "'");
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
