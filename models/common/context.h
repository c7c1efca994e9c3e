// Services every module receives at construction: its parameters, the stats and trace
// registries, fault-latency instrumentation, the queue log and the run log.
#pragma once
#include <cstdint>
#include <string>

#include "models/common/fault_tracker.h"
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
};

}  // namespace iopf
