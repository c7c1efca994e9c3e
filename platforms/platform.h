// Builds a platform from its JSON description: instantiates the components named at the top
// level (each with a "type"), wires them (devices -> SMMU -> interconnect -> memory, host
// CPU -> interconnect -> SMMU registers / memory, SMMU IRQ lines and MSIs -> interrupt
// controller) and hands the host a firmware description of which device sits behind which
// SMMU with which StreamID (what IORT / device-tree iommu-map gives Linux).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"

namespace iopf {

class Router;
class Memory;
class SmmuV3;
class DmaEngine;
class JobDevice;
class PcieEndpoint;
class RootComplex;
class Host;
class SmmuV2;
class Gpu;
class TracePlayer;

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
    friend void check_isolation(const Platform& platform);   // platforms/check_isolation.h
    SimContext& ctx_;
    std::string platform_name_, description_;
    uint64_t duration_ps_ = 0;
    std::unique_ptr<Router> bus_;
    std::map<std::string, std::unique_ptr<Memory>> memories_;
    std::map<std::string, std::unique_ptr<SmmuV3>> smmus_;
    std::map<std::string, std::unique_ptr<JobDevice>> devices_;   // DMA engines, PCIe endpoints
    std::map<std::string, std::unique_ptr<RootComplex>> rcs_;
    std::map<std::string, std::unique_ptr<SmmuV2>> smmus_v2_;
    std::map<std::string, std::unique_ptr<Gpu>> gpus_;
    std::map<std::string, std::unique_ptr<TracePlayer>> players_;
    std::unique_ptr<Host> host_;
};

}  // namespace iopf
