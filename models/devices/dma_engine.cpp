#include "models/devices/dma_engine.h"
#include "platforms/registry.h"

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

IOPF_REGISTER_MODEL("dma_engine", build_order::device,
                    "platform DMA engine running descriptor jobs (patterns, outstanding slots), optionally stallable",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto d = std::make_unique<DmaEngine>(n.c_str(), b.ctx, b.params(n));
                        const std::string smmu =
                            b.params(n).get_string("smmu", "", "SMMU the device sits behind (\"\" = none)");
                        b.bind_dma(d->socket, n, "smmu", smmu);
                        if (smmu.empty()) d->enable_at_start();
                        FirmwareDevice fd;
                        fd.device = n;
                        fd.smmu = smmu;
                        fd.sid = d->sid();
                        fd.can_stall = d->can_stall();
                        fd.bus_master_enable = &d->bus_master_enable;
                        b.firmware().devices.push_back(fd);
                        b.add_device(n, *d);
                        return d;
                    });

}  // namespace iopf
