// The IOMMU shell: what every IOMMU front end shares, written once.
//
//   TranslationShell  - the tlb and walk steps (TLB lookup tagged by the XlateContext, walk
//                       coalescing per page, walker slots, timed walk memory and its read
//                       count, TLB fill), the fast-mode probe of the same TLB step, timed
//                       accesses through the IOMMU's own port, the fault lifecycle
//                       (open at detect, finish at completion) and the terminate/abort
//                       completion of a transaction.
//   StallTable        - stall-table bookkeeping: a fixed number of entries (STALL_MAX), a
//                       tag per held transaction, resume with a response, release.
//
// A front end (an sc_module: SmmuV3, SmmuV2, the VT-d unit) owns its register file, its
// configuration structures and caches, its queues, its TLB and its resources, and passes
// references to the shell at construction. The shell is not an sc_module (no names, traces
// or stats of its own: the front end's keep theirs). The hit path allocates nothing and makes
// no virtual call. See xlate_context.h for the named steps.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/clock.h"
#include "models/common/context.h"
#include "models/common/payload.h"
#include "models/common/probe.h"
#include "models/common/resource.h"
#include "models/smmu/fault.h"
#include "models/smmu/shell/timed_access.h"
#include "models/smmu/nested.h"
#include "models/smmu/shell/xlate_context.h"
#include "models/smmu/tlb.h"

namespace iopf::smmu {

using WalkSocket = tlm::tlm_initiator_socket<32>;

// How a terminated transaction completes.
enum class Termination { abort, raz_wi };

class TranslationShell {
public:
    // Counters the front end reports (its own stats keys); the shell bumps them.
    struct Counters {
        uint64_t* tlb_hits;
        uint64_t* tlb_misses;
        uint64_t* tlb_miss_coalesced;
        uint64_t* walks;
        uint64_t* walk_reads;
        uint64_t* aborted;
        uint64_t* raz_wi;
        // Stage 2 (optional): S2-only walks, nested walks and their memory reads.
        uint64_t* s2_walks = nullptr;
        uint64_t* nested_walks = nullptr;
        uint64_t* nested_walk_reads = nullptr;
        // Entry updates a walk writes (x86-64 A/D): null = the walk memory refuses writes.
        uint64_t* walk_writes = nullptr;
    };
    struct Wiring {
        SimContext& ctx;
        const char* iommu;          // the front end's name (fault attribution)
        const Clock& clk;
        Tlb& tlb;
        FifoResource& walk_slots;
        WalkSocket& walk_port;
        Counters counters;
        uint64_t& walks_active;     // traced
        uint64_t& faults_in_flight; // traced
        const uint64_t& tlb_cycles; // TLB lookup, cycles of clk (read at each lookup)
    };
    explicit TranslationShell(const Wiring& w)
        : w_(w), walk_abort_(w.ctx.inject.declare(w.iommu, "walk_read",
                                                  "a page-table descriptor read of a walk aborts (external abort on the walk)")) {}
    // The walk-abort point, for a front end's own walks (stage 2 of its configuration).
    InjectPoint& walk_abort() { return walk_abort_; }

    // ---- step "tlb" + step "walk" (accurate: every cost is waited).
    WalkResult tlb_or_walk(const XlateContext& ctx, uint64_t va, const Access& acc) {
        if (ctx.stage2_cfg) return tlb_or_walk_s2(ctx, va, acc);
        spend(w_.tlb_cycles);
        const TlbEntry* hit = lookup_s1(ctx, va, acc);
        WalkResult wr;
        if (hit) {
            ++*w_.counters.tlb_hits;
            from_hit(*hit, ctx, va, acc, wr);
            return wr;
        }
        ++*w_.counters.tlb_misses;
        const uint64_t key = ctx.walk_key(va);
        if (walks_in_flight_.count(key)) {
            // Another translation is walking this page: wait for its fill and look again
            // (a miss that costs no walk of its own).
            ++*w_.counters.tlb_miss_coalesced;
            while (walks_in_flight_.count(key)) sc_core::wait(walk_done_);
            if ((hit = lookup_s1(ctx, va, acc))) {
                from_hit(*hit, ctx, va, acc, wr);
                return wr;
            }
        }
        walks_in_flight_.insert(key);
        {
            Hold slot(w_.walk_slots);
            ++w_.walks_active;
            ++*w_.counters.walks;
            TimedWalkMemory<WalkSocket> mem(w_.walk_port, *w_.counters.walk_reads, w_.counters.walk_writes, &walk_abort_);
            wr = ctx.stage1->walk(va, acc, mem);
            --w_.walks_active;
        }
        walks_in_flight_.erase(key);
        if (wr.ok()) {
            TlbEntry te;
            te.vmid = ctx.vmid;
            te.asid = ctx.asid;
            te.va_base = wr.va_base;
            te.pa_base = wr.pa_base;
            te.size_log2 = uint8_t(wr.size_log2);
            te.attrs = wr.attrs;
            w_.tlb.insert(te);
        }
        walk_done_.notify(sc_core::SC_ZERO_TIME);
        return wr;
    }

    // ---- step "tlb" in fast mode: the same lookup, no time, no counting. A permitted hit
    // returns the entry (the caller counts it and annotates the delay), anything else null:
    // the transaction then takes the accurate path.
    const TlbEntry* tlb_probe(const XlateContext& ctx, uint64_t va, const Access& acc) {
        if (ctx.stage2_cfg) return nullptr;   // stage-2 streams take the accurate path
        const TlbEntry* hit = lookup_s1(ctx, va, acc);
        uint8_t ff = 0;
        if (!hit || ctx.hit_fault(hit->attrs, acc, ff) != EventId::None) return nullptr;
        return hit;
    }
    void count_hit() { ++*w_.counters.tlb_hits; }

    // ---- timed accesses through the IOMMU's own port (configuration, queues, MSIs).
    // With a point: an access it fires on aborts without being made (fault injection).
    bool mem_read(uint64_t addr, void* dst, unsigned len, InjectPoint* abort = nullptr) {
        if (injected_abort(abort)) return false;
        return timed_access(w_.walk_port, tlm::TLM_READ_COMMAND, addr, dst, len);
    }
    bool mem_write(uint64_t addr, const void* src, unsigned len, InjectPoint* abort = nullptr) {
        if (injected_abort(abort)) return false;
        return timed_access(w_.walk_port, tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(src), len);
    }

    // ---- fault lifecycle (measurement only; see models/common/fault_tracker.h).
    // Opens a fault at detection time: returns its id.
    uint64_t open_fault(const IopfExt& ext, const tlm::tlm_generic_payload& gp, EventId e, uint64_t t_detect,
                        bool with_substream) {
        return open_fault(ext, gp, event_name(e), t_detect, with_substream);
    }
    // The same with the front end's own name for the fault (VT-d: its fault reason).
    uint64_t open_fault(const IopfExt& ext, const tlm::tlm_generic_payload& gp, std::string event,
                        uint64_t t_detect, bool with_substream) {
        FaultRecord fr;
        fr.device = ext.device;
        fr.smmu = w_.iommu;
        fr.sid = ext.sid;
        if (with_substream) {
            fr.ssid = ext.ssid;
            fr.ssv = ext.ssv;
        }
        fr.address = gp.get_address();
        fr.write = gp.is_write();
        fr.exec = ext.ind;
        fr.priv = ext.pnu;
        fr.event = std::move(event);
        fr.t_issue_ps = ext.t_issue_ps ? ext.t_issue_ps : t_detect;
        const uint64_t id = w_.ctx.faults.open(std::move(fr));
        w_.ctx.faults.mark(id, Stage::detect, t_detect);
        ++w_.faults_in_flight;
        return id;
    }
    // A retried transaction faulted again: the earlier fault ends here (with `r` if given).
    void close_refaulted(uint64_t id, uint64_t t, Resolution r = Resolution::pending) {
        if (r != Resolution::pending) w_.ctx.faults.resolve(id, r);
        w_.ctx.faults.close(id, t);
        --w_.faults_in_flight;
    }
    // The transaction that carried fault `id` completes: still pending -> `if_pending`. The
    // device closes the fault when the response reaches it (the retry stage), so the id
    // rides back in the transaction's probe extension (models/common/probe.h); a
    // transaction without one closes it now.
    void finish_fault(uint64_t id, tlm::tlm_generic_payload& gp, Resolution if_pending) {
        FaultRecord* fr = w_.ctx.faults.find(id);
        if (fr && fr->resolution == Resolution::pending) fr->resolution = if_pending;
        if (!probe_tag_fault(gp, id)) w_.ctx.faults.close(id, now_ps());
        --w_.faults_in_flight;
    }

    // ---- completion of a terminated transaction: an abort, or reads-as-zero /
    // writes-ignored.
    void complete_terminated(tlm::tlm_generic_payload& gp, Termination t) {
        if (t == Termination::raz_wi) {
            ++*w_.counters.raz_wi;
            if (gp.is_read()) std::memset(gp.get_data_ptr(), 0, gp.get_data_length());
            gp.set_response_status(tlm::TLM_OK_RESPONSE);
        } else {
            ++*w_.counters.aborted;
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        }
    }

    // ---- device-facing front end: synchronise on arrival and on return.
    void sync(sc_core::sc_time& delay, uint64_t cycles) {
        sc_core::wait(delay);
        delay = sc_core::SC_ZERO_TIME;
        sc_core::wait(w_.clk.cycles(cycles));
    }
    void spend(uint64_t cycles) {
        if (cycles) sc_core::wait(w_.clk.cycles(cycles));
    }

private:
    // Stage 2 on: S2-only (stage-2-only TLB entries, a stage-2 walk) or nested (combined
    // S1+S2 entries tagged by VMID and ASID; a stage-1 walk over the stage-2 decorator, whose
    // stage-2 steps use and fill the stage-2-only entries). A combined entry that the stage-2
    // permissions deny is treated as a miss, so the walk reports the fault with its IPA.
    WalkResult tlb_or_walk_s2(const XlateContext& ctx, uint64_t va, const Access& acc) {
        spend(w_.tlb_cycles);
        const bool s2_only = ctx.stage1 == nullptr;
        auto lookup = [&]() -> const TlbEntry* {
            const TlbEntry* h = s2_only ? w_.tlb.lookup_s2(ctx.vmid, va) : w_.tlb.lookup(ctx.vmid, ctx.asid, va);
            if (h) {
                S2Attrs a;
                a.s2ap = h->s2ap;
                a.xn = h->s2xn;
                if (!s2_permits(a, acc)) h = nullptr;
            }
            return h;
        };
        auto from = [&](const TlbEntry& e, WalkResult& wr) {
            wr.size_log2 = e.size_log2;
            wr.pa = e.pa_base + (va - e.va_base);
            wr.level = 3;
            wr.s2ap = e.s2ap;
            wr.s2xn = e.s2xn;
            if (s2_only) {
                wr.attrs = leaf_attrs_for((e.s2ap & 2) != 0, true, !e.s2xn);
            } else {
                wr.attrs = e.attrs;
                wr.fault = ctx.hit_fault(e.attrs, acc, wr.format_fault);
            }
        };
        WalkResult wr;
        if (const TlbEntry* hit = lookup()) {
            ++*w_.counters.tlb_hits;
            from(*hit, wr);
            return wr;
        }
        ++*w_.counters.tlb_misses;
        const uint64_t key = ctx.walk_key(va) ^ (s2_only ? (uint64_t(1) << 63) : 0);
        if (walks_in_flight_.count(key)) {
            ++*w_.counters.tlb_miss_coalesced;
            while (walks_in_flight_.count(key)) sc_core::wait(walk_done_);
            if (const TlbEntry* hit = lookup()) {
                from(*hit, wr);
                return wr;
            }
        }
        walks_in_flight_.insert(key);
        {
            Hold slot(w_.walk_slots);
            ++w_.walks_active;
            ++*w_.counters.walks;
            TimedWalkMemory<WalkSocket> mem(w_.walk_port, *w_.counters.walk_reads, nullptr, &walk_abort_);
            Stage2Memory s2mem(*ctx.stage2_cfg, ctx.vmid, mem, &w_.tlb);
            if (s2_only) {
                if (w_.counters.s2_walks) ++*w_.counters.s2_walks;
                const S2WalkResult r = s2mem.translate(va, acc);   // fills the stage-2 entry
                wr.fault = r.fault;
                wr.level = r.level;
                wr.pa = r.pa;
                wr.size_log2 = r.size_log2;
                wr.fault_desc_pa = r.fault_desc_pa;
                wr.attrs = leaf_attrs_for((r.attrs.s2ap & 2) != 0, true, !r.attrs.xn);
                wr.s2ap = r.attrs.s2ap;
                wr.s2xn = r.attrs.xn;
                if (!r.ok()) {
                    wr.stage = 2;
                    wr.fault_class = uint8_t(FaultClass::IN);
                    wr.ipa = va;
                }
            } else {
                const NestedResult n = walk_nested_with(
                    [&](WalkMemory& m) { return ctx.stage1->walk(va, acc, m); }, va, acc, s2mem);
                if (w_.counters.nested_walks) ++*w_.counters.nested_walks;
                if (w_.counters.nested_walk_reads) *w_.counters.nested_walk_reads += n.reads;
                wr = to_walk_result(n);
                if (n.ok()) w_.tlb.insert(combined_entry(n, ctx.vmid, ctx.asid));
            }
            --w_.walks_active;
        }
        walks_in_flight_.erase(key);
        walk_done_.notify(sc_core::SC_ZERO_TIME);
        return wr;
    }

    // A stage-1 (or combined) entry this access can use as it stands; a write to a clean
    // entry is a miss (its walk sets the dirty bit).
    const TlbEntry* lookup_s1(const XlateContext& ctx, uint64_t va, const Access& acc) {
        const TlbEntry* hit = w_.tlb.lookup(ctx.vmid, ctx.asid, va);
        return hit && XlateContext::needs_walk(hit->attrs, acc) ? nullptr : hit;
    }

    static void from_hit(const TlbEntry& e, const XlateContext& ctx, uint64_t va, const Access& acc, WalkResult& wr) {
        wr.attrs = e.attrs;
        wr.size_log2 = e.size_log2;
        wr.pa = e.pa_base + (va - e.va_base);
        wr.level = 3;
        wr.fault = ctx.hit_fault(e.attrs, acc, wr.format_fault);
    }

    Wiring w_;
    InjectPoint& walk_abort_;
    std::set<uint64_t> walks_in_flight_;   // walk_key()s of walks in progress
    sc_core::sc_event walk_done_;          // notified whenever a walk finishes
};

// Stall-table bookkeeping (SMMUv3: IDR5.STALL_MAX entries, STAG = entry index). A full table
// back-pressures: acquire() waits for a free entry (never drops the transaction).
class StallTable {
public:
    struct Entry {
        bool used = false;
        uint32_t sid = 0;
        int resp = -1;   // the response once resumed (front-end encoding), -1 = still held
        uint64_t fault_id = 0;
        sc_core::sc_event resumed;
    };
    explicit StallTable(unsigned entries = 0) { resize(entries); }
    void resize(unsigned entries) {
        entries_.clear();
        free_ = {};
        for (unsigned i = 0; i < entries; ++i) {
            entries_.push_back(std::make_unique<Entry>());
            free_.push(uint16_t(i));
        }
        slots_.set_capacity(entries ? entries : 1);
    }
    // Most entries held at once so far.
    unsigned peak() const { return peak_; }
    unsigned size() const { return unsigned(entries_.size()); }
    Entry& at(uint16_t tag) { return *entries_[tag]; }
    const Entry& at(uint16_t tag) const { return *entries_[tag]; }

    // A free entry for a transaction of `sid`; `waits` counts a full table.
    uint16_t acquire(uint32_t sid, uint64_t fault_id, uint64_t& waits) {
        if (!slots_.try_acquire()) {
            ++waits;
            slots_.acquire();
        }
        // The lowest free tag (O(log n)); a unit of slots_ guarantees there is one.
        const uint16_t tag = free_.top();
        free_.pop();
        if (++in_use_ > peak_) peak_ = in_use_;
        Entry& e = *entries_[tag];
        e.used = true;
        e.sid = sid;
        e.resp = -1;
        e.fault_id = fault_id;
        return tag;
    }
    // The entry `tag` holds a transaction of `sid` not yet resumed.
    bool held(uint32_t sid, uint16_t tag) const {
        return tag < entries_.size() && entries_[tag]->used && entries_[tag]->sid == sid && entries_[tag]->resp < 0;
    }
    void resume(uint16_t tag, int resp) {
        entries_[tag]->resp = resp;
        entries_[tag]->resumed.notify(sc_core::SC_ZERO_TIME);
    }
    int wait_resumed(uint16_t tag) {
        Entry& e = *entries_[tag];
        while (e.resp < 0) sc_core::wait(e.resumed);
        return e.resp;
    }
    void release(uint16_t tag) {
        entries_[tag]->used = false;
        free_.push(tag);
        --in_use_;
        slots_.release();
    }

private:
    std::vector<std::unique_ptr<Entry>> entries_;
    std::priority_queue<uint16_t, std::vector<uint16_t>, std::greater<uint16_t>> free_;
    unsigned in_use_ = 0, peak_ = 0;
    FifoResource slots_;
};

}  // namespace iopf::smmu
