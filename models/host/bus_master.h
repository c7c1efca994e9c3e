// Turning a device's DMA on, the way Linux does it: pci_set_master() for a PCIe function
// (read-modify-write of Command.BME in its config space), a platform driver setting its
// engine's enable bit (CTRL.EN of the DMA engine's control page, the GPU's CTRL) for the
// rest. Only MMIO: where the register is comes from firmware (FirmwareDevice).
#pragma once
#include <cstdint>

#include "models/common/firmware.h"

namespace iopf {

class HostBus;

struct BusMaster {
    bool pcie = false;
    uint64_t ecam_base = 0;   // PCIe: the function's config space
    uint64_t ctrl_addr = 0;   // otherwise: the register whose bit 0 is EN (0 = none)

    static BusMaster of(const FirmwareDevice& d) { return BusMaster{d.pcie, d.ecam_base, d.ctrl_addr}; }
    // A device the host can enable (every modelled DMA master has a register for it).
    bool present() const { return pcie || ctrl_addr != 0; }
    // Timed MMIO from the calling (driver) thread.
    void enable(HostBus& bus) const;
};

}  // namespace iopf
