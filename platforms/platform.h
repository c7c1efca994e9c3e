// Builds a platform from its JSON description: every top-level key but "platform" is a
// component with a "type"; the model registry (platforms/registry.h) holds one factory per
// type, registered from the model's own source. Components are built in their types' build
// order (interconnect, memory, IOMMUs, devices, PCIe bridges and functions, host); each
// factory binds its sockets by component name (devices -> IOMMU -> interconnect -> memory,
// host CPU -> interconnect -> registers / memory) and adds what firmware (IORT / device
// tree) says about it, which the host reads to find its units and devices.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"

namespace iopf {

class Memory;
class SmmuV3;
class DmaEngine;
class PcieEndpoint;
class Host;
class SmmuV2;
class Gpu;
class TracePlayer;
class PlatformBuilder;
class Router;

struct EndState {
    bool all_finished = false;   // every device completed all its jobs
    bool cut_short = false;      // the duration limit ended the run first
    bool deadlock = false;       // nothing left to simulate but devices not finished
    uint64_t in_flight = 0;      // transactions issued but not completed
    uint64_t lost_transactions = 0;
    uint64_t stalled_at_end = 0;
    uint64_t open_faults = 0;
};

class Platform {
public:
    Platform(SimContext& ctx, std::string platform_name);
    ~Platform();

    uint64_t duration_ps() const { return duration_ps_; }
    const std::string& platform_name() const { return platform_name_; }
    const std::string& description() const { return description_; }
    EndState end_state() const;

    // Any component by name (null if there is none, or it is not a T).
    template <class T>
    T* find(const std::string& name) const {
        auto it = by_name_.find(name);
        return it == by_name_.end() ? nullptr : dynamic_cast<T*>(it->second);
    }
    // Component access for tests and tools; throw std::out_of_range for unknown names.
    Memory& memory(const std::string& name) const;
    SmmuV3& smmu(const std::string& name) const;
    DmaEngine& dma(const std::string& name) const;
    PcieEndpoint& endpoint(const std::string& name) const;
    SmmuV2& smmu_v2(const std::string& name) const;
    Gpu& gpu(const std::string& name) const;
    TracePlayer& trace_player(const std::string& name) const;
    Host& host() const;

private:
    template <class T>
    T& get(const std::string& name, const char* what) const;

    SimContext& ctx_;
    std::string platform_name_, description_;
    uint64_t duration_ps_ = 0;
    std::unique_ptr<PlatformBuilder> builder_;
    std::vector<std::unique_ptr<sc_core::sc_module>> components_;   // in build order
    std::map<std::string, sc_core::sc_module*> by_name_;
};

}  // namespace iopf
