#include "models/host/irq_controller.h"

#include "models/common/payload.h"
#include "models/common/units.h"

namespace iopf {

IrqController::IrqController(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, Cpu& cpu)
    : sc_module(name), msi("msi"), ctx_(ctx), cpu_(cpu) {
    base_ = p.get_addr("doorbell_base", 0x08000000ull, {"physical address of the MSI doorbell frame (64 KiB)", src::config});
    hardirq_ps_ = p.get_cost("hardirq_cost", 800'000, {"hard IRQ: exception entry, GIC acknowledge, primary handler, EOI", "assumed: exception entry, GIC IAR read, a short primary handler and EOI take under 1 us on a 2-3 GHz Arm core; not measurable from user space (tools/calibrate-host keeps it)"});
    wakeup_ps_ = p.get_cost("thread_wakeup_cost", 2'000'000, {"waking and scheduling the IRQ thread (IRQF_ONESHOT)", "assumed: a cross-core futex wake-up of a sleeping thread costs a few us on Linux; measure yours with tools/calibrate-host"});
    migrate_ = p.get_enum("thread_placement", "migrate", {"migrate", "wait"},
                          {"IRQ thread when its IRQ's core is busy: migrate to a free core, or wait for its own", "assumed: migrate, as the scheduler's wake-up path picks an idle core for an unpinned IRQ thread (kernel/sched select_task_rq_fair)"}) == "migrate";
    // Interrupts register at run time (driver probe), so the affinity keys are read here.
    for (const auto& n : p.children("affinity", {"per interrupt number: the core it targets (default: spread in registration order)", "assumed: spread, as irqbalance or managed affinity spreads device interrupts over cores"})) {
        const auto irq = parse_uint(n);
        if (!irq || *irq > 0xffffffffull)
            throw ConfigError("parameter '" + p.path("affinity") + "." + n + "': expected an interrupt number as the key");
        affinity_[static_cast<unsigned>(*irq)] = static_cast<unsigned>(
            p.sub("affinity").get_uint(n, 0, "core", {"core interrupt " + n + " targets (smp_affinity)", "assumed: spread, as irqbalance or managed affinity spreads device interrupts over cores"}, 0, cpu.cores() - 1));
    }
    const std::string me = this->name();
    delay_ = &ctx.inject.declare(me.substr(0, me.find('.')), "irq.delay",
                                 "the next count interrupts (any line) reach their core duration late (a masked or lost-then-retried interrupt)");
    for (const InjectSpec* s : delay_->specs())
        if (s->duration_ps == 0) throw ConfigError("parameter 'platform.inject." + s->name + ".duration': irq.delay needs a positive duration");
    msi.register_b_transport(this, &IrqController::b_transport);
    ctx.traces.add(std::string(this->name()) + ".irq_threads_running", threads_running_);
    ctx.traces.add(std::string(this->name()) + ".irqs_raised", raised_total_);
    SC_HAS_PROCESS(IrqController);
    SC_METHOD(deliver_msis);
    sensitive << msi_arrival_;
    dont_initialize();
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json irqs = nlohmann::json::object();
        for (const auto& [n, l] : lines_) {
            nlohmann::json e = {{"irq", n}, {"count", l->count}, {"core", l->core}, {"thread_on_own_core", l->on_own_core},
                                {"thread_migrated", l->migrated}, {"cpu_ns", l->cpu_ps / 1000.0}};
            if (l->level) e["level_retaken"] = l->level_retaken;
            if (l->delayed) e["delayed"] = l->delayed;
            irqs[l->name.empty() ? std::to_string(n) : l->name] = e;
        }
        root["host"]["irqs"] = irqs;
        root["host"]["irqs_unhandled"] = unhandled_;
    });
}

void IrqController::connect_line(const sc_core::sc_signal_in_if<bool>& line, unsigned irq) {
    sc_core::sc_spawn_options opt;
    opt.spawn_method();
    opt.dont_initialize();
    opt.set_sensitivity(&line.posedge_event());
    sc_core::sc_spawn([this, irq] { raise(irq); }, sc_core::sc_gen_unique_name("line"), &opt);
}

void IrqController::request_threaded_irq(unsigned irq, const std::string& name, std::function<void(uint64_t)> fn) {
    auto& l = lines_[irq];
    if (!l) l = std::make_unique<Line>();
    l->name = name;
    l->fn = std::move(fn);
    auto aff = affinity_.find(irq);
    l->core = aff != affinity_.end() ? aff->second : registered_ % cpu_.cores();
    ++registered_;
    sc_core::sc_spawn([this, irq] { handler_thread(irq); }, sc_core::sc_gen_unique_name("irq_thread"));
}

void IrqController::raise(unsigned irq) {
    auto it = lines_.find(irq);
    if (it == lines_.end() || !it->second->fn) { ++unhandled_; return; }
    Line& l = *it->second;
    ++l.count;
    ++raised_total_;
    if (!l.pending) l.raised_ps = now_ps();
    if (delay_->armed())
        if (const InjectSpec* s = delay_->fire(now_ps())) {
            l.held_until_ps = std::max(l.held_until_ps, now_ps() + s->duration_ps);
            ++l.delayed;
        }
    l.pending = true;
    l.ev.notify(sc_core::SC_ZERO_TIME);
}

void IrqController::connect_level_line(const sc_core::sc_signal_in_if<bool>& line, unsigned irq) {
    auto& l = lines_[irq];
    if (!l) l = std::make_unique<Line>();
    l->level = &line;
    connect_line(line, irq);
}

void IrqController::handler_thread(unsigned irq) {
    Line& l = *lines_[irq];
    cpu_.set_thread(Cpu::Kind::irq_thread, Cpu::kPrioIrqThread, static_cast<int>(l.core), !migrate_);
    for (;;) {
        if (!l.pending) sc_core::wait(l.ev);
        if (l.held_until_ps > now_ps()) sc_core::wait(sc_core::sc_time(double(l.held_until_ps - now_ps()), sc_core::SC_PS));
        l.pending = false;           // masked (ONESHOT) from here until the thread returns
        uint64_t raised = l.raised_ps;
        const uint64_t t0 = now_ps();
        cpu_.hardirq(l.core, hardirq_ps_.sample());
        // The IRQ thread (SCHED_FIFO) takes its core (or, migrating, the next free one) ahead
        // of normal threads and keeps it while its handler runs.
        OnCore core(cpu_);
        ++(cpu_.current_core() == static_cast<int>(l.core) ? l.on_own_core : l.migrated);
        cpu_.busy(wakeup_ps_.sample(), "irq_thread_wakeup");
        ++threads_running_;
        l.fn(raised);
        --threads_running_;
        l.cpu_ps += now_ps() - t0;
        if (l.level && !l.pending) {
            // ONESHOT unmask: a level still asserted (the device's register writes have
            // settled after two deltas) is taken again at once.
            sc_core::wait(sc_core::SC_ZERO_TIME);
            sc_core::wait(sc_core::SC_ZERO_TIME);
            if (l.level->read()) {
                ++l.level_retaken;
                ++l.count;
                ++raised_total_;
                l.raised_ps = now_ps();
                l.pending = true;
            }
        }
    }
}

int IrqController::irq_core(unsigned irq) const {
    auto it = lines_.find(irq);
    return it == lines_.end() || !it->second->fn ? -1 : static_cast<int>(it->second->core);
}

void IrqController::deliver_msis() {
    while (!msi_pending_.empty() && msi_pending_.begin()->first <= now_ps()) {
        unsigned irq = msi_pending_.begin()->second;
        msi_pending_.erase(msi_pending_.begin());
        raise(irq);
    }
}

void IrqController::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (!gp.is_write() || gp.get_data_length() != 4 || gp.get_address() != doorbell_address()) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    uint32_t data;
    std::memcpy(&data, gp.get_data_ptr(), 4);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    // The write is posted: the interrupt is raised when it arrives.
    msi_pending_.emplace(now_ps() + delay.value(), data);
    msi_arrival_.notify(delay);
}

}  // namespace iopf
