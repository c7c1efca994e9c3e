// 64-bit registers that software may access as one 64-bit access or two 32-bit halves
// (`half` = byte offset within the register: 0 or 4).
#pragma once
#include <cstdint>

namespace iopf {

inline void write64_part(uint64_t& reg, uint32_t half, uint64_t v, unsigned len) {
    if (len == 8) reg = v;
    else if (half == 0) reg = (reg & 0xffffffff00000000ull) | (v & 0xffffffffull);
    else reg = (reg & 0xffffffffull) | (v << 32);
}

inline uint64_t read64_part(uint64_t reg, uint32_t half, unsigned len) {
    if (len == 8) return reg;
    return half == 0 ? (reg & 0xffffffffull) : (reg >> 32);
}

}  // namespace iopf
