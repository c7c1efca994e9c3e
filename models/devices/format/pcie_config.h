// Configuration space of the modelled PCIe function (one 4 KiB ECAM page per function), as a
// register map both the endpoint model and host drivers use. Offsets are this model's
// simplified capability layout (not a real capability list); bit names follow the PCIe Base
// Specification (Command.Bus Master Enable at the type 0/1 header's offset, ATS
// Control.Enable, Page Request Control/Status). No SystemC here.
#pragma once
#include <cstdint>

namespace iopf::pcie_cfg {

constexpr uint32_t ID = 0x000, COMMAND = 0x004, ATS_CTRL = 0x010, PRI_CTRL = 0x020, PRI_STATUS = 0x024, PRI_CAPACITY = 0x028,
                   PRI_ALLOCATION = 0x02c, PASID_CTRL = 0x030;
constexpr uint32_t CMD_BME = 1u << 2;   // Command register: Bus Master Enable (PCIe Base 7.5.1.1.3)
constexpr uint32_t ATS_ENABLE = 1u << 15;
constexpr uint32_t PRI_ENABLE = 1u << 0, PRI_RESET = 1u << 1;
constexpr uint32_t PRI_RF = 1u << 0, PRI_UPRGI = 1u << 1, PRI_STOPPED = 1u << 8;
constexpr uint64_t kSize = 0x1000;

}  // namespace iopf::pcie_cfg
