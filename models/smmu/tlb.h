// Set-associative TLB of leaf translations, tagged by VMID, ASID (unless the entry is
// global, nG=0), VA and page/block size. Three kinds of entry share the array: stage-1
// (VA -> PA, VMID 0 or the stream's VMID), combined stage 1 + stage 2 (VA -> PA of a
// nested stream, with the stage-2 permissions folded in: s2ap/s2xn), and stage-2-only
// (`s2`: IPA -> PA, no ASID; S2-only streams and the stage-2 steps of nested walks). Mixed page sizes share one array: each
// entry lives in set (va >> size_log2) % sets, and a lookup probes every size present.
// No heap allocation after construction; deterministic for a given seed.
// No SystemC here: this is part of the functional core.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/smmu/vmsa.h"

namespace iopf::smmu {

enum class Replacement { LRU, FIFO, Random };

// "lru", "fifo", "random" (exact, lower case). Throws std::invalid_argument otherwise.
Replacement parse_replacement(const std::string& name);
const char* replacement_name(Replacement r);

struct TlbEntry {
    uint16_t vmid = 0;
    uint16_t asid = 0;
    uint64_t va_base = 0;     // aligned to 1 << size_log2
    uint64_t pa_base = 0;
    uint8_t size_log2 = 12;   // 12..63
    LeafAttrs attrs;          // attrs.ng == false means global (matches any ASID)
    bool s2 = false;          // stage-2-only entry: va_base is an IPA, asid/attrs unused
    uint8_t s2ap = 0b11;      // stage-2 S2AP (bit 0 read, bit 1 write) of s2 and combined
    bool s2xn = false;        //   entries; 0b11 / false when there is no stage 2
};

class Tlb {
  public:
    // Throws std::invalid_argument unless entries > 0, ways > 0 and entries % ways == 0.
    Tlb(unsigned entries, unsigned ways, Replacement policy, uint64_t seed = 1);

    // nullptr on miss. A hit refreshes the entry's LRU age. The pointer stays valid until
    // the next insert/invalidate.
    // Stage-1 and combined entries only.
    const TlbEntry* lookup(uint16_t vmid, uint16_t asid, uint64_t va);
    // Stage-2-only entries (IPA -> PA) of that VMID.
    const TlbEntry* lookup_s2(uint16_t vmid, uint64_t ipa);

    // Replaces an entry with the identical tag (vmid, va_base, size, and asid or global)
    // in place, else fills an invalid way, else evicts a victim chosen by the policy.
    // va_base is aligned down to size_log2. Throws std::invalid_argument if size_log2 is
    // outside [12, 63].
    void insert(const TlbEntry& e);

    void invalidate_all();
    // Every entry of that VMID, stage 1, combined and stage 2 (CMD_TLBI_S12_VMALL).
    void invalidate_vmid(uint16_t vmid);
    // Stage-1 and combined entries of that VMID (CMD_TLBI_NH_ALL).
    void invalidate_s1_vmid(uint16_t vmid);
    // Stage-2-only entries of that VMID covering ipa (CMD_TLBI_S2_IPA). Combined S1+S2
    // entries are not affected: as for the PE's TLBI IPAS2E1, software follows with
    // CMD_TLBI_S12_VMALL or CMD_TLBI_NH_ALL when nested streams use the VMID.
    void invalidate_ipa(uint16_t vmid, uint64_t ipa);
    // Non-global entries of that ASID in that VMID (CMD_TLBI_NH_ASID).
    void invalidate_asid(uint16_t vmid, uint16_t asid);
    // Entries of that VMID covering va whose ASID matches or which are global
    // (CMD_TLBI_NH_VA). Only leaf translations are cached, so leaf_only has no effect.
    void invalidate_va(uint16_t vmid, uint16_t asid, uint64_t va, bool leaf_only = true);
    // Entries of that VMID covering va, whatever their ASID (CMD_TLBI_NH_VAA).
    void invalidate_va_all_asids(uint16_t vmid, uint64_t va, bool leaf_only = true);

    unsigned entries() const { return sets_ * ways_; }
    unsigned ways() const { return ways_; }
    unsigned sets() const { return sets_; }
    Replacement policy() const { return policy_; }
    uint64_t evictions() const { return evictions_; }
    unsigned valid_count() const { return valid_count_; }

  private:
    template <class Match>
    void drop_covering(uint16_t vmid, uint64_t va, Match match);
    struct Slot {
        TlbEntry e;
        uint64_t last_use = 0;   // LRU age (global counter at last insert/hit)
        uint64_t inserted = 0;   // FIFO age (global counter at insert)
        bool valid = false;
    };

    Slot* set_begin(uint64_t va, unsigned size_log2) {
        return &slots_[((va >> size_log2) % sets_) * ways_];
    }
    void drop(Slot& s);
    uint64_t next_random();

    unsigned sets_;
    unsigned ways_;
    Replacement policy_;
    uint64_t rng_;
    uint64_t clock_ = 0;
    uint64_t evictions_ = 0;
    unsigned valid_count_ = 0;
    uint64_t size_mask_ = 0;        // bit n set: some valid entry has size_log2 == n
    unsigned size_count_[64] = {};  // valid entries per size_log2
    std::vector<Slot> slots_;
};

}  // namespace iopf::smmu
