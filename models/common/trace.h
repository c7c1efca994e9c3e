// Trace registry: modules register the signals and variables they want visible in a VCD
// (hierarchical names, e.g. "smmu.evtq.occupancy"); `--vcd FILE` opens a VCD and traces the
// registered items, optionally filtered by a glob (`--trace-filter`).
//
// The VCD writer is our own (VcdWriter in trace.cpp), hooked into the kernel as an
// sc_trace_file so it is sampled exactly where SystemC's VCD writer is (once per time
// step, after its last delta cycle). It writes the same file as SystemC 2.3.4's writer
// (so the golden VCD hashes stay), but samples each item with one plain load and compare
// from a flat array and writes only the items that changed, without streams.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <systemc>

namespace iopf {

class VcdWriter;

class TraceRegistry {
public:
    // `object`: an integer or bool variable, or an sc_signal (its current value is traced);
    // it must outlive the run.
    template <class T>
    void add(const std::string& name, const T& object) {
        if constexpr (std::is_integral_v<T>) {
            items_.push_back({name, &object, sizeof(T), std::is_same_v<T, bool> ? 1u : unsigned(8 * sizeof(T))});
        } else {
            using V = std::decay_t<decltype(object.read())>;
            static_assert(std::is_integral_v<V>, "TraceRegistry: trace integers, bools or signals of them");
            items_.push_back({name, &object.read(), sizeof(V), std::is_same_v<V, bool> ? 1u : unsigned(8 * sizeof(V))});
        }
    }
    // Opens `path` as a VCD and traces every item whose name matches `glob` (fnmatch; empty
    // = all). Must be called after elaboration and before sc_start. Returns how many items
    // are traced.
    size_t open_vcd(const std::string& path, const std::string& glob = "");
    // Closes the VCD; false (with `error` set) when it could not be written to its path.
    bool close(std::string* error = nullptr);
    std::vector<std::string> names() const;
    TraceRegistry();
    ~TraceRegistry();

    struct Item {
        std::string name;
        const void* ptr;
        unsigned bytes;   // size of the object
        unsigned width;   // bits in the VCD (1 for bool)
    };

private:
    std::vector<Item> items_;
    std::unique_ptr<VcdWriter> file_;
    std::string dest_;   // the path asked for (error messages)
};

}  // namespace iopf
