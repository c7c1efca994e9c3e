// Common base of the devices that run DMA jobs (DMA engine, PCIe endpoint): a list of jobs
// (run in name order, one after another), each a stream of read or write accesses over an
// address range with a sequential, strided or random pattern, with up to `outstanding`
// accesses in flight (one lightweight thread per slot, one pooled payload per slot). The
// device starts when the host sets its bus-master enable line. How one access is carried
// out is the subclass's `access`.
//
// Write data is a deterministic function of the input address (pattern_byte), so a test can
// check that it landed at the physical address the page tables give.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/component.h"
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/context.h"
#include "models/common/payload.h"
#include "models/devices/access_slot.h"

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
    // Reads the jobs under `p.jobs` (every field a parameter with default, unit, meaning).
    static std::vector<DmaJob> parse_all(ParamScope p);

    uint64_t issued = 0, ok = 0, error = 0;
    std::vector<double> latency_ns;   // per completed access, issue to completion
};


class JobDevice : public sc_core::sc_module, public DeviceModel {
public:
    tlm_utils::simple_initiator_socket<JobDevice> socket;

    JobDevice(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    // A device not behind an SMMU needs no driver set-up: it may start at once.
    void enable_at_start() { enabled_at_start_ = true; }
    uint32_t sid() const { return sid_; }
    bool finished() const override { return finished_; }
    uint64_t issued() const { return issued_; }
    uint64_t completed_ok() const { return ok_; }
    uint64_t completed_error() const { return err_; }
    uint64_t in_flight() const override { return issued_ - ok_ - err_; }
    const std::vector<DmaJob>& jobs() const { return jobs_; }

protected:
    // Carries out one access described by `gp` (address = input address, data, length,
    // direction) and `ext` (sideband, already filled). Returns true when it succeeded.
    virtual bool access(tlm::tlm_generic_payload& gp, IopfExt& ext, const DmaJob& job) = 0;
    // Adds subclass counters to the device's stats object.
    virtual void add_stats(nlohmann::json& d) const {}
    // Called once a job's last access completed.
    virtual void job_done(const DmaJob& job) {}
    // True when, in fast mode, the device's accesses are a plain b_transport that the slot
    // may issue decoupled with a quantum keeper (models/devices/quantum.h) instead of
    // calling `access`.
    virtual bool decouples() const { return false; }

    SimContext& ctx_;
    uint32_t sid_;
    bool priv_;
    // Bus-master enable: the jobs start once it is set. Driven by the subclass's register
    // (the DMA engine's CTRL.EN, the PCIe function's Command.BME), never from outside.
    sc_core::sc_signal<bool> bus_master_enable{"bus_master_enable", false};

private:
    AccessSlotPool slot_pool_;   // the threads' payloads (freed with the device)
    void run();
    void slot(unsigned index);
    uint64_t next_random();

    unsigned outstanding_;
    uint64_t quantum_ps_;
    std::vector<DmaJob> jobs_;
    uint64_t rng_state_;
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
