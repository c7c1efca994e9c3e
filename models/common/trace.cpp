#include "models/common/trace.h"

#include <fnmatch.h>

namespace iopf {

size_t TraceRegistry::open_vcd(const std::string& path, const std::string& glob) {
    std::string base = path;
    if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base.resize(base.size() - 4);
    file_ = sc_core::sc_create_vcd_trace_file(base.c_str());
    file_->set_time_unit(1, sc_core::SC_PS);
    size_t n = 0;
    for (const auto& item : items_) {
        if (!glob.empty() && fnmatch(glob.c_str(), item.name.c_str(), 0) != 0) continue;
        item.trace(file_);
        ++n;
    }
    return n;
}

void TraceRegistry::close() {
    if (file_) {
        sc_core::sc_close_vcd_trace_file(file_);
        file_ = nullptr;
    }
}

std::vector<std::string> TraceRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& i : items_) out.push_back(i.name);
    return out;
}

}  // namespace iopf
