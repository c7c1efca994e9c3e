// Physical page allocator for the host OS model: hands out naturally aligned, zeroed (by
// the caller) blocks from a pool of DRAM. No SystemC.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace iopf {

class PhysAlloc {
public:
    PhysAlloc(uint64_t base, uint64_t size, std::string name);
    // Returns a block of `size` bytes aligned to `align` (both powers of two are typical);
    // throws std::runtime_error naming the pool when it is exhausted.
    uint64_t alloc(uint64_t size, uint64_t align = 4096);
    void free(uint64_t pa);
    uint64_t used() const { return used_; }
    uint64_t base() const { return base_; }
    uint64_t size() const { return size_; }
    bool contains(uint64_t pa) const { return pa >= base_ && pa - base_ < size_; }

private:
    uint64_t base_, size_;
    std::string name_;
    std::map<uint64_t, uint64_t> free_;   // start -> length (coalesced)
    std::map<uint64_t, uint64_t> live_;   // start -> length
    uint64_t used_ = 0;
};

}  // namespace iopf
