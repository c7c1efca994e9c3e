// SMMUv3 circular queue index arithmetic (spec 3.5.1 "SMMU circular queues").
//
// A queue of 2^LOG2SIZE entries is indexed by PROD.WR / CONS.RD values whose
// low LOG2SIZE bits are the index and whose next bit up is the wrap flag.
// Empty: index and wrap equal. Full: index equal, wrap different.
// Bits above index+wrap (PROD.OVFLG, CONS.OVACKFLG, CMDQ_CONS.ERR) are not part
// of the pointer: every comparison masks them off, and inc()/advance() keep
// them unchanged so a register value can be stepped in place.
#pragma once
#include <cstdint>

namespace iopf::smmu::v3 {

struct QueuePtr {
    unsigned log2size = 0;  // 0..19

    constexpr QueuePtr() = default;
    constexpr explicit QueuePtr(unsigned log2) : log2size(log2) {}

    constexpr uint32_t entries() const { return uint32_t{1} << log2size; }
    constexpr uint32_t index_mask() const { return entries() - 1; }
    constexpr uint32_t wrap_bit() const { return entries(); }
    // Mask of the index + wrap field.
    constexpr uint32_t ptr_mask() const { return (wrap_bit() << 1) - 1; }

    constexpr uint32_t index(uint32_t p) const { return p & index_mask(); }
    constexpr bool wrap(uint32_t p) const { return (p & wrap_bit()) != 0; }
    // p reduced to its index + wrap bits.
    constexpr uint32_t ptr(uint32_t p) const { return p & ptr_mask(); }

    constexpr bool is_empty(uint32_t prod, uint32_t cons) const {
        return ptr(prod) == ptr(cons);
    }
    constexpr bool is_full(uint32_t prod, uint32_t cons) const {
        return index(prod) == index(cons) && wrap(prod) != wrap(cons);
    }
    // Entries written by the producer and not yet consumed (0..entries()).
    constexpr uint32_t used(uint32_t prod, uint32_t cons) const {
        return (ptr(prod) - ptr(cons)) & ptr_mask();
    }
    constexpr uint32_t free_slots(uint32_t prod, uint32_t cons) const {
        return entries() - used(prod, cons);
    }
    // p advanced by one entry: the index wraps to 0 and the wrap bit toggles
    // at the end of the queue. Bits above the pointer field are preserved.
    constexpr uint32_t inc(uint32_t p) const { return advance(p, 1); }
    constexpr uint32_t advance(uint32_t p, uint32_t n) const {
        return (p & ~ptr_mask()) | ((p + n) & ptr_mask());
    }
    // Byte offset of the entry p designates, for entries of entry_bytes.
    constexpr uint64_t offset(uint32_t p, unsigned entry_bytes) const {
        return uint64_t{index(p)} * entry_bytes;
    }
    // Build a pointer value from index and wrap.
    constexpr uint32_t make(uint32_t idx, bool wrp) const {
        return (idx & index_mask()) | (wrp ? wrap_bit() : 0u);
    }
};

// Is pointer p (index+wrap) between cons (inclusive) and prod (exclusive),
// i.e. does it designate an entry that is currently in the queue?
bool queue_contains(const QueuePtr& q, uint32_t prod, uint32_t cons, uint32_t p);

}  // namespace iopf::smmu::v3
