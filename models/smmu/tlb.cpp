#include "models/smmu/tlb.h"

#include <stdexcept>

namespace iopf::smmu {

Replacement parse_replacement(const std::string& name) {
    if (name == "lru") return Replacement::LRU;
    if (name == "fifo") return Replacement::FIFO;
    if (name == "random") return Replacement::Random;
    throw std::invalid_argument("unknown TLB replacement policy '" + name +
                                "' (expected lru, fifo or random)");
}

const char* replacement_name(Replacement r) {
    switch (r) {
        case Replacement::LRU: return "lru";
        case Replacement::FIFO: return "fifo";
        case Replacement::Random: return "random";
    }
    return "?";
}

Tlb::Tlb(unsigned entries, unsigned ways, Replacement policy, uint64_t seed)
    : sets_(0), ways_(ways), policy_(policy), rng_(seed) {
    if (entries == 0 || ways == 0 || entries % ways != 0)
        throw std::invalid_argument("TLB geometry: entries (" + std::to_string(entries) +
                                    ") must be a positive multiple of ways (" +
                                    std::to_string(ways) + ")");
    sets_ = entries / ways;
    slots_.resize(entries);
}

namespace {

inline bool covers(const TlbEntry& e, uint64_t va) {
    return ((va ^ e.va_base) >> e.size_log2) == 0;
}

}  // namespace

const TlbEntry* Tlb::lookup(uint16_t vmid, uint16_t asid, uint64_t va) {
    uint64_t sizes = size_mask_;
    while (sizes) {
        const unsigned size = unsigned(__builtin_ctzll(sizes));
        sizes &= sizes - 1;
        Slot* set = set_begin(va, size);
        for (unsigned w = 0; w < ways_; ++w) {
            Slot& s = set[w];
            if (!s.valid || s.e.size_log2 != size || s.e.vmid != vmid || !covers(s.e, va))
                continue;
            if (s.e.s2 || (s.e.attrs.ng && s.e.asid != asid)) continue;
            s.last_use = ++clock_;
            return &s.e;
        }
    }
    return nullptr;
}

const TlbEntry* Tlb::lookup_s2(uint16_t vmid, uint64_t ipa) {
    uint64_t sizes = size_mask_;
    while (sizes) {
        const unsigned size = unsigned(__builtin_ctzll(sizes));
        sizes &= sizes - 1;
        Slot* set = set_begin(ipa, size);
        for (unsigned w = 0; w < ways_; ++w) {
            Slot& s = set[w];
            if (!s.valid || !s.e.s2 || s.e.size_log2 != size || s.e.vmid != vmid ||
                !covers(s.e, ipa))
                continue;
            s.last_use = ++clock_;
            return &s.e;
        }
    }
    return nullptr;
}

uint64_t Tlb::next_random() {
    // splitmix64
    uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void Tlb::drop(Slot& s) {
    if (!s.valid) return;
    s.valid = false;
    --valid_count_;
    if (--size_count_[s.e.size_log2] == 0) size_mask_ &= ~(uint64_t(1) << s.e.size_log2);
}

void Tlb::insert(const TlbEntry& in) {
    if (in.size_log2 < 12 || in.size_log2 > 63)
        throw std::invalid_argument("TLB insert: size_log2 " + std::to_string(in.size_log2) +
                                    " outside [12, 63]");
    TlbEntry e = in;
    e.va_base &= ~((uint64_t(1) << e.size_log2) - 1);
    Slot* set = set_begin(e.va_base, e.size_log2);

    Slot* victim = nullptr;
    for (unsigned w = 0; w < ways_ && !victim; ++w) {
        Slot& s = set[w];
        if (s.valid && s.e.vmid == e.vmid && s.e.va_base == e.va_base &&
            s.e.size_log2 == e.size_log2 && s.e.s2 == e.s2 &&
            (e.s2 || (s.e.attrs.ng == e.attrs.ng && (!e.attrs.ng || s.e.asid == e.asid))))
            victim = &s;
    }
    for (unsigned w = 0; w < ways_ && !victim; ++w)
        if (!set[w].valid) victim = &set[w];
    if (!victim) {
        switch (policy_) {
            case Replacement::LRU:
            case Replacement::FIFO: {
                victim = &set[0];
                for (unsigned w = 1; w < ways_; ++w) {
                    const Slot& s = set[w];
                    const bool older = policy_ == Replacement::LRU
                                           ? s.last_use < victim->last_use
                                           : s.inserted < victim->inserted;
                    if (older) victim = &set[w];
                }
                break;
            }
            case Replacement::Random: victim = &set[next_random() % ways_]; break;
        }
        ++evictions_;
    }
    drop(*victim);
    victim->e = e;
    victim->valid = true;
    victim->inserted = victim->last_use = ++clock_;
    ++valid_count_;
    ++size_count_[e.size_log2];
    size_mask_ |= uint64_t(1) << e.size_log2;
}

void Tlb::invalidate_all() {
    for (Slot& s : slots_) s.valid = false;
    valid_count_ = 0;
    size_mask_ = 0;
    for (unsigned& c : size_count_) c = 0;
}

void Tlb::invalidate_vmid(uint16_t vmid) {
    for (Slot& s : slots_)
        if (s.valid && s.e.vmid == vmid) drop(s);
}

void Tlb::invalidate_s1_vmid(uint16_t vmid) {
    for (Slot& s : slots_)
        if (s.valid && !s.e.s2 && s.e.vmid == vmid) drop(s);
}

void Tlb::invalidate_ipa(uint16_t vmid, uint64_t ipa) {
    drop_covering(vmid, ipa, [](const TlbEntry& e) { return e.s2; });
}

void Tlb::invalidate_asid(uint16_t vmid, uint16_t asid) {
    for (Slot& s : slots_)
        if (s.valid && !s.e.s2 && s.e.vmid == vmid && s.e.attrs.ng && s.e.asid == asid) drop(s);
}

template <class Match>
void Tlb::drop_covering(uint16_t vmid, uint64_t va, Match match) {
    uint64_t sizes = size_mask_;
    while (sizes) {
        const unsigned size = unsigned(__builtin_ctzll(sizes));
        sizes &= sizes - 1;
        Slot* set = set_begin(va, size);
        for (unsigned w = 0; w < ways_; ++w) {
            Slot& s = set[w];
            if (s.valid && s.e.size_log2 == size && s.e.vmid == vmid && covers(s.e, va) && match(s.e)) drop(s);
        }
    }
}

void Tlb::invalidate_va(uint16_t vmid, uint16_t asid, uint64_t va, bool /*leaf_only*/) {
    drop_covering(vmid, va,
                  [asid](const TlbEntry& e) { return !e.s2 && (!e.attrs.ng || e.asid == asid); });
}

void Tlb::invalidate_va_all_asids(uint16_t vmid, uint64_t va, bool /*leaf_only*/) {
    drop_covering(vmid, va, [](const TlbEntry& e) { return !e.s2; });
}

}  // namespace iopf::smmu
