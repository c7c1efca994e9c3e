#include "models/host/stream_attach.h"

#include <algorithm>
#include <map>

#include "models/common/units.h"
#include "models/host/hypervisor.h"
#include "models/host/mapping.h"
#include "models/host/os_mm.h"
#include "models/host/phys_alloc.h"

namespace iopf {

std::vector<StreamAttach> parse_stream_attaches(HostEnv& env, const std::string& iommu) {
    const std::vector<FirmwareDevice>& devices = env.fw.devices;
    ParamScope p = env.params;
    const std::vector<std::string> configured =
        p.children("streams", {"per device: the contexts the OS sets up for it", src::config});
    ParamScope sp = p.sub("streams");
    std::vector<StreamAttach> attach;
    for (const auto& d : devices) {
        if (d.smmu != iommu) continue;
        StreamAttach a;
        a.device = d.device;
        a.sid = d.sid;
        a.bus_master = BusMaster::of(d);
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
                if (!env.mm.find(n)) throw ConfigError("parameter '" + ds.path("sva") + "': no process named '" + n + "'");
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
        if ((cfg == "s2_only" || cfg == "nested") && (!env.hyp || !env.hyp->has_vm(a.vm)))
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
                if (env.pool.contains(m.pa) || env.pool.contains(m.pa + m.size - 1) ||
                    (m.pa < env.pool.base() && m.pa + m.size > env.pool.base()))
                    throw ConfigError("parameter '" + cs.sub("mappings").path(mn) +
                                      ".pa': overlaps the kernel pool at " + hex(env.pool.base()));
                check_no_overlap(c.mappings, m, cs.sub("mappings").path(mn));
                c.mappings.push_back(m);
            }
            a.contexts.push_back(std::move(c));
        }
        attach.push_back(std::move(a));
    }
    return attach;
}

void AsidAllocator::request(uint16_t* slot, std::string who, std::string key) {
    requests_.push_back({slot, std::move(who), std::move(key)});
}

void AsidAllocator::allocate(OsMm& mm) {
    std::map<uint16_t, std::string> used;   // ASID -> the address space holding it
    auto claim = [&](uint16_t asid, const std::string& who, const std::string& key) {
        auto [it, fresh] = used.emplace(asid, who);
        if (!fresh)
            throw ConfigError("parameter '" + key + "': ASID " + std::to_string(asid) + " already given to " +
                              it->second + " (two address spaces may not share an ASID)");
    };
    for (const auto& m : mm.processes())
        if (m->asid) claim(m->asid, "process '" + m->name + "'", "host.processes." + m->name + ".asid");
    for (const auto& r : requests_)
        if (*r.slot) claim(*r.slot, r.who, r.key);
    uint32_t next = 1;
    auto alloc = [&](const std::string& who) {
        while (used.count(uint16_t(next))) ++next;
        if (next > 0xffff) throw ConfigError("host: more than 65535 address spaces: no ASID left for " + who);
        used.emplace(uint16_t(next), who);
        return uint16_t(next);
    };
    for (const auto& m : mm.processes())
        if (!m->asid) m->asid = alloc("process '" + m->name + "'");
    for (const auto& r : requests_)
        if (!*r.slot) *r.slot = alloc(r.who);
}

}  // namespace iopf
