// DMA engine: a JobDevice whose accesses are plain memory transactions with the engine's
// StreamID (and SubstreamID when a job sets one) through the SMMU. A stalled transaction
// simply blocks its slot until the SMMU resumes or terminates it. Its bus-master enable is
// CTRL.EN of its control page (models/devices/device_ctrl.h).
#pragma once
#include "models/devices/device_ctrl.h"
#include "models/devices/job_device.h"

namespace iopf {

class DmaEngine : public JobDevice {
public:
    DmaEngine(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);
    bool can_stall() const { return can_stall_; }

    DeviceCtrl ctrl;   // control page: CTRL.EN

protected:
    bool access(tlm::tlm_generic_payload& gp, IopfExt& ext, const DmaJob& job) override;
    bool decouples() const override { return true; }   // a plain b_transport

private:
    bool can_stall_;
};

}  // namespace iopf
