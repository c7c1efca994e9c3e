#include "models/host/bus_master.h"

#include "models/devices/format/dev_ctrl.h"
#include "models/devices/format/pcie_config.h"
#include "models/host/host_bus.h"

namespace iopf {

void BusMaster::enable(HostBus& bus) const {
    if (pcie) {
        const uint32_t cmd = bus.read32(ecam_base + pcie_cfg::COMMAND);
        if (!(cmd & pcie_cfg::CMD_BME)) bus.write32(ecam_base + pcie_cfg::COMMAND, cmd | pcie_cfg::CMD_BME);
    } else if (ctrl_addr) {
        static_assert(dev_ctrl::CTRL_EN == 1u, "FirmwareDevice::ctrl_addr: EN is bit 0");
        bus.write32(ctrl_addr, bus.read32(ctrl_addr) | dev_ctrl::CTRL_EN);
    }
}

}  // namespace iopf
