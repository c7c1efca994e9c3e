// The host's SMMUv2 side: one SmmuV2Driver per SMMU-500 in the platform (parameters under
// host.smmu_v2_driver) and one GpuDriver per GPU (host.gpu_driver). The address space of
// each device behind an SMMUv2 comes from host.streams.<device>.contexts (exactly one
// context: a context bank has one TTBR0 and ASID), in the same format the SMMUv3 side uses.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/common/context.h"
#include "models/host/cpu.h"
#include "models/host/gpu_driver.h"
#include "models/host/host_bus.h"
#include "models/host/irq_controller.h"
#include "models/host/phys_alloc.h"
#include "models/host/smmu_v2_driver.h"

namespace iopf {

struct FirmwareDevice;

class HostV2 {
public:
    HostV2(SimContext& ctx, ParamScope host_params, Cpu& cpu, HostBus& bus, IrqController& irqc, PhysAlloc& pool,
           const std::vector<SmmuV2Firmware>& smmus, const std::vector<GpuFirmware>& gpus,
           const std::vector<FirmwareDevice>& devices);

    size_t smmu_drivers() const { return smmu_drivers_.size(); }
    SmmuV2Driver& smmu_driver(size_t i) { return *smmu_drivers_.at(i); }
    // The driver of the SMMUv2 named `smmu` (throws std::out_of_range).
    SmmuV2Driver& smmu_driver(const std::string& smmu);
    size_t gpu_drivers() const { return gpu_drivers_.size(); }
    GpuDriver& gpu_driver(size_t i) { return *gpu_drivers_.at(i); }

private:
    std::vector<std::unique_ptr<SmmuV2Driver>> smmu_drivers_;
    std::vector<std::unique_ptr<GpuDriver>> gpu_drivers_;
};

}  // namespace iopf
