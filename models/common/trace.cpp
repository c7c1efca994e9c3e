#include "models/common/trace.h"

#include <fnmatch.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <ctime>
#include <map>

namespace iopf {

namespace {

uint64_t load(const void* p, unsigned bytes) {
    switch (bytes) {
    case 1: return *static_cast<const uint8_t*>(p);
    case 2: return *static_cast<const uint16_t*>(p);
    case 4: return *static_cast<const uint32_t*>(p);
    default: return *static_cast<const uint64_t*>(p);
    }
}

}  // namespace

// A VCD trace file in the kernel's trace-file list: the kernel calls cycle() after every
// delta cycle (ignored) and at the end of every time step (sampled). Nothing is ever
// traced through the sc_trace() overloads, so those are empty.
class VcdWriter : public sc_core::sc_trace_file {
public:
    VcdWriter(const std::string& path, std::vector<TraceRegistry::Item> items) : items_(std::move(items)) {
        fp_ = std::fopen(path.c_str(), "w");
        if (!fp_) throw std::runtime_error("cannot write output file '" + path + "'");
        std::setvbuf(fp_, nullptr, _IOFBF, 1 << 16);
        last_.resize(items_.size());
        ids_.resize(items_.size());
        for (size_t i = 0; i < items_.size(); ++i) {
            // SystemC's identifiers: five letters, the last one counting fastest.
            size_t n = i;
            char id[6] = {};
            for (int k = 4; k >= 0; --k) { id[k] = char('a' + n % 26); n /= 26; }
            ids_[i] = id;
        }
        sc_core::sc_get_curr_simcontext()->add_trace_file(this);
    }
    ~VcdWriter() override { close(); }

    // False when any write failed (a full disk, /dev/full): stdio keeps the error flag.
    bool close() {
        if (!fp_) return true;
        sc_core::sc_get_curr_simcontext()->remove_trace_file(this);
        if (initialized_) {
            const uint64_t now = sc_core::sc_time_stamp().value();
            if (now > last_time_) std::fprintf(fp_, "#%llu\n", (unsigned long long)now);
        }
        bool ok = std::fflush(fp_) == 0 && !std::ferror(fp_);
        ok = std::fclose(fp_) == 0 && ok;
        fp_ = nullptr;
        return ok;
    }

    // sc_trace_file interface: nothing is traced through these.
#define IOPF_VCD_NOOP_A(tp) void trace(const tp&, const std::string&) override {}
#define IOPF_VCD_NOOP_B(tp) void trace(const tp&, const std::string&, int) override {}
    IOPF_VCD_NOOP_A(sc_core::sc_event)
    IOPF_VCD_NOOP_A(sc_core::sc_time)
    IOPF_VCD_NOOP_A(bool)
    IOPF_VCD_NOOP_A(sc_dt::sc_bit)
    IOPF_VCD_NOOP_A(sc_dt::sc_logic)
    IOPF_VCD_NOOP_B(unsigned char)
    IOPF_VCD_NOOP_B(unsigned short)
    IOPF_VCD_NOOP_B(unsigned int)
    IOPF_VCD_NOOP_B(unsigned long)
    IOPF_VCD_NOOP_B(char)
    IOPF_VCD_NOOP_B(short)
    IOPF_VCD_NOOP_B(int)
    IOPF_VCD_NOOP_B(long)
    IOPF_VCD_NOOP_B(sc_dt::int64)
    IOPF_VCD_NOOP_B(sc_dt::uint64)
    IOPF_VCD_NOOP_A(float)
    IOPF_VCD_NOOP_A(double)
    IOPF_VCD_NOOP_A(sc_dt::sc_int_base)
    IOPF_VCD_NOOP_A(sc_dt::sc_uint_base)
    IOPF_VCD_NOOP_A(sc_dt::sc_signed)
    IOPF_VCD_NOOP_A(sc_dt::sc_unsigned)
    IOPF_VCD_NOOP_A(sc_dt::sc_fxval)
    IOPF_VCD_NOOP_A(sc_dt::sc_fxval_fast)
    IOPF_VCD_NOOP_A(sc_dt::sc_fxnum)
    IOPF_VCD_NOOP_A(sc_dt::sc_fxnum_fast)
    IOPF_VCD_NOOP_A(sc_dt::sc_bv_base)
    IOPF_VCD_NOOP_A(sc_dt::sc_lv_base)
#undef IOPF_VCD_NOOP_A
#undef IOPF_VCD_NOOP_B
    void trace(const unsigned int&, const std::string&, const char**) override {}
    void write_comment(const std::string&) override {}
    void set_time_unit(double, sc_core::sc_time_unit) override {}   // always 1 ps

protected:
    void cycle(bool delta_cycle) override {
        if (delta_cycle || !fp_) return;
        if (!initialized_) {
            initialize();
            return;
        }
        const uint64_t now = sc_core::sc_time_stamp().value();
        bool stamped = false;
        const size_t n = items_.size();
        for (size_t i = 0; i < n; ++i) {
            const uint64_t v = load(items_[i].ptr, items_[i].bytes);
            if (v == last_[i]) continue;
            last_[i] = v;
            if (!stamped) {
                std::fprintf(fp_, "#%llu\n", (unsigned long long)now);
                stamped = true;
                last_time_ = now;
            }
            write_value(i, v);
        }
        if (stamped) std::fputc('\n', fp_);
    }

private:
    void write_value(size_t i, uint64_t v) {
        char buf[80];
        char* p = buf;
        if (items_[i].width == 1) {
            *p++ = v ? '1' : '0';
        } else {
            *p++ = 'b';
            int top = 63;
            while (top > 0 && !((v >> top) & 1)) --top;   // no leading zeros (b0 for zero)
            for (int b = top; b >= 0; --b) *p++ = char('0' + ((v >> b) & 1));
            *p++ = ' ';
        }
        for (char c : ids_[i]) *p++ = c;
        *p++ = '\n';
        std::fwrite(buf, 1, size_t(p - buf), fp_);
    }

    void initialize() {
        initialized_ = true;
        // Header, as SystemC's VCD writer writes it.
        char date[64];
        std::time_t t = std::time(nullptr);
        std::strftime(date, sizeof date, "%b %d, %Y       %H:%M:%S", std::localtime(&t));
        std::fprintf(fp_, "$date\n     %s\n$end\n\n$version\n %s\n$end\n\n$timescale\n     1 ps\n$end\n\n", date,
                     sc_core::sc_version());
        // Scopes: a tree under "SystemC", child scopes in name order after the variables.
        struct Scope {
            std::vector<size_t> vars;
            std::map<std::string, Scope> children;
        };
        Scope root;
        std::vector<std::string> leaf(items_.size());
        for (size_t i = 0; i < items_.size(); ++i) {
            Scope* s = &root;
            const std::string& name = items_[i].name;
            size_t pos = 0;
            for (size_t dot; (dot = name.find('.', pos)) != std::string::npos; pos = dot + 1)
                s = &s->children[name.substr(pos, dot - pos)];
            leaf[i] = name.substr(pos);
            s->vars.push_back(i);
        }
        auto print = [&](auto&& self, const std::string& scope_name, const Scope& s) -> void {
            std::fprintf(fp_, "$scope module %s $end\n", scope_name.c_str());
            for (size_t i : s.vars) {
                if (items_[i].width == 1)
                    std::fprintf(fp_, "$var wire  % 3d  %s  %s       $end\n", 1, ids_[i].c_str(), leaf[i].c_str());
                else
                    std::fprintf(fp_, "$var wire  % 3d  %s  %s [%u:0]  $end\n", int(items_[i].width), ids_[i].c_str(),
                                 leaf[i].c_str(), items_[i].width - 1);
            }
            for (const auto& [n, c] : s.children) self(self, n, c);
            std::fprintf(fp_, "$upscope $end\n");
        };
        print(print, "SystemC", root);
        std::fprintf(fp_, "$enddefinitions  $end\n\n$comment\nAll initial values are dumped below at time 0 sec = 0 "
                          "timescale units.\n$end\n\n$dumpvars\n");
        for (size_t i = 0; i < items_.size(); ++i) {
            last_[i] = load(items_[i].ptr, items_[i].bytes);
            write_value(i, last_[i]);
        }
        std::fprintf(fp_, "$end\n\n");
        last_time_ = sc_core::sc_time_stamp().value();
    }

    std::vector<TraceRegistry::Item> items_;
    std::vector<uint64_t> last_;
    std::vector<std::string> ids_;
    std::FILE* fp_ = nullptr;
    bool initialized_ = false;
    uint64_t last_time_ = 0;
};

size_t TraceRegistry::open_vcd(const std::string& path, const std::string& glob) {
    std::string file = path;
    std::vector<Item> chosen;
    for (const auto& item : items_)
        if (glob.empty() || fnmatch(glob.c_str(), item.name.c_str(), 0) == 0) chosen.push_back(item);
    const size_t n = chosen.size();
    dest_ = path;
    file_ = std::make_unique<VcdWriter>(file, std::move(chosen));
    return n;
}

bool TraceRegistry::close(std::string* error) {
    bool ok = true;
    if (file_) {
        ok = file_->close();
        file_.reset();
    }
    if (!ok && error) *error = "--vcd: cannot write '" + dest_ + "': " + std::strerror(errno);
    return ok;
}

TraceRegistry::TraceRegistry() = default;
TraceRegistry::~TraceRegistry() { close(); }

std::vector<std::string> TraceRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& i : items_) out.push_back(i.name);
    return out;
}

}  // namespace iopf
