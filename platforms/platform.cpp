#include "platforms/platform.h"

#include "models/common/payload.h"
#include "models/devices/dma_engine.h"
#include "models/host/host.h"
#include "models/memory/memory.h"
#include "models/memory/router.h"
#include "models/smmu/v3/smmu_v3.h"

namespace iopf {

Platform::Platform(SimContext& ctx, std::string platform_name)
    : ctx_(ctx), platform_name_(std::move(platform_name)) {
    Params& params = ctx.params;
    ParamScope meta = params.scope("platform");
    description_ = meta.get_string("description", "", "what this platform shows");
    duration_ps_ = meta.get_time_ps("duration", 10'000'000'000ull, "simulated-time limit of the run (--duration)");
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
            throw ConfigError("parameter '" + it.key() + ".type': missing; expected one of interconnect|memory|smmu_v3|host|dma_engine");
        types[it.key()] = params.scope(it.key()).get_enum(
            "type", "", {"interconnect", "memory", "smmu_v3", "host", "dma_engine"}, "component type");
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
        fw.sev = &s->sev;
        fw_smmus.push_back(fw);
        smmus_[n] = std::move(s);
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
            if (it == smmus_.end())
                throw ConfigError("parameter '" + n + ".smmu': no smmu_v3 component named '" + smmu + "'");
            d->socket.bind(it->second->upstream);
        }
        fw_devices.push_back({n, smmu, d->sid(), d->can_stall(), &d->bus_master_enable});
        dmas_[n] = std::move(d);
    }

    auto hosts = of_type("host");
    if (hosts.size() != 1) throw ConfigError("platform: needs exactly one component of type host, found " + std::to_string(hosts.size()));
    host_ = std::make_unique<Host>(hosts[0].c_str(), ctx, params.scope(hosts[0]), fw_smmus, fw_devices);
    host_->bus.socket.bind(bus_->in);
    bus_->out.bind(host_->irqc.msi);
    bus_->map(host_->irqc.doorbell_base(), host_->irqc.doorbell_size(), hosts[0] + ".irqc");
}

Platform::~Platform() = default;

EndState Platform::end_state() const {
    EndState e;
    e.all_finished = true;
    for (const auto& [n, d] : dmas_) {
        e.all_finished &= d->finished();
        e.in_flight += d->in_flight();
    }
    uint64_t stalled = 0;
    for (const auto& [n, s] : smmus_) stalled += s->stalled_count();
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
DmaEngine& Platform::dma(const std::string& n) const { return *dmas_.at(n); }
Host& Platform::host() const { return *host_; }

}  // namespace iopf
