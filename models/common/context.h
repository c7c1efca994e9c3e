// Services every module receives at construction: its parameters, the stats and trace
// registries, fault-latency instrumentation, the queue log and the run log.
#pragma once
#include <cstdint>
#include <string>

#include "models/common/fault_tracker.h"
#include "models/common/inject.h"
#include "models/common/isolation_monitor.h"
#include "models/common/log.h"
#include "models/common/params.h"
#include "models/common/queue_log.h"
#include "models/common/stats.h"
#include "models/common/trace.h"

namespace iopf {

enum class TimingMode { accurate, fast };

struct SimContext {
    explicit SimContext(Params& p) : params(p) {}
    Params& params;
    StatsRegistry stats;
    TraceRegistry traces;
    FaultTracker faults;
    QueueLog queue_log;
    Log log;
    TimingMode mode = TimingMode::accurate;
    uint64_t seed = 1;
    // The isolation monitor (models/common/isolation_monitor.h) when the run checks
    // isolation (--check-isolation, scenario tests); null otherwise. Observers only.
    IsolationMonitor* isolation = nullptr;
    // Scheduled error conditions (platform.inject, --inject); models declare their points.
    Injector inject;
    // Set by guarded() (run_guard.h): a configuration error found while the host set up
    // the platform; the run stops and the CLI exits 2 with this line.
    std::string config_error;
};

}  // namespace iopf
