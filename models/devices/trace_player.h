// Trace player: replays a recorded DMA access trace (CSV, docs/models/trace-player.md)
// through an SMMU. Each access is issued at its time in the trace, or as soon as possible
// after it when all `outstanding` slots are busy (a stalled access keeps its slot). Issue
// order is trace order; completions may reorder. Like the DMA engine it sits behind the
// SMMU named by `smmu` and starts when the host sets bus-master enable.
//
// The trace is read and checked at elaboration: a malformed line is a ConfigError naming
// the file and line ("traces/x.csv:17: expected ..."), so the run exits 2 before it starts.
#pragma once
#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/component.h"
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/context.h"
#include "models/devices/access_slot.h"
#include "models/devices/device_ctrl.h"
#include "models/devices/format/trace_csv.h"   // TraceAccess, TraceReader, parse_access_trace
#include "models/common/payload.h"

namespace iopf {

// Resolves the `trace` parameter to a readable file: absolute paths as given; relative ones
// against the current directory, then $IOPF_TRACE_PATH, then the traces/ folder of the
// installation (<binary>/../../traces, i.e. the repository's traces/ for build/iopf-sim)
// and of the source tree. Throws ConfigError listing the places looked in.
std::string resolve_trace_path(const std::string& param_path, const std::string& file);

class TracePlayer : public sc_core::sc_module, public DeviceModel {
public:
    tlm_utils::simple_initiator_socket<TracePlayer> socket;

    TracePlayer(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    // A device not behind an SMMU needs no driver set-up: it may start at once.
    void enable_at_start() { enabled_at_start_ = true; }
    uint32_t sid() const { return sid_; }
    bool can_stall() const { return can_stall_; }
    bool finished() const override { return finished_; }
    uint64_t issued() const { return issued_; }
    uint64_t completed_ok() const { return ok_; }
    uint64_t completed_error() const { return err_; }
    uint64_t in_flight() const override { return issued_ - ok_ - err_; }
    uint64_t records() const { return reader_->records(); }   // records read so far
    const std::string& trace_path() const { return path_; }

private:
    sc_core::sc_signal<bool> bus_master_enable{"bus_master_enable", false};   // CTRL.EN of `ctrl`

public:
    DeviceCtrl ctrl;   // control page: CTRL.EN (models/devices/device_ctrl.h)

private:
    AccessSlotPool slot_pool_;   // the threads' payloads (freed with the device)
    void run();
    void slot(unsigned index);
    bool next_access(TraceAccess& a);

    SimContext& ctx_;
    std::string path_;
    std::unique_ptr<std::ifstream> file_;
    std::unique_ptr<TraceReader> reader_;
    TraceAccess pending_;            // read ahead (the first record, before the run)
    bool have_pending_ = false;
    uint32_t sid_ = 0;
    bool priv_ = false, can_stall_ = false, origin_enable_ = true;
    unsigned outstanding_ = 4;
    uint64_t origin_ps_ = 0;
    unsigned slots_done_ = 0;
    bool enabled_at_start_ = false, finished_ = false;
    sc_core::sc_event start_, slot_exit_;
    uint64_t issued_ = 0, ok_ = 0, err_ = 0, bytes_ = 0, reads_ = 0, writes_ = 0;
    uint64_t late_ = 0, late_sum_ps_ = 0, late_max_ps_ = 0;
    uint64_t latency_sum_ps_ = 0, latency_max_ps_ = 0;
    uint64_t t_first_issue_ps_ = 0, t_last_done_ps_ = 0;
    uint64_t outstanding_now_ = 0;   // traced
};

}  // namespace iopf
