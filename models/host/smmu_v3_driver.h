// Host SMMUv3 driver (after Linux's arm-smmu-v3): probes the SMMU through its ID registers,
// builds the stream table, context descriptors and page tables in simulated memory,
// allocates and enables the command and event queues with CR0ACK handshakes, wires the
// event and GERROR interrupts (MSI or wired), attaches each stream described by firmware,
// and consumes the event queue from its threaded IRQ handler. Everything crosses the
// hardware boundary as MMIO, memory, or interrupts; each software step costs core time.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"
#include "models/common/resource.h"
#include "models/host/bus_master.h"
#include "models/host/cpu.h"
#include "models/host/driver_registry.h"
#include "models/host/host_bus.h"
#include "models/host/io_pgtable.h"
#include "models/host/iopf.h"
#include "models/host/mapping.h"
#include "models/host/os_mm.h"
#include "models/host/irq_controller.h"
#include "models/host/phys_alloc.h"
#include "models/smmu/v3/format/command.h"
#include "models/smmu/v3/format/event.h"

namespace iopf {

// What firmware (IORT / device tree) tells the OS about one SMMUv3 instance.
struct SmmuV3Firmware {
    std::string name;
    uint64_t mmio_base = 0;
    const sc_core::sc_signal_in_if<bool>* evtq_irq = nullptr;    // wired lines (used when not MSI)
    const sc_core::sc_signal_in_if<bool>* gerror_irq = nullptr;
    const sc_core::sc_signal_in_if<bool>* priq_irq = nullptr;
    const sc_core::sc_signal_in_if<bool>* sev = nullptr;         // SEV wake-up for WFE
    // Interrupt numbers firmware gives (the platform: <smmu>.irq.*).
    unsigned evtq_irq_num = 32, gerror_irq_num = 33, priq_irq_num = 34;
};

struct StreamContext {
    std::string name;
    uint32_t ssid = 0;
    bool ssv = false;           // context selected by SubstreamID (else: the stream's only CD)
    uint16_t asid = 0;
    std::vector<Mapping> mappings;
};

// A device behind this SMMU: firmware gives device and StreamID; the platform gives the
// configuration and address spaces the OS sets up for it.
struct StreamAttach {
    std::string device;
    uint32_t sid = 0;
    // detached: the OS never attached the device: its STE stays invalid (V=0).
    // s2_only / nested: the device is assigned to VM `vm` (models/host/hypervisor.h).
    enum class Config { translate, bypass, abort, detached, s2_only, nested } config = Config::translate;
    std::string vm;
    std::vector<StreamContext> contexts;
    std::vector<std::string> sva;   // processes bound with iommu_sva_bind_device (PASID = SSID)
    bool can_stall = false;         // firmware: the device may be stalled ("dma-can-stall")
    bool pcie = false;              // a PCIe function: ATS/PRI capable, config space at ecam_base
    uint64_t ecam_base = 0;
    bool ats = true;                // the OS enables ATS for a PCIe function (STE.EATS, ATS_CTRL)
    uint32_t pri_credits = 16;      // outstanding page request allocation (pci_enable_pri)
    bool iopf = false;              // the device's driver enabled IOPF (faults go to the IOPF queue)
    BusMaster bus_master;           // how the OS turns the device's DMA on (last, after attach)
};

class Hypervisor;

class SmmuV3Driver : public sc_core::sc_module, public IommuDriver {
public:
    // The hypervisor owning the VMs that streams may be assigned to (set before the run).
    void set_hypervisor(Hypervisor* h) { hyp_ = h; }
    SmmuV3Driver(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, Cpu& cpu, HostBus& bus,
                 IrqController& irqc, PhysAlloc& pool, SmmuV3Firmware fw, std::vector<StreamAttach> streams,
                 OsMm* mm = nullptr, IopfQueue* iopf = nullptr);

    // iommu_sva_unbind_device() for every device bound to `mm`: clear the CD, invalidate,
    // flush the IOPF queue, invalidate the ASID. Call from a thread holding a core.
    void sva_unbind(MmStruct& mm) override;

    // Submits commands (and, if `sync`, a CMD_SYNC) and waits for completion. Call from a
    // thread that holds a core. Handles a full queue by re-reading CONS.
    void submit(const std::vector<smmu::v3::Command>& cmds, bool sync);
    // Writes raw 16-byte entries into the queue (tests use it to send an illegal command).
    void submit_raw(const std::vector<std::array<uint64_t, 2>>& entries, bool sync);

    bool ready() const { return ready_; }
    const std::string& smmu_name() const { return fw_.name; }
    const std::vector<StreamAttach>& streams() const { return streams_; }
    // Elaboration only (the probe): the attach list, for the ASID allocator to fill in.
    std::vector<StreamAttach>& streams_for_setup() { return streams_; }
    const sc_core::sc_event& ready_event() const { return ready_ev_; }
    uint64_t events_handled() const { return events_handled_; }
    const std::map<std::string, uint64_t>& events_by_type() const { return events_by_type_; }
    uint64_t cmdq_errors_handled() const { return cmdq_errors_handled_; }
    uint64_t queue_full_waits() const { return queue_full_waits_; }

private:
    void probe();
    void probe_steps();                       // SC_THREAD: reset + init + attach
    void reset_and_enable();
    void attach(const StreamAttach& s);
    void write_ste(uint32_t sid, const uint64_t w[8]);
    uint64_t ste_address(uint32_t sid);
    void set_cr0(uint32_t v);
    void poll_until(uint32_t off, uint32_t mask, uint32_t value, const char* what);
    void evtq_handler(uint64_t raised_ps);
    void handle_stall(const smmu::v3::EventRecord& ev, uint64_t t_seen);
    void report(const IopfFault& f);
    void priq_handler(uint64_t raised_ps);
    void enable_pcie(const StreamAttach& s);
    void gerror_handler(uint64_t raised_ps);
    void enqueue(const uint64_t w[2]);
    void wait_sync(uint32_t sync_ptr);
    uint32_t rd(uint32_t off) { return bus_.read32(fw_.mmio_base + off); }
    void wr(uint32_t off, uint32_t v) { bus_.write32(fw_.mmio_base + off, v); }
    void wr64(uint32_t off, uint64_t v) { bus_.write64(fw_.mmio_base + off, v); }
    void cost(uint64_t ps, const char* what);
    void page_response(uint32_t sid, const IopfGroup& group, PageResponse resp);
    void invalidate_range(uint16_t asid, uint64_t start, uint64_t end);
    void write_cd(uint64_t cd_table, uint32_t index, const uint64_t w[8]);

    struct Bound {               // per attached stream
        const StreamAttach* attach = nullptr;
        uint64_t cd_table = 0;
        IopfDevice* iopf_dev = nullptr;
        uint16_t vmid = 0;        // assigned to a VM: its VMID
    };
    Hypervisor* hyp_ = nullptr;
    std::map<uint32_t, Bound> bound_;   // by StreamID
    OsMm* mm_;
    IopfQueue* iopf_;
    bool stall_supported_ = false, stall_forced_ = false;
    uint64_t tlbi_page_limit_;
    uint64_t stall_faults_ = 0, failure_responses_ = 0, resumes_sent_ = 0;
    uint64_t priq_ = 0;
    unsigned priq_log2_ = 0;
    uint32_t priq_cons_ = 0;
    uint64_t pri_handled_ = 0, stop_markers_ = 0, priq_overflows_ = 0, pri_resps_sent_ = 0, atc_invs_ = 0;

    SimContext& ctx_;
    Cpu& cpu_;
    HostBus& bus_;
    IrqController& irqc_;
    PhysAlloc& pool_;
    SmmuV3Firmware fw_;
    std::vector<StreamAttach> streams_;

    // Parameters.
    std::string strtab_fmt_, irq_mode_, sync_mode_;
    unsigned cmdq_log2_, evtq_log2_;
    bool disable_bypass_;
    bool unbind_atc_inv_ = true;
    Cost cost_mmio_setup_ps_, cost_cmd_ps_, cost_evt_ps_, cost_attach_ps_;
    uint64_t cost_poll_ps_;
    uint64_t poll_limit_;
    PgtableCosts pgt_costs_;

    // Discovered features.
    uint32_t idr0_ = 0, idr1_ = 0, idr5_ = 0;
    unsigned oas_bits_ = 48;

    // Software state of the queues (Linux's llq).
    uint64_t strtab_ = 0, cmdq_ = 0, evtq_ = 0;
    unsigned st_log2_ = 0, st_split_ = 8;
    bool st_2level_ = false;
    std::map<uint32_t, uint64_t> l2_tables_;   // SID >> split -> L2 table PA
    uint32_t cmdq_prod_ = 0, cmdq_cons_cached_ = 0, evtq_cons_ = 0;
    FifoResource cmdq_lock_{1};
    std::vector<std::unique_ptr<IoPgtable>> pgtables_;

    bool ready_ = false;
    sc_core::sc_event ready_ev_;
    uint64_t events_handled_ = 0, evtq_overflows_ = 0, cmdq_errors_handled_ = 0, queue_full_waits_ = 0;
    uint64_t gerrors_handled_ = 0;   // GERROR bits other than CMDQ_ERR reported
    uint64_t commands_submitted_ = 0, syncs_ = 0;
    std::map<std::string, uint64_t> events_by_type_;
};

}  // namespace iopf
