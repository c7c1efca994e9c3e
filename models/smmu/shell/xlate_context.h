// The translation context and the per-stage walker interface of the IOMMU shell.
//
// Every IOMMU front end (SMMUv3, SMMU-500, VT-d, ...) turns a device transaction into the
// same named steps (models/smmu/shell/translation_shell.h):
//
//   config lookup  (front end: STE + CD, SMR/S2CR + context bank, root/context/PASID entry)
//     -> XlateContext {stages and their walkers, TLB tags (VMID / bank / DID, ASID), PASID}
//   tlb            (shell: lookup tagged by the context; a hit is checked with `wxn`)
//   walk           (shell: coalesced per page, walker slots, timed walk memory; the stage-1
//                   walker is whatever format the front end put in the context)
//   fault policy   (front end: terminate (abort / RAZ-WI), stall, negative ATS completion;
//                   the shell keeps the fault open/close and the stall table)
//   completion     (shell: forward downstream, or complete terminated)
//
// A walker format is a StageWalker: VMSAv8-64 stage 1 and the x86-64 first-stage walker for
// VT-d here; stage 2 composes with either through the nested decorator. Results use one
// vocabulary (smmu::WalkResult: EventId fault plus the format's own fault code, LeafAttrs for
// the TLB), so the TLB is format-independent; the hit-path permission check follows the
// context's `perm` rule (one branch, no virtual call). No SystemC here.
#pragma once
#include <cstdint>

#include "models/smmu/stage2.h"
#include "models/smmu/vmsa.h"
#include "models/smmu/walker.h"
#include "models/smmu/walker_x86.h"

namespace iopf::smmu {

// One stage's page-table walker, chosen by the front end per stage. Called on the miss path
// only (the hit path makes no virtual call).
class StageWalker {
public:
    virtual ~StageWalker() = default;
    virtual WalkResult walk(uint64_t va, const Access& access, WalkMemory& mem) const = 0;
};

// VMSAv8-64 stage 1 (AArch64 translation tables; SMMUv3 CDs, SMMU-500 context banks).
class VmsaStage1Walker final : public StageWalker {
public:
    S1Config cfg;
    WalkResult walk(uint64_t va, const Access& access, WalkMemory& mem) const override {
        return walk_stage1(cfg, va, access, mem);
    }
};

// x86-64 first stage (VT-d scalable-mode PASID entries with PGTT = first stage). A/D updates
// go through the walk memory's write64. The TLB entry holds the request-independent rights
// (AP[2] = !R/W, AP[1] = U/S, UXN = PXN = XD) and the leaf's D bit (LeafAttrs::dirty); the
// hit check applies the x86 rule with the context's WPE and SMEP.
class X86Stage1Walker final : public StageWalker {
public:
    X86Config cfg;
    WalkResult walk(uint64_t va, const Access& access, WalkMemory& mem) const override {
        struct Writer final : WalkWriter {
            WalkMemory& m;
            explicit Writer(WalkMemory& mm) : m(mm) {}
            bool write64(uint64_t pa, uint64_t value) override { return m.write64(pa, value); }
        } writer(mem);
        const X86WalkResult x = walk_x86(cfg, va, access, mem, &writer);
        WalkResult r;
        r.fault = x86_fault_event(x.fault);
        r.format_fault = uint8_t(x.fault);
        r.level = x.level;
        r.pa = x.pa;
        r.va_base = x.va_base;
        r.pa_base = x.pa_base;
        r.size_log2 = x.size_log2;
        r.reads = x.reads;
        r.fault_desc_pa = x.fault_entry_pa;
        r.attrs = attrs_of(x.rights, x.dirty);
        return r;
    }
    static LeafAttrs attrs_of(const X86Rights& rights, bool dirty) {
        LeafAttrs a;
        a.ap = uint8_t((rights.rw ? 0 : 2) | (rights.us ? 1 : 0));
        a.uxn = a.pxn = rights.xd;
        a.dirty = dirty;
        return a;
    }
    static X86Rights rights_of(const LeafAttrs& a) { return X86Rights{(a.ap & 2) == 0, (a.ap & 1) != 0, a.uxn}; }
};

// The permission rule a context's cached translations are checked with on a hit.
enum class PermRule : uint8_t { vmsa, x86 };

// What the config-lookup step yields: everything the shell needs to look up the TLB and walk.
struct XlateContext {
    uint16_t vmid = 0;                    // TLB tag: VMID (SMMUv3), context bank (SMMU-500), DID (VT-d)
    uint16_t asid = 0;                    // TLB tag: ASID (VT-d: the PASID-derived tag)
    uint32_t pasid = 0;                   // SubstreamID / PASID of the transaction
    bool pasid_valid = false;
    bool wxn = false;                     // write permission implies execute-never (hit-path check)
    PermRule perm = PermRule::vmsa;       // hit-path rule of the stage-1 format
    bool x86_wpe = false, x86_smep = false;   // PermRule::x86: the PASID entry's WPE and SMEP
    const StageWalker* stage1 = nullptr;  // walker format of stage 1
    const StageWalker* stage2 = nullptr;  // stage 2 (null: none; a nested walk composes both)
    // VMSAv8-64 stage 2 (SMMUv3 STE.Config 0b11x): the walks go through a stage-2
    // decorator of the walk memory (models/smmu/nested.h). stage1 == nullptr: S2 only.
    const S2Config* stage2_cfg = nullptr;
    unsigned cfg_lookups = 0;             // configuration-cache lookups the step made (counted on a fast hit)

    // The hit-path check of a cached stage-1 translation for `acc`: EventId::None when it
    // may use it, else the permission fault (`format_fault`: the format's own code).
    EventId hit_fault(const LeafAttrs& a, const Access& acc, uint8_t& format_fault) const {
        if (perm == PermRule::vmsa) return permits(a, acc, wxn) ? EventId::None : EventId::F_PERMISSION;
        const X86Fault f = x86_access_check(X86Stage1Walker::rights_of(a), x86_wpe, x86_smep, acc);
        format_fault = uint8_t(f);
        return f == X86Fault::None ? EventId::None : EventId::F_PERMISSION;
    }
    // A cached translation this access cannot use without a walk: a write to an entry whose
    // leaf is clean (the walk sets the dirty bit).
    static bool needs_walk(const LeafAttrs& a, const Access& acc) { return acc.write && !a.dirty; }

    // Walks of the same page in the same context are coalesced by this key.
    uint64_t walk_key(uint64_t va) const {
        return (uint64_t(vmid) << 56) ^ (uint64_t(asid) << 40) ^ (va >> 12);
    }
};

}  // namespace iopf::smmu
