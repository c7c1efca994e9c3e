// SMMUv3 (Arm IHI 0070) timed model: the programming interface (MMIO registers, stream
// table, context descriptors, command and event queues in memory, wired IRQs and MSIs) in
// front of the shared functional core (stage-1 walker, TLB, configuration caches).
//
// Ports:
//   upstream  - device transactions (the TBU side); the IopfExt extension carries SID/SSID.
//   downstream- translated transactions to the interconnect.
//   walk_port - the SMMU's own accesses: STE/CD fetches, descriptor reads, queue reads and
//               writes, MSI writes. Every one is a timed TLM transaction.
//   mmio      - the register file (page 0 and page 1, 128 KiB at `mmio_base`).
// Timing parameters are in cycles of `clock_mhz`; contention is explicit (translation slots,
// walker slots, the event-queue writer) so queueing shows up in latency.
#pragma once
#include <cstdint>
#include <map>
#include <deque>
#include <set>
#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/common/clock.h"
#include "models/common/component.h"
#include "models/common/context.h"
#include "models/common/payload.h"
#include "models/common/resource.h"
#include "models/smmu/config_cache.h"
#include "models/smmu/shell/translation_shell.h"
#include "models/smmu/tlb.h"
#include "models/smmu/walker.h"
#include "models/smmu/v3/format/cd.h"
#include "models/smmu/v3/format/command.h"
#include "models/smmu/v3/format/event.h"
#include "models/smmu/v3/format/features.h"
#include "models/smmu/v3/format/pri.h"
#include "models/smmu/v3/format/queue.h"
#include "models/smmu/v3/format/regs.h"
#include "models/smmu/v3/format/ste.h"

namespace iopf {

class SmmuV3 : public sc_core::sc_module, public IommuModel {
public:
    static constexpr uint64_t kMmioSize = 0x20000;

    tlm_utils::multi_passthrough_target_socket<SmmuV3, 32, tlm::tlm_base_protocol_types, 0,
                                               sc_core::SC_ZERO_OR_MORE_BOUND> upstream;
    tlm_utils::simple_initiator_socket<SmmuV3> downstream;
    tlm_utils::simple_initiator_socket<SmmuV3> walk_port;
    tlm_utils::simple_target_socket<SmmuV3> mmio;
    // PCIe messages to endpoints (PRG Responses, ATS Invalidate Requests), via root complexes.
    tlm_utils::multi_passthrough_initiator_socket<SmmuV3, 32, tlm::tlm_base_protocol_types, 0,
                                                  sc_core::SC_ZERO_OR_MORE_BOUND> pcie_msg;

    // Wired interrupt outputs (edge: a one-cycle pulse) and the SEV wake-up output. Any
    // SMMU process that records an event or completes a command may raise them.
    using Line = sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>;
    Line evtq_irq{"evtq_irq", false};
    Line gerror_irq{"gerror_irq", false};
    Line priq_irq{"priq_irq", false};
    Line sev{"sev", false};

    SmmuV3(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    uint64_t mmio_base() const { return mmio_base_; }
    const smmu::v3::Features& features() const { return feat_; }
    // Transactions currently held stalled (waiting for CMD_RESUME / CMD_STALL_TERM).
    uint64_t stalled_count() const override { return stalled_now_; }
    DeviceTargetSocket& device_port() override { return upstream; }
    bool bind_pcie_messages(DeviceTargetSocket& rc_in) override {
        pcie_msg.bind(rc_in);
        return true;
    }

    // Counters (also in the stats JSON).
    struct Counters {
        uint64_t ats_requests = 0, ats_negative = 0, ats_translated = 0, pri_overflow = 0, pri_auto_responses = 0,
                 prg_responses = 0, atc_invalidations = 0, atc_inv_completions = 0, msgs_unroutable = 0,
                 stop_markers = 0;
        uint64_t stall_table_waits = 0, resumes = 0, resume_unknown = 0, stall_terms = 0, stall_record_waits = 0;
        uint64_t translations = 0, tlb_hits = 0, tlb_misses = 0, tlb_miss_coalesced = 0, walks = 0,
                 walk_reads = 0, events = 0, events_lost = 0, events_dropped_disabled = 0, stalls = 0,
                 pri_requests = 0, cfg_hits = 0, cfg_misses = 0, cfg_fetches = 0, bypassed = 0,
                 aborted = 0, raz_wi = 0, cmdq_errors = 0, mmio_reads = 0, mmio_writes = 0,
                 mmio_unknown = 0;
        // Stage 2: walks of S2-only streams, nested walks and the memory reads they made
        // (both stages; walk_reads includes them too), faults at stage 2.
        uint64_t s2_walks = 0, nested_walks = 0, nested_walk_reads = 0, s2_faults = 0;
        // Error paths (fault injection, docs/reliability.md): aborted queue writes and MSIs,
        // events and PPRs refused while the queue's abort error was unacknowledged.
        uint64_t evtq_aborts = 0, priq_aborts = 0, msi_aborts = 0, events_dropped_abort = 0, pri_dropped_abort = 0;
    };
    const Counters& counters() const { return c_; }
    const smmu::Tlb& tlb() const { return tlb_; }

private:
    // ---- translation (smmu_v3_xlate.cpp)
    enum class Action { translate, bypass, abort, raz_wi };
    struct Outcome {
        Action action = Action::abort;
        uint64_t pa = 0;
        smmu::EventId event = smmu::EventId::None;   // recorded if != None
        bool record = false;
        bool stall = false;                          // the fault stalls the transaction
        uint8_t cls = 0;                             // event CLASS: 0 CD, 1 TT, 2 IN
        uint64_t fetch_addr = 0;
        smmu::LeafAttrs attrs;                       // translate: the leaf's permissions
        unsigned size_log2 = 12;
        bool s2 = false;                             // the fault is at stage 2 (event S2 = 1)
        uint64_t ipa = 0;                            // stage-2 fault: the IPA (event IPA field)
        int vmid = -1;                               // the stream's VMID when stage 2 is on
        // The address space a translation belongs to, for the isolation monitor: VMID << 16 |
        // ASID of the translation context (IsolationMonitor::kBypass when bypassed).
        uint32_t space = 0;
    };
    struct CdEntry {
        smmu::v3::Cd cd;
        smmu::VmsaStage1Walker s1;   // stage 1's walker format and its configuration
    };
    // What the config-lookup step found: copies of the STE and CD (a cached entry may be
    // evicted or invalidated while this translation waits) and the translation context.
    struct Lookup {
        smmu::v3::Ste ste;
        CdEntry cd;
        smmu::S2Config s2;           // stage 2 of the STE (Config 0b11x)
        smmu::XlateContext ctx;
    };
    void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    bool fast_hit(IopfExt& ext, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    // The named steps: translate() = config_lookup -> (shell) tlb_or_walk -> fault_policy.
    Outcome translate(const IopfExt& ext, uint64_t va, const smmu::Access& acc);
    // STE + CD -> context. False: `o` is decided (bypass, abort, configuration fault), or in
    // `probe` mode (fast path: cache-only, no time, no counting) the case is not a plain hit.
    bool config_lookup(const IopfExt& ext, uint64_t va, Outcome& o, Lookup& l, bool probe);
    void make_context(const IopfExt& ext, Lookup& l) const;
    // Terminate (CD.A abort / RAZ-WI), stall (STALL_MODEL, CD.S, STE.S1STALLD), or negative
    // ATS completion, and whether the event is recorded (CD.R).
    void fault_policy(const IopfExt& ext, const Lookup& l, const smmu::WalkResult& wr, Outcome& o) const;
    // Configuration lookups copy the entry out: a cached entry may be evicted or invalidated
    // while this translation waits on a timed access.
    smmu::EventId fetch_ste(uint32_t sid, smmu::v3::Ste& out, uint64_t& fetch_addr);
    // Nested streams (`s2` set): the CD table address is an IPA translated at stage 2; a
    // fault there is returned with o->s2 / o->ipa set (a stage-2 fault with CLASS CD).
    smmu::EventId fetch_cd(uint32_t sid, uint32_t ssid, const smmu::v3::Ste& ste, CdEntry& out,
                           uint64_t& fetch_addr, const smmu::S2Config* s2 = nullptr, Outcome* o = nullptr);
    // Stage-2 fault policy (STE.S2S stall, STE.S2R record; terminate = abort).
    void stage2_fault(Outcome& o, const smmu::v3::Ste& ste, const IopfExt& ext, smmu::EventId e, uint8_t cls,
                      uint64_t ipa) const;
    smmu::v3::EventRecord make_record(const IopfExt& ext, const tlm::tlm_generic_payload& gp, const Outcome& o) const;
    // Holds the transaction in the stall table until software resumes it; returns the
    // response: RETRY, TERM (RAZ/WI) or ABORT.
    smmu::v3::ResumeResp stall(const IopfExt& ext, const tlm::tlm_generic_payload& gp, const Outcome& o,
                               uint64_t fault_id);
    void complete_terminated(tlm::tlm_generic_payload& gp, Action action);

    // ---- ATS and PRI (smmu_v3_ats.cpp)
    void ats_translate(IopfExt& ext, tlm::tlm_generic_payload& gp);
    // `fault_id`: the fault-latency probe's tag of the message (instrumentation only).
    void pri_port(const IopfExt& ext, const PageRequest& pr, uint64_t fault_id);
    void priq_write(const smmu::v3::PriEntry& e, uint64_t fault_id);
    void send_prg_response(uint32_t sid, const PrgResponse& r);
    void auto_respond(const smmu::v3::PriEntry& e, PrgResponseCode code);
    void msg_thread();                            // delivers queued messages to endpoints
    struct OutMsg {
        PcieMsg kind;
        uint32_t sid;
        PrgResponse prg;
        AtcInvalidate inv;
    };
    std::deque<OutMsg> out_msgs_;
    sc_core::sc_event out_msg_ev_, atc_inv_done_;
    uint64_t atc_inv_outstanding_ = 0;
    uint32_t next_itag_ = 0;

    // ---- timed memory accesses through walk_port
    // Timed accesses through walk_port; with a point, fault injection may abort them.
    bool mem_read(uint64_t addr, void* dst, unsigned len, InjectPoint* abort = nullptr);
    bool mem_write(uint64_t addr, const void* src, unsigned len, InjectPoint* abort = nullptr);
    // Fault injection (models/common/inject.h): aborts of the SMMU's own accesses.
    struct InjectPoints {
        InjectPoint *cmdq_fetch, *evtq_write, *priq_write, *msi_write, *ste_fetch, *cd_fetch;
    } inj_{};
    // An unacknowledged EVENTQ_ABT_ERR / PRIQ_ABT_ERR makes the queue unwritable (IHI 0070
    // 7.2.1, 8.2) until software writes GERRORN.
    bool gerror_active(uint32_t bit) const { return (gerror_ ^ gerrorn_) & bit; }
    sc_core::sc_event gerror_ack_ev_;
    // Time in this SMMU's clock on a synchronised path (the fast-mode hit path annotates its
    // delay instead and never calls this).
    void spend(uint64_t cycles) { shell_.spend(cycles); }

    // ---- registers (smmu_v3_regs.cpp)
    void mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    uint64_t reg_read(uint32_t off, unsigned len);
    void reg_write(uint32_t off, uint64_t v, unsigned len);
    void ack_process();   // CR0ACK / IRQ_CTRLACK follow after a delay

    // Queue geometry from a *_BASE register value.
    static smmu::v3::QueuePtr qptr(uint64_t base) {
        return smmu::v3::QueuePtr(static_cast<unsigned>(smmu::v3::q_base::LOG2SIZE.get(base)));
    }
    static uint64_t qaddr(uint64_t base) { return base & smmu::v3::q_base::ADDR.mask(); }

    // ---- queues (smmu_v3_queues.cpp)
    void cmdq_thread();
    bool execute(const smmu::v3::Command& cmd, uint32_t& cerror);
    void cmdq_error(uint32_t cerror);
    // Writes an event record. Returns false when it could not be written: queue disabled, or
    // full. A full queue overflows for ordinary records; a stall record (`stall`) is never
    // lost: the caller waits for space and presents it again.
    bool write_event(const smmu::v3::EventRecord& ev, bool stall = false);
    void signal_irq(Line& line, uint64_t cfg0_addr, uint32_t cfg1_data, uint32_t irqen_bit);
    void pulse(Line& line);
    void lower_lines();

    SimContext& ctx_;
    Clock clk_;
    uint64_t mmio_base_;
    smmu::v3::Features feat_;

    // Timing parameters (cycles).
    uint64_t ifc_cycles_, tlb_cycles_, cfg_cycles_, cmd_cycles_, ack_cycles_;
    FifoResource xlate_slots_, walk_slots_, evtq_writer_, priq_writer_;

    // Functional core.
    smmu::Tlb tlb_;
    smmu::LruCache<uint32_t, smmu::v3::Ste> ste_cache_;
    smmu::LruCache<uint64_t, CdEntry> cd_cache_;

    // Register state.
    uint32_t cr0_ = 0, cr0ack_ = 0, cr1_ = 0, cr2_ = 0, gbpa_ = 0, irq_ctrl_ = 0, irq_ctrlack_ = 0;
    uint32_t gerror_ = 0, gerrorn_ = 0;
    uint64_t gerror_irq_cfg0_ = 0;
    uint32_t gerror_irq_cfg1_ = 0, gerror_irq_cfg2_ = 0;
    uint64_t strtab_base_ = 0;
    uint32_t strtab_base_cfg_ = 0;
    uint64_t cmdq_base_ = 0;
    uint32_t cmdq_prod_ = 0, cmdq_cons_ = 0;
    uint64_t evtq_base_ = 0;
    uint32_t evtq_prod_ = 0, evtq_cons_ = 0;
    uint64_t evtq_irq_cfg0_ = 0;
    uint32_t evtq_irq_cfg1_ = 0, evtq_irq_cfg2_ = 0;
    uint64_t priq_base_ = 0;
    uint32_t priq_prod_ = 0, priq_cons_ = 0;
    uint64_t priq_irq_cfg0_ = 0;
    uint32_t priq_irq_cfg1_ = 0, priq_irq_cfg2_ = 0;
    bool cmdq_stopped_ = false;   // CMDQ_CONS.ERR set, waiting for GERRORN ack

    // Stall table (IDR5.STALL_MAX entries); STAG = entry index.
    smmu::StallTable stall_table_;   // entry resp: ResumeResp once resumed
    void resume(uint32_t sid, uint16_t stag, smmu::v3::ResumeResp resp);
    sc_core::sc_event evtq_space_;   // software moved EVTQ_CONS

    sc_core::sc_event cmdq_kick_, ack_ev_, lower_ev_;

    // Traced.
    uint64_t priq_occupancy_ = 0;
    uint64_t evtq_occupancy_ = 0, cmdq_occupancy_ = 0, xlate_active_ = 0, walks_active_ = 0;
    uint64_t faults_in_flight_ = 0, stalled_now_ = 0;

    Counters c_;
    std::map<std::string, uint64_t> cmd_counts_, event_counts_;

    // The shared IOMMU shell (models/smmu/shell): TLB and walk steps, fault lifecycle, timed
    // accesses through walk_port. Declared last: it refers to the members above.
    smmu::TranslationShell shell_;
};

}  // namespace iopf
