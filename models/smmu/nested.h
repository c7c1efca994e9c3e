// Nested (stage 1 + stage 2) translation: a stage-1 walk whose memory is a
// stage-2-translating decorator of the walker's "read 8 bytes" callback.
//
// Every stage-1 table address (the TTB and each next-level table address) is an IPA: the
// decorator translates it at stage 2 (a read, CLASS TT) before the descriptor is read at
// its PA. The stage-1 output address is an IPA too and is translated at stage 2 with the
// transaction's own access (CLASS IN). With 4 stage-1 and 4 stage-2 levels and nothing
// cached, a walk makes 4 x (4 + 1) + 4 = 24 memory reads. The decorator looks the IPA up
// in a stage-2 TLB first (optional; stage-2-only entries of the Tlb, tagged by VMID) and
// fills it after each successful stage-2 walk, so a warm walk costs fewer reads.
//
// A stage-2 fault during a stage-1 descriptor fetch is reported as that stage-2 fault
// (S2 = 1, CLASS TT, IPA = the descriptor's IPA), not as a stage-1 external abort; a PA
// abort of the descriptor read itself stays a stage-1 F_WALK_EABT.
// No SystemC here: this is part of the functional core.
#pragma once
#include <cstdint>

#include "models/smmu/stage2.h"
#include "models/smmu/tlb.h"
#include "models/smmu/walker.h"

namespace iopf::smmu {

// Event CLASS values (SMMUv3 event record word 1 [41:40]).
enum class FaultClass : uint8_t { CD = 0, TT = 1, IN = 2 };

class Stage2Memory : public WalkMemory {
  public:
    // `pa_mem` reads physical memory (it sees every descriptor read, both stages); `tlb`
    // may be null (no stage-2 caching).
    Stage2Memory(const S2Config& cfg, uint16_t vmid, WalkMemory& pa_mem, Tlb* tlb = nullptr)
        : cfg_(cfg), vmid_(vmid), pa_mem_(pa_mem), tlb_(tlb) {}

    // Stage-2 translation of one IPA: the TLB, else a stage-2 walk (which fills the TLB on
    // success). Permission is checked against `access` in both cases.
    S2WalkResult translate(uint64_t ipa, const Access& access);

    // A stage-1 descriptor read at an IPA. False on a stage-2 fault (s2_fault() tells which)
    // or on an external abort of the PA read (s2_fault().ok()).
    bool read64(uint64_t ipa, uint64_t& value) override;

    const S2WalkResult& s2_fault() const { return s2_fault_; }
    uint64_t fault_ipa() const { return fault_ipa_; }
    uint16_t vmid() const { return vmid_; }
    const S2Config& config() const { return cfg_; }

    // Per-instance counters.
    unsigned s2_walks = 0;      // stage-2 walks started
    unsigned s2_reads = 0;      // descriptor reads made by stage-2 walks
    unsigned s2_tlb_hits = 0;   // stage-2 translations found in the TLB
    unsigned s1_reads = 0;      // stage-1 descriptor reads (at their PA)

  private:
    S2Config cfg_;
    uint16_t vmid_;
    WalkMemory& pa_mem_;
    Tlb* tlb_;
    S2WalkResult s2_fault_;
    uint64_t fault_ipa_ = 0;
};

struct NestedResult {
    EventId fault = EventId::None;
    unsigned stage = 0;               // 1 or 2 for a fault, 0 on success
    FaultClass cls = FaultClass::IN;  // for a fault
    uint64_t ipa = 0;                 // fault at stage 2: the IPA being translated;
                                      // success: the stage-1 output (IPA) of the VA
    unsigned level = 0;               // level of the faulting descriptor (its stage)
    uint64_t fault_desc_pa = 0;
    // Success: the combined VA -> PA translation (size = the smaller of the two leaves).
    uint64_t pa = 0, va_base = 0, pa_base = 0;
    unsigned size_log2 = 12;
    LeafAttrs attrs;                  // stage-1 attributes
    S2Attrs s2attrs;                  // stage-2 attributes of the output
    // Cost of this walk.
    unsigned reads = 0;               // every memory read, both stages
    unsigned s1_reads = 0, s2_reads = 0, s2_walks = 0, s2_tlb_hits = 0;
    bool ok() const { return fault == EventId::None; }
};

// Nested walk of `va` with any stage-1 walker format: `walk_s1(WalkMemory&)` walks stage 1
// over the memory it is given (the stage-2 decorator). The result's counters cover this
// walk only.
template <class WalkS1>
NestedResult walk_nested_with(WalkS1&& walk_s1, uint64_t va, const Access& access, Stage2Memory& s2mem);

// Nested walk of `va` with VMSAv8-64 stage-1 configuration `s1` (its TTBs are IPAs).
NestedResult walk_nested(const S1Config& s1, uint64_t va, const Access& access,
                         Stage2Memory& s2mem);

// The nested result as a WalkResult (stage, fault_class, ipa, s2ap, s2xn filled).
WalkResult to_walk_result(const NestedResult& r);

// The TLB entry of a successful nested walk (combined S1+S2, tagged by VMID and ASID).
TlbEntry combined_entry(const NestedResult& r, uint16_t vmid, uint16_t asid);
// The TLB entry of a successful stage-2 walk (stage-2-only, tagged by VMID).
TlbEntry s2_entry(const S2WalkResult& r, uint16_t vmid);

// ---- implementation of the template
namespace detail {
NestedResult finish_nested(const WalkResult& w, uint64_t va, const Access& access, Stage2Memory& m,
                           unsigned w0, unsigned r0, unsigned h0, unsigned s0);
}
template <class WalkS1>
NestedResult walk_nested_with(WalkS1&& walk_s1, uint64_t va, const Access& access, Stage2Memory& m) {
    const unsigned w0 = m.s2_walks, r0 = m.s2_reads, h0 = m.s2_tlb_hits, s0 = m.s1_reads;
    const WalkResult w = walk_s1(static_cast<WalkMemory&>(m));
    return detail::finish_nested(w, va, access, m, w0, r0, h0, s0);
}

}  // namespace iopf::smmu
