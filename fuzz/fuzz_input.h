// Reads typed values from a libFuzzer input, zero-filled once it runs out.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace iopf::fuzz {

class Input {
public:
    Input(const uint8_t* data, size_t size) : p_(data), n_(size) {}
    template <class T>
    T get() {
        T v{};
        const size_t k = n_ < sizeof(T) ? n_ : sizeof(T);
        std::memcpy(&v, p_, k);
        p_ += k;
        n_ -= k;
        return v;
    }
    uint64_t below(uint64_t bound) { return bound ? get<uint64_t>() % bound : 0; }
    bool flag() { return get<uint8_t>() & 1; }
    size_t left() const { return n_; }

private:
    const uint8_t* p_;
    size_t n_;
};

// A property the target checks; a violation aborts, which libFuzzer reports as a crash.
// The message goes to stderr (unbuffered): tools/fuzz logs to a file, where stdout would
// still be in its buffer when the trap ends the process.
#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            __builtin_trap();                                                                  \
        }                                                                                      \
    } while (0)

}  // namespace iopf::fuzz
