// `--timeline FILE.json`: the run in Chrome Trace Event Format (opens in ui.perfetto.dev and
// chrome://tracing), for software people (docs/outputs.md "Timeline"):
//   - process "host CPU": one track per core with the software that ran on it: each thread's
//     time holding a core (named after the SystemC process: irq threads, the IOPF worker,
//     the driver, devcoredump) with its accounted steps nested (handle_mm_fault, page_alloc,
//     iopf_handle, ...), one-off runs, and hard IRQs;
//   - process "devices": one track per device with the intervals a faulting transaction
//     waited (stalled, or waiting for its PRI/terminate outcome);
//   - process "faults": one row per fault, begin/end from issue to completion, its stages
//     (detect, record, irq, ...) nested as slices;
//   - process "interrupts": an instant event at every rising edge of an interrupt line;
//   - process "queues": counters for queue occupancies, workqueue depths and busy cores.
// Timestamps are microseconds (ps resolution) and non-decreasing in file order; the file is
// deterministic (same run -> same bytes).
#pragma once
#include <string>
#include <vector>

#include "models/common/fault_tracker.h"
#include "models/host/cpu.h"

namespace iopf {

struct TimelineInput {
    std::string platform;
    unsigned cores = 1;
    std::vector<CpuActivity> cpu;                 // as observed, any order
    const std::vector<FaultRecord>* faults = nullptr;
    std::string vcd;                              // a VCD of the run: counters and IRQ edges ("" = none)
    uint64_t end_ps = 0;
};

// Writes the trace; returns false when `path` cannot be written.
bool write_timeline(const std::string& path, const TimelineInput& in);

}  // namespace iopf
