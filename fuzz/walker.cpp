// The VMSAv8-64 stage-1 walker over page tables made of fuzz bytes: any descriptors, any
// TxSZ / granule / IPS, any VA and access. The walk always ends (at most one read per
// level), never reads outside the tables it was pointed at, and a translation it returns is
// self-consistent: the output fits the output size, the leaf is aligned to its size, VA and
// PA have the same offset in it.
#include <vector>

#include "fuzz/fuzz_input.h"
#include "models/smmu/walker.h"

using namespace iopf::smmu;

namespace {

// Memory: descriptor reads come from the fuzz data (a pool of 64-bit words, cycled), and
// some PAs abort. Records every PA read.
struct FuzzMemory : WalkMemory {
    std::vector<uint64_t> words;
    uint64_t abort_mask = 0;
    unsigned reads = 0;
    bool read64(uint64_t pa, uint64_t& v) override {
        ++reads;
        FUZZ_CHECK((pa & 7) == 0);   // descriptors are 8-byte aligned
        if (abort_mask && (pa & abort_mask) == abort_mask) return false;
        v = words.empty() ? 0 : words[(pa >> 3) % words.size()];
        return true;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    iopf::fuzz::Input in(data, size);
    S1Config cfg;
    const Granule gs[] = {Granule::K4, Granule::K16, Granule::K64};
    for (auto& h : cfg.tt) {
        h.ttb = in.get<uint64_t>() & 0x0000fffffffff000ull;
        h.tsz = unsigned(in.below(48));   // includes unsupported values (0..15, 40..47)
        h.tg = gs[in.below(3)];
        h.epd = in.flag();
    }
    cfg.ips_bits = 32 + unsigned(in.below(17));   // 32..48
    cfg.affd = in.flag();
    cfg.wxn = in.flag();
    const uint64_t va = in.get<uint64_t>();
    const Access acc{in.flag(), in.flag(), in.flag()};
    FuzzMemory mem;
    mem.abort_mask = in.flag() ? (in.get<uint64_t>() & 0x0000fffffffff000ull) : 0;
    while (in.left() >= 8 && mem.words.size() < 512) mem.words.push_back(in.get<uint64_t>());

    const WalkResult r = walk_stage1(cfg, va, acc, mem);
    FUZZ_CHECK(mem.reads <= 4);
    FUZZ_CHECK(r.reads == mem.reads);
    FUZZ_CHECK(r.level <= 3);
    if (r.ok()) {
        FUZZ_CHECK(r.size_log2 >= 12 && r.size_log2 <= 42);
        const uint64_t size = 1ull << r.size_log2;
        FUZZ_CHECK((r.va_base & (size - 1)) == 0 && (r.pa_base & (size - 1)) == 0);
        FUZZ_CHECK(r.pa - r.pa_base == (va & (size - 1)));
        FUZZ_CHECK(r.pa < (1ull << cfg.ips_bits));   // never truncated into range: a fault instead
    }
    return 0;
}
