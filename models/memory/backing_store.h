// Sparse, page-granular backing store: a GiB-scale physical address space costs only the
// 4 KiB pages that were written. Unwritten bytes read as zero. No SystemC inside.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>

namespace iopf {

class BackingStore {
public:
    static constexpr uint64_t kPageBits = 12;
    static constexpr uint64_t kPageSize = 1ull << kPageBits;

    void read(uint64_t addr, uint8_t* dst, uint64_t len) const;
    void write(uint64_t addr, const uint8_t* src, uint64_t len);
    void fill(uint64_t addr, uint8_t value, uint64_t len);

    uint64_t read64(uint64_t addr) const { uint64_t v; read(addr, reinterpret_cast<uint8_t*>(&v), 8); return v; }
    void write64(uint64_t addr, uint64_t v) { write(addr, reinterpret_cast<const uint8_t*>(&v), 8); }
    uint32_t read32(uint64_t addr) const { uint32_t v; read(addr, reinterpret_cast<uint8_t*>(&v), 4); return v; }

    size_t pages_touched() const { return pages_.size(); }
    uint64_t bytes_allocated() const { return pages_.size() * kPageSize; }

private:
    using Page = std::array<uint8_t, kPageSize>;
    std::unordered_map<uint64_t, std::unique_ptr<Page>> pages_;
};

}  // namespace iopf
