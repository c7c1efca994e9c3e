#include "models/smmu/nested.h"

namespace iopf::smmu {

namespace {

// Counts the reads a stage-2 walk makes through the physical memory.
struct CountingMemory : WalkMemory {
    WalkMemory& inner;
    unsigned& count;
    CountingMemory(WalkMemory& m, unsigned& c) : inner(m), count(c) {}
    bool read64(uint64_t pa, uint64_t& value) override {
        ++count;
        return inner.read64(pa, value);
    }
};

}  // namespace

TlbEntry s2_entry(const S2WalkResult& r, uint16_t vmid) {
    TlbEntry e;
    e.vmid = vmid;
    e.s2 = true;
    e.va_base = r.ipa_base;
    e.pa_base = r.pa_base;
    e.size_log2 = uint8_t(r.size_log2);
    e.s2ap = r.attrs.s2ap;
    e.s2xn = r.attrs.xn;
    e.attrs.af = r.attrs.af;
    return e;
}

TlbEntry combined_entry(const NestedResult& r, uint16_t vmid, uint16_t asid) {
    TlbEntry e;
    e.vmid = vmid;
    e.asid = asid;
    e.va_base = r.va_base;
    e.pa_base = r.pa_base;
    e.size_log2 = uint8_t(r.size_log2);
    e.attrs = r.attrs;
    e.s2ap = r.s2attrs.s2ap;
    e.s2xn = r.s2attrs.xn;
    return e;
}

S2WalkResult Stage2Memory::translate(uint64_t ipa, const Access& access) {
    if (tlb_) {
        if (const TlbEntry* hit = tlb_->lookup_s2(vmid_, ipa)) {
            ++s2_tlb_hits;
            S2WalkResult r;
            r.level = 3;
            r.size_log2 = hit->size_log2;
            r.ipa_base = hit->va_base;
            r.pa_base = hit->pa_base;
            r.pa = hit->pa_base + (ipa - hit->va_base);
            r.attrs.s2ap = hit->s2ap;
            r.attrs.xn = hit->s2xn;
            if (!s2_permits(r.attrs, access)) r.fault = EventId::F_PERMISSION;
            return r;
        }
    }
    ++s2_walks;
    CountingMemory counted(pa_mem_, s2_reads);
    S2WalkResult r = walk_stage2(cfg_, ipa, access, counted);
    // The walk succeeded as far as the leaf: cache it even when this access lacks the
    // permission (the entry holds the permissions; a later access may have them).
    const bool leaf_found = r.ok() || r.fault == EventId::F_PERMISSION;
    if (tlb_ && leaf_found) tlb_->insert(s2_entry(r, vmid_));
    return r;
}

bool Stage2Memory::read64(uint64_t ipa, uint64_t& value) {
    s2_fault_ = S2WalkResult{};
    const S2WalkResult t = translate(ipa, Access{false, false, false});
    if (!t.ok()) {
        s2_fault_ = t;
        fault_ipa_ = ipa;
        return false;
    }
    ++s1_reads;
    return pa_mem_.read64(t.pa, value);
}

namespace detail {

NestedResult finish_nested(const WalkResult& w, uint64_t va, const Access& access, Stage2Memory& m,
                           unsigned w0, unsigned r0, unsigned h0, unsigned s0) {
    NestedResult r;
    auto finish = [&](NestedResult& res) -> NestedResult {
        res.s2_walks = m.s2_walks - w0;
        res.s2_reads = m.s2_reads - r0;
        res.s2_tlb_hits = m.s2_tlb_hits - h0;
        res.s1_reads = m.s1_reads - s0;
        res.reads = res.s1_reads + res.s2_reads;
        return res;
    };
    if (!w.ok()) {
        if (w.fault == EventId::F_WALK_EABT && !m.s2_fault().ok()) {
            // The descriptor's IPA faulted at stage 2.
            const S2WalkResult& f = m.s2_fault();
            r.fault = f.fault;
            r.stage = 2;
            r.cls = FaultClass::TT;
            r.ipa = m.fault_ipa();
            r.level = f.level;
            r.fault_desc_pa = f.fault_desc_pa;
        } else {
            r.fault = w.fault;
            r.stage = 1;
            r.cls = w.fault == EventId::F_WALK_EABT ? FaultClass::TT : FaultClass::IN;
            r.level = w.level;
            r.fault_desc_pa = w.fault_desc_pa;
        }
        return finish(r);
    }
    // The stage-1 output is an IPA: translate it with the transaction's own access.
    const S2WalkResult t = m.translate(w.pa, access);
    if (!t.ok()) {
        r.fault = t.fault;
        r.stage = 2;
        r.cls = FaultClass::IN;
        r.ipa = w.pa;
        r.level = t.level;
        r.fault_desc_pa = t.fault_desc_pa;
        return finish(r);
    }
    r.ipa = w.pa;
    r.pa = t.pa;
    r.size_log2 = w.size_log2 < t.size_log2 ? w.size_log2 : t.size_log2;
    const uint64_t mask = (uint64_t(1) << r.size_log2) - 1;
    r.va_base = va & ~mask;
    r.pa_base = t.pa & ~mask;
    r.attrs = w.attrs;
    r.s2attrs = t.attrs;
    r.level = w.level;
    return finish(r);
}

}  // namespace detail

NestedResult walk_nested(const S1Config& s1, uint64_t va, const Access& access, Stage2Memory& m) {
    return walk_nested_with([&](WalkMemory& mem) { return walk_stage1(s1, va, access, mem); }, va, access, m);
}

WalkResult to_walk_result(const NestedResult& n) {
    WalkResult w;
    w.fault = n.fault;
    w.level = n.level;
    w.pa = n.pa;
    w.va_base = n.va_base;
    w.pa_base = n.pa_base;
    w.size_log2 = n.size_log2;
    w.attrs = n.attrs;
    w.reads = n.reads;
    w.fault_desc_pa = n.fault_desc_pa;
    w.stage = uint8_t(n.stage ? n.stage : 1);
    w.fault_class = uint8_t(n.cls);
    w.ipa = n.ipa;
    w.s2ap = n.s2attrs.s2ap;
    w.s2xn = n.s2attrs.xn;
    return w;
}

}  // namespace iopf::smmu
