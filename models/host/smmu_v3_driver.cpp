#include "models/host/smmu_v3_driver.h"
#include "models/host/hypervisor.h"

#include <algorithm>

#include "models/common/payload.h"
#include "models/common/units.h"
#include "models/smmu/v3/format/cd.h"
#include "models/devices/format/pcie_config.h"
#include "models/host/stream_attach.h"
#include "models/smmu/v3/format/features.h"
#include "models/smmu/v3/format/pri.h"
#include "models/smmu/v3/format/queue.h"
#include "models/smmu/v3/format/regs.h"
#include "models/smmu/v3/format/ste.h"
#include "models/common/run_guard.h"

namespace iopf {

namespace v3 = smmu::v3;

namespace {

unsigned bits_for(uint64_t max_value) {   // smallest n with max_value < 2^n (at least 1)
    unsigned n = 1;
    while (n < 64 && (max_value >> n)) ++n;
    return n;
}

}  // namespace

SmmuV3Driver::SmmuV3Driver(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, Cpu& cpu, HostBus& bus,
                           IrqController& irqc, PhysAlloc& pool, SmmuV3Firmware fw, std::vector<StreamAttach> streams,
                           OsMm* mm, IopfQueue* iopf)
    : sc_module(name), mm_(mm), iopf_(iopf), ctx_(ctx), cpu_(cpu), bus_(bus), irqc_(irqc), pool_(pool),
      fw_(std::move(fw)), streams_(std::move(streams)) {
    strtab_fmt_ = p.get_enum("strtab_format", "linear", {"linear", "2level"}, {"stream table format (STRTAB_BASE_CFG.FMT)", "assumed: a linear stream table; Linux uses 2-level when IDR0.ST_LEVEL allows and SIDSIZE is large (arm_smmu_init_strtab)"});
    irq_mode_ = p.get_enum("irq_mode", "msi", {"msi", "wired"}, {"event/GERROR interrupts as MSIs or wired lines", "Linux arm-smmu-v3.c arm_smmu_setup_irqs(): MSIs when IDR0.MSI and the platform MSI domain exist"});
    sync_mode_ = p.get_enum("sync_mode", "msi", {"msi", "sev", "none"},
                            {"CMD_SYNC completion: MSI write to the SYNC slot (Linux), SEV, or polling CONS", "Linux arm-smmu-v3.c arm_smmu_cmdq_build_sync_cmd(): CS=SIG_IRQ with MSIADDR = the SYNC's own queue slot when MSIs are supported"});
    cmdq_log2_ = p.get_uint("cmdq_log2size", 8, "log2 entries", {"command queue size (capped by IDR1.CMDQS)", "Linux arm-smmu-v3.h CMDQ_MAX_SZ_SHIFT (8 in v4.x kernels; newer ones size from IDR1.CMDQS up to Q_MAX_SZ_SHIFT)"}, 1, 19);
    evtq_log2_ = p.get_uint("evtq_log2size", 7, "log2 entries", {"event queue size (capped by IDR1.EVENTQS)", "Linux arm-smmu-v3.h EVTQ_MAX_SZ_SHIFT (7 in v4.x kernels)"}, 1, 19);
    priq_log2_ = p.get_uint("priq_log2size", 7, "log2 entries", {"PRI queue size (capped by IDR1.PRIQS)", "assumed: one below Linux v4.x PRIQ_MAX_SZ_SHIFT (8) so queue pressure shows with few functions"}, 1, 19);
    disable_bypass_ = p.get_bool("disable_bypass", true, {"GBPA.ABORT: abort traffic while the SMMU is disabled", "Linux arm-smmu-v3.c: disable_bypass module parameter defaults to true (GBPA.ABORT)"});
    ParamScope c = p.sub("cost");
    cost_mmio_setup_ps_ = c.get_cost("init_step", 200000, {"software time of each probe/reset step besides its MMIO", "assumed: a few hundred ns of driver code per probe/reset step (not on any fault path)"});
    cost_cmd_ps_ = c.get_cost("command", 30000, {"building one command and writing it to the queue", "assumed: arm_smmu_cmdq_build_cmd() plus the lock-free slot claim, a few tens of ns"});
    cost_evt_ps_ = c.get_cost("event", 150000, {"decoding and reporting one event record (the threaded handler)", "assumed: arm_smmu_evtq_thread() decoding one record and calling iommu_report_device_fault(), ~150 ns"});
    cost_poll_ps_ = c.get_time_ps("poll_interval", 100000, {"delay between two polls (CR0ACK, CONS, SYNC)", "assumed: Linux queue_poll() spins with cpu_relax()/wfe; 100 ns between reads"});
    cost_attach_ps_ = c.get_cost("attach", 1000000, {"software time to attach a device (domain setup, beyond table writes)", "assumed: about 1 us of domain set-up code (not on any fault path)"});
    pgt_costs_.pte_write = c.get_cost("pte_write", 20000, {"software time per page-table descriptor written", "assumed: a few tens of ns of io-pgtable bookkeeping per descriptor"});
    tlbi_page_limit_ = p.get_uint("tlbi_page_limit", 512, "pages",
                                  {"an invalidation of more pages than this uses TLBI_NH_ASID instead of per-page TLBI_NH_VA", "Linux arm-smmu-v3.c CMDQ_MAX_TLBI_OPS (1 << (PAGE_SHIFT - 3)) = 512 pages: past it a whole-ASID invalidation"});
    unbind_atc_inv_ = p.get_bool("unbind_atc_inv", true,
                                 {"SVA unbind invalidates the function's ATC for the PASID (false reproduces the stale-ATC defect)", "Linux arm-smmu-v3-sva.c: unbind issues CMD_ATC_INV for the PASID (arm_smmu_atc_inv_domain); false is the defect the seed thread fixed"});
    poll_limit_ = p.get_uint("poll_limit", 100000, "polls", {"polls before a wait is declared timed out (a driver error)", "assumed: Linux ARM_SMMU_POLL_TIMEOUT_US is 1 s; 100000 polls of 100 ns is 10 ms, enough to flag a hang"});

    SC_HAS_PROCESS(SmmuV3Driver);
    SC_THREAD(probe);

    const std::string me = this->name();
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json d = {{"events_handled", events_handled_}, {"evtq_overflows", evtq_overflows_},
                            {"cmdq_errors_handled", cmdq_errors_handled_}, {"gerrors_handled", gerrors_handled_}, {"queue_full_waits", queue_full_waits_},
                            {"commands_submitted", commands_submitted_}, {"syncs", syncs_}, {"ready", ready_},
                            {"stall_faults", stall_faults_}, {"failure_responses", failure_responses_},
                            {"resumes_sent", resumes_sent_}, {"pri_handled", pri_handled_},
                            {"stop_markers_discarded", stop_markers_}, {"priq_overflows", priq_overflows_},
                            {"pri_responses_sent", pri_resps_sent_}, {"atc_invalidations", atc_invs_}};
        d["events_by_type"] = nlohmann::json::object();
        for (const auto& [k, v] : events_by_type_) d["events_by_type"][k] = v;
        root["host"]["smmu_drivers"][me] = d;
    });
}

void SmmuV3Driver::cost(uint64_t ps, const char* what) { cpu_.busy(ps, what); }

void SmmuV3Driver::poll_until(uint32_t off, uint32_t mask, uint32_t value, const char* what) {
    for (uint64_t i = 0; i < poll_limit_; ++i) {
        if ((rd(off) & mask) == value) return;
        cost(cost_poll_ps_, "poll");
    }
    ctx_.log.warn(std::string(name()) + ": timed out waiting for " + what);
}

void SmmuV3Driver::set_cr0(uint32_t v) {
    wr(v3::reg::CR0, v);
    poll_until(v3::reg::CR0ACK, 0xffffffffu, v, "CR0ACK");
}

void SmmuV3Driver::probe() { guarded(ctx_, [this] { probe_steps(); }); }

void SmmuV3Driver::probe_steps() {
    // SVA contexts point at the processes' tables: let the boot thread build them first
    // (sleeping, not holding a core).
    if (mm_ && !mm_->tables_ready()) wait(mm_->tables_ready_event());
    OnCore core(cpu_);
    cost(cost_mmio_setup_ps_.sample(), "smmu_init");
    idr0_ = rd(v3::reg::IDR0);
    idr1_ = rd(v3::reg::IDR1);
    idr5_ = rd(v3::reg::IDR5);
    oas_bits_ = v3::oas_bits_from_field(v3::idr5::OAS.get(idr5_));
    const unsigned sm = v3::idr0::STALL_MODEL.get(idr0_);
    stall_supported_ = sm != v3::idr0::STALL_MODEL_TERM_ONLY;
    stall_forced_ = sm == v3::idr0::STALL_MODEL_STALL_FORCED;
    reset_and_enable();
    for (const auto& s : streams_) attach(s);
    ready_ = true;
    ready_ev_.notify(sc_core::SC_ZERO_TIME);
    ctx_.log.info(std::string(name()) + ": SMMUv3 ready, " + std::to_string(streams_.size()) + " stream(s) attached");
    // Enable bus mastering last: devices start only once their translations exist.
    for (const auto& s : streams_)
        if (s.bus_master.present()) s.bus_master.enable(bus_);
}

void SmmuV3Driver::reset_and_enable() {
    // 1. Disable, with the GBPA policy for the window where the SMMU is off.
    if (rd(v3::reg::CR0) & v3::cr0::SMMUEN.mask()) set_cr0(0);
    if (disable_bypass_) {
        wr(v3::reg::GBPA, uint32_t(v3::gbpa::ABORT.make(1) | v3::gbpa::UPDATE.make(1)));
        poll_until(v3::reg::GBPA, uint32_t(v3::gbpa::UPDATE.mask()), 0, "GBPA.Update");
    }
    set_cr0(0);
    // CR2: record invalid StreamIDs (C_BAD_STREAMID), private TLB maintenance.
    wr(v3::reg::CR2, uint32_t(v3::cr2::RECINVSID.mask() | v3::cr2::PTM.mask()));
    cost(cost_mmio_setup_ps_.sample(), "smmu_init");

    // 2. Stream table, sized for the StreamIDs firmware describes.
    uint32_t max_sid = 0;
    for (const auto& s : streams_) max_sid = std::max(max_sid, s.sid);
    const unsigned sid_bits = v3::idr1::SIDSIZE.get(idr1_);
    if (max_sid >> sid_bits)
        throw ConfigError(std::string(name()) + ": StreamID " + std::to_string(max_sid) + " exceeds SMMU_IDR1.SIDSIZE=" +
                          std::to_string(sid_bits));
    st_log2_ = std::min(sid_bits, std::max(bits_for(max_sid), 1u));
    st_2level_ = strtab_fmt_ == "2level";
    if (st_2level_ && v3::idr0::ST_LEVEL.get(idr0_) != v3::idr0::ST_LEVEL_2LVL)
        throw ConfigError(std::string(name()) + ": strtab_format=2level but SMMU_IDR0.ST_LEVEL says linear only");
    uint32_t cfg;
    if (!st_2level_) {
        strtab_ = pool_.alloc(64ull << st_log2_, std::max<uint64_t>(64ull << st_log2_, 64));
        cfg = uint32_t(v3::strtab_base_cfg::LOG2SIZE.make(st_log2_) |
                       v3::strtab_base_cfg::FMT.make(v3::strtab_base_cfg::FMT_LINEAR));
    } else {
        st_log2_ = std::max(st_log2_, st_split_ + 1);
        const uint64_t l1_entries = 1ull << (st_log2_ - st_split_);
        strtab_ = pool_.alloc(l1_entries * 8, std::max<uint64_t>(l1_entries * 8, 64));
        cfg = uint32_t(v3::strtab_base_cfg::LOG2SIZE.make(st_log2_) | v3::strtab_base_cfg::SPLIT.make(st_split_) |
                       v3::strtab_base_cfg::FMT.make(v3::strtab_base_cfg::FMT_2LVL));
    }
    // Fresh pool memory reads as zero: every STE / L1 descriptor starts invalid.
    wr64(v3::reg::STRTAB_BASE, v3::strtab_base::RA.make(1) | (strtab_ & v3::strtab_base::ADDR.mask()));
    wr(v3::reg::STRTAB_BASE_CFG, cfg);

    // 3. Queues.
    cmdq_log2_ = std::min<unsigned>(cmdq_log2_, v3::idr1::CMDQS.get(idr1_));
    evtq_log2_ = std::min<unsigned>(evtq_log2_, v3::idr1::EVENTQS.get(idr1_));
    cmdq_ = pool_.alloc(16ull << cmdq_log2_, std::max<uint64_t>(16ull << cmdq_log2_, 32));
    evtq_ = pool_.alloc(32ull << evtq_log2_, std::max<uint64_t>(32ull << evtq_log2_, 32));
    wr64(v3::reg::CMDQ_BASE, v3::q_base::RA.make(1) | (cmdq_ & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(cmdq_log2_));
    wr(v3::reg::CMDQ_PROD, 0);
    wr(v3::reg::CMDQ_CONS, 0);
    wr64(v3::reg::EVTQ_BASE, v3::q_base::WA.make(1) | (evtq_ & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(evtq_log2_));
    wr(v3::reg::EVTQ_PROD, 0);
    wr(v3::reg::EVTQ_CONS, 0);
    cmdq_prod_ = cmdq_cons_cached_ = evtq_cons_ = 0;

    // 4. Command queue on; invalidate everything the SMMU may have cached.
    uint32_t cr0 = uint32_t(v3::cr0::CMDQEN.mask());
    set_cr0(cr0);
    submit({v3::cmd_cfgi_all(), v3::cmd_tlbi_nsnh_all()}, true);

    // 5. Event queue on, interrupts wired up.
    cr0 |= uint32_t(v3::cr0::EVENTQEN.mask());
    set_cr0(cr0);
    const unsigned evtq_irq = fw_.evtq_irq_num, gerror_irq = fw_.gerror_irq_num;
    irqc_.request_threaded_irq(evtq_irq, std::string(basename()) + ".evtq", [this](uint64_t t) { evtq_handler(t); });
    irqc_.request_threaded_irq(gerror_irq, std::string(basename()) + ".gerror", [this](uint64_t t) { gerror_handler(t); });
    const bool msi = irq_mode_ == "msi" && v3::idr0::MSI.get(idr0_);
    if (msi) {
        wr64(v3::reg::EVENTQ_IRQ_CFG0, irqc_.doorbell_address());
        wr(v3::reg::EVENTQ_IRQ_CFG1, evtq_irq);
        wr64(v3::reg::GERROR_IRQ_CFG0, irqc_.doorbell_address());
        wr(v3::reg::GERROR_IRQ_CFG1, gerror_irq);
    } else {
        wr64(v3::reg::EVENTQ_IRQ_CFG0, 0);
        wr64(v3::reg::GERROR_IRQ_CFG0, 0);
        if (fw_.evtq_irq) irqc_.connect_line(*fw_.evtq_irq, evtq_irq);
        if (fw_.gerror_irq) irqc_.connect_line(*fw_.gerror_irq, gerror_irq);
    }
    uint32_t irqen = uint32_t(v3::irq_ctrl::EVENTQ_IRQEN.mask() | v3::irq_ctrl::GERROR_IRQEN.mask());
    if (v3::idr0::PRI.get(idr0_)) {
        // PRI queue: allocated, enabled with CR0.PRIQEN, its own (threaded) interrupt.
        priq_log2_ = std::min<unsigned>(priq_log2_, v3::idr1::PRIQS.get(idr1_));
        priq_ = pool_.alloc(16ull << priq_log2_, std::max<uint64_t>(16ull << priq_log2_, 32));
        wr64(v3::reg::PRIQ_BASE, v3::q_base::WA.make(1) | (priq_ & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(priq_log2_));
        wr(v3::reg::PRIQ_PROD, 0);
        wr(v3::reg::PRIQ_CONS, 0);
        priq_cons_ = 0;
        const unsigned priq_irq = fw_.priq_irq_num;
        irqc_.request_threaded_irq(priq_irq, std::string(basename()) + ".priq", [this](uint64_t t) { priq_handler(t); });
        if (msi) {
            wr64(v3::reg::PRIQ_IRQ_CFG0, irqc_.doorbell_address());
            wr(v3::reg::PRIQ_IRQ_CFG1, priq_irq);
        } else {
            wr64(v3::reg::PRIQ_IRQ_CFG0, 0);
            if (fw_.priq_irq) irqc_.connect_line(*fw_.priq_irq, priq_irq);
        }
        irqen |= uint32_t(v3::irq_ctrl::PRIQ_IRQEN.mask());
        cr0 |= uint32_t(v3::cr0::PRIQEN.mask());
        set_cr0(cr0);
    }
    wr(v3::reg::IRQ_CTRL, irqen);
    poll_until(v3::reg::IRQ_CTRLACK, 0xffffffffu, irqen, "IRQ_CTRLACK");

    // 6. Translation on.
    cr0 |= uint32_t(v3::cr0::SMMUEN.mask());
    set_cr0(cr0);
}

uint64_t SmmuV3Driver::ste_address(uint32_t sid) {
    if (!st_2level_) return strtab_ + uint64_t(sid) * 64;
    const uint32_t l1 = sid >> st_split_;
    auto it = l2_tables_.find(l1);
    if (it == l2_tables_.end()) {
        // Allocate the level-2 array for this span and publish it in the L1 descriptor.
        const uint64_t bytes = 64ull << st_split_;
        uint64_t l2 = pool_.alloc(bytes, bytes);
        v3::StL1Desc d;
        d.span = st_split_ + 1;
        d.l2ptr = l2;
        bus_.write64(strtab_ + uint64_t(l1) * 8, v3::encode_st_l1(d));
        it = l2_tables_.emplace(l1, l2).first;
    }
    return it->second + uint64_t(sid & ((1u << st_split_) - 1)) * 64;
}

void SmmuV3Driver::write_ste(uint32_t sid, const uint64_t w[8]) {
    // Linux writes the STE's upper words first and word 0 (with V) last, then CFGI_STE.
    const uint64_t a = ste_address(sid);
    for (int i = 7; i >= 0; --i) bus_.write64(a + 8 * i, w[i]);
    submit({v3::cmd_cfgi_ste(sid, true)}, true);
}

void SmmuV3Driver::write_cd(uint64_t cd_table, uint32_t index, const uint64_t w[8]) {
    // Upper words first, word 0 (with V) last, as Linux publishes a CD.
    const uint64_t a = cd_table + uint64_t(index) * 64;
    for (int i = 7; i >= 0; --i) bus_.write64(a + 8 * i, w[i]);
}

void SmmuV3Driver::attach(const StreamAttach& s) {
    if (s.config == StreamAttach::Config::detached) return;   // STE left invalid
    cost(cost_attach_ps_.sample(), "attach");
    v3::Ste ste;
    ste.v = true;
    Bound& b = bound_[s.sid];
    b.attach = &s;
    if (s.config == StreamAttach::Config::bypass) ste.config = v3::ste_config::BYPASS;
    else if (s.config == StreamAttach::Config::abort) ste.config = v3::ste_config::ABORT;
    else if (s.config == StreamAttach::Config::s2_only || s.config == StreamAttach::Config::nested) {
        // Assigned to a VM: stage 2 is the hypervisor's (VMID, S2TTB); nested adds the
        // guest's stage 1 (its CD at an IPA). STE.S2S stalls stage-2 faults for a device that
        // may stall; the host then faults the guest page in (IOPF) and resumes.
        if (!hyp_) throw ConfigError(s.device + ": assigned to VM '" + s.vm + "' but the host has no hypervisor");
        const bool nested = s.config == StreamAttach::Config::nested;
        ste.config = nested ? v3::ste_config::NESTED : v3::ste_config::S2_TRANS;
        hyp_->prepare_stream(s.vm, nested, ste, this, oas_bits_);
        b.vmid = ste.s2vmid;
        ste.s2s = stall_forced_ || (stall_supported_ && s.can_stall);
        ste.s1stalld = false;
        if (ste.s2s && iopf_) {
            const uint32_t sid = s.sid;
            b.iopf_dev = iopf_->add_device(s.device, [this, sid](const IopfGroup& g, PageResponse r) {
                page_response(sid, g, r);
            });
        }
    } else {
        ste.config = v3::ste_config::S1_TRANS;
        // Address spaces: explicit contexts (IOVA mappings) and SVA bindings (PASID = SSID).
        struct Ctx { uint32_t ssid; bool ssv; uint16_t asid; uint64_t ttb; };
        std::vector<Ctx> ctxs;
        for (const auto& c : s.contexts) {
            auto pgt = std::make_unique<IoPgtable>(bus_, pool_, cpu_, pgt_costs_);
            for (const auto& m : c.mappings)
                pgt->map(m.va, m.pa, m.size, smmu::leaf_attrs_for(m.write, m.user, m.exec));
            pgt->ensure_root();   // a context with no mappings still has an (empty) table
            ctxs.push_back({c.ssid, c.ssv, c.asid, pgt->ttb()});
            pgtables_.push_back(std::move(pgt));
        }
        for (const auto& pn : s.sva) {
            MmStruct* mm = mm_ ? mm_->find(pn) : nullptr;
            if (!mm) throw ConfigError(s.device + ": SVA binding to unknown process '" + pn + "'");
            ctxs.push_back({mm->pasid, true, mm->asid, mm->pgd->ttb()});
            const uint16_t asid = mm->asid;
            mm->notifiers.push_back([this, asid](uint64_t start, uint64_t end) { invalidate_range(asid, start, end); });
        }
        uint32_t max_ssid = 0;
        bool substreams = false;
        for (const auto& c : ctxs) { max_ssid = std::max(max_ssid, c.ssid); substreams |= c.ssv; }
        const unsigned ssid_bits = v3::idr1::SSIDSIZE.get(idr1_);
        if (substreams && (max_ssid >> ssid_bits))
            throw ConfigError(s.device + ": SubstreamID " + std::to_string(max_ssid) + " exceeds SMMU_IDR1.SSIDSIZE=" +
                              std::to_string(ssid_bits));
        const unsigned cdmax = substreams ? bits_for(max_ssid) : 0;
        b.cd_table = pool_.alloc(64ull << cdmax, 64);
        // Stall: CD.S where the device may stall (forced when the SMMU only stalls);
        // otherwise STE.S1STALLD keeps a stall-capable SMMU from stalling this device.
        const bool stall = stall_forced_ || (stall_supported_ && s.can_stall);
        bool has_ssid0 = false;
        for (const auto& c : ctxs) {
            v3::Cd cd;
            cd.v = true;
            cd.t0sz = IoPgtable::kT0sz;
            cd.tg0 = v3::tg0_from_granule_shift(12);
            cd.epd1 = true;          // no TTB1 half
            cd.t1sz = IoPgtable::kT0sz;
            cd.tg1 = v3::tg1_from_granule_shift(12);
            cd.ips = v3::oas_field_from_bits(oas_bits_);
            cd.aa64 = true;
            cd.asid = c.asid;
            cd.ttb0 = c.ttb;
            cd.r = true;             // record faults
            cd.a = true;             // abort (not RAZ/WI) on a terminated fault
            cd.s = stall;
            cd.mair = 0x0000000000ff04ull;
            uint64_t w[8];
            v3::encode_cd(cd, w);
            const uint32_t index = c.ssv ? c.ssid : 0;
            has_ssid0 |= index == 0;
            write_cd(b.cd_table, index, w);
        }
        ste.s1fmt = v3::s1fmt::LINEAR;
        ste.s1_context_ptr = b.cd_table;
        ste.s1cdmax = cdmax;
        ste.s1dss = has_ssid0 ? v3::s1dss::SSID0 : v3::s1dss::TERMINATE;
        ste.s1stalld = stall_supported_ && !stall_forced_ && !stall;
        if (s.pcie && s.ats && v3::idr0::ATS.get(idr0_)) ste.eats = v3::eats::FULL;
        if (s.iopf && (stall || s.pcie) && iopf_) {
            const uint32_t sid = s.sid;
            b.iopf_dev = iopf_->add_device(s.device, [this, sid](const IopfGroup& g, PageResponse r) {
                page_response(sid, g, r);
            });
        }
    }
    uint64_t w[8];
    v3::encode_ste(ste, w);
    write_ste(s.sid, w);
    if (s.pcie) enable_pcie(s);
}

void SmmuV3Driver::enable_pcie(const StreamAttach& s) {
    // pci_enable_pasid / pci_enable_ats / pci_enable_pri through the function's config space.
    if (!s.ats || !v3::idr0::ATS.get(idr0_)) return;
    bus_.write32(s.ecam_base + pcie_cfg::PASID_CTRL, 1);
    bus_.write32(s.ecam_base + pcie_cfg::ATS_CTRL, pcie_cfg::ATS_ENABLE);
    if (!v3::idr0::PRI.get(idr0_)) return;
    const uint32_t capacity = bus_.read32(s.ecam_base + pcie_cfg::PRI_CAPACITY);
    if (capacity == 0) return;
    bus_.write32(s.ecam_base + pcie_cfg::PRI_CTRL, pcie_cfg::PRI_RESET);
    bus_.write32(s.ecam_base + pcie_cfg::PRI_ALLOCATION, std::min(capacity, s.pri_credits));
    bus_.write32(s.ecam_base + pcie_cfg::PRI_CTRL, pcie_cfg::PRI_ENABLE);
}

void SmmuV3Driver::invalidate_range(uint16_t asid, uint64_t start, uint64_t end) {
    // arm_smmu_mm_invalidate_range(): per-page TLBI_NH_VA for small ranges, else the ASID;
    // CMD_SYNC; then the ATCs of PCIe functions using the address space (the SMMU's TLB
    // must not refill them with stale entries), and CMD_SYNC again, which waits for the
    // functions' Invalidate Completions.
    std::vector<v3::Command> cmds;
    if ((end - start) / 4096 > tlbi_page_limit_) cmds.push_back(v3::cmd_tlbi_nh_asid(asid));
    else
        for (uint64_t va = start; va < end; va += 4096) cmds.push_back(v3::cmd_tlbi_nh_va(asid, va, true));
    submit(cmds, true);
    std::vector<v3::Command> atc;
    for (const auto& [sid, b] : bound_) {
        const StreamAttach& s = *b.attach;
        if (!s.pcie || !s.ats || !v3::idr0::ATS.get(idr0_)) continue;
        for (const auto& pn : s.sva) {
            MmStruct* mm = mm_ ? mm_->find(pn) : nullptr;
            if (!mm || mm->asid != asid) continue;
            // CMD_ATC_INV covers 4 KiB x 2^Size, aligned: the smallest span holding the range.
            unsigned size = 0;
            uint64_t base = start & ~0xfffull;
            while (size < 52 && (base >> (12 + size)) != ((end - 1) >> (12 + size))) ++size;
            base &= ~((4096ull << size) - 1);
            atc.push_back(v3::cmd_atc_inv(sid, mm->pasid, true, base, uint8_t(size), false));
        }
    }
    if (!atc.empty()) {
        atc_invs_ += atc.size();
        submit(atc, true);
    }
    // The invalidation sequence is over: Linux may free the pages now (isolation monitor).
    if (ctx_.isolation) ctx_.isolation->revoke(fw_.name, asid, start, end, now_ps());
}

void SmmuV3Driver::page_response(uint32_t sid, const IopfGroup& g, PageResponse r) {
    // One response per group, no CMD_SYNC (it promises nothing for RESUME or PRI_RESP).
    // Stall: SUCCESS -> CMD_RESUME RETRY; INVALID / FAILURE -> ABORT.
    // PRI: CMD_PRI_RESP with the same code (spec encoding: Success / InvalidRequest / Failure).
    std::vector<v3::Command> cmds;
    for (const auto& f : g.faults) {
        if (!f.last) continue;
        if (f.pri) {
            const v3::PriResp code = r == PageResponse::success ? v3::PriResp::Success
                                   : r == PageResponse::invalid ? v3::PriResp::InvalidRequest : v3::PriResp::Failure;
            cmds.push_back(v3::cmd_pri_resp(sid, f.pasid, f.pasid_valid, uint16_t(f.grpid), code));
            ++pri_resps_sent_;
        } else {
            cmds.push_back(v3::cmd_resume(sid, uint16_t(f.grpid),
                                          r == PageResponse::success ? v3::ResumeResp::RETRY : v3::ResumeResp::ABORT));
            ++resumes_sent_;
        }
    }
    submit(cmds, false);
}

void SmmuV3Driver::sva_unbind(MmStruct& mm) {
    for (auto& [sid, b] : bound_) {
        const auto& sva = b.attach->sva;
        if (std::find(sva.begin(), sva.end(), mm.name) == sva.end()) continue;
        // 1. Clear the CD and make the SMMU forget it: new transactions with this PASID
        //    now fault as C_BAD_CD (terminated), none can stall.
        bus_.write64(b.cd_table + uint64_t(mm.pasid) * 64, 0);
        submit({v3::cmd_cfgi_cd(sid, mm.pasid, true)}, true);
        // 2. Answer every fault already queued for the device (sleeps: gives up the core).
        if (b.iopf_dev && iopf_) {
            cpu_.leave();
            iopf_->flush_dev(b.iopf_dev);
            cpu_.enter();
        }
        // 3. Drop the address space's TLB entries.
        submit({v3::cmd_tlbi_nh_asid(mm.asid)}, true);
        // 4. And the function's ATC entries for the PASID (Linux: arm_smmu_atc_inv_master()
        //    on PASID removal): CMD_ATC_INV of the whole address space, then CMD_SYNC, which
        //    waits for the Invalidate Completion. Without it the endpoint keeps using
        //    translations to the exited process's frames.
        if (unbind_atc_inv_ && b.attach->pcie && b.attach->ats && v3::idr0::ATS.get(idr0_)) {
            ++atc_invs_;
            submit({v3::cmd_atc_inv(sid, mm.pasid, true, 0, 52, false)}, true);
        }
    }
    // Unbound and invalidated: the exited process's frames may be reused from here on.
    if (ctx_.isolation) ctx_.isolation->revoke(fw_.name, mm.asid, 0, UINT64_MAX, now_ps());
    mm.pasid_bound = false;   // iommu_sva_find() fails from now on
    ctx_.log.info(std::string(name()) + ": PASID " + std::to_string(mm.pasid) + " (" + mm.name + ") unbound");
}

void SmmuV3Driver::enqueue(const uint64_t w[2]) {
    const v3::QueuePtr q(cmdq_log2_);
    while (q.is_full(cmdq_prod_, cmdq_cons_cached_)) {
        // Queue full: refresh CONS from the SMMU, and back off while it drains.
        cmdq_cons_cached_ = rd(v3::reg::CMDQ_CONS);
        if (!q.is_full(cmdq_prod_, cmdq_cons_cached_)) break;
        ++queue_full_waits_;
        wr(v3::reg::CMDQ_PROD, cmdq_prod_);   // publish what is queued so the SMMU makes progress
        cost(cost_poll_ps_, "cmdq_full");
    }
    bus_.write(cmdq_ + q.offset(cmdq_prod_, 16), reinterpret_cast<const uint8_t*>(w), 16);
    cost(cost_cmd_ps_.sample(), "command");
    cmdq_prod_ = q.inc(cmdq_prod_);
    ++commands_submitted_;
}

void SmmuV3Driver::submit(const std::vector<v3::Command>& cmds, bool sync) {
    std::vector<std::array<uint64_t, 2>> raw;
    for (const auto& c : cmds) {
        std::array<uint64_t, 2> w{};
        v3::encode_command(c, w.data());
        raw.push_back(w);
    }
    submit_raw(raw, sync);
}

void SmmuV3Driver::submit_raw(const std::vector<std::array<uint64_t, 2>>& entries, bool sync) {
    Hold lock(cmdq_lock_);
    for (const auto& e : entries) enqueue(e.data());
    if (!sync) { wr(v3::reg::CMDQ_PROD, cmdq_prod_); return; }
    const v3::QueuePtr q(cmdq_log2_);
    const uint64_t slot = cmdq_ + q.offset(cmdq_prod_, 16);
    v3::Command s;
    // arm_smmu_cmdq_build_sync_cmd(): every CMD_SYNC carries MSH = ISH, MSIATTR = OIWB.
    if (sync_mode_ == "msi" && v3::idr0::MSI.get(idr0_)) s = v3::cmd_sync_linux(v3::SyncCs::SIG_IRQ, slot, 0);
    else if (sync_mode_ == "sev" && v3::idr0::SEV.get(idr0_)) s = v3::cmd_sync_linux(v3::SyncCs::SIG_SEV, 0, 0);
    else s = v3::cmd_sync_linux(v3::SyncCs::SIG_NONE, 0, 0);
    uint64_t w[2];
    v3::encode_command(s, w);
    enqueue(w);
    wr(v3::reg::CMDQ_PROD, cmdq_prod_);
    ++syncs_;
    wait_sync(cmdq_prod_);
    (void)slot;
}

void SmmuV3Driver::wait_sync(uint32_t target) {
    const v3::QueuePtr q(cmdq_log2_);
    const uint32_t sync_ptr = (target - 1) & q.ptr_mask();   // the CMD_SYNC's own slot
    const uint64_t slot = cmdq_ + q.offset(sync_ptr, 16);
    for (uint64_t i = 0; i < poll_limit_; ++i) {
        if (sync_mode_ == "msi" && v3::idr0::MSI.get(idr0_)) {
            // The SMMU's MSI writes MSIData (0) over the first word of the CMD_SYNC.
            if (bus_.read32(slot) == 0) { cmdq_cons_cached_ = target; return; }
        } else {
            if (sync_mode_ == "sev" && fw_.sev && v3::idr0::SEV.get(idr0_)) {
                // WFE: sleep until the SMMU's SEV (or a timeout tick), then check CONS.
                wait(sc_core::sc_time::from_value(cost_poll_ps_ * 10), fw_.sev->posedge_event());
            }
            const uint32_t cons = rd(v3::reg::CMDQ_CONS);
            cmdq_cons_cached_ = cons;
            if (q.ptr(cons) == q.ptr(target)) return;
        }
        cost(cost_poll_ps_, "sync_poll");
    }
    ctx_.log.warn(std::string(name()) + ": CMD_SYNC timed out");
}

void SmmuV3Driver::evtq_handler(uint64_t raised_ps) {
    // Runs in the IRQ thread, on its core.
    const v3::QueuePtr q(evtq_log2_);
    for (;;) {
        const uint32_t prod = rd(v3::reg::EVTQ_PROD);
        const uint64_t t_batch = now_ps();   // the handler sees these records from here
        if ((prod ^ evtq_cons_) & v3::q_ptr::OVFLG) {
            // Overflow: records were lost. Acknowledge by copying OVFLG to OVACKFLG.
            ++evtq_overflows_;
            ctx_.log.warn_ratelimited("evtq_overflow", std::string(name()) + ": event queue overflow, events lost");
            evtq_cons_ = (evtq_cons_ & ~v3::q_ptr::OVACKFLG) | (prod & v3::q_ptr::OVFLG);
            wr(v3::reg::EVTQ_CONS, evtq_cons_);
        }
        if (q.is_empty(prod, evtq_cons_)) break;
        while (!q.is_empty(prod, evtq_cons_)) {
            uint64_t w[4];
            bus_.read(evtq_ + q.offset(evtq_cons_, 32), reinterpret_cast<uint8_t*>(w), 32);
            v3::EventRecord ev = v3::decode_event(w);
            cost(cost_evt_ps_.sample(), "evtq_entry");
            ++events_handled_;
            ++events_by_type_[smmu::event_name(ev.id)];
            evtq_cons_ = q.inc(evtq_cons_);
            wr(v3::reg::EVTQ_CONS, evtq_cons_);
            if (ev.stall) handle_stall(ev, t_batch);
        }
    }
    (void)raised_ps;
}

void SmmuV3Driver::handle_stall(const v3::EventRecord& ev, uint64_t t_seen) {
    // A stall record becomes a page request: group = STAG, Last always set.
    ++stall_faults_;
    IopfFault f;
    f.sid = ev.sid;
    f.pasid = ev.ssid;
    f.pasid_valid = ev.ssv;
    f.addr = ev.input_addr;
    f.read = ev.rnw;
    f.write = !ev.rnw;
    f.exec = ev.ind;
    f.priv = ev.pnu;
    f.grpid = ev.stag;
    f.last = true;
    if (ev.s2) {
        // A stage-2 fault of a stream assigned to a VM: the host resolves the IPA.
        f.s2 = true;
        f.addr = ev.ipa;
        auto it = bound_.find(ev.sid);
        f.vmid = it == bound_.end() ? 0 : it->second.vmid;
    }
    f.fault_id = ctx_.faults.find_key(fw_.name, stall_fault_key(ev.sid, ev.stag));
    ctx_.faults.mark(f.fault_id, Stage::irq, t_seen);
    report(f);
}

void SmmuV3Driver::report(const IopfFault& f) {
    // iommu_report_device_fault(); when nobody can take the fault, the last request of its
    // group is answered FAILURE at once (stall: CMD_RESUME abort; PRI: Response Failure).
    auto it = bound_.find(f.sid);
    IopfDevice* dev = it == bound_.end() ? nullptr : it->second.iopf_dev;
    if ((iopf_ ? iopf_->report_fault(dev, f) : -1) == 0 || !f.last) return;
    ctx_.faults.mark(f.fault_id, Stage::dispatch, now_ps());
    ctx_.faults.resolve(f.fault_id, Resolution::failure);
    ++failure_responses_;
    IopfGroup g;
    g.faults.push_back(f);
    page_response(f.sid, g, PageResponse::failure);
}

void SmmuV3Driver::priq_handler(uint64_t) {
    // Runs in the PRI queue's IRQ thread, on its core (arm_smmu_priq_thread).
    const v3::QueuePtr q(priq_log2_);
    for (;;) {
        const uint32_t prod = rd(v3::reg::PRIQ_PROD);
        const uint64_t t_batch = now_ps();
        if ((prod ^ priq_cons_) & v3::q_ptr::OVFLG) {
            // Overflow: requests were lost, so partial groups can never complete: drop them,
            // then acknowledge (OVACKFLG = OVFLG).
            ++priq_overflows_;
            ctx_.log.warn_ratelimited("priq_overflow", std::string(name()) + ": PRI queue overflow");
            if (iopf_)
                for (auto& [sid, b] : bound_)
                    if (b.iopf_dev) iopf_->discard_partial(b.iopf_dev);
            priq_cons_ = (priq_cons_ & ~v3::q_ptr::OVACKFLG) | (prod & v3::q_ptr::OVFLG);
            wr(v3::reg::PRIQ_CONS, priq_cons_);
        }
        if (q.is_empty(prod, priq_cons_)) break;
        while (!q.is_empty(prod, priq_cons_)) {
            uint64_t w[2];
            bus_.read(priq_ + q.offset(priq_cons_, 16), reinterpret_cast<uint8_t*>(w), 16);
            const v3::PriEntry e = v3::decode_pri(w);
            cost(cost_evt_ps_.sample(), "priq_entry");
            priq_cons_ = q.inc(priq_cons_);
            wr(v3::reg::PRIQ_CONS, priq_cons_);
            if (e.is_stop_marker()) { ++stop_markers_; continue; }   // nothing to answer
            ++pri_handled_;
            IopfFault f;
            f.sid = e.sid;
            f.pasid = e.ssid;
            f.pasid_valid = e.ssv;
            f.addr = e.addr;
            f.read = e.read;
            f.write = e.write;
            f.exec = e.exec;
            f.priv = e.priv;
            f.grpid = e.prgi;
            f.last = e.last;
            f.pri = true;
            f.fault_id = ctx_.faults.find_key(fw_.name, prg_fault_key(e.sid, e.ssid, e.prgi));
            ctx_.faults.mark(f.fault_id, Stage::irq, t_batch);
            report(f);   // nobody handling the PASID -> Response Failure: the function stops PRI
        }
    }
}

void SmmuV3Driver::gerror_handler(uint64_t) {
    // Runs in the IRQ thread, on its core.
    const uint32_t gerror = rd(v3::reg::GERROR), gerrorn = rd(v3::reg::GERRORN);
    const uint32_t active = gerror ^ gerrorn;
    if (!active) return;
    // Like arm_smmu_gerror_handler(): report every active error; the aborted queue writes
    // and MSIs need nothing more (the SMMU presents a stall's event again once GERRORN
    // acknowledges, and answers a lost PPR itself); a command error is skipped below.
    struct Kind { uint32_t bit; const char* what; };
    static const Kind kinds[] = {
        {v3::gerror::EVENTQ_ABT_ERR, "EVTQ write aborted -- events may have been lost"},
        {v3::gerror::PRIQ_ABT_ERR, "PRIQ write aborted -- events may have been lost"},
        {v3::gerror::MSI_CMDQ_ABT_ERR, "CMDQ MSI write aborted"},
        {v3::gerror::MSI_EVENTQ_ABT_ERR, "EVTQ MSI write aborted"},
        {v3::gerror::MSI_PRIQ_ABT_ERR, "PRIQ MSI write aborted"},
        {v3::gerror::MSI_GERROR_ABT_ERR, "GERROR MSI write aborted"},
    };
    for (const auto& k : kinds)
        if (active & k.bit) {
            ++gerrors_handled_;
            ctx_.log.warn(std::string(name()) + ": " + k.what);
        }
    if (active & v3::gerror::CMDQ_ERR) {
        // Like arm_smmu_cmdq_skip_err(): report; for an illegal command, overwrite it with a
        // CMD_SYNC so the queue makes progress once the error is acknowledged. A fetch abort
        // (CERROR_ABT) or an ATC invalidation timeout is retried as it stands.
        ++cmdq_errors_handled_;
        const uint32_t cons = rd(v3::reg::CMDQ_CONS);
        const uint32_t err = uint32_t(v3::q_ptr::ERR.get(cons));
        ctx_.log.warn(std::string(name()) + ": CMDQ error " + std::to_string(err) + " at CONS index " +
                      std::to_string(v3::QueuePtr(cmdq_log2_).index(cons)));
        if (err == v3::CERROR_ILL) {
            uint64_t w[2];
            v3::encode_command(v3::cmd_sync(v3::SyncCs::SIG_NONE, 0, 0), w);
            bus_.write(cmdq_ + v3::QueuePtr(cmdq_log2_).offset(cons, 16), reinterpret_cast<const uint8_t*>(w), 16);
        }
    }
    wr(v3::reg::GERRORN, gerror);
}

namespace {

// Probe: the firmware unit -> SmmuV3Firmware, the streams the OS attaches behind it
// (host.streams.<device>), then the driver; its contexts take ASIDs from the kernel-wide
// allocator.
std::unique_ptr<sc_core::sc_module> probe_smmu_v3(HostEnv& env, const FirmwareUnit& u) {
    SmmuV3Firmware fw;
    fw.name = u.name;
    fw.mmio_base = u.mmio_base;
    fw.evtq_irq = u.irq("evtq")->line;
    fw.gerror_irq = u.irq("gerror")->line;
    fw.priq_irq = u.irq("priq")->line;
    fw.sev = u.irq("sev")->line;
    fw.evtq_irq_num = u.irq("evtq")->number;
    fw.gerror_irq_num = u.irq("gerror")->number;
    fw.priq_irq_num = u.irq("priq")->number;
    auto drv = std::make_unique<SmmuV3Driver>((fw.name + "_driver").c_str(), env.ctx, env.params.sub("smmu_driver"),
                                              env.cpu, env.bus, env.irqc, env.pool, fw,
                                              parse_stream_attaches(env, fw.name), &env.mm, &env.iopf);
    drv->set_hypervisor(env.hyp);
    ParamScope sp = env.params.sub("streams");
    for (StreamAttach& a : drv->streams_for_setup())
        for (StreamContext& c : a.contexts)
            env.asids.request(&c.asid, "'" + a.device + "' context '" + c.name + "'",
                              sp.sub(a.device).sub("contexts").sub(c.name).path("asid"));
    return drv;
}

}  // namespace

IOPF_REGISTER_DRIVER("arm,smmu-v3", probe_smmu_v3);

}  // namespace iopf
