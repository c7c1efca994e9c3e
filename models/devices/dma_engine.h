// DMA engine: runs a list of jobs (in name order), each a stream of read or write
// transactions over an address range with a sequential, strided or random pattern, with up
// to `outstanding` transactions in flight. Every transaction carries the engine's StreamID
// (and SubstreamID when `ssv`). It starts when the host sets its bus-master enable line.
//
// Write data is a deterministic function of the input address (pattern_byte), so a test can
// check that it landed at the physical address the page tables give.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/context.h"
#include "models/common/payload.h"

namespace iopf {

struct DmaJob {
    enum class Pattern { sequential, strided, random };
    std::string name;
    uint64_t base = 0;       // first input address (IOVA / VA)
    uint64_t length = 0;     // size of the address range covered
    uint64_t burst = 64;     // bytes per transaction
    uint64_t stride = 0;     // strided: distance between transactions
    uint64_t count = 0;      // transactions in the job
    Pattern pattern = Pattern::sequential;
    bool write = false;
    uint32_t ssid = 0;
    bool ssv = false;
    uint64_t gap_ps = 0;     // idle time between a slot's completion and its next issue
    uint64_t start_ps = 0;   // earliest start (after bus-master enable)

    uint64_t address(uint64_t index, uint64_t random_value) const;
    // counters
    uint64_t issued = 0, ok = 0, error = 0;
};

// Byte written by a DMA engine at input address `addr` (a test can recompute it).
inline uint8_t pattern_byte(uint64_t addr) { return static_cast<uint8_t>((addr >> 6) * 31u + addr * 7u + 0x5a); }

class DmaEngine : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<DmaEngine> socket;
    sc_core::sc_signal<bool> bus_master_enable{"bus_master_enable", false};

    DmaEngine(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    // A device not behind an SMMU needs no driver set-up: it may start at once.
    void enable_at_start() { enabled_at_start_ = true; }
    uint32_t sid() const { return sid_; }
    bool can_stall() const { return can_stall_; }
    bool finished() const { return finished_; }
    uint64_t issued() const { return issued_; }
    uint64_t completed_ok() const { return ok_; }
    uint64_t completed_error() const { return err_; }
    uint64_t in_flight() const { return issued_ - ok_ - err_; }
    const std::vector<DmaJob>& jobs() const { return jobs_; }

private:
    void run();
    void slot(unsigned index);
    uint64_t next_random();

    SimContext& ctx_;
    uint32_t sid_;
    bool priv_;
    bool can_stall_;
    unsigned outstanding_;
    std::vector<DmaJob> jobs_;
    uint64_t rng_state_;

    // Shared job cursor for the slots.
    size_t job_ = 0;
    uint64_t next_index_ = 0;
    unsigned slots_busy_ = 0;
    sc_core::sc_event job_start_, slot_idle_;
    bool finished_ = false;
    bool enabled_at_start_ = false;

    uint64_t issued_ = 0, ok_ = 0, err_ = 0, bytes_ = 0;
    uint64_t outstanding_now_ = 0;  // traced
    uint64_t latency_sum_ps_ = 0, latency_max_ps_ = 0;
};

}  // namespace iopf
