#include "models/host/host_v2.h"

#include <stdexcept>

#include "models/common/units.h"
#include "models/host/host.h"
#include "models/host/mapping.h"

namespace iopf {
HostV2::HostV2(SimContext& ctx, ParamScope p, Cpu& cpu, HostBus& bus, IrqController& irqc, PhysAlloc& pool,
               const std::vector<SmmuV2Firmware>& smmus, const std::vector<GpuFirmware>& gpus,
               const std::vector<FirmwareDevice>& devices) {
    ParamScope sp = p.sub("streams");
    for (const auto& fw : smmus) {
        std::vector<V2Stream> streams;
        for (const auto& d : devices) {
            if (d.smmu != fw.name) continue;
            V2Stream s;
            s.device = d.device;
            s.sid = d.sid;
            s.bus_master_enable = d.bus_master_enable;
            ParamScope ds = sp.sub(d.device);
            bool is_gpu = false;
            for (const auto& g : gpus) is_gpu |= g.device == d.device;
            if (!is_gpu) {   // a GPU's driver chooses these itself (host.gpu_driver)
                if (ds.get_bool("stall", false, {"SMMUv2: SCTLR.CFCFG, stall this device's faulting transactions (else terminate)", src::config}))
                    s.sctlr_set |= smmu::v2::sctlr::CFCFG;
                if (ds.get_bool("hupcf", false, {"SMMUv2: SCTLR.HUPCF, transactions proceed under an outstanding fault", src::config}))
                    s.sctlr_set |= smmu::v2::sctlr::HUPCF;
            }
            const auto contexts = ds.children("contexts", {"address spaces of the device (SMMUv2: exactly one)", src::config});
            if (contexts.size() > 1)
                throw ConfigError("parameter '" + ds.path("contexts") + "': a device behind an SMMUv2 has one context bank, "
                                  "so one context; got " + std::to_string(contexts.size()));
            for (const auto& cn : contexts) {
                ParamScope cs = ds.sub("contexts").sub(cn);
                s.asid = static_cast<uint16_t>(cs.get_uint("asid", 1, "", {"ASID tagging this context's TLB entries", src::config}, 0, 0xffff));
                for (const auto& mn : cs.children("mappings", {"IOVA -> PA mappings in this context's page tables", src::config})) {
                    Mapping m = parse_mapping(cs.sub("mappings").sub(mn), mn);
                    if (pool.contains(m.pa) || pool.contains(m.pa + m.size - 1) ||
                        (m.pa < pool.base() && m.pa + m.size > pool.base()))
                        throw ConfigError("parameter '" + cs.sub("mappings").path(mn) + ".pa': overlaps the kernel pool at " +
                                          hex(pool.base()));
                    check_no_overlap(s.mappings, m, cs.sub("mappings").path(mn));
                    s.mappings.push_back(m);
                }
            }
            streams.push_back(std::move(s));
        }
        SmmuV2Firmware f = fw;
        smmu_drivers_.push_back(std::make_unique<SmmuV2Driver>((fw.name + "_driver").c_str(), ctx,
                                                               p.sub("smmu_v2_driver"), cpu, bus, irqc, pool, f,
                                                               std::move(streams)));
    }
    for (const auto& g : gpus) {
        SmmuV2Driver* drv = nullptr;
        for (auto& d : smmu_drivers_)
            if (d->smmu_name() == g.smmu) drv = d.get();
        gpu_drivers_.push_back(std::make_unique<GpuDriver>((g.device + "_driver").c_str(), ctx, p.sub("gpu_driver"), cpu,
                                                           bus, drv, g));
    }
}

SmmuV2Driver& HostV2::smmu_driver(const std::string& smmu) {
    for (auto& d : smmu_drivers_)
        if (d->smmu_name() == smmu) return *d;
    throw std::out_of_range("no SMMUv2 driver for '" + smmu + "'");
}

}  // namespace iopf
