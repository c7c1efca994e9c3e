#include "models/host/smmu_v2_driver.h"

#include "models/host/mapping.h"

#include <algorithm>

#include "models/common/payload.h"
#include "models/common/units.h"
#include "models/common/run_guard.h"

namespace iopf {

namespace v2 = smmu::v2;

const char* fault_reply_name(FaultReply r) {
    switch (r) {
    case FaultReply::handled: return "handled";
    case FaultReply::retry: return "retry";
    case FaultReply::resume_later: return "resume_later";
    case FaultReply::no_handler: return "no_handler";
    }
    return "?";
}

SmmuV2Driver::SmmuV2Driver(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, Cpu& cpu, HostBus& bus,
                           IrqController& irqc, PhysAlloc& pool, SmmuV2Firmware fw, std::vector<V2Stream> streams)
    : sc_module(name), ctx_(ctx), cpu_(cpu), bus_(bus), irqc_(irqc), pool_(pool), fw_(std::move(fw)),
      streams_(std::move(streams)) {
    disable_bypass_ = p.get_bool("disable_bypass", true,
                                 {"sCR0.USFCFG: transactions from StreamIDs no SMR matches fault (else bypass)", "Linux drivers/iommu/arm/arm-smmu/arm-smmu.c: CONFIG_ARM_SMMU_DISABLE_BYPASS_BY_DEFAULT=y sets sCR0.USFCFG"});
    ParamScope c = p.sub("cost");
    cost_init_ps_ = c.get_cost("init_step", 200'000, {"software time of each probe/reset step besides its MMIO", "assumed: a few hundred ns of driver code per probe/reset step (not on any fault path)"});
    cost_attach_ps_ = c.get_cost("attach", 1'000'000, {"software time to set up a domain and context bank, beyond table writes", "assumed: about 1 us of domain set-up code (not on any fault path)"});
    cost_read_ps_ = c.get_cost("fault_decode", 300'000,
                                  {"context-fault handler: decoding FSR/FAR/FSYNR0/CBFRSYNRA after reading them", "assumed: arm_smmu_context_fault() decoding and a ratelimited print check, a few hundred ns"});
    cost_report_ps_ = c.get_cost("report", 200'000, {"report_iommu_fault(): locating the domain and calling its handler", "assumed: report_iommu_fault() locating the domain handler, a few hundred ns"});
    cost_poll_ps_ = c.get_time_ps("poll_interval", 100'000, {"delay between two polls of TLBSTATUS / sTLBGSTATUS", "assumed: Linux __arm_smmu_tlb_sync() spins TLB_SPIN_COUNT (10) reads then udelay()s; 100 ns between reads"});
    pgt_costs_.pte_write = c.get_cost("pte_write", 20'000, {"software time per page-table descriptor written", "assumed: a few tens of ns of io-pgtable bookkeeping per descriptor"});
    poll_limit_ = p.get_uint("poll_limit", 100000, "polls", {"polls before a TLB sync is declared timed out (a driver error)", "assumed: Linux arm-smmu.c TLB_LOOP_TIMEOUT is 1 s of polling; 100000 polls of 100 ns is 10 ms, enough to flag a hang"});
    tlbi_page_limit_ = p.get_uint("tlbi_page_limit", 64, "pages",
                                  {"an unmap of more pages than this uses TLBIASID instead of per-page TLBIVA", "assumed: per-page TLBIVA up to 64 pages, then the whole ASID (Linux arm-smmu.c invalidates per granule; the limit is a model choice)"});
    flow_ = p.get_enum("fault_flow", "legacy", {"legacy", "mask_cfie"},
                       {"how the context-fault handler copes with FSR.SS staying set until CB_RESUME: legacy (re-taken) or mask_cfie (2025 fix)",
                        "Linux drivers/iommu/arm/arm-smmu/arm-smmu.c arm_smmu_context_fault() before the 2025 series 'Fix spurious interrupts with stall-on-fault' (legacy); mask_cfie is that series"}) == "legacy"
                ? FaultFlow::legacy : FaultFlow::mask_cfie;
    fault_log_limit_ = p.get_uint("fault_log_limit", 32, "entries", {"context faults listed (registers as read) in the stats", "assumed: enough entries to inspect a run without unbounded stats"});

    for (size_t i = 0; i < streams_.size(); ++i) {
        auto a = std::make_unique<Attached>();
        a->stream = &streams_[i];
        a->sctlr_set = streams_[i].sctlr_set;
        by_device_[streams_[i].device] = a.get();
        attached_.push_back(std::move(a));
    }

    SC_HAS_PROCESS(SmmuV2Driver);
    SC_THREAD(probe);

    const std::string me = this->name();
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json d = {{"smmu", fw_.name}, {"ready", ready_}, {"context_faults", context_faults_},
                            {"spurious", spurious_}, {"unhandled", unhandled_}, {"fsr_clears", fsr_clears_},
                            {"resumes_retry", resumes_retry_}, {"resumes_terminate", resumes_terminate_},
                            {"resume_deferred", deferred_}, {"tlbi", tlbi_}, {"tlb_syncs", tlb_syncs_},
                            {"tlb_sync_timeouts", sync_timeouts_}, {"global_faults", global_faults_},
                            {"fault_flow", flow_ == FaultFlow::legacy ? "legacy" : "mask_cfie"},
                            {"ss_only_reports", ss_only_reports_}, {"ss_only_ignored", ss_only_ignored_},
                            {"ss_only_cpu_ns", ss_only_cpu_ps_ / 1000.0},
                            {"cfie_masked", cfie_masked_}, {"cfie_unmasked", cfie_unmasked_}};
        nlohmann::json banks = nlohmann::json::object();
        for (const auto& a : attached_) banks[a->stream->device] = {{"cb", a->cb}, {"sctlr", hex(a->sctlr)}};
        d["banks"] = banks;
        d["faults"] = fault_log_;
        root["host"]["smmu_v2_drivers"][me] = d;
    });
}

void SmmuV2Driver::set_fault_handler(const std::string& device, ContextFaultHandler h) {
    attached(device).handler = std::move(h);
}

void SmmuV2Driver::set_sctlr_bits(const std::string& device, uint32_t set, uint32_t clr) {
    Attached& a = attached(device);
    a.sctlr_set = set;
    a.sctlr_clr = clr;
}

SmmuV2Driver::Attached& SmmuV2Driver::attached(const std::string& device) {
    auto it = by_device_.find(device);
    if (it == by_device_.end())
        throw ConfigError(std::string(name()) + ": no device '" + device + "' behind SMMU '" + fw_.name + "'");
    return *it->second;
}

int SmmuV2Driver::bank_of(const std::string& device) const {
    auto it = by_device_.find(device);
    return it == by_device_.end() ? -1 : int(it->second->cb);
}

IoPgtable* SmmuV2Driver::pgtable(const std::string& device) {
    auto it = by_device_.find(device);
    return it == by_device_.end() ? nullptr : it->second->pgt.get();
}

void SmmuV2Driver::probe() { guarded(ctx_, [this] { probe_steps(); }); }

void SmmuV2Driver::probe_steps() {
    OnCore core(cpu_);
    cost(cost_init_ps_.sample(), "smmu_init");
    const uint32_t id0 = gr0_rd(v2::reg::ID0), id1 = gr0_rd(v2::reg::ID1), id2 = gr0_rd(v2::reg::ID2);
    id_ = v2::decode_id(id0, id1, id2);
    numpage_ = v2::numpage(id_.numpagendxb);
    if (!id_.s1ts || !id_.ptfs_4k)
        throw ConfigError(std::string(name()) + ": SMMU '" + fw_.name + "' has no stage 1 with 4 KiB granule (ID0/ID2)");
    if (streams_.size() > id_.numcb || streams_.size() > id_.numsmrg)
        throw ConfigError(std::string(name()) + ": " + std::to_string(streams_.size()) + " devices behind '" + fw_.name +
                          "' but only " + std::to_string(std::min(id_.numcb, id_.numsmrg)) +
                          " context banks / stream mapping groups (ID0.NUMSMRG, ID1.NUMCB)");
    reset();

    // Interrupts: the global fault line and one context line per bank (IRPTNDX = bank).
    irqc_.request_threaded_irq(fw_.global_irq_num, fw_.name + ".global", [this](uint64_t) { global_fault(); });
    if (fw_.global_irq) irqc_.connect_line(*fw_.global_irq, fw_.global_irq_num);
    for (unsigned i = 0; i < fw_.context_irqs.size(); ++i) {
        irqc_.request_threaded_irq(fw_.context_irq_nums.at(i), fw_.name + ".cb" + std::to_string(i),
                                   [this, i](uint64_t) { context_fault(i); });
        irqc_.connect_level_line(*fw_.context_irqs[i], fw_.context_irq_nums.at(i));   // level: FSR != 0 && CFIE
    }

    unsigned index = 0;
    for (auto& a : attached_) attach(*a, index++);

    // sCR0: translation on (CLIENTPD = 0), global faults reported and interrupting.
    uint32_t scr0 = v2::scr0::GFRE | v2::scr0::GFIE;
    if (disable_bypass_) scr0 |= v2::scr0::USFCFG;
    gr0_wr(v2::reg::sCR0, scr0);
    cost(cost_init_ps_.sample(), "smmu_init");

    ready_ = true;
    ready_ev_.notify(sc_core::SC_ZERO_TIME);
    ctx_.log.info(std::string(name()) + ": SMMUv2 ready, " + std::to_string(attached_.size()) + " context bank(s)");
    for (auto& a : attached_)
        if (a->stream->bus_master.present()) a->stream->bus_master.enable(bus_);
}

void SmmuV2Driver::reset() {
    // arm_smmu_device_reset(): clear global faults, disable every bank and clear its FSR,
    // invalidate every stream mapping group, flush the TLBs.
    gr0_wr(v2::reg::sGFSR, gr0_rd(v2::reg::sGFSR));
    for (unsigned i = 0; i < id_.numsmrg; ++i) {
        gr0_wr(v2::reg::S2CR(i), v2::encode_s2cr({disable_bypass_ ? v2::S2crType::fault : v2::S2crType::bypass, 0, 0}));
        gr0_wr(v2::reg::SMR(i), 0);
    }
    for (unsigned cb = 0; cb < id_.numcb; ++cb) {
        cb_wr(cb, v2::reg::CB_SCTLR, 0);
        cb_wr(cb, v2::reg::CB_FSR, v2::fsr::ALL);
    }
    gr0_wr(v2::reg::TLBIALLNSNH, 0);
    tlb_sync_global();
    cost(cost_init_ps_.sample(), "smmu_init");
}

void SmmuV2Driver::attach(Attached& a, unsigned smr_index) {
    cost(cost_attach_ps_.sample(), "attach");
    const V2Stream& s = *a.stream;
    a.cb = smr_index;   // one bank per device, allocated in order
    by_cb_[a.cb] = &a;
    a.pgt = std::make_unique<IoPgtable>(bus_, pool_, cpu_, pgt_costs_);
    for (const auto& m : s.mappings) a.pgt->map(m.va, m.pa, m.size, smmu::leaf_attrs_for(m.write, m.user, m.exec));
    a.pgt->ensure_root();
    const unsigned cb = a.cb;
    // arm_smmu_write_context_bank(): CBA2R, CBAR, TCR2, TTBRs, TCR, MAIRs, then SCTLR last.
    gr1_wr(v2::reg::CBA2R(cb), v2::encode_cba2r({true, 0}));
    gr1_wr(v2::reg::CBAR(cb), v2::encode_cbar({v2::CbarType::s1_trans_s2_bypass, 0, uint8_t(cb)}));
    v2::Tcr2 tcr2;
    tcr2.pasize = v2::size_bits_field(48);
    cb_wr(cb, v2::reg::CB_TCR2, v2::encode_tcr2(tcr2));
    cb_wr64(cb, v2::reg::CB_TTBR0, v2::encode_ttbr({a.pgt->ttb(), s.asid}));
    cb_wr64(cb, v2::reg::CB_TTBR1, v2::encode_ttbr({0, s.asid}));
    v2::Tcr tcr;
    tcr.t0sz = IoPgtable::kT0sz;
    tcr.tg0 = 0;   // 4 KiB
    tcr.sh0 = 3;
    tcr.irgn0 = tcr.orgn0 = 1;
    tcr.epd1 = true;   // no TTBR1 half
    tcr.tg1 = 2;
    cb_wr(cb, v2::reg::CB_TCR, v2::encode_tcr(tcr));
    const uint64_t mair = 0x0000000000ff04ull;   // attr0 Device-nGnRE, attr1 Normal WB
    cb_wr(cb, v2::reg::CB_MAIR0, uint32_t(mair));
    cb_wr(cb, v2::reg::CB_MAIR1, uint32_t(mair >> 32));
    cb_wr(cb, v2::reg::CB_FSR, v2::fsr::ALL);
    cb_wr(cb, v2::reg::CB_TLBIALL, 0);
    tlb_sync(cb);
    a.sctlr = (v2::sctlr::CFIE | v2::sctlr::CFRE | v2::sctlr::AFE | v2::sctlr::TRE | v2::sctlr::M | a.sctlr_set) &
              ~a.sctlr_clr;
    cb_wr(cb, v2::reg::CB_SCTLR, a.sctlr);
    // arm_smmu_write_sme(): S2CR before SMR so the group is valid only once it points at the bank.
    gr0_wr(v2::reg::S2CR(smr_index), v2::encode_s2cr({v2::S2crType::translate, uint8_t(cb), 0}));
    gr0_wr(v2::reg::SMR(smr_index), v2::encode_smr({true, uint16_t(s.sid), 0}));
}

void SmmuV2Driver::tlb_sync(unsigned cb) {
    // __arm_smmu_tlb_sync(): write TLBSYNC, poll TLBSTATUS.SACTIVE.
    ++tlb_syncs_;
    cb_wr(cb, v2::reg::CB_TLBSYNC, 0);
    for (uint64_t i = 0; i < poll_limit_; ++i) {
        if (!(cb_rd(cb, v2::reg::CB_TLBSTATUS) & v2::TLBSTATUS_SACTIVE)) return;
        cost(cost_poll_ps_, "tlb_sync_poll");
    }
    ++sync_timeouts_;
    ctx_.log.warn(std::string(name()) + ": TLB sync timed out on context bank " + std::to_string(cb));
}

void SmmuV2Driver::tlb_sync_global() {
    ++tlb_syncs_;
    gr0_wr(v2::reg::sTLBGSYNC, 0);
    for (uint64_t i = 0; i < poll_limit_; ++i) {
        if (!(gr0_rd(v2::reg::sTLBGSTATUS) & v2::TLBSTATUS_SACTIVE)) return;
        cost(cost_poll_ps_, "tlb_sync_poll");
    }
    ++sync_timeouts_;
    ctx_.log.warn(std::string(name()) + ": global TLB sync timed out");
}

void SmmuV2Driver::set_stall(const std::string& device, bool enable) {
    Attached& a = attached(device);
    if (enable) { a.sctlr_set |= v2::sctlr::CFCFG; a.sctlr_clr &= ~v2::sctlr::CFCFG; }
    else { a.sctlr_set &= ~v2::sctlr::CFCFG; a.sctlr_clr |= v2::sctlr::CFCFG; }
    a.sctlr = enable ? (a.sctlr | v2::sctlr::CFCFG) : (a.sctlr & ~v2::sctlr::CFCFG);
    cb_wr(a.cb, v2::reg::CB_SCTLR, a.sctlr);
}

void SmmuV2Driver::resume(const std::string& device, bool terminate) {
    Attached& a = attached(device);
    ++(terminate ? resumes_terminate_ : resumes_retry_);
    cb_wr(a.cb, v2::reg::CB_RESUME, terminate ? v2::resume::TERMINATE : v2::resume::RETRY);
    if (flow_ == FaultFlow::mask_cfie && !(a.sctlr & v2::sctlr::CFIE)) {
        // 2025 fix: context interrupts back on once the stalled transaction is resumed.
        a.sctlr |= v2::sctlr::CFIE;
        cb_wr(a.cb, v2::reg::CB_SCTLR, a.sctlr);
        ++cfie_unmasked_;
    }
}

uint64_t SmmuV2Driver::unmap(const std::string& device, uint64_t va, uint64_t size) {
    Attached& a = attached(device);
    const uint64_t pages = a.pgt->unmap(va, size);
    if (size / 4096 > tlbi_page_limit_) {
        cb_wr(a.cb, v2::reg::CB_TLBIASID, a.stream->asid);
        ++tlbi_;
    } else {
        for (uint64_t p = va; p < va + size; p += 4096) {
            cb_wr64(a.cb, v2::reg::CB_TLBIVA, v2::encode_tlbiva(a.stream->asid, p));
            ++tlbi_;
        }
    }
    tlb_sync(a.cb);
    // Unmapped and invalidated: from here the pages may be reused (isolation monitor).
    if (ctx_.isolation)
        ctx_.isolation->revoke(fw_.name, (uint32_t(a.cb) << 16) | a.stream->asid, va, va + size, now_ps());
    return pages;
}

void SmmuV2Driver::context_fault(unsigned line) {
    // arm_smmu_context_fault(), in the IRQ thread on its core. Line i serves bank i.
    auto it = by_cb_.find(line);
    const unsigned cb = line;
    const uint64_t t_entry = now_ps();
    const uint32_t fsr = cb_rd(cb, v2::reg::CB_FSR);
    const uint64_t t_seen = now_ps();
    if (!(fsr & v2::fsr::ALL)) { ++spurious_; return; }   // IRQ_NONE
    const bool ss_only = (fsr & v2::fsr::ALL) == v2::fsr::SS;   // the fault was reported and cleared; only SS is left
    if (ss_only && flow_ == FaultFlow::mask_cfie) {
        // 2025 fix: SS is no longer part of ARM_SMMU_CB_FSR_FAULT: nothing to report.
        ++ss_only_ignored_;
        ++spurious_;
        return;
    }
    if (ss_only) ++ss_only_reports_;   // legacy: the still-asserted line is taken and reported again
    ++context_faults_;
    ContextFaultInfo info;
    info.cb = cb;
    info.fsr = fsr;
    info.fault_id = ctx_.faults.find_key(fw_.name, cb);
    if (const FaultRecord* fr = ctx_.faults.find(info.fault_id); fr && !fr->closed)
        ctx_.faults.mark(info.fault_id, Stage::irq, t_seen);
    info.far = cb_rd64(cb, v2::reg::CB_FAR);
    info.fsynr0 = cb_rd(cb, v2::reg::CB_FSYNR0);
    info.cbfrsynra = gr1_rd(v2::reg::CBFRSYNRA(cb));
    info.write = (info.fsynr0 & (1u << 4)) != 0;   // FSYNR0.WNR
    cost(cost_read_ps_.sample(), "context_fault");
    cost(cost_report_ps_.sample(), "report_iommu_fault");
    FaultReply reply = FaultReply::no_handler;
    if (it != by_cb_.end()) {
        info.device = it->second->stream->device;
        if (it->second->handler) reply = it->second->handler(info);
    }
    if (reply == FaultReply::no_handler) {
        ++unhandled_;
        if (unhandled_ <= 10)
            ctx_.log.warn(std::string(name()) + ": Unhandled context fault: fsr=" + hex(fsr) + ", iova=" + hex(info.far) +
                          ", fsynr=" + hex(info.fsynr0) + ", cbfrsynra=" + hex(info.cbfrsynra) + ", cb=" +
                          std::to_string(cb));
    }
    // Clear what was read (W1C): faults recorded since stay set and re-assert the line.
    cb_wr(cb, v2::reg::CB_FSR, fsr);
    ++fsr_clears_;
    if (const FaultRecord* fr = ctx_.faults.find(info.fault_id); fr && !fr->closed)
        ctx_.faults.mark(info.fault_id, Stage::dispatch, now_ps());
    if (fault_log_.size() < fault_log_limit_)
        fault_log_.push_back({{"t_ns", t_seen / 1000.0}, {"cb", cb}, {"fsr", fsr},
                              {"fsr_bits", v2::fsr_to_string(fsr)}, {"far", info.far}, {"far_hex", hex(info.far)},
                              {"fsynr0", info.fsynr0}, {"cbfrsynra", info.cbfrsynra},
                              {"reply", fault_reply_name(reply)}});
    if (fsr & v2::fsr::SS) {
        if (reply == FaultReply::resume_later) {
            ++deferred_;   // the device driver writes CB_RESUME itself later
            if (flow_ == FaultFlow::mask_cfie && it != by_cb_.end() && (it->second->sctlr & v2::sctlr::CFIE)) {
                // Keep the still-asserted level from re-taking the interrupt until resume().
                it->second->sctlr &= ~v2::sctlr::CFIE;
                cb_wr(cb, v2::reg::CB_SCTLR, it->second->sctlr);
                ++cfie_masked_;
            }
        } else if (reply == FaultReply::retry) {
            ++resumes_retry_;
            cb_wr(cb, v2::reg::CB_RESUME, v2::resume::RETRY);
        } else {
            ++resumes_terminate_;
            cb_wr(cb, v2::reg::CB_RESUME, v2::resume::TERMINATE);
        }
    }
    if (ss_only) ss_only_cpu_ps_ += now_ps() - t_entry;
}

void SmmuV2Driver::global_fault() {
    const uint32_t gfsr = gr0_rd(v2::reg::sGFSR);
    if (!gfsr) return;
    ++global_faults_;
    const uint32_t sid = gr0_rd(v2::reg::sGFSYNR1);
    cost(cost_read_ps_.sample(), "global_fault");
    ctx_.log.warn(std::string(name()) + ": Unexpected global fault, this could be serious: GFSR " + hex(gfsr) +
                  ", GFSYNR1 (StreamID) " + hex(sid));
    gr0_wr(v2::reg::sGFSR, gfsr);
}

namespace {

// Probe: the firmware unit -> SmmuV2Firmware, and the streams behind it (host.streams.<device>,
// one context each), then the driver (parameters under host.smmu_v2_driver).
std::unique_ptr<sc_core::sc_module> probe_mmu_500(HostEnv& env, const FirmwareUnit& u) {
    SmmuV2Firmware fw;
    fw.name = u.name;
    fw.mmio_base = u.mmio_base;
    fw.global_irq = dynamic_cast<const sc_core::sc_signal<bool>*>(u.irq("global")->line);
    fw.global_irq_num = u.irq("global")->number;
    for (unsigned i = 0; const FirmwareIrq* q = u.irq("context" + std::to_string(i)); ++i) {
        fw.context_irqs.push_back(dynamic_cast<const sc_core::sc_signal<bool>*>(q->line));
        fw.context_irq_nums.push_back(q->number);
    }
    ParamScope sp = env.params.sub("streams");
    std::vector<V2Stream> streams;
    for (const auto& d : env.fw.devices) {
        if (d.smmu != fw.name) continue;
        V2Stream s;
        s.device = d.device;
        s.sid = d.sid;
        s.bus_master = BusMaster::of(d);
        ParamScope ds = sp.sub(d.device);
        bool is_gpu = false;
        for (const FirmwareUnit* g : env.fw.units_compatible("iopf,gpu")) is_gpu |= g->name == d.device;
        if (!is_gpu) {   // a GPU's driver chooses these itself (host.gpu_driver)
            if (ds.get_bool("stall", false, {"SMMUv2: SCTLR.CFCFG, stall this device's faulting transactions (else terminate)", src::config}))
                s.sctlr_set |= smmu::v2::sctlr::CFCFG;
            if (ds.get_bool("hupcf", false, {"SMMUv2: SCTLR.HUPCF, transactions proceed under an outstanding fault", src::config}))
                s.sctlr_set |= smmu::v2::sctlr::HUPCF;
        }
        const auto contexts = ds.children("contexts", {"address spaces of the device (SMMUv2: exactly one)", src::config});
        if (contexts.size() > 1)
            throw ConfigError("parameter '" + ds.path("contexts") + "': a device behind an SMMUv2 has one context bank, "
                              "so one context; got " + std::to_string(contexts.size()));
        for (const auto& cn : contexts) {
            ParamScope cs = ds.sub("contexts").sub(cn);
            s.asid = static_cast<uint16_t>(cs.get_uint("asid", 1, "", {"ASID tagging this context's TLB entries", src::config}, 0, 0xffff));
            for (const auto& mn : cs.children("mappings", {"IOVA -> PA mappings in this context's page tables", src::config})) {
                Mapping m = parse_mapping(cs.sub("mappings").sub(mn), mn);
                if (env.pool.contains(m.pa) || env.pool.contains(m.pa + m.size - 1) ||
                    (m.pa < env.pool.base() && m.pa + m.size > env.pool.base()))
                    throw ConfigError("parameter '" + cs.sub("mappings").path(mn) + ".pa': overlaps the kernel pool at " +
                                      hex(env.pool.base()));
                check_no_overlap(s.mappings, m, cs.sub("mappings").path(mn));
                s.mappings.push_back(m);
            }
        }
        streams.push_back(std::move(s));
    }
    return std::make_unique<SmmuV2Driver>((fw.name + "_driver").c_str(), env.ctx, env.params.sub("smmu_v2_driver"),
                                          env.cpu, env.bus, env.irqc, env.pool, fw, std::move(streams));
}

}  // namespace

IOPF_REGISTER_DRIVER("arm,mmu-500", probe_mmu_500);

}  // namespace iopf
