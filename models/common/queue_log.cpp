#include "models/common/queue_log.h"

#include <cstdio>

namespace iopf {

bool QueueLog::open(const std::string& path) {
    out_ = std::make_unique<std::ofstream>(path);
    if (!*out_) { out_.reset(); return false; }
    *out_ << "# time_ns smmu queue [raw 64-bit words, hex] decoded\n";
    return true;
}

void QueueLog::write(uint64_t t_ps, const std::string& smmu, const char* queue, const uint64_t* words,
                     unsigned nwords, const std::string& decoded) {
    if (!out_) return;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%14.3f ", t_ps / 1000.0);
    *out_ << buf << smmu << ' ' << queue << " [";
    for (unsigned i = 0; i < nwords; ++i) {
        std::snprintf(buf, sizeof buf, "%s%016llx", i ? " " : "", (unsigned long long)words[i]);
        *out_ << buf;
    }
    *out_ << "] " << decoded << '\n';
}

void QueueLog::note(uint64_t t_ps, const std::string& smmu, const char* queue, const std::string& text) {
    if (!out_) return;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%14.3f ", t_ps / 1000.0);
    *out_ << buf << smmu << ' ' << queue << " -- " << text << '\n';
}

}  // namespace iopf
