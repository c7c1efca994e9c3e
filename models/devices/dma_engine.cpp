#include "models/devices/dma_engine.h"

namespace iopf {

DmaEngine::DmaEngine(sc_core::sc_module_name name, SimContext& ctx, ParamScope p) : JobDevice(name, ctx, p) {
    can_stall_ = p.get_bool("can_stall", false, "firmware says the device tolerates stalled transactions (dma-can-stall)");
}

bool DmaEngine::access(tlm::tlm_generic_payload& gp, IopfExt&, const DmaJob&) {
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    wait(delay);
    return gp.is_response_ok();
}

}  // namespace iopf
