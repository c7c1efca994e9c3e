#include "models/devices/dma_engine.h"
#include "platforms/registry.h"

namespace iopf {

DmaEngine::DmaEngine(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : JobDevice(name, ctx, p), ctrl("ctrl", p, bus_master_enable) {
    can_stall_ = p.get_bool("can_stall", false, {"firmware says the device tolerates stalled transactions (dma-can-stall)", "Linux: firmware property dma-can-stall (arm_smmu_master.stall_enabled) is absent unless the platform says so"});
}

bool DmaEngine::access(tlm::tlm_generic_payload& gp, IopfExt&, const DmaJob&) {
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    wait(delay);
    return gp.is_response_ok();
}

IOPF_REGISTER_MODEL("dma_engine", build_order::device,
                    "platform DMA engine running descriptor jobs (patterns, outstanding slots), optionally stallable",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto d = std::make_unique<DmaEngine>(n.c_str(), b.ctx, b.params(n));
                        b.add_dma_master(n, *d);
                        return d;
                    });

}  // namespace iopf
