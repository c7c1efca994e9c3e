// The host: CPU cores, the CPU's port onto the interconnect, the interrupt controller, the
// kernel's page pool, the OS memory manager, one IOPF queue, the VMM when the platform has
// VMs, and one driver per firmware unit a registered driver matches by "compatible"
// (models/host/driver_registry.h). Its configuration names, per device, the address spaces
// the OS gives that device (contexts with ASIDs and mappings).
#pragma once
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"
#include "models/common/firmware.h"
#include "models/host/cpu.h"
#include "models/host/host_bus.h"
#include "models/host/hypervisor.h"
#include "models/host/iopf.h"
#include "models/host/os_mm.h"
#include "models/host/irq_controller.h"
#include "models/host/phys_alloc.h"
#include "models/host/driver_registry.h"

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
    // The drivers bound to firmware units (by "compatible"), in firmware order.
    size_t drivers() const { return drivers_.size(); }
    sc_core::sc_module& driver(size_t i) const { return *drivers_.at(i).drv; }
    // The driver of unit `unit` if it is a T (null otherwise).
    template <class T>
    T* driver(const std::string& unit) const {
        for (const auto& d : drivers_)
            if (d.unit == unit) return dynamic_cast<T*>(d.drv.get());
        return nullptr;
    }
    // How many drivers are a T, and the i-th of them.
    template <class T>
    size_t count_drivers() const {
        size_t n = 0;
        for (const auto& d : drivers_) n += dynamic_cast<T*>(d.drv.get()) != nullptr;
        return n;
    }
    template <class T>
    T& nth_driver(size_t i) const {
        for (const auto& d : drivers_)
            if (T* t = dynamic_cast<T*>(d.drv.get()); t && i-- == 0) return *t;
        throw std::out_of_range("no such driver");
    }

private:
    void boot();
    void boot_steps();   // SC_THREAD: builds the processes' page tables before the drivers attach

    SimContext* ctx_ = nullptr;
    std::unique_ptr<PhysAlloc> pool_;
    std::unique_ptr<OsMm> mm_;
    std::unique_ptr<IopfQueue> iopf_;
    std::unique_ptr<Hypervisor> hyp_;   // when the platform declares host.vms
    struct Bound {
        std::string unit;
        std::unique_ptr<sc_core::sc_module> drv;
        IommuDriver* iommu;   // null for a driver that is not an IOMMU driver
    };
    std::vector<Bound> drivers_;   // one list for every kind of unit
};

}  // namespace iopf
