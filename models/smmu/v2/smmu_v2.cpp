// SmmuV2 construction, translation pipeline and the context-fault model (terminate, stall,
// FSR.MULTI, HUPCF). Registers are in smmu_v2_regs.cpp.
#include "models/smmu/v2/smmu_v2.h"
#include "platforms/registry.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "models/common/units.h"

namespace iopf {

using smmu::EventId;
namespace v2 = smmu::v2;

namespace {

unsigned log2_ceil(unsigned v) {
    unsigned n = 0;
    while ((1u << n) < v) ++n;
    return n;
}

}  // namespace

SmmuV2::SmmuV2(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    // try: a TLB geometry the core rejects (entries not a multiple of ways) is bad input.
    try : sc_module(name), upstream("upstream"), downstream("downstream"), walk_port("walk_port"), mmio("mmio"),
      ctx_(ctx),
      clk_(p.get_double("clock_mhz", 1000.0, "MHz", {"SMMU clock; every *_cycles parameter counts this clock", "assumed: a 1 GHz SMMU clock (MMU-500 TRM gives no frequency; SoCs run it at 0.4-1 GHz)"}, 1.0)),
      tlb_(p.sub("tlb").get_uint("entries", 128, "entries", {"TLB entries (tagged by context bank and ASID)", "assumed: order of the MMU-500 TBU macro TLB (configurable; 128 entries here), not a measured part"}, 1, 1 << 20),
           p.sub("tlb").get_uint("ways", 4, "ways", {"TLB associativity (entries must be a multiple)", "assumed: 4-way, as gem5's SMMUv3 tlb_assoc"}, 1, 1 << 20),
           smmu::parse_replacement(p.sub("tlb").get_enum("replacement", "lru", {"lru", "fifo", "random"},
                                                         {"TLB replacement policy", "assumed: LRU, the usual textbook choice"})),
           ctx.seed),
      shell_({ctx, this->name(), clk_, tlb_, walk_slots_, walk_port,
              {&c_.tlb_hits, &c_.tlb_misses, &c_.tlb_miss_coalesced, &c_.walks, &c_.walk_reads, &c_.aborted, &c_.raz_wi},
              walks_active_, faults_in_flight_, tlb_cycles_}),
      usf_inject_(&ctx.inject.declare(this->name(), "smr_match",
                                      "a transaction's stream matching finds no SMR: sGFSR.USF and the global fault interrupt (sCR0.USFCFG = 1), else bypass")) {
    mmio_base_ = p.get_addr("mmio_base", 0x0a000000ull,
                            {"physical base of the register space (2 x NUMPAGE 4 KiB pages: GR0, GR1, then one page per context bank)", src::config});
    ParamScope f = p.sub("features");
    id_.numcb = f.get_uint("context_banks", 8, "banks", {"ID1.NUMCB: stage-1 context banks", "assumed: 8 of MMU-500's up to 128 context banks (CoreLink MMU-500 TRM, configuration options)"}, 1, 128);
    id_.numsmrg = f.get_uint("smr_groups", 16, "groups", {"ID0.NUMSMRG: stream mapping register groups (SMRn/S2CRn)", "assumed: 16 of MMU-500's up to 128 stream match register groups"}, 1, 128);
    id_.numsidb = f.get_uint("sid_bits", 15, "bits", {"ID0.NUMSIDB: StreamID width (MMU-500: 15)", "CoreLink MMU-500 TRM: 15-bit StreamID (SMMU_IDR0.NUMSIDB = 15)"}, 1, 16);
    oas_bits_ = f.get_uint("oas_bits", 48, "bits", {"ID2.OAS: output address size (32/36/40/42/44/48)", "assumed: 48-bit physical addresses, the usual Armv8 server/SoC PA size"}, 32, 48);
    id_.oas = v2::size_bits_field(oas_bits_);
    id_.ias = id_.oas;
    id_.numirpt = id_.numcb;   // one context interrupt per bank
    id_.numpagendxb = std::max(1u, log2_ceil(std::max(2u, id_.numcb))) - 1;
    if (v2::numpage(id_.numpagendxb) < std::max(2u, id_.numcb)) ++id_.numpagendxb;

    ParamScope t = p.sub("timing");
    ifc_cycles_ = t.get_uint("ifc_cycles", 8, "cycles", {"device interface to SMMU, each way", src::gem5});
    smr_cycles_ = t.get_uint("smr_cycles", 2, "cycles", {"stream matching (SMR/S2CR lookup) per transaction", "assumed: stream matching is a couple of cycles of comparator logic"});
    tlb_cycles_ = p.sub("tlb").get_uint("lookup_cycles", 3, "cycles", {"TLB lookup", src::gem5});
    record_cycles_ = t.get_uint("record_cycles", 2, "cycles", {"writing FSR/FAR/FSYNR0/CBFRSYNRA for a context fault", "assumed: writing the fault syndrome registers is a couple of cycles"});
    tlbsync_cycles_ = t.get_uint("tlbsync_cycles", 32, "cycles", {"TLBSYNC / sTLBGSYNC until TLBSTATUS.SACTIVE clears", "assumed: a TLB sync drains in tens of cycles when nothing is outstanding"});
    xlate_slots_.set_capacity(t.get_uint("xlate_slots", 16, "slots",
                                         {"translations in progress at once, shared by all banks; a stalled transaction keeps its slot", "assumed: fewer slots than an SMMUv3 TCU; the MMU-500 TRM gives 128 outstanding reads + 128 writes per TBU but a smaller translation pool"},
                                         1, 4096));
    walk_slots_.set_capacity(t.get_uint("walker_slots", 8, "slots", {"table walks in progress at once", "CoreLink MMU-500 TRM: at most 8 parallel page-table walks per TBU (REFERENCE.md calibration anchors)"}, 1, 4096));
    reg_log_limit_ = p.get_uint("reg_log_limit", 100000, "entries",
                                {"context-bank register writes kept for inspection (tests, queue log)", "assumed: enough entries to inspect a run without unbounded memory"});

    smr_.assign(id_.numsmrg, 0);
    s2cr_.assign(id_.numsmrg, v2::encode_s2cr({v2::S2crType::fault, 0, 0}));
    for (unsigned i = 0; i < id_.numcb; ++i) {
        banks_.push_back(std::make_unique<Bank>());
        banks_.back()->index = i;
        banks_.back()->cbar = v2::encode_cbar({v2::CbarType::s1_trans_s2_bypass, 0, uint8_t(i)});
    }
    for (unsigned i = 0; i < id_.numirpt; ++i)
        irq_lines_.push_back(std::make_unique<sc_core::sc_signal<bool>>(("context_irq_" + std::to_string(i)).c_str(), false));

    upstream.register_b_transport(this, &SmmuV2::b_transport);
    mmio.register_b_transport(this, &SmmuV2::mmio_b_transport);
    SC_HAS_PROCESS(SmmuV2);
    irq_low_until_ps_.assign(irq_lines_.size(), 0);
    SC_METHOD(drive_irqs);
    sensitive << irq_ev_;
    dont_initialize();

    const std::string me = this->name();
    ctx.traces.add(me + ".global_irq", global_irq);
    for (unsigned i = 0; i < irq_lines_.size(); ++i) ctx.traces.add(me + ".context_irq" + std::to_string(i), *irq_lines_[i]);
    for (const auto& b : banks_) {
        const std::string cb = me + ".cb" + std::to_string(b->index);
        ctx.traces.add(cb + ".fsr_ss", b->fsr_ss);
        ctx.traces.add(cb + ".stalled", b->stalled_now);
        ctx.traces.add(cb + ".held", b->held_now);
    }
    ctx.traces.add(me + ".translations_active", xlate_active_);
    ctx.traces.add(me + ".walks_active", walks_active_);
    ctx.traces.add(me + ".stalled", stalled_now_);
    ctx.traces.add(me + ".faults_in_flight", faults_in_flight_);

    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json s = {
            {"model", "smmu_v2"}, {"translations", c_.translations}, {"tlb_hits", c_.tlb_hits},
            {"tlb_misses", c_.tlb_misses}, {"tlb_miss_coalesced", c_.tlb_miss_coalesced},
            {"tlb_evictions", tlb_.evictions()}, {"walks", c_.walks}, {"walk_reads", c_.walk_reads},
            {"events", c_.events}, {"fsr_records", c_.fsr_records}, {"multi", c_.multi}, {"stalls", c_.stalls},
            {"held_behind_fault", c_.held}, {"terminated_under_fault", c_.terminated_under_fault},
            {"translated_under_fault", c_.translated_under_fault},
            {"pri_requests", 0}, {"resumes", c_.resumes}, {"resume_retry", c_.resume_retry},
            {"resume_terminate", c_.resume_terminate}, {"resume_ignored", c_.resume_ignored},
            {"retried_ok", c_.retried_ok}, {"aborted", c_.aborted}, {"raz_wi", c_.raz_wi},
            {"bypassed", c_.bypassed}, {"stream_faults", c_.stream_faults}, {"config_errors", c_.config_errors},
            {"mmio_reads", c_.mmio_reads}, {"mmio_writes", c_.mmio_writes}, {"mmio_unknown", c_.mmio_unknown},
            {"translation_slot_waits", xlate_slots_.waits()}, {"walker_slot_waits", walk_slots_.waits()},
            {"stalled_now", stalled_now_ + held_now_}};
        s["commands"] = nlohmann::json::object();
        for (const auto& [k, v] : cmd_counts_) s["commands"][k] = v;
        s["events_by_type"] = nlohmann::json::object();
        for (const auto& [k, v] : event_counts_) s["events_by_type"][k] = v;
        nlohmann::json banks = nlohmann::json::object();
        for (const auto& b : banks_) {
            if (!b->txn_ok && !b->events && !b->episode_count && !(b->sctlr & v2::sctlr::M)) continue;
            const double active_ns = (b->last_ok_ps - b->first_ok_ps) / 1000.0;
            nlohmann::json eps = nlohmann::json::array();
            std::vector<double> durations;
            for (const auto& e : b->episodes) {
                eps.push_back({{"start_ns", e.start_ps / 1000.0}, {"duration_ns", (e.end_ps - e.start_ps) / 1000.0},
                               {"stalled", e.stalled}, {"held", e.held}});
                durations.push_back((e.end_ps - e.start_ps) / 1000.0);
            }
            banks[std::to_string(b->index)] = {
                {"sctlr", hex(b->sctlr)}, {"fsr", hex(b->fsr)}, {"events", b->events}, {"stalls", b->stalls},
                {"held_behind_fault", b->held_total}, {"terminated_under_fault", b->terminated_under_fault},
                {"translated_under_fault", b->translated_under_fault},
                {"stall_episodes", b->episode_count}, {"stalled_ns", b->stalled_ps / 1000.0},
                {"episode_ns", distribution(durations)}, {"max_stalled", b->max_stalled},
                {"stalled_behind_fault", b->behind_fault}, {"max_behind_fault", b->max_behind_fault},
                {"episodes", eps}, {"transactions_ok", b->txn_ok}, {"bytes_ok", b->bytes_ok},
                {"throughput_MBps", active_ns > 0 ? b->bytes_ok * 1000.0 / active_ns : 0.0},
                {"foreign_stall_ns", b->foreign_stall_ps / 1000.0},
                {"bytes_during_foreign_stall", b->bytes_during_foreign_stall},
                {"throughput_during_foreign_stall_MBps",
                 b->foreign_stall_ps ? b->bytes_during_foreign_stall * 1e6 / double(b->foreign_stall_ps) : 0.0}};
        }
        s["context_banks"] = banks;
        root["smmus"][me] = s;
    });
} catch (const std::invalid_argument& e) {
    throw ConfigError("parameter '" + p.path("tlb") + "': " + e.what());
}

void SmmuV2::spend(uint64_t cycles) {
    // Called on synchronised paths only: the time is always waited.
    shell_.spend(cycles);
}

bool SmmuV2::mem_read(uint64_t addr, void* dst, unsigned len) { return shell_.mem_read(addr, dst, len); }

SmmuV2::Route SmmuV2::route(uint32_t sid, unsigned& cb, bool record) {
    if (scr0_ & v2::scr0::CLIENTPD) return Route::bypass;
    int match = -1;
    bool conflict = false;
    for (unsigned i = 0; i < smr_.size(); ++i) {
        if (!v2::smr_matches(v2::decode_smr(smr_[i]), sid)) continue;
        if (match >= 0) conflict = true;
        else match = int(i);
    }
    // Fault injection: this transaction's stream matching finds no SMR (a lost match).
    if (record && usf_inject_->armed() && usf_inject_->fire(now_ps())) match = -1, conflict = false;
    auto global_fault = [&](uint32_t bit) {
        if (!record) return;
        ++c_.stream_faults;
        sgfsr_ |= (sgfsr_ & ~v2::gfsr::MULTI) ? v2::gfsr::MULTI : bit;
        sgfsynr1_ = sid;
        update_irqs();
    };
    if (conflict) { global_fault(v2::gfsr::SMCF); return Route::abort; }
    if (match < 0) {
        if (scr0_ & v2::scr0::USFCFG) { global_fault(v2::gfsr::USF); return Route::abort; }
        return Route::bypass;
    }
    const v2::S2cr s = v2::decode_s2cr(s2cr_[match]);
    if (s.type == v2::S2crType::bypass) return Route::bypass;
    if (s.type == v2::S2crType::fault || s.cbndx >= banks_.size()) {
        if (record) ++c_.stream_faults;
        return Route::abort;
    }
    cb = s.cbndx;
    return Route::translate;
}

bool SmmuV2::bank_config(Bank& b) {
    if (!b.dirty) return b.cfg_ok;
    b.dirty = false;
    b.cfg_ok = false;
    const v2::Cbar cbar = v2::decode_cbar(b.cbar);
    const v2::Cba2r c2 = v2::decode_cba2r(b.cba2r);
    // Modelled: stage-1 contexts in the AArch64 format only.
    if (cbar.type != v2::CbarType::s1_trans_s2_bypass || !c2.va64) return false;
    const v2::Tcr t = v2::decode_tcr(b.tcr);
    const v2::Tcr2 t2 = v2::decode_tcr2(b.tcr2);
    const v2::Sctlr s = v2::decode_sctlr(b.sctlr);
    smmu::Granule g0 = smmu::Granule::K4, g1 = smmu::Granule::K4;
    const bool ok0 = v2::tg0_granule(t.tg0, g0), ok1 = v2::tg1_granule(t.tg1, g1);
    const v2::Ttbr r0 = v2::decode_ttbr(b.ttbr0), r1 = v2::decode_ttbr(b.ttbr1);
    // A reserved TGx encoding makes its half fault like EPDx.
    smmu::S1Config& s1 = b.s1.cfg;
    s1.tt[0] = {r0.baddr, t.t0sz, g0, t.epd0 || !ok0};
    s1.tt[1] = {r1.baddr, t.t1sz, g1, t.epd1 || !ok1};
    s1.ips_bits = std::min(v2::size_field_bits(t2.pasize), std::min(oas_bits_, 48u));
    s1.affd = s.affd;
    s1.wxn = s.wxn;
    b.asid = t.a1 ? r1.asid : r0.asid;
    b.cfg_ok = true;
    return true;
}

// The translation context of a context bank: TLB entries tagged by bank index and the
// bank's ASID; stage 1 walked with the bank's VMSAv8-64 configuration.
smmu::XlateContext SmmuV2::context(const Bank& b) const {
    smmu::XlateContext c;
    c.vmid = uint16_t(b.index);
    c.asid = b.asid;
    c.wxn = b.s1.cfg.wxn;
    c.stage1 = &b.s1;
    return c;
}

smmu::WalkResult SmmuV2::translate(Bank& b, uint64_t va, const smmu::Access& acc) {
    return shell_.tlb_or_walk(context(b), va, acc);
}

bool SmmuV2::fast_hit(const IopfExt& ext, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    // Temporal decoupling for TLB hits in a bank with no outstanding fault.
    unsigned cbi = 0;
    if (route(ext.sid, cbi, false) != Route::translate) return false;
    Bank& b = *banks_[cbi];
    if (!(b.sctlr & v2::sctlr::M) || !bank_config(b) || outstanding(b)) return false;
    // The same config (route, bank) and TLB steps as the accurate path, without waiting.
    const uint64_t va = gp.get_address();
    const smmu::TlbEntry* hit = shell_.tlb_probe(context(b), va, smmu::Access{gp.is_write(), ext.ind, ext.pnu});
    if (!hit) return false;
    ++c_.translations;
    shell_.count_hit();
    delay += clk_.cycles(2 * ifc_cycles_ + smr_cycles_ + tlb_cycles_);
    gp.set_address(hit->pa_base + (va - hit->va_base));
    if (ctx_.isolation)
        ctx_.isolation->grant(ext.device, name(), space(b), va, gp.get_address(), gp.get_data_length(), now_ps());
    downstream->b_transport(gp, delay);
    gp.set_address(va);
    if (gp.is_response_ok()) note_ok(b, gp.get_data_length());
    return true;
}

void SmmuV2::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    static IopfExt no_sideband;   // a transaction without the extension: StreamID 0
    IopfExt* ext = gp.get_extension<IopfExt>();
    if (!ext) ext = &no_sideband;
    if (ctx_.mode == TimingMode::fast && fast_hit(*ext, gp, delay)) return;

    wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    wait(clk_.cycles(ifc_cycles_ + smr_cycles_));
    ++c_.translations;
    auto finish = [&] {
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
        wait(clk_.cycles(ifc_cycles_));
    };
    unsigned cbi = 0;
    const Route r = route(ext->sid, cbi, true);
    if (r == Route::abort) {
        ++c_.aborted;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        finish();
        return;
    }
    if (r == Route::bypass || !(banks_[cbi]->sctlr & v2::sctlr::M)) {
        // sCR0.CLIENTPD, S2CR bypass, unmatched stream with USFCFG = 0, or SCTLR.M = 0.
        ++c_.bypassed;
        if (ctx_.isolation)
            ctx_.isolation->grant(ext->device, name(), IsolationMonitor::kBypass, gp.get_address(), gp.get_address(),
                                  gp.get_data_length(), now_ps());
        downstream->b_transport(gp, delay);
        if (r == Route::translate && gp.is_response_ok()) note_ok(*banks_[cbi], gp.get_data_length());
        finish();
        return;
    }

    Bank& b = *banks_[cbi];
    const uint64_t va = gp.get_address();
    const smmu::Access acc{gp.is_write(), ext->ind, ext->pnu};
    uint64_t fault_id = 0;
    bool forward = false;
    {
        Hold slot(xlate_slots_);   // kept while stalled or held behind a fault
        ++xlate_active_;
        for (;;) {
            // A fault is outstanding in the bank: HUPCF decides whether this transaction is
            // processed at all (see the header and docs/models/smmu-v2.md).
            if (!(b.sctlr & v2::sctlr::HUPCF) && outstanding(b)) {
                if (b.sctlr & v2::sctlr::CFCFG) {
                    ++c_.held;
                    ++b.held_total;
                    held_change(b, +1);
                    while (!(b.sctlr & v2::sctlr::HUPCF) && outstanding(b)) wait(b.unblock);
                    held_change(b, -1);
                    continue;   // re-evaluate: processed as though newly arrived
                }
                ++c_.terminated_under_fault;
                ++b.terminated_under_fault;
                terminate(b, gp);
                break;
            }
            if (!bank_config(b)) {
                ++c_.config_errors;
                ++c_.aborted;
                gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
                break;
            }
            const smmu::WalkResult wr = translate(b, va, acc);
            if (wr.ok()) {
                if (outstanding(b)) {   // hit (or walk) under a previous context fault
                    ++c_.translated_under_fault;
                    ++b.translated_under_fault;
                }
                gp.set_address(wr.pa);
                forward = true;
                break;
            }
            const uint64_t t_detect = now_ps();
            // A retried transaction faulted again: the earlier fault ends here unresolved.
            if (fault_id) shell_.close_refaulted(fault_id, t_detect, Resolution::invalid);
            fault_id = shell_.open_fault(*ext, gp, wr.fault, t_detect, false);
            const bool stall_it = (b.sctlr & v2::sctlr::CFCFG) != 0;
            record_fault(b, *ext, gp, wr, stall_it, fault_id);
            ctx_.faults.mark(fault_id, Stage::record, now_ps());
            if (stall_it && stall(b, fault_id) == int(v2::resume::RETRY)) continue;   // as though newly arrived
            terminate(b, gp);
            break;
        }
        --xlate_active_;
    }
    if (forward) {
        if (ctx_.isolation)
            ctx_.isolation->grant(ext->device, name(), space(b), va, gp.get_address(), gp.get_data_length(), now_ps());
        downstream->b_transport(gp, delay);
        gp.set_address(va);
        if (gp.is_response_ok()) note_ok(b, gp.get_data_length());
    }
    if (fault_id) {
        if (forward) ++c_.retried_ok;
        shell_.finish_fault(fault_id, gp, forward ? Resolution::success : Resolution::terminated);
    }
    finish();
}

void SmmuV2::record_fault(Bank& b, const IopfExt& ext, const tlm::tlm_generic_payload& gp,
                          const smmu::WalkResult& wr, bool stall_it, uint64_t fault_id) {
    spend(record_cycles_);
    ++c_.events;
    ++b.events;
    ++event_counts_[smmu::event_name(wr.fault)];
    uint32_t bit = v2::fsr_bit_for(wr.fault);
    if (!bit) bit = v2::fsr::EF;
    if (b.fsr & v2::fsr::SYNDROME) {
        // A fault is already recorded: keep FAR/FSYNR0/CBFRSYNRA, flag the loss.
        b.fsr |= v2::fsr::MULTI;
        ++c_.multi;
    } else {
        b.fsr |= bit;
        b.far = gp.get_address();
        v2::Fsynr0 f;
        f.plvl = wr.level & 3;
        f.wnr = gp.is_write();
        f.pnu = ext.pnu;
        f.ind = ext.ind;
        f.ptwf = wr.fault == EventId::F_WALK_EABT;
        b.fsynr0 = v2::encode_fsynr0(f);
        b.fsynr1 = 0;
        b.cbfrsynra = v2::encode_cbfrsynra(ext.sid);
        b.recorded_fault = fault_id;
        ++c_.fsr_records;
        // Instrumentation: lets the driver find the fault the FAR it reads describes.
        ctx_.faults.set_key(fault_id, name(), b.index);
    }
    if (stall_it) b.fsr |= v2::fsr::SS;
    b.fsr_ss = (b.fsr & v2::fsr::SS) != 0;
    if (ctx_.queue_log.enabled())
        ctx_.queue_log.note(now_ps(), name(), ("cb" + std::to_string(b.index)).c_str(),
                            std::string("context fault ") + smmu::event_name(wr.fault) + " va=" + hex(gp.get_address()) +
                                " sid=" + std::to_string(ext.sid) + (stall_it ? " stall" : " terminate") +
                                " -> FSR=" + v2::fsr_to_string(b.fsr));
    update_irqs();
}

int SmmuV2::stall(Bank& b, uint64_t fault_id) {
    Stalled st;
    st.fault_id = fault_id;
    b.stalled.push_back(&st);
    ++b.unresolved;
    ++b.stalled_now;
    ++stalled_now_;
    ++c_.stalls;
    ++b.stalls;
    occupancy_changed(b);
    ++b.cur.stalled;
    b.max_stalled = std::max(b.max_stalled, b.stalled_now);
    while (st.resp < 0) wait(b.resumed);
    b.stalled.erase(std::find(b.stalled.begin(), b.stalled.end(), &st));
    --b.stalled_now;
    --stalled_now_;
    occupancy_changed(b);
    return st.resp;
}

void SmmuV2::resume(Bank& b, uint32_t value) {
    // One CB_RESUME resolves every transaction stalled in the bank; with none stalled the
    // write has no effect.
    if (b.unresolved == 0) {
        ++c_.resume_ignored;
        clear_ss(b);
        return;
    }
    const int tnr = int(value & v2::resume::TNR);
    ++c_.resumes;
    ++(tnr ? c_.resume_terminate : c_.resume_retry);
    for (Stalled* st : b.stalled) {
        if (st->resp >= 0) continue;
        st->resp = tnr;
        if (st->fault_id) {
            FaultRecord* fr = ctx_.faults.find(st->fault_id);
            if (fr && !fr->closed) ctx_.faults.mark(st->fault_id, Stage::respond, now_ps() + write_arrival_.value());
        }
    }
    b.unresolved = 0;
    clear_ss(b);   // the only way SS clears on MMU-500
    // The stalled transactions restart when the write arrives.
    b.resumed.notify(write_arrival_);
    b.unblock.notify(write_arrival_);
}

void SmmuV2::clear_ss(Bank& b) {
    if (!(b.fsr & v2::fsr::SS)) return;
    b.fsr &= ~v2::fsr::SS;
    b.fsr_ss = false;
    if (!(b.fsr & v2::fsr::SYNDROME)) ctx_.faults.clear_key(name(), b.index);
    update_irqs();
}

void SmmuV2::terminate(Bank& b, tlm::tlm_generic_payload& gp) {
    // SCTLR.CFRE = 1: the client gets an abort; else reads return zero, writes are ignored.
    shell_.complete_terminated(gp, (b.sctlr & v2::sctlr::CFRE) ? smmu::Termination::abort : smmu::Termination::raz_wi);
}

void SmmuV2::note_ok(Bank& b, uint64_t bytes) {
    const uint64_t t = now_ps();
    if (!b.txn_ok) b.first_ok_ps = t;
    b.last_ok_ps = t;
    ++b.txn_ok;
    b.bytes_ok += bytes;
    if (banks_occupied_ > (b.in_episode ? 1u : 0u)) b.bytes_during_foreign_stall += bytes;
}

void SmmuV2::held_change(Bank& b, int64_t d) {
    b.held_now += d;
    held_now_ += d;
    occupancy_changed(b);
    if (d > 0) ++b.cur.held;
}

void SmmuV2::occupancy_changed(Bank& b) {
    const bool occ = b.stalled_now + b.held_now > 0;
    if (occ == b.in_episode) return;
    const uint64_t t = now_ps();
    // Time during which some other bank was stalled, for each bank.
    for (const auto& x : banks_)
        if (banks_occupied_ > (x->in_episode ? 1u : 0u)) x->foreign_stall_ps += t - last_occupancy_change_ps_;
    last_occupancy_change_ps_ = t;
    if (occ) {
        b.in_episode = true;
        ++banks_occupied_;
        b.cur = Episode{t, 0, 0, 0};
        ++b.episode_count;
    } else {
        b.in_episode = false;
        --banks_occupied_;
        b.cur.end_ps = t;
        b.stalled_ps += t - b.cur.start_ps;
        const uint64_t behind = b.cur.stalled + b.cur.held > 0 ? b.cur.stalled + b.cur.held - 1 : 0;
        b.behind_fault += behind;
        b.max_behind_fault = std::max(b.max_behind_fault, behind);
        if (b.episodes.size() < kMaxEpisodes) b.episodes.push_back(b.cur);
    }
}

IOPF_REGISTER_MODEL(
    "smmu_v2", build_order::iommu + 10,
    "Arm SMMU-500 (SMMUv2): stream matching, stage-1 context banks, terminate or stall on fault (compatible \"arm,mmu-500\")",
    [](PlatformBuilder& b, const std::string& n) {
        auto s = std::make_unique<SmmuV2>(n.c_str(), b.ctx, b.params(n));
        b.map(s->mmio, s->mmio_base(), s->mmio_size(), n);
        s->downstream.bind(b.bus_port());
        s->walk_port.bind(b.bus_port());
        // Interrupt numbers: <name>.irq.global and <name>.irq.context<i>; defaults 256 + 64 *
        // (index among the SMMU-500s) for global, + 1 + i for context interrupt i.
        const unsigned base = 256 + 64 * unsigned(b.firmware().units_compatible("arm,mmu-500").size());
        FirmwareUnit u;
        u.name = n;
        u.compatible = "arm,mmu-500";
        u.mmio_base = s->mmio_base();
        u.mmio_size = s->mmio_size();
        u.irqs.push_back({"global", &s->global_irq, b.irq_number(n, "global", base)});
        for (unsigned i = 0; i < s->context_irqs(); ++i) {
            const std::string irq = "context" + std::to_string(i);
            u.irqs.push_back({irq, &s->context_irq(i), b.irq_number(n, irq, base + 1 + i)});
        }
        b.firmware().units.push_back(u);
        b.add_iommu(n, *s);
        return s;
    });

}  // namespace iopf
