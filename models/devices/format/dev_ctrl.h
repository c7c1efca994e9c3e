// Control page of a platform DMA master that has no register block of its own (the DMA
// engine, the trace player): one 4 KiB MMIO page with a 32-bit CTRL register whose EN bit is
// the device's bus-master enable, set by the driver of the IOMMU in front of it once the
// device's translations exist (like pci_set_master() for a PCIe function). Shared by the
// device model (models/devices/device_ctrl.h) and the host. No SystemC here.
#pragma once
#include <cstdint>

namespace iopf::dev_ctrl {

constexpr uint32_t CTRL = 0x000, ID = 0x004;
constexpr uint32_t CTRL_EN = 1u << 0;        // bus-master enable (reads back)
constexpr uint32_t kIdValue = 0x444d4130;    // "DMA0"
constexpr uint64_t kSize = 0x1000;
// Default placement: consecutive pages from here, one per DMA master in build order.
constexpr uint64_t kDefaultWindow = 0x0c000000;

}  // namespace iopf::dev_ctrl
