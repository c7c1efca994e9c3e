#include "models/memory/backing_store.h"

#include <algorithm>

namespace iopf {

void BackingStore::read(uint64_t addr, uint8_t* dst, uint64_t len) const {
    while (len) {
        uint64_t off = addr & (kPageSize - 1);
        uint64_t chunk = std::min(len, kPageSize - off);
        auto it = pages_.find(addr >> kPageBits);
        if (it == pages_.end()) std::memset(dst, 0, chunk);
        else std::memcpy(dst, it->second->data() + off, chunk);
        addr += chunk; dst += chunk; len -= chunk;
    }
}

void BackingStore::write(uint64_t addr, const uint8_t* src, uint64_t len) {
    while (len) {
        uint64_t off = addr & (kPageSize - 1);
        uint64_t chunk = std::min(len, kPageSize - off);
        auto& page = pages_[addr >> kPageBits];
        if (!page) page = std::make_unique<Page>(Page{});
        std::memcpy(page->data() + off, src, chunk);
        addr += chunk; src += chunk; len -= chunk;
    }
}

void BackingStore::fill(uint64_t addr, uint8_t value, uint64_t len) {
    while (len) {
        uint64_t off = addr & (kPageSize - 1);
        uint64_t chunk = std::min(len, kPageSize - off);
        auto it = pages_.find(addr >> kPageBits);
        if (it == pages_.end() && value == 0) { addr += chunk; len -= chunk; continue; }  // stays sparse
        auto& page = pages_[addr >> kPageBits];
        if (!page) page = std::make_unique<Page>(Page{});
        std::memset(page->data() + off, value, chunk);
        addr += chunk; len -= chunk;
    }
}

}  // namespace iopf
