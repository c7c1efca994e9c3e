// The number parsers every parameter goes through (models/common/units.h) on arbitrary
// text: they answer (a value or no value) without undefined behaviour, and what they accept
// fits: a time in ps below 2^63, a size or integer that round-trips through its decimal form.
#include <string>

#include "fuzz/fuzz_input.h"
#include "models/common/units.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (auto t = iopf::parse_time_ps(text)) FUZZ_CHECK(*t < (1ull << 63));
    if (auto u = iopf::parse_uint(text)) {
        const auto again = iopf::parse_uint(std::to_string(*u));
        FUZZ_CHECK(again && *again == *u);
    }
    if (auto s = iopf::parse_size(text)) {
        const auto again = iopf::parse_size(std::to_string(*s));
        FUZZ_CHECK(again && *again == *s);
    }
    return 0;
}
