// Host driver registry: every driver registers a factory under the firmware "compatible" of
// the unit it drives ("arm,smmu-v3", "arm,mmu-500", "iopf,gpu", ...), from its own source:
//
//   IOPF_REGISTER_DRIVER("arm,smmu-v3", factory);
//
// The host binds one driver per firmware unit (in firmware order), knowing no driver by name,
// as Linux matches of_device_id / ACPI tables. An IOMMU driver also implements IommuDriver,
// so the host can reach every IOMMU driver alike (SVA unbind at process exit).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <systemc>

#include "models/common/context.h"
#include "models/common/firmware.h"

namespace iopf {

class Cpu;
class HostBus;
class IrqController;
class PhysAlloc;
class OsMm;
class IopfQueue;
class Host;
class Hypervisor;
class AsidAllocator;
struct MmStruct;

// What a driver's probe gets from the kernel around it.
struct HostEnv {
    SimContext& ctx;
    ParamScope params;   // the host's parameters (host.*)
    Cpu& cpu;
    HostBus& bus;
    IrqController& irqc;
    PhysAlloc& pool;
    OsMm& mm;
    IopfQueue& iopf;
    const Firmware& fw;
    Host& host;          // drivers bound earlier (host.driver<T>(unit)), e.g. a GPU's IOMMU
    Hypervisor* hyp;     // the VMM when the platform declares host.vms, else null
    AsidAllocator& asids;   // kernel-wide ASIDs (allocated once every driver is bound)
};

class IommuDriver {
public:
    virtual ~IommuDriver() = default;
    // iommu_sva_unbind_device() for every device bound to `mm` (process exit).
    virtual void sva_unbind(MmStruct& mm) {}
};

using DriverFactory = std::function<std::unique_ptr<sc_core::sc_module>(HostEnv&, const FirmwareUnit&)>;

class DriverRegistry {
public:
    static void add(const std::string& compatible, DriverFactory f);
    static const DriverFactory* find(const std::string& compatible);
};

struct DriverRegistration {
    DriverRegistration(const char* compatible, DriverFactory f) { DriverRegistry::add(compatible, std::move(f)); }
};

#define IOPF_DRIVER_CONCAT2(a, b) a##b
#define IOPF_DRIVER_CONCAT(a, b) IOPF_DRIVER_CONCAT2(a, b)
#define IOPF_REGISTER_DRIVER(compatible, ...) \
    static const ::iopf::DriverRegistration IOPF_DRIVER_CONCAT(iopf_driver_registration_, __LINE__)(compatible, __VA_ARGS__)

}  // namespace iopf
