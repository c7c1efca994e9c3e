// The TLB against a reference of what it was told: any sequence of inserts, lookups and
// the seven invalidations (any geometry and policy). A lookup may miss (entries get
// evicted), but what it returns must match the query and be an entry inserted and not
// invalidated since, with the same output.
#include <vector>

#include "fuzz/fuzz_input.h"
#include "models/smmu/tlb.h"

using namespace iopf::smmu;

namespace {

struct Ref {
    TlbEntry e;
    bool live = true;
};

bool covers(const TlbEntry& e, uint64_t a) { return a - e.va_base < (1ull << e.size_log2); }
bool same_tag(const TlbEntry& a, const TlbEntry& b) {
    return a.vmid == b.vmid && a.va_base == b.va_base && a.size_log2 == b.size_log2 && a.s2 == b.s2 &&
           (a.s2 || (a.attrs.ng == b.attrs.ng && (!a.attrs.ng || a.asid == b.asid)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    iopf::fuzz::Input in(data, size);
    const unsigned ways = 1u << in.below(3);            // 1, 2, 4
    const unsigned entries = ways * (1u << in.below(5));   // up to 16 sets
    const Replacement pol[] = {Replacement::LRU, Replacement::FIFO, Replacement::Random};
    Tlb tlb(entries, ways, pol[in.below(3)], in.get<uint64_t>());
    std::vector<Ref> ref;
    // Small tag spaces so that operations collide.
    auto vmid = [&] { return uint16_t(in.below(3)); };
    auto asid = [&] { return uint16_t(in.below(3)); };
    auto addr = [&] { return (in.below(64) << 12) | (in.below(4) << 21); };
    for (unsigned step = 0; step < 256 && in.left(); ++step) {
        switch (in.below(9)) {
        case 0: {
            TlbEntry e;
            e.vmid = vmid();
            e.asid = asid();
            e.size_log2 = uint8_t(in.flag() ? 12 : 21);
            e.va_base = addr() & ~((1ull << e.size_log2) - 1);
            e.pa_base = (in.get<uint32_t>() & 0xfffff000ull) & ~((1ull << e.size_log2) - 1);
            e.attrs.ng = in.below(4) != 0;
            e.s2 = in.below(4) == 0;
            tlb.insert(e);
            for (auto& r : ref)
                if (r.live && same_tag(r.e, e)) r.live = false;
            ref.push_back({e});
            break;
        }
        case 1: {
            const uint16_t v = vmid(), a = asid();
            const uint64_t va = addr() | in.below(4096);
            if (const TlbEntry* h = tlb.lookup(v, a, va)) {
                FUZZ_CHECK(h->vmid == v && !h->s2 && covers(*h, va) && (!h->attrs.ng || h->asid == a));
                bool found = false;
                for (const auto& r : ref)
                    found |= r.live && same_tag(r.e, *h) && r.e.pa_base == h->pa_base;
                FUZZ_CHECK(found);
            }
            break;
        }
        case 2: {
            const uint16_t v = vmid();
            const uint64_t ipa = addr() | in.below(4096);
            if (const TlbEntry* h = tlb.lookup_s2(v, ipa)) {
                FUZZ_CHECK(h->vmid == v && h->s2 && covers(*h, ipa));
                bool found = false;
                for (const auto& r : ref) found |= r.live && same_tag(r.e, *h) && r.e.pa_base == h->pa_base;
                FUZZ_CHECK(found);
            }
            break;
        }
        case 3:
            tlb.invalidate_all();
            for (auto& r : ref) r.live = false;
            break;
        case 4: {
            const uint16_t v = vmid();
            tlb.invalidate_vmid(v);
            for (auto& r : ref)
                if (r.e.vmid == v) r.live = false;
            break;
        }
        case 5: {
            const uint16_t v = vmid();
            tlb.invalidate_s1_vmid(v);
            for (auto& r : ref)
                if (r.e.vmid == v && !r.e.s2) r.live = false;
            break;
        }
        case 6: {
            const uint16_t v = vmid(), a = asid();
            tlb.invalidate_asid(v, a);
            for (auto& r : ref)
                if (r.e.vmid == v && !r.e.s2 && r.e.attrs.ng && r.e.asid == a) r.live = false;
            break;
        }
        case 7: {
            const uint16_t v = vmid(), a = asid();
            const uint64_t va = addr() | in.below(4096);
            if (in.flag()) {
                tlb.invalidate_va(v, a, va);
                for (auto& r : ref)
                    if (r.e.vmid == v && !r.e.s2 && covers(r.e, va) && (!r.e.attrs.ng || r.e.asid == a)) r.live = false;
            } else {
                tlb.invalidate_va_all_asids(v, va);
                for (auto& r : ref)
                    if (r.e.vmid == v && !r.e.s2 && covers(r.e, va)) r.live = false;
            }
            break;
        }
        case 8: {
            const uint16_t v = vmid();
            const uint64_t ipa = addr() | in.below(4096);
            tlb.invalidate_ipa(v, ipa);
            for (auto& r : ref)
                if (r.e.vmid == v && r.e.s2 && covers(r.e, ipa)) r.live = false;
            break;
        }
        }
    }
    return 0;
}
