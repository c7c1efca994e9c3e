// The host: CPU cores, the CPU's port onto the interconnect, the interrupt controller, the
// kernel's page pool, and one SMMUv3 driver per SMMU. Its configuration names, per device,
// the address spaces the OS gives that device (contexts with ASIDs and mappings).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"
#include "models/common/firmware.h"
#include "models/host/cpu.h"
#include "models/host/host_bus.h"
#include "models/host/host_v2.h"
#include "models/host/hypervisor.h"
#include "models/host/iopf.h"
#include "models/host/os_mm.h"
#include "models/host/irq_controller.h"
#include "models/host/phys_alloc.h"
#include "models/host/smmu_v3_driver.h"

namespace iopf {

class Host : public sc_core::sc_module {
public:
    // `fw`: what firmware (IORT / device tree) describes: the units drivers bind to and the
    // DMA masters with the IOMMU and StreamID each sits behind.
    Host(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, const Firmware& fw);

    Cpu cpu;
    HostBus bus;
    IrqController irqc;

    PhysAlloc& kernel_pool() { return *pool_; }
    OsMm& mm() { return *mm_; }
    IopfQueue& iopf() { return *iopf_; }
    SmmuV3Driver& smmu_driver(size_t i) { return *drivers_.at(i); }
    size_t smmu_drivers() const { return drivers_.size(); }
    // SMMUv2 drivers and GPU drivers (models/host/host_v2.h).
    HostV2& v2() { return *v2_; }

private:
    void boot();   // SC_THREAD: builds the processes' page tables before the drivers attach

    std::unique_ptr<PhysAlloc> pool_;
    std::unique_ptr<OsMm> mm_;
    std::unique_ptr<IopfQueue> iopf_;
    std::vector<std::unique_ptr<SmmuV3Driver>> drivers_;
    std::unique_ptr<HostV2> v2_;
    std::unique_ptr<Hypervisor> hyp_;   // when the platform declares host.vms
};

}  // namespace iopf
