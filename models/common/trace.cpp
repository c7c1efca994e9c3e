#include "models/common/trace.h"

#include <fnmatch.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace iopf {

size_t TraceRegistry::open_vcd(const std::string& path, const std::string& glob) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/iopf-vcd-XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("--vcd: cannot create a temporary directory: " + std::string(std::strerror(errno)));
    tmp_dir_ = buf.data();
    dest_ = path;
    const std::string base = tmp_dir_ + "/trace";
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

bool TraceRegistry::close(std::string* error) {
    if (!file_) return true;
    sc_core::sc_close_vcd_trace_file(file_);
    file_ = nullptr;
    const std::string tmp = tmp_dir_ + "/trace.vcd";
    bool ok = true;
    std::string why;
    FILE* in = std::fopen(tmp.c_str(), "rb");
    FILE* out = in ? std::fopen(dest_.c_str(), "wb") : nullptr;
    if (!in || !out) { ok = false; why = std::strerror(errno); }
    char chunk[1 << 16];
    while (ok) {
        size_t n = std::fread(chunk, 1, sizeof chunk, in);
        if (n == 0) { ok = !std::ferror(in); if (!ok) why = "read error"; break; }
        if (std::fwrite(chunk, 1, n, out) != n) { ok = false; why = std::strerror(errno); }
    }
    if (out && std::fclose(out) != 0 && ok) { ok = false; why = std::strerror(errno); }
    if (in) std::fclose(in);
    std::remove(tmp.c_str());
    ::rmdir(tmp_dir_.c_str());
    if (!ok && error) *error = "--vcd: cannot write '" + dest_ + "': " + why;
    return ok;
}

std::vector<std::string> TraceRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& i : items_) out.push_back(i.name);
    return out;
}

}  // namespace iopf
