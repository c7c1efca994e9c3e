// PCIe endpoint function with an ATC, ATS and PRI. A function must not be stalled: for each
// access it looks up its ATC; on a miss it sends an ATS Translation Request; a positive
// completion fills the ATC and the access goes out as translated DMA (AT=translated). A
// negative completion is the cue for PRI: the function sends Page Requests (a Page Request
// Group of `prg_pages` pages, the last with Last set) within the outstanding page request
// allocation the host programmed, waits for the PRG Response and then:
//   Success          -> retries ATS;
//   Invalid Request  -> the access fails (reported to the job);
//   Response Failure -> PRI Status.RF: no more page requests until software resets PRI.
// A PRG Response for an index with nothing outstanding sets PRI Status.UPRGI.
//
// Config space (a 4 KiB ECAM-like window at `ecam_base`; simplified fixed offsets for the
// fields of the ATS and PRI extended capabilities):
//   0x000 ID (RO)             0x010 ATS_CTRL  (bit 15 Enable)
//   0x020 PRI_CTRL (bit 0 Enable, bit 1 Reset)
//   0x024 PRI_STATUS (bit 0 RF, bit 1 UPRGI: write 1 to clear; bit 8 Stopped)
//   0x028 PRI_CAPACITY (RO)   0x02c PRI_ALLOCATION   0x030 PASID_CTRL (bit 0 Enable)
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/devices/format/pcie_config.h"
#include "models/devices/job_device.h"
#include "models/smmu/tlb.h"

namespace iopf {

class PcieEndpoint : public JobDevice {
public:
    tlm_utils::simple_target_socket<PcieEndpoint> msg_in;   // PRG Responses, ATS Invalidate Requests
    tlm_utils::simple_target_socket<PcieEndpoint> config;   // config space (host MMIO)

    PcieEndpoint(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    uint64_t ecam_base() const { return ecam_base_; }
    bool ats_capable() const { return true; }
    bool pri_capable() const { return pri_capacity_ > 0; }

    struct Counters {
        uint64_t atc_hits = 0, atc_misses = 0, ats_requests = 0, ats_negative = 0, ats_ur = 0,
                 page_requests = 0, prgs = 0, prg_success = 0, prg_invalid = 0, prg_failure = 0, uprgi = 0,
                 stop_markers = 0, atc_invalidations = 0, atc_entries_invalidated = 0, pri_blocked = 0,
                 translated = 0, untranslated = 0;
    };
    const Counters& counters() const { return c_; }
    uint32_t pri_status() const { return pri_status_; }
    uint64_t page_requests_after_rf() const { return requests_after_rf_; }
    // Page requests sent for a PASID after its Stop Marker and before software re-enabled
    // it (PCIe PRI: must be 0).
    uint64_t page_requests_after_stop() const { return requests_after_stop_; }

protected:
    bool access(tlm::tlm_generic_payload& gp, IopfExt& ext, const DmaJob& job) override;
    void add_stats(nlohmann::json& d) const override;
    void job_done(const DmaJob& job) override;

private:
    AtsCompletion ats_request(const IopfExt& ext, uint64_t page, bool write);
    PrgResponseCode page_request_group(const IopfExt& ext, uint64_t addr, const DmaJob& job, bool write,
                                       uint64_t fault_id);
    void send_message(PcieMsg kind, void* body, uint32_t ssid, bool ssv, uint64_t fault_id = 0);
    void msg_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void config_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void completion_thread();   // sends ATS Invalidate Completions

    uint64_t ecam_base_;
    uint32_t pri_capacity_;
    unsigned prg_pages_, max_pri_retries_;
    bool stop_markers_;
    std::unique_ptr<smmu::Tlb> atc_;

    // Config-space state.
    bool ats_enabled_ = false, pri_enabled_ = false, pasid_enabled_ = false;
    uint32_t pri_status_ = 0, pri_allocation_ = 0;

    // PRI state.
    uint64_t credits_used_ = 0;          // traced
    uint64_t credits_max_ = 0;
    sc_core::sc_event credit_ev_, prgi_ev_;
    std::vector<bool> prgi_busy_;        // 512 indices
    struct Pending {
        uint32_t pasid = 0;
        bool done = false;
        PrgResponseCode code = PrgResponseCode::success;
        sc_core::sc_event ev;
    };
    std::map<uint16_t, std::unique_ptr<Pending>> pending_;
    uint64_t requests_after_rf_ = 0;
    // Stop Markers: PASIDs the function has stopped using; a job whose `restart_pasid` is
    // set stands for software re-enabling the PASID before handing the function new work.
    std::set<uint32_t> stopped_pasids_;
    std::map<std::string, bool> restart_pasid_;   // job name -> restart_pasid
    uint64_t requests_after_stop_ = 0, blocked_stopped_ = 0, pasid_restarts_ = 0;
    std::deque<AtcInvalidate> completions_;
    sc_core::sc_event completion_ev_;
    Counters c_;
    uint64_t atc_hits_trace_ = 0, atc_misses_trace_ = 0;   // traced copies
};

}  // namespace iopf
