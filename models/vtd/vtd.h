// Intel VT-d remapping hardware unit (DMA remapping, scalable mode) timed model: the
// register file over MMIO, root / scalable-mode context / PASID directory / PASID tables
// fetched from simulated memory, first-stage translation with the x86-64 page-table walker
// (models/smmu/walker_x86.h), an IOTLB and context / PASID caches, the invalidation queue
// (every descriptor of models/vtd/format/descriptors.h, wait descriptors with status
// write), primary fault logging in the fault recording registers for non-recoverable
// faults, and Page Request Services: the page request queue (PQH/PQT/PQA, PRS_REG PPR and
// PRO, overflow with automatic responses), page group responses from the invalidation
// queue to the endpoint, device-TLB invalidations to the endpoint's ATC. Fault events and
// page request events are MSIs (FEADDR/FEDATA, PEADDR/PEDATA).
//
// A front end on the IOMMU shell (models/smmu/shell): the config-lookup step here yields an
// XlateContext {DID, PASID tag, x86-64 first-stage walker}; the shell does the IOTLB, the
// coalesced walk, the fault lifecycle and terminated completions; fast mode probes the same
// caches and IOTLB.
//
// Ports: as the SMMUv3 (upstream from devices or a root complex, downstream to memory,
// walk_port for the unit's own accesses, mmio for the registers, pcie_msg for messages to
// endpoints). Spec references are to the VT-d specification rev. 4.x (docs/models/vtd.md).
// Timing parameters are cycles of `clock_mhz`.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

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
#include "models/smmu/shell/xlate_context.h"
#include "models/smmu/tlb.h"
#include "models/smmu/walker_x86.h"
#include "models/vtd/format/descriptors.h"
#include "models/vtd/format/regs.h"
#include "models/vtd/format/tables.h"

namespace iopf {

class Vtd : public sc_core::sc_module, public IommuModel {
public:
    static constexpr uint64_t kMmioSize = vtd::reg::SIZE;

    tlm_utils::multi_passthrough_target_socket<Vtd, 32, tlm::tlm_base_protocol_types, 0,
                                               sc_core::SC_ZERO_OR_MORE_BOUND> upstream;
    tlm_utils::simple_initiator_socket<Vtd> downstream;
    tlm_utils::simple_initiator_socket<Vtd> walk_port;
    tlm_utils::simple_target_socket<Vtd> mmio;
    tlm_utils::multi_passthrough_initiator_socket<Vtd, 32, tlm::tlm_base_protocol_types, 0,
                                                  sc_core::SC_ZERO_OR_MORE_BOUND> pcie_msg;

    Vtd(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    uint64_t mmio_base() const { return mmio_base_; }
    const vtd::Caps& caps() const { return caps_; }
    uint64_t stalled_count() const override { return 0; }   // VT-d never stalls a transaction
    DeviceTargetSocket& device_port() override { return upstream; }
    bool bind_pcie_messages(DeviceTargetSocket& rc_in) override {
        pcie_msg.bind(rc_in);
        return true;
    }

    struct Counters {
        uint64_t translations = 0, tlb_hits = 0, tlb_misses = 0, tlb_miss_coalesced = 0, walks = 0,
                 walk_reads = 0, ad_writes = 0, bypassed = 0, aborted = 0, raz_wi = 0;   // raz_wi: never (VT-d blocks)
        uint64_t ctx_hits = 0, ctx_misses = 0, pasid_hits = 0, pasid_misses = 0, cfg_fetches = 0;
        uint64_t faults_recorded = 0, faults_fpd = 0, faults_overflow = 0, fault_events = 0;
        uint64_t ats_requests = 0, ats_translated = 0, ats_negative = 0, ats_ur = 0;
        uint64_t page_requests = 0, stop_markers = 0, prq_written = 0, prq_overflow = 0,
                 prq_auto_responses = 0, page_request_events = 0;
        uint64_t inv_descriptors = 0, inv_errors = 0, wait_status_writes = 0, prg_responses = 0,
                 atc_invalidations = 0, atc_inv_completions = 0, msgs_unroutable = 0;
        uint64_t mmio_reads = 0, mmio_writes = 0, mmio_unknown = 0;
    };
    const Counters& counters() const { return c_; }

private:
    // ---- translation (vtd.cpp)
    enum class Action { translate, bypass, abort };
    struct Outcome {
        Action action = Action::abort;
        uint64_t pa = 0;
        uint8_t fr = 0;          // fault reason (0: none)
        bool fpd = false;        // fault processing disabled for this request
        bool translation_fault = false;   // from the first-stage walk (vs. configuration)
        bool writable = false, user = false, executable = false;
        unsigned size_log2 = 12;
    };
    // The isolation monitor's address-space tag: the PASID (or "no PASID"), bypass apart.
    // The VT-d driver reports no revocations yet, so these grants stay live.
    static uint32_t monitor_space(const IopfExt& ext, const Outcome& o) {
        return o.action == Action::bypass ? IsolationMonitor::kBypass : 0x80000000u | (ext.ssv ? ext.ssid : 0xfffffu);
    }
    struct PasidCtx {            // a cached PASID-table entry with what led to it
        vtd::PasidEntry pe;
        bool fpd = false;        // FPD of the context / directory / PASID entry
        uint16_t tag = 0;        // IOTLB tag for (DID, PASID)
    };
    // What the config-lookup step found: the PASID-table entry and the context it yields
    // (the walker lives here, on the translating thread's stack, for the whole walk).
    struct Lookup {
        PasidCtx pc;
        smmu::X86Stage1Walker s1;
        smmu::XlateContext ctx;
    };
    void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    bool fast_hit(IopfExt& ext, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    // The named steps: config lookup (root -> context -> PASID directory -> PASID entry)
    // -> context -> tlb / walk (the shell) -> fault policy.
    Outcome translate(const IopfExt& ext, uint64_t va, const smmu::Access& acc, bool ats_request);
    bool config_lookup(const IopfExt& ext, const smmu::Access& acc, bool ats_request, Outcome& o, Lookup& l);
    bool config_probe(const IopfExt& ext, const smmu::Access& acc, Lookup& l);
    void make_context(const IopfExt& ext, Lookup& l) const;
    void fault_policy(const Lookup& l, const smmu::Access& acc, const smmu::WalkResult& wr, Outcome& o) const;
    uint8_t fetch_context(uint16_t rid, vtd::ContextEntry& out);
    uint8_t fetch_pasid(uint16_t rid, const vtd::ContextEntry& ce, uint32_t pasid, PasidCtx& out);
    uint16_t iotlb_tag(uint16_t did, uint32_t pasid);
    void ats_translate(IopfExt& ext, tlm::tlm_generic_payload& gp);

    // ---- faults, PRS and queues (vtd_queues.cpp)
    void record_fault(const vtd::FaultRecord& r, uint64_t fault_id);
    uint32_t fsts_value() const;
    void fault_event();
    void page_request_event();
    void send_msi(uint32_t addr_lo, uint32_t addr_hi, uint32_t data);
    // `fault_id`: the fault-latency probe's tag of the message (instrumentation only).
    void page_request(const IopfExt& ext, const PageRequest& pr, uint64_t fault_id);
    void prq_write(const vtd::PageReqDesc& d, uint64_t fault_id);
    void auto_respond(const vtd::PageReqDesc& d, PrgResponseCode code);
    void invq_thread();
    bool execute(const vtd::InvDesc& d, const uint64_t* raw);
    void invq_error(vtd::Iqei why);
    void msg_thread();
    void send_msg(PcieMsg kind, uint16_t rid, const PrgResponse* prg, const AtcInvalidate* inv);

    // ---- registers (vtd_regs.cpp)
    void mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    uint64_t reg_read(uint32_t off, unsigned len);
    void reg_write(uint32_t off, uint64_t v, unsigned len);
    void gcmd_process();   // GSTS follows GCMD after ack_cycles

    bool mem_read(uint64_t addr, void* dst, unsigned len);
    bool mem_write(uint64_t addr, const void* src, unsigned len);
    void spend(uint64_t cycles) { shell_.spend(cycles); }

    SimContext& ctx_;
    Clock clk_;
    uint64_t mmio_base_;
    vtd::Caps caps_;
    unsigned haw_bits_;

    uint64_t ifc_cycles_, tlb_cycles_, cfg_cycles_, inv_cycles_, ack_cycles_, frcd_cycles_;
    FifoResource xlate_slots_, walk_slots_, prq_writer_, frcd_writer_;

    smmu::Tlb iotlb_;
    smmu::LruCache<uint16_t, vtd::ContextEntry> ctx_cache_;   // by RID
    smmu::LruCache<uint64_t, PasidCtx> pasid_cache_;           // by RID << 20 | PASID
    std::map<uint64_t, uint16_t> tags_;                        // (DID << 20 | PASID) -> IOTLB tag

    // Register state.
    uint32_t gcmd_ = 0, gsts_ = 0, gcmd_pending_ = 0;
    uint64_t rtaddr_ = 0, rtaddr_active_ = 0;
    uint32_t fsts_ = 0;   // RW1C bits (PFO, IQE, ICE, ITE); PPF and FRI are computed
    uint32_t fectl_ = vtd::ectl::IM, fedata_ = 0, feaddr_ = 0, feuaddr_ = 0;
    uint64_t iqh_ = 0, iqt_ = 0, iqa_ = 0, iqercd_ = 0;
    uint32_t ics_ = 0;
    uint64_t pqh_ = 0, pqt_ = 0, pqa_ = 0;
    uint32_t prs_ = 0;
    uint32_t pectl_ = vtd::ectl::IM, pedata_ = 0, peaddr_ = 0, peuaddr_ = 0;
    std::vector<std::array<uint64_t, 2>> frcd_;   // fault recording registers
    unsigned frcd_next_ = 0;                      // next register hardware writes

    sc_core::sc_event gcmd_ev_, invq_kick_, atc_inv_done_, out_msg_ev_;
    uint64_t atc_inv_outstanding_ = 0;
    uint32_t next_itag_ = 0;
    struct OutMsg {
        PcieMsg kind;
        uint16_t rid;
        PrgResponse prg;
        AtcInvalidate inv;
    };
    std::deque<OutMsg> out_msgs_;

    uint64_t prq_occupancy_ = 0, faults_in_flight_ = 0, xlate_active_ = 0, walks_active_ = 0;   // traced
    Counters c_;
    std::map<std::string, uint64_t> desc_counts_, fault_reasons_;
    smmu::TranslationShell shell_;   // last: its wiring refers to the members above
};

}  // namespace iopf
