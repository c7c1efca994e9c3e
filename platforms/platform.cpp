#include "platforms/platform.h"

#include "platforms/check_isolation.h"

#include "models/common/payload.h"
#include "models/devices/dma_engine.h"
#include "models/devices/gpu.h"
#include "models/devices/pcie_endpoint.h"
#include "models/devices/root_complex.h"
#include "models/devices/trace_player.h"
#include "models/host/host.h"
#include "models/memory/memory.h"
#include "models/memory/router.h"
#include "models/smmu/v2/smmu_v2.h"
#include "models/smmu/v3/smmu_v3.h"

namespace iopf {

namespace {

// What firmware (IORT / device tree) says about a device: its SMMU, StreamID, enable line.
template <class Device>
FirmwareDevice firmware_of(Device& d, const std::string& name, const std::string& smmu) {
    FirmwareDevice fd;
    fd.device = name;
    fd.smmu = smmu;
    fd.sid = d.sid();
    fd.bus_master_enable = &d.bus_master_enable;
    return fd;
}

}  // namespace

Platform::Platform(SimContext& ctx, std::string platform_name)
    : ctx_(ctx), platform_name_(std::move(platform_name)) {
    Params& params = ctx.params;
    ParamScope meta = params.scope("platform");
    description_ = meta.get_string("description", "", "what this platform shows");
    duration_ps_ = meta.get_time_ps("duration", 10'000'000'000ull, "simulated-time limit of the run (--duration)");
    if (duration_ps_ == 0) throw ConfigError("parameter 'platform.duration': expected a positive time, got 0");
    ctx.mode = meta.get_enum("mode", "accurate", {"accurate", "fast"},
                             "timing mode: accurate (every transaction synchronises) or fast (TLB hits decoupled)") == "fast"
                   ? TimingMode::fast : TimingMode::accurate;

    // Components: every other top-level key, each with a "type".
    std::vector<std::string> names;
    std::map<std::string, std::string> types;
    for (auto it = params.root().begin(); it != params.root().end(); ++it) {
        if (it.key() == "platform") continue;
        if (!it->is_object())
            throw ConfigError("parameter '" + it.key() + "': expected a component object with a \"type\"");
        names.push_back(it.key());
        if (!params.scope(it.key()).has("type"))
            throw ConfigError("parameter '" + it.key() + ".type': missing; expected one of interconnect|memory|smmu_v3|smmu_v2|host|dma_engine|gpu|root_complex|pcie_endpoint|trace_player");
        types[it.key()] = params.scope(it.key()).get_enum(
            "type", "", {"interconnect", "memory", "smmu_v3", "smmu_v2", "host", "dma_engine", "gpu", "root_complex", "pcie_endpoint",
             "trace_player"},
            "component type");
    }
    auto of_type = [&](const std::string& t) {
        std::vector<std::string> out;
        for (const auto& n : names) if (types[n] == t) out.push_back(n);
        return out;
    };

    auto ic = of_type("interconnect");
    if (ic.size() > 1) throw ConfigError("platform: at most one interconnect, found " + std::to_string(ic.size()));
    const std::string bus_name = ic.empty() ? "bus" : ic[0];
    bus_ = std::make_unique<Router>(bus_name.c_str(), ctx, params.scope(bus_name));

    auto mems = of_type("memory");
    if (mems.empty()) throw ConfigError("platform: needs at least one component of type memory");
    for (const auto& n : mems) {
        auto m = std::make_unique<Memory>(n.c_str(), ctx, params.scope(n));
        bus_->out.bind(m->socket);
        bus_->map(m->base(), m->size(), n);
        memories_[n] = std::move(m);
    }

    std::vector<SmmuV3Firmware> fw_smmus;
    for (const auto& n : of_type("smmu_v3")) {
        auto s = std::make_unique<SmmuV3>(n.c_str(), ctx, params.scope(n));
        bus_->out.bind(s->mmio);
        bus_->map(s->mmio_base(), SmmuV3::kMmioSize, n);
        s->downstream.bind(bus_->in);
        s->walk_port.bind(bus_->in);
        SmmuV3Firmware fw;
        fw.name = n;
        fw.mmio_base = s->mmio_base();
        fw.evtq_irq = &s->evtq_irq;
        fw.gerror_irq = &s->gerror_irq;
        fw.priq_irq = &s->priq_irq;
        fw.sev = &s->sev;
        fw_smmus.push_back(fw);
        smmus_[n] = std::move(s);
    }

    // SMMU-500-style SMMUv2s: register space on the bus, context interrupt lines to the host.
    std::vector<SmmuV2Firmware> fw_smmus_v2;
    for (const auto& n : of_type("smmu_v2")) {
        auto s = std::make_unique<SmmuV2>(n.c_str(), ctx, params.scope(n));
        bus_->out.bind(s->mmio);
        bus_->map(s->mmio_base(), s->mmio_size(), n);
        s->downstream.bind(bus_->in);
        s->walk_port.bind(bus_->in);
        SmmuV2Firmware fw;
        fw.name = n;
        fw.mmio_base = s->mmio_base();
        for (unsigned i = 0; i < s->context_irqs(); ++i) fw.context_irqs.push_back(&s->context_irq(i));
        fw.global_irq = &s->global_irq;
        fw_smmus_v2.push_back(fw);
        smmus_v2_[n] = std::move(s);
    }

    std::vector<FirmwareDevice> fw_devices;
    for (const auto& n : of_type("dma_engine")) {
        auto d = std::make_unique<DmaEngine>(n.c_str(), ctx, params.scope(n));
        const std::string smmu = params.scope(n).get_string("smmu", "", "SMMU the device sits behind (\"\" = none)");
        if (smmu.empty()) {
            d->socket.bind(bus_->in);
            d->enable_at_start();
        } else {
            auto it = smmus_.find(smmu);
            auto it2 = smmus_v2_.find(smmu);
            if (it != smmus_.end()) d->socket.bind(it->second->upstream);
            else if (it2 != smmus_v2_.end()) d->socket.bind(it2->second->upstream);
            else throw ConfigError("parameter '" + n + ".smmu': no smmu_v3 or smmu_v2 component named '" + smmu + "'");
        }
        FirmwareDevice fd = firmware_of(*d, n, smmu);
        fd.can_stall = d->can_stall();
        fw_devices.push_back(fd);
        devices_[n] = std::move(d);
    }

    // Trace players: like DMA engines, behind an SMMU (v3 or v2) or none.
    for (const auto& n : of_type("trace_player")) {
        auto d = std::make_unique<TracePlayer>(n.c_str(), ctx, params.scope(n));
        const std::string smmu = params.scope(n).get_string("smmu", "", "SMMU the device sits behind (\"\" = none)");
        if (smmu.empty()) {
            d->socket.bind(bus_->in);
            d->enable_at_start();
        } else if (smmus_.count(smmu)) {
            d->socket.bind(smmus_[smmu]->upstream);
        } else if (smmus_v2_.count(smmu)) {
            d->socket.bind(smmus_v2_[smmu]->upstream);
        } else {
            throw ConfigError("parameter '" + n + ".smmu': no smmu_v3 or smmu_v2 component named '" + smmu + "'");
        }
        FirmwareDevice fd = firmware_of(*d, n, smmu);
        fd.can_stall = d->can_stall();
        fw_devices.push_back(fd);
        players_[n] = std::move(d);
    }

    // GPUs: behind an SMMU (v2 or v3) or none; register block and state aperture on the bus.
    std::vector<GpuFirmware> fw_gpus;
    for (const auto& n : of_type("gpu")) {
        auto g = std::make_unique<Gpu>(n.c_str(), ctx, params.scope(n));
        const std::string smmu = params.scope(n).get_string("smmu", "", "SMMU the GPU sits behind (\"\" = none)");
        if (smmu.empty()) {
            g->socket.bind(bus_->in);
            g->enable_at_start();
        } else if (smmus_v2_.count(smmu)) {
            g->socket.bind(smmus_v2_[smmu]->upstream);
        } else if (smmus_.count(smmu)) {
            g->socket.bind(smmus_[smmu]->upstream);
        } else {
            throw ConfigError("parameter '" + n + ".smmu': no smmu_v2 or smmu_v3 component named '" + smmu + "'");
        }
        bus_->out.bind(g->mmio);
        bus_->map(g->mmio_base(), g->mmio_size(), n + ".mmio");
        FirmwareDevice fd;
        fd.device = n;
        fd.smmu = smmu;
        fd.sid = g->sid();
        fd.bus_master_enable = &g->bus_master_enable;
        fw_devices.push_back(fd);
        fw_gpus.push_back({n, smmu, g->mmio_base(), g->state_size()});
        gpus_[n] = std::move(g);
    }

    // PCIe: root complexes (each in front of an SMMU, or of the interconnect), endpoints.
    std::map<std::string, std::string> rc_smmu;
    for (const auto& n : of_type("root_complex")) {
        auto rc = std::make_unique<RootComplex>(n.c_str(), ctx, params.scope(n));
        const std::string smmu = params.scope(n).get_string("smmu", "", "SMMU behind the root complex (\"\" = none)");
        if (smmu.empty()) {
            rc->to_smmu.bind(bus_->in);
        } else {
            auto it = smmus_.find(smmu);
            if (it == smmus_.end())
                throw ConfigError("parameter '" + n + ".smmu': no smmu_v3 component named '" + smmu + "'");
            rc->to_smmu.bind(it->second->upstream);
            it->second->pcie_msg.bind(rc->from_smmu);
        }
        rc_smmu[n] = smmu;
        rcs_[n] = std::move(rc);
    }
    std::map<std::string, int> rc_ports;
    for (const auto& n : of_type("pcie_endpoint")) {
        auto ep = std::make_unique<PcieEndpoint>(n.c_str(), ctx, params.scope(n));
        const std::string rc_name = params.scope(n).get_string("root_complex", "", "root complex the function sits below");
        auto it = rcs_.find(rc_name);
        if (it == rcs_.end())
            throw ConfigError("parameter '" + n + ".root_complex': no root_complex component named '" + rc_name + "'");
        ep->socket.bind(it->second->from_ep);
        it->second->to_ep.bind(ep->msg_in);
        it->second->add_endpoint(ep->sid(), rc_ports[rc_name]++);
        bus_->out.bind(ep->config);
        bus_->map(ep->ecam_base(), pcie_cfg::kSize, n + ".config");
        FirmwareDevice fd = firmware_of(*ep, n, rc_smmu[rc_name]);
        fd.pcie = true;
        fd.ecam_base = ep->ecam_base();
        if (fd.smmu.empty()) ep->enable_at_start();
        fw_devices.push_back(fd);
        devices_[n] = std::move(ep);
    }

    auto hosts = of_type("host");
    if (hosts.size() != 1) throw ConfigError("platform: needs exactly one component of type host, found " + std::to_string(hosts.size()));
    host_ = std::make_unique<Host>(hosts[0].c_str(), ctx, params.scope(hosts[0]), fw_smmus, fw_devices, fw_smmus_v2,
                                   fw_gpus);
    host_->bus.socket.bind(bus_->in);
    bus_->out.bind(host_->irqc.msi);
    bus_->map(host_->irqc.doorbell_base(), host_->irqc.doorbell_size(), hosts[0] + ".irqc");
    check_isolation(*this);   // configurations that would break isolation or fail at attach
}

Platform::~Platform() = default;

EndState Platform::end_state() const {
    EndState e;
    e.all_finished = true;
    for (const auto& [n, d] : devices_) {
        e.all_finished &= d->finished();
        e.in_flight += d->in_flight();
    }
    for (const auto& [n, g] : gpus_) {
        e.all_finished &= g->finished();
        e.in_flight += g->in_flight();
    }
    for (const auto& [n, t] : players_) {
        e.all_finished &= t->finished();
        e.in_flight += t->in_flight();
    }
    uint64_t stalled = 0;
    for (const auto& [n, s] : smmus_) stalled += s->stalled_count();
    for (const auto& [n, s] : smmus_v2_) stalled += s->stalled_count();
    const bool pending = sc_core::sc_pending_activity();
    if (e.all_finished) {
        e.lost_transactions = e.in_flight;   // a finished device has nothing in flight
        e.stalled_at_end = stalled;
        e.open_faults = ctx_.faults.open_count();
    } else if (pending) {
        e.cut_short = true;                  // the duration limit came first: work in flight is fine
    } else {
        e.deadlock = true;                   // nothing left to happen, but devices are not done
        e.stalled_at_end = stalled;
        e.lost_transactions = e.in_flight - std::min(e.in_flight, stalled);
        e.open_faults = ctx_.faults.open_count();
    }
    return e;
}

Memory& Platform::memory(const std::string& n) const { return *memories_.at(n); }
SmmuV3& Platform::smmu(const std::string& n) const { return *smmus_.at(n); }
DmaEngine& Platform::dma(const std::string& n) const {
    auto* d = dynamic_cast<DmaEngine*>(devices_.at(n).get());
    if (!d) throw std::out_of_range(n + " is not a dma_engine");
    return *d;
}

PcieEndpoint& Platform::endpoint(const std::string& n) const {
    auto* d = dynamic_cast<PcieEndpoint*>(devices_.at(n).get());
    if (!d) throw std::out_of_range(n + " is not a pcie_endpoint");
    return *d;
}
Host& Platform::host() const { return *host_; }
SmmuV2& Platform::smmu_v2(const std::string& n) const { return *smmus_v2_.at(n); }
Gpu& Platform::gpu(const std::string& n) const { return *gpus_.at(n); }
TracePlayer& Platform::trace_player(const std::string& n) const { return *players_.at(n); }

}  // namespace iopf
