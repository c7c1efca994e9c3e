// Register map of the GPU-like job engine (models/devices/gpu.h), shared by the device model
// and its host driver (models/host/gpu_driver). 32-bit registers at the unit's MMIO base;
// the state aperture (what a devcoredump reads) starts at STATE_BASE. No SystemC here.
#pragma once
#include <cstdint>

namespace iopf::gpu_reg {

constexpr uint32_t ID = 0x00, STATUS = 0x04, JOB_ID = 0x08, JOBS_RETIRED = 0x0c, HANGCHECK = 0x10, HANGS = 0x14,
                   CTRL = 0x18, STATE_BASE = 0x1000;
constexpr uint32_t CTRL_EN = 1u << 0;       // bus-master enable: the engine starts its jobs once set
constexpr uint32_t kIdValue = 0x47505530;   // "GPU0"

}  // namespace iopf::gpu_reg
