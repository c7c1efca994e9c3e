// Trace registry: modules register the signals and variables they want visible in a VCD
// (hierarchical names, e.g. "smmu.evtq.occupancy"); `--vcd FILE` opens a VCD and traces the
// registered items, optionally filtered by a glob (`--trace-filter`).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

namespace iopf {

class TraceRegistry {
public:
    template <class T>
    void add(const std::string& name, const T& object) {
        items_.push_back({name, [&object, name](sc_core::sc_trace_file* tf) { sc_core::sc_trace(tf, object, name); }});
    }
    // Opens `path` as a VCD and traces every item whose name matches `glob` (fnmatch; empty
    // = all). Must be called after elaboration and before sc_start. Returns how many items
    // are traced.
    // SystemC names its file "<base>.vcd" and ignores write errors, so the VCD is written to
    // a private temporary file and copied to `path` by close(), which checks every write.
    size_t open_vcd(const std::string& path, const std::string& glob = "");
    // Closes the VCD; false (with `error` set) when it could not be written to its path.
    bool close(std::string* error = nullptr);
    std::vector<std::string> names() const;
    ~TraceRegistry() { close(); }

private:
    struct Item {
        std::string name;
        std::function<void(sc_core::sc_trace_file*)> trace;
    };
    std::vector<Item> items_;
    sc_core::sc_trace_file* file_ = nullptr;
    std::string dest_, tmp_dir_;
};

}  // namespace iopf
