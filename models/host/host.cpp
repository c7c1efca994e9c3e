#include "models/host/host.h"
#include "platforms/registry.h"

#include <algorithm>

#include "models/common/units.h"
#include "models/host/mapping.h"

namespace iopf {
Host::Host(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, const Firmware& fw_tables)
    : sc_module(name), cpu("cpu", ctx, p.sub("cpu")), bus("bus", ctx), irqc("irqc", ctx, p.sub("irq"), cpu) {
    ParamScope kp = p.sub("kernel_pool");
    const uint64_t pool_base = kp.get_addr("base", 0x80000000ull, "DRAM reserved for kernel allocations (tables, queues)");
    const uint64_t pool_size = kp.get_size("size", 64ull << 20, "size of the kernel pool");
    pool_ = std::make_unique<PhysAlloc>(pool_base, pool_size, "kernel pool");
    mm_ = std::make_unique<OsMm>("mm", ctx, p, cpu, bus, *pool_);
    if (mm_->user_pool().base() < pool_base + pool_size && pool_base < mm_->user_pool().base() + mm_->user_pool().size())
        throw ConfigError("parameter 'host.mm.user_pool.base': the user pool overlaps the kernel pool");
    iopf_ = std::make_unique<IopfQueue>("iopf", ctx, p.sub("iopf"), cpu, *mm_);
    if (p.has("vms")) {
        hyp_ = std::make_unique<Hypervisor>("hypervisor", ctx, p, cpu, bus, *pool_, *mm_);
        iopf_->stage2_handler = [this](const IopfFault& f) { return hyp_->handle_s2_fault(f); };
    }

    const std::vector<FirmwareDevice>& devices = fw_tables.devices;
    std::vector<SmmuV3Firmware> smmus;
    std::vector<SmmuV2Firmware> smmus_v2;
    std::vector<GpuFirmware> gpus;
    for (const auto& u : fw_tables.units) {
        if (u.compatible == "arm,smmu-v3") {
            SmmuV3Firmware f;
            f.name = u.name;
            f.mmio_base = u.mmio_base;
            f.evtq_irq = u.irq("evtq")->line;
            f.gerror_irq = u.irq("gerror")->line;
            f.priq_irq = u.irq("priq")->line;
            f.sev = u.irq("sev")->line;
            f.irq_base = u.irq("evtq")->number;
            smmus.push_back(f);
        } else if (u.compatible == "arm,mmu-500") {
            SmmuV2Firmware f;
            f.name = u.name;
            f.mmio_base = u.mmio_base;
            f.global_irq = dynamic_cast<const sc_core::sc_signal<bool>*>(u.irq("global")->line);
            f.irq_base = u.irq("global")->number;
            for (unsigned i = 0; const FirmwareIrq* q = u.irq("context" + std::to_string(i)); ++i)
                f.context_irqs.push_back(dynamic_cast<const sc_core::sc_signal<bool>*>(q->line));
            smmus_v2.push_back(f);
        } else if (u.compatible == "iopf,gpu") {
            gpus.push_back({u.name, u.iommu, u.mmio_base, u.prop("state-size")});
        }
    }
    std::vector<std::string> configured = p.children("streams", "per device: the contexts the OS sets up for it");
    ParamScope sp = p.sub("streams");
    for (const auto& dev_name : configured) {
        bool known = false;
        for (const auto& d : devices) known |= d.device == dev_name;
        if (!known) throw ConfigError("parameter '" + sp.path(dev_name) + "': no device named '" + dev_name + "' in the platform");
    }

    for (const auto& fw : smmus) {
        std::vector<StreamAttach> attach;
        for (const auto& d : devices) {
            if (d.smmu != fw.name) continue;
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
                a.ats = ds.get_bool("ats", true, "enable ATS on the PCIe function (STE.EATS, ATS Control)");
                a.pri_credits = ds.get_uint("pri_credits", 16, "requests",
                                            "outstanding page request allocation the OS grants (Linux: 16)", 0, 1u << 31);
            }
            const std::string sva = ds.get_string("sva", "", "processes bound with SVA, comma-separated (PASID = SubstreamID)");
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
                                 "the device driver enables IOPF (recoverable faults go to the IOPF queue)");
            const std::string cfg = ds.get_enum("config", "translate", {"translate", "bypass", "abort", "s2_only", "nested"},
                                                "STE.Config the driver installs for this device (s2_only / nested: assigned to `vm`)");
            a.config = cfg == "bypass" ? StreamAttach::Config::bypass
                     : cfg == "abort" ? StreamAttach::Config::abort
                     : cfg == "s2_only" ? StreamAttach::Config::s2_only
                     : cfg == "nested" ? StreamAttach::Config::nested : StreamAttach::Config::translate;
            a.vm = ds.get_string("vm", "", "the VM (host.vms) the device is assigned to (config s2_only or nested)");
            if ((cfg == "s2_only" || cfg == "nested") && (!hyp_ || !hyp_->has_vm(a.vm)))
                throw ConfigError("parameter '" + ds.path("vm") + "': no VM named '" + a.vm + "' in host.vms");
            for (const auto& cn : ds.children("contexts", "address spaces (CDs) of the device")) {
                ParamScope cs = ds.sub("contexts").sub(cn);
                StreamContext c;
                c.name = cn;
                c.ssv = cs.has("ssid");
                c.ssid = cs.get_uint("ssid", 0, "", "SubstreamID (PASID) selecting this CD; absent = the stream's only CD", 0, 0xfffff);
                c.asid = cs.get_uint("asid", 1, "", "ASID tagging this context's TLB entries", 0, 0xffff);
                for (const auto& mn : cs.children("mappings", "IOVA -> PA mappings in this context's page tables")) {
                    Mapping m = parse_mapping(cs.sub("mappings").sub(mn), mn);
                    if (pool_->contains(m.pa) || pool_->contains(m.pa + m.size - 1) ||
                        (m.pa < pool_base && m.pa + m.size > pool_base))
                        throw ConfigError("parameter '" + cs.sub("mappings").path(mn) +
                                          ".pa': overlaps the kernel pool at " + hex(pool_base));
                    c.mappings.push_back(m);
                }
                a.contexts.push_back(std::move(c));
            }
            attach.push_back(std::move(a));
        }
        SmmuV3Firmware f = fw;
        drivers_.push_back(std::make_unique<SmmuV3Driver>((fw.name + "_driver").c_str(), ctx,
                                                          p.sub("smmu_driver"), cpu, bus, irqc, *pool_, f,
                                                          std::move(attach), mm_.get(), iopf_.get()));
        drivers_.back()->set_hypervisor(hyp_.get());
    }
    v2_ = std::make_unique<HostV2>(ctx, p, cpu, bus, irqc, *pool_, smmus_v2, gpus, devices);
    mm_->on_exit = [this](MmStruct& mm) {
        for (auto& d : drivers_) d->sva_unbind(mm);
        mm.pasid_bound = false;
    };
    SC_HAS_PROCESS(Host);
    SC_THREAD(boot);
}

void Host::boot() {
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
