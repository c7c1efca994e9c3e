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
