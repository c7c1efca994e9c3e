// SMMU-500-style SMMUv2 (Arm IHI 0062) timed model: the global register space (sCR0, ID
// registers, SMRn/S2CRn stream matching, CBARn/CBA2Rn/CBFRSYNRAn, global TLB maintenance)
// and N stage-1 context banks (SCTLR, TCR/TCR2, TTBR0/1, MAIR, FSR/FAR/FSYNR0, RESUME,
// TLBIALL/TLBIASID/TLBIVA(A)(L), TLBSYNC/TLBSTATUS), in front of the shared functional core
// (VMSAv8-64 stage-1 walker, TLB).
//
// Fault model (the part this model exists for), per context bank:
//  * A context fault records FSR (TF/AFF/PF/ASF/EF), FAR, FSYNR0 and GR1 CBFRSYNRA, unless
//    FSR already holds a fault: then only FSR.MULTI is set (FAR/FSYNR0 keep the first).
//  * SCTLR.CFCFG = 0 (terminate): the faulting transaction is terminated at once: an abort
//    when SCTLR.CFRE = 1, else reads-as-zero / writes-ignored.
//    SCTLR.CFCFG = 1 (stall): the transaction is held (FSR.SS = 1) until software writes
//    CB_RESUME: TnR = 0 retries it as though newly arrived, TnR = 1 terminates it. One
//    RESUME resolves every transaction stalled in the bank (there is no stall tag).
//    Clearing FSR does not release a stalled transaction; only RESUME does.
//  * Transactions arriving while a fault is outstanding in the bank (FSR holds a fault, or
//    a stalled transaction awaits RESUME): with SCTLR.HUPCF = 1 they are processed
//    independently of it (hits complete; a further fault is recorded as above and stalls
//    or terminates per CFCFG); with HUPCF = 0 they are not processed: under CFCFG = 1 they
//    wait behind the fault (stalled, hit or miss) until it is resolved, under CFCFG = 0
//    they are terminated. See docs/models/smmu-v2.md for the sources.
//  * One context interrupt line per IRPTNDX (CBAR.IRPTNDX, Linux: = bank index), level:
//    asserted while SCTLR.CFIE = 1 and FSR != 0.
//  * A stalled or held transaction keeps its translation slot: stalls back-pressure every
//    context bank sharing the SMMU.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/common/clock.h"
#include "models/common/component.h"
#include "models/common/context.h"
#include "models/common/payload.h"
#include "models/common/resource.h"
#include "models/smmu/shell/translation_shell.h"
#include "models/smmu/tlb.h"
#include "models/smmu/v2/format/regs.h"
#include "models/smmu/walker.h"

namespace iopf {

class SmmuV2 : public sc_core::sc_module, public IommuModel {
public:
    // Devices bind here; an SMMU with no device bound is allowed (zero or more bindings).
    tlm_utils::multi_passthrough_target_socket<SmmuV2, 32, tlm::tlm_base_protocol_types, 0, sc_core::SC_ZERO_OR_MORE_BOUND>
        upstream;
    tlm_utils::simple_initiator_socket<SmmuV2> downstream;
    tlm_utils::simple_initiator_socket<SmmuV2> walk_port;
    tlm_utils::simple_target_socket<SmmuV2> mmio;

    // Global fault interrupt (level: sCR0.GFIE and sGFSR != 0).
    sc_core::sc_signal<bool> global_irq{"global_irq", false};

    SmmuV2(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    uint64_t mmio_base() const { return mmio_base_; }
    uint64_t mmio_size() const { return 2ull * smmu::v2::numpage(id_.numpagendxb) * smmu::v2::reg::PAGE_SIZE; }
    unsigned context_banks() const { return id_.numcb; }
    unsigned context_irqs() const { return static_cast<unsigned>(irq_lines_.size()); }
    // Context interrupt line `i` (banks whose CBAR.IRPTNDX = i drive it).
    const sc_core::sc_signal<bool>& context_irq(unsigned i) const { return *irq_lines_.at(i); }
    // Transactions currently held in the SMMU: stalled on a fault, or waiting behind one.
    uint64_t stalled_count() const override { return stalled_now_ + held_now_; }
    DeviceTargetSocket& device_port() override { return upstream; }

    // Context-bank register writes (SCTLR, FSR, RESUME, TLB maintenance), in order, for
    // tests and the queue log (the first `reg_log_limit` only).
    struct RegEvent {
        uint64_t t_ps;
        unsigned cb;
        uint32_t off;
        uint64_t value;
    };
    const std::vector<RegEvent>& reg_log() const { return reg_log_; }
    // Register values, read without side effects (tests).
    uint32_t fsr(unsigned cb) const { return banks_.at(cb)->fsr; }
    uint32_t sctlr(unsigned cb) const { return banks_.at(cb)->sctlr; }

    struct Counters {
        uint64_t translations = 0, tlb_hits = 0, tlb_misses = 0, tlb_miss_coalesced = 0, walks = 0, walk_reads = 0,
                 events = 0, fsr_records = 0, multi = 0, stalls = 0, held = 0, terminated_under_fault = 0,
                 resumes = 0, resume_retry = 0, resume_terminate = 0, resume_ignored = 0, aborted = 0, raz_wi = 0,
                 bypassed = 0, stream_faults = 0, config_errors = 0, mmio_reads = 0, mmio_writes = 0,
                 mmio_unknown = 0, retried_ok = 0, translated_under_fault = 0;
    };
    const Counters& counters() const { return c_; }

private:
    enum class Route { bypass, abort, translate };
    struct Stalled {
        uint64_t fault_id = 0;
        int resp = -1;   // TnR once resumed
    };
    struct Episode {
        uint64_t start_ps = 0, end_ps = 0, stalled = 0, held = 0;
    };
    struct Bank {
        unsigned index = 0;
        // Registers.
        uint32_t sctlr = 0, actlr = 0, tcr = 0, tcr2 = 0, contextidr = 0, mair0 = 0, mair1 = 0, fsr = 0,
                 fsynr0 = 0, fsynr1 = 0, cbar = 0, cba2r = 0, cbfrsynra = 0;
        uint64_t ttbr0 = 0, ttbr1 = 0, far = 0, par = 0;
        uint64_t tlbsync_done_ps = 0;
        // Decoded translation configuration (rebuilt after a configuration write).
        bool dirty = true, cfg_ok = false;
        smmu::VmsaStage1Walker s1;   // stage 1's walker format and its configuration
        uint16_t asid = 0;
        // Fault state.
        std::vector<Stalled*> stalled;    // stalled on a fault, in stall order
        uint64_t unresolved = 0;          // stalled and not yet resumed
        uint64_t held_now = 0;            // waiting behind an outstanding fault (HUPCF = 0)
        uint64_t recorded_fault = 0;      // FaultTracker id of the fault in FAR/FSYNR0
        sc_core::sc_event resumed, unblock;
        // Traced.
        bool fsr_ss = false;
        uint64_t stalled_now = 0;
        // Stats.
        bool in_episode = false;
        Episode cur;
        std::vector<Episode> episodes;     // the first kMaxEpisodes
        uint64_t episode_count = 0, stalled_ps = 0, max_stalled = 0, behind_fault = 0, max_behind_fault = 0;
        uint64_t txn_ok = 0, bytes_ok = 0, first_ok_ps = 0, last_ok_ps = 0;
        uint64_t foreign_stall_ps = 0, bytes_during_foreign_stall = 0;
        uint64_t events = 0, stalls = 0, held_total = 0, terminated_under_fault = 0, translated_under_fault = 0;
    };
    static constexpr size_t kMaxEpisodes = 256;

    // ---- translation (smmu_v2.cpp)
    void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    bool fast_hit(const IopfExt& ext, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    Route route(uint32_t sid, unsigned& cb, bool record);
    bool bank_config(Bank& b);
    // The named steps: route() + bank_config() are the config lookup, context() the
    // translation context; translate() runs the shell's tlb and walk steps.
    // The isolation monitor's address-space tag of a bank: bank << 16 | CB's ASID (what
    // the host driver revokes after its TLBI + TLBSYNC).
    static uint32_t space(const Bank& b) { return (uint32_t(b.index) << 16) | b.asid; }
    smmu::XlateContext context(const Bank& b) const;
    smmu::WalkResult translate(Bank& b, uint64_t va, const smmu::Access& acc);
    bool outstanding(const Bank& b) const { return (b.fsr & smmu::v2::fsr::ALL) != 0 || b.unresolved > 0; }
    void record_fault(Bank& b, const IopfExt& ext, const tlm::tlm_generic_payload& gp, const smmu::WalkResult& wr,
                      bool stall, uint64_t fault_id);
    int stall(Bank& b, uint64_t fault_id);
    void terminate(Bank& b, tlm::tlm_generic_payload& gp);
    void note_ok(Bank& b, uint64_t bytes);
    void held_change(Bank& b, int64_t d);
    void occupancy_changed(Bank& b);

    // ---- memory accesses through walk_port
    bool mem_read(uint64_t addr, void* dst, unsigned len);
    void spend(uint64_t cycles);   // synchronised path: waits

    // ---- registers (smmu_v2_regs.cpp)
    void mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    uint64_t reg_read(uint32_t off, unsigned len);
    void reg_write(uint32_t off, uint64_t v, unsigned len);
    uint64_t cb_read(Bank& b, uint32_t off, unsigned len);
    void cb_write(Bank& b, uint32_t off, uint64_t v, unsigned len);
    void resume(Bank& b, uint32_t value);
    void clear_ss(Bank& b);   // CB_RESUME: the only write that clears FSR.SS
    // Interrupt outputs are driven by one SC_METHOD (drive_irqs) from the register state;
    // update_irqs() asks it to re-evaluate in the next delta.
    void update_irqs() { irq_ev_.notify(sc_core::SC_ZERO_TIME); }
    void drive_irqs();
    void log_write(Bank& b, uint32_t off, uint64_t v);

    SimContext& ctx_;
    Clock clk_;
    uint64_t mmio_base_;
    smmu::v2::Id id_;
    unsigned oas_bits_;

    uint64_t ifc_cycles_, smr_cycles_, tlb_cycles_, record_cycles_, tlbsync_cycles_;
    FifoResource xlate_slots_, walk_slots_;
    size_t reg_log_limit_;

    smmu::Tlb tlb_;

    // Global registers.
    uint32_t scr0_ = smmu::v2::scr0::CLIENTPD, sacr_ = 0, sgfsr_ = 0, sgfsynr0_ = 0, sgfsynr1_ = 0;
    uint64_t sgfar_ = 0, gsync_done_ps_ = 0;
    std::vector<uint32_t> smr_, s2cr_;
    std::vector<std::unique_ptr<Bank>> banks_;
    std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> irq_lines_;
    sc_core::sc_event irq_ev_;
    sc_core::sc_time write_arrival_;   // annotated delay of the register write being handled
    std::vector<uint64_t> irq_low_until_ps_;   // a line held low until then (re-trigger)

    // Traced / state.
    uint64_t xlate_active_ = 0, walks_active_ = 0, stalled_now_ = 0, held_now_ = 0, faults_in_flight_ = 0;
    unsigned banks_occupied_ = 0;   // banks with a transaction stalled or held
    uint64_t last_occupancy_change_ps_ = 0;

    Counters c_;
    std::map<std::string, uint64_t> cmd_counts_, event_counts_;
    std::vector<RegEvent> reg_log_;

    // The shared IOMMU shell (models/smmu/shell); declared last: it refers to the members above.
    smmu::TranslationShell shell_;
    InjectPoint* usf_inject_;   // fault injection "smr_match"
};

}  // namespace iopf
