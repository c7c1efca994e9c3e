#include "models/common/log.h"

#include <cstdio>

#include <systemc>

namespace iopf {

void Log::info(const std::string& msg) const {
    if (!quiet_) std::fprintf(stderr, "[%12.3f ns] %s\n", sc_core::sc_time_stamp().to_seconds() * 1e9, msg.c_str());
}

void Log::warn(const std::string& msg) const {
    std::fprintf(stderr, "[%12.3f ns] warning: %s\n", sc_core::sc_time_stamp().to_seconds() * 1e9, msg.c_str());
}

}  // namespace iopf

namespace iopf {

void Log::warn_ratelimited(const std::string& key, const std::string& msg, unsigned burst) {
    uint64_t n = ++warned_[key];
    if (n <= burst) warn(msg + (n == burst ? " (further such warnings suppressed)" : ""));
}

uint64_t Log::suppressed() const {
    uint64_t s = 0;
    for (const auto& [k, n] : warned_) s += n > 5 ? n - 5 : 0;
    return s;
}

}  // namespace iopf
