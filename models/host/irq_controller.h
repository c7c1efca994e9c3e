// Interrupt controller (GIC-like): edge-triggered wired lines and an MSI doorbell (a 32-bit
// write of the interrupt number to the doorbell register, like GITS_TRANSLATER), delivering
// to Linux-style threaded handlers: the hard IRQ runs on a core, wakes the handler thread
// (IRQF_ONESHOT: the interrupt stays masked while the thread runs; an interrupt that
// arrives meanwhile makes the thread run again), each step costing core time.
// Affinity: every line or vector targets one core (`affinity.<irq>`, default spread over the
// cores in registration order, as irqbalance would); its hard IRQ runs there, preempting
// whatever runs, and its thread prefers that core: `thread_placement` wait (stay on it, as
// Linux's irq_thread_check_affinity keeps it) or migrate (take another free core).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/common/context.h"
#include "models/host/cpu.h"

namespace iopf {

class IrqController : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<IrqController> msi;   // doorbell target

    IrqController(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, Cpu& cpu);

    uint64_t doorbell_base() const { return base_; }
    uint64_t doorbell_size() const { return 0x10000; }
    uint64_t doorbell_address() const { return base_ + 0x40; }   // the TRANSLATER-like register

    // Wires an edge-triggered line to interrupt number `irq`.
    void connect_line(const sc_core::sc_signal_in_if<bool>& line, unsigned irq);
    // Wires a level-sensitive line (a GIC SPI configured level): taken on its rising edge,
    // and taken again when the handler's thread finishes (IRQF_ONESHOT unmask) if the line
    // is still asserted, as an SMMU-500 context interrupt is while FSR.SS stays set.
    void connect_level_line(const sc_core::sc_signal_in_if<bool>& line, unsigned irq);
    // Registers a threaded handler. `thread_fn` runs in the handler's own thread, on a core
    // the thread holds (IRQ-thread priority). It receives the time the interrupt was raised.
    void request_threaded_irq(unsigned irq, const std::string& name, std::function<void(uint64_t raised_ps)> thread_fn);
    void raise(unsigned irq);
    // The core interrupt `irq` targets (after request_threaded_irq), or -1.
    int irq_core(unsigned irq) const;

private:
    struct Line {
        std::string name;
        std::function<void(uint64_t)> fn;
        bool pending = false;
        uint64_t raised_ps = 0;
        sc_core::sc_event ev;
        uint64_t count = 0;
        unsigned core = 0;
        uint64_t on_own_core = 0, migrated = 0;
        const sc_core::sc_signal_in_if<bool>* level = nullptr;   // level-sensitive line
        uint64_t level_retaken = 0;   // taken again at unmask because the level was still high
        uint64_t cpu_ps = 0;          // core time of hard IRQ + thread wake-up + handler
        uint64_t held_until_ps = 0;   // fault injection: delivery held back until then
        uint64_t delayed = 0;
    };
    InjectPoint* delay_ = nullptr;    // fault injection: "irq.delay"
    void handler_thread(unsigned irq);
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void deliver_msis();

    SimContext& ctx_;
    Cpu& cpu_;
    std::map<unsigned, unsigned> affinity_;   // irq -> core, from the platform
    bool migrate_ = true;
    unsigned registered_ = 0;
    uint64_t base_;
    Cost hardirq_ps_, wakeup_ps_;
    std::map<unsigned, std::unique_ptr<Line>> lines_;
    uint64_t unhandled_ = 0;
    uint64_t threads_running_ = 0, raised_total_ = 0;   // traced
    std::multimap<uint64_t, unsigned> msi_pending_;   // arrival time -> interrupt number
    sc_core::sc_event_queue msi_arrival_;
};

}  // namespace iopf
