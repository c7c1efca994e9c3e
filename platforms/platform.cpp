#include "platforms/platform.h"

#include "platforms/check_isolation.h"

#include <algorithm>

#include "models/devices/dma_engine.h"
#include "models/devices/gpu.h"
#include "models/devices/pcie_endpoint.h"
#include "models/devices/trace_player.h"
#include "models/host/host.h"
#include "models/memory/memory.h"
#include "models/memory/router.h"
#include "models/smmu/v2/smmu_v2.h"
#include "models/smmu/v3/smmu_v3.h"
#include "models/vtd/vtd.h"
#include "platforms/registry.h"

namespace iopf {

Platform::Platform(SimContext& ctx, std::string platform_name)
    : ctx_(ctx), platform_name_(std::move(platform_name)) {
    Params& params = ctx.params;
    ParamScope meta = params.scope("platform");
    description_ = meta.get_string("description", "", {"what this platform shows", src::config});
    duration_ps_ = meta.get_time_ps("duration", 10'000'000'000ull, {"simulated-time limit of the run (--duration)", "assumed: long enough for every shipped workload to finish (a run-length choice, not a quantity of the system)"});
    if (duration_ps_ == 0) throw ConfigError("parameter 'platform.duration': expected a positive time, got 0");
    ctx.mode = meta.get_enum("mode", "accurate", {"accurate", "fast"},
                             {"timing mode: accurate (every transaction synchronises) or fast (TLB hits decoupled)", "assumed: DESIGN.md 'Timing styles' makes accurate the default; fast is opt-in for long sweeps"}) == "fast"
                   ? TimingMode::fast : TimingMode::accurate;

    // Fault injection (models/common/inject.h): scheduled before the models declare their
    // points, checked against them once every component is built.
    ParamScope inj = meta.sub("inject");
    for (const auto& n : meta.children("inject", {"scheduled error conditions (docs/reliability.md, --inject)", "assumed: none; a run injects only what it asks for"})) {
        ParamScope e = inj.sub(n);
        InjectSpec s;
        s.name = n;
        s.target = e.get_string("target", "", {"component the injection applies to", src::config});
        s.point = e.get_string("point", "", {"injection point of that component (docs/reliability.md)", src::config});
        s.at_ps = e.get_time_ps("at", 0, {"armed from this time", src::config});
        s.count = e.get_uint("count", 1, "opportunities", {"how many opportunities (accesses, interrupts) it fires on", src::config}, 1);
        s.duration_ps = e.get_time_ps("duration", 0, {"length of a stall or delay", src::config});
        if (e.has("core")) s.core = int64_t(e.get_uint("core", 0, "core", {"host core a cpu.stall applies to", src::config}, 0, 1023));
        ctx.inject.add(std::move(s));
    }

    // Components: every other top-level key, each with a registered "type".
    struct Item {
        std::string name;
        const ModelInfo* info;
    };
    std::vector<Item> items;
    for (auto it = params.root().begin(); it != params.root().end(); ++it) {
        if (it.key() == "platform") continue;
        if (!it->is_object())
            throw ConfigError("parameter '" + it.key() + "': expected a component object with a \"type\"");
        ParamScope cs = params.scope(it.key());
        if (!cs.has("type"))
            throw ConfigError("parameter '" + it.key() + ".type': missing; expected one of " + ModelRegistry::known_types());
        const std::string type = cs.get_string("type", "", {"component type (iopf-sim --list-models)", src::config});
        const ModelInfo* info = ModelRegistry::find(type);
        if (!info)
            throw ConfigError("parameter '" + it.key() + ".type': unknown model type '" + type + "'; expected one of " +
                              ModelRegistry::known_types());
        items.push_back({it.key(), info});
    }
    // Build order of the types; ties keep the JSON object's (name) order.
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& a, const Item& b) { return a.info->order < b.info->order; });
    auto count = [&](const char* type) {
        size_t n = 0;
        for (const auto& i : items) n += i.info->type == type;
        return n;
    };
    if (count("interconnect") > 1)
        throw ConfigError("platform: at most one interconnect, found " + std::to_string(count("interconnect")));
    if (count("memory") == 0) throw ConfigError("platform: needs at least one component of type memory");
    if (count("host") != 1)
        throw ConfigError("platform: needs exactly one component of type host, found " + std::to_string(count("host")));

    builder_ = std::make_unique<PlatformBuilder>(ctx);
    auto build = [&](const ModelInfo& info, const std::string& name) {
        auto m = info.make(*builder_, name);
        by_name_[name] = m.get();
        builder_->note_built(name, m.get());
        components_.push_back(std::move(m));
    };
    // Every other component reaches the rest through the interconnect: a platform without
    // one gets the default, named "bus".
    if (count("interconnect") == 0) build(*ModelRegistry::find("interconnect"), "bus");
    for (const auto& i : items) build(*i.info, i.name);
    check_isolation(*this);   // configurations that would break isolation or fail at attach
    ctx.inject.validate();
    if (!ctx.inject.empty()) ctx.stats.add([&ctx](nlohmann::json& root) { ctx.inject.stats(root); });
    // The isolation monitor checks every device behind an IOMMU (a PCIe function: its root
    // complex's IOMMU).
    if (ctx.isolation)
        for (const auto& [n, d] : builder_->devices())
            if (!builder_->iommu_of(n).empty()) ctx.isolation->watch(n);
}

Platform::~Platform() {
    // Tear down in reverse build order (the host first, the interconnect last).
    while (!components_.empty()) components_.pop_back();
}

EndState Platform::end_state() const {
    EndState e;
    e.all_finished = true;
    for (const auto& [n, d] : builder_->devices()) {
        e.all_finished &= d->finished();
        e.in_flight += d->in_flight();
    }
    uint64_t stalled = 0;
    for (const auto& [n, s] : builder_->iommus()) stalled += s->stalled_count();
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

template <class T>
T& Platform::get(const std::string& n, const char* what) const {
    auto it = by_name_.find(n);
    if (it == by_name_.end()) throw std::out_of_range("no component named '" + n + "'");
    auto* t = dynamic_cast<T*>(it->second);
    if (!t) throw std::out_of_range(n + " is not a " + what);
    return *t;
}

Memory& Platform::memory(const std::string& n) const { return get<Memory>(n, "memory"); }
SmmuV3& Platform::smmu(const std::string& n) const { return get<SmmuV3>(n, "smmu_v3"); }
DmaEngine& Platform::dma(const std::string& n) const { return get<DmaEngine>(n, "dma_engine"); }
PcieEndpoint& Platform::endpoint(const std::string& n) const { return get<PcieEndpoint>(n, "pcie_endpoint"); }
Host& Platform::host() const {
    for (const auto& c : components_)
        if (auto* h = dynamic_cast<Host*>(c.get())) return *h;
    throw std::out_of_range("no host");
}
SmmuV2& Platform::smmu_v2(const std::string& n) const { return get<SmmuV2>(n, "smmu_v2"); }
Gpu& Platform::gpu(const std::string& n) const { return get<Gpu>(n, "gpu"); }
TracePlayer& Platform::trace_player(const std::string& n) const { return get<TracePlayer>(n, "trace_player"); }
Vtd& Platform::vtd(const std::string& n) const { return get<Vtd>(n, "vtd"); }

}  // namespace iopf
