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
// A walker format is a StageWalker: VMSAv8-64 stage 1 here, the x86-64 first-stage walker for
// VT-d, a nested (stage 1 over stage 2) walker for stage 2. Results use one vocabulary
// (smmu::WalkResult: EventId fault, LeafAttrs for the TLB), so the TLB and the hit-path
// permission check are format-independent. No SystemC here.
#pragma once
#include <cstdint>

#include "models/smmu/stage2.h"
#include "models/smmu/vmsa.h"
#include "models/smmu/walker.h"

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

// What the config-lookup step yields: everything the shell needs to look up the TLB and walk.
struct XlateContext {
    uint16_t vmid = 0;                    // TLB tag: VMID (SMMUv3), context bank (SMMU-500), DID (VT-d)
    uint16_t asid = 0;                    // TLB tag: ASID (VT-d: the PASID-derived tag)
    uint32_t pasid = 0;                   // SubstreamID / PASID of the transaction
    bool pasid_valid = false;
    bool wxn = false;                     // write permission implies execute-never (hit-path check)
    const StageWalker* stage1 = nullptr;  // walker format of stage 1
    const StageWalker* stage2 = nullptr;  // stage 2 (null: none; a nested walk composes both)
    // VMSAv8-64 stage 2 (SMMUv3 STE.Config 0b11x): the walks go through a stage-2
    // decorator of the walk memory (models/smmu/nested.h). stage1 == nullptr: S2 only.
    const S2Config* stage2_cfg = nullptr;
    unsigned cfg_lookups = 0;             // configuration-cache lookups the step made (counted on a fast hit)

    // Walks of the same page in the same context are coalesced by this key.
    uint64_t walk_key(uint64_t va) const {
        return (uint64_t(vmid) << 56) ^ (uint64_t(asid) << 40) ^ (va >> 12);
    }
};

}  // namespace iopf::smmu
