#include "models/host/phys_alloc.h"

#include <stdexcept>

#include "models/common/params.h"

namespace iopf {

PhysAlloc::PhysAlloc(uint64_t base, uint64_t size, std::string name) : base_(base), size_(size), name_(std::move(name)) {
    if (size) free_[base] = size;
}

uint64_t PhysAlloc::alloc(uint64_t size, uint64_t align) {
    if (size == 0) size = 1;
    if (align == 0 || (align & (align - 1))) throw std::invalid_argument(name_ + ": alignment must be a power of two");
    for (auto it = free_.begin(); it != free_.end(); ++it) {
        uint64_t start = (it->first + align - 1) & ~(align - 1);
        uint64_t end = it->first + it->second;
        if (start < it->first || start + size > end) continue;
        uint64_t fs = it->first, fl = it->second;
        free_.erase(it);
        if (start > fs) free_[fs] = start - fs;
        if (start + size < fs + fl) free_[start + size] = fs + fl - (start + size);
        live_[start] = size;
        used_ += size;
        return start;
    }
    throw ConfigError(name_ + ": out of memory allocating " + std::to_string(size) + " bytes (too small for this platform?)");
}

void PhysAlloc::free(uint64_t pa) {
    auto it = live_.find(pa);
    if (it == live_.end()) throw std::invalid_argument(name_ + ": free of an address that was not allocated");
    uint64_t start = it->first, len = it->second;
    used_ -= len;
    live_.erase(it);
    auto next = free_.lower_bound(start);
    if (next != free_.end() && start + len == next->first) { len += next->second; next = free_.erase(next); }
    if (next != free_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == start) { prev->second += len; return; }
    }
    free_[start] = len;
}

}  // namespace iopf
