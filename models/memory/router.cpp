#include "models/memory/router.h"
#include "platforms/registry.h"

#include "models/common/payload.h"

namespace iopf {

Router::Router(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : sc_module(name), in("in"), out("out"), ctx_(ctx) {
    hop_ps_ = p.get_time_ps("latency", 2000, {"one-way latency of the interconnect for each transaction", "assumed: a few interconnect cycles at 1-2 GHz per hop (order of magnitude only)"});
    in.register_b_transport(this, &Router::b_transport);
    in.register_transport_dbg(this, &Router::transport_dbg);
    std::string me = this->name();
    ctx.stats.add([this, me](nlohmann::json& root) { root["interconnect"][me] = {{"decode_errors", decode_errors_}}; });
}

void Router::map(uint64_t base, uint64_t size, const std::string& target_name) {
    for (const auto& r : ranges_)
        if (base < r.base + r.size && r.base < base + size)
            throw ConfigError("address map: '" + target_name + "' overlaps '" + r.name + "'");
    ranges_.push_back({base, size, static_cast<int>(ranges_.size()), target_name});
}

int Router::decode(uint64_t addr, uint64_t len) const {
    for (const auto& r : ranges_)
        if (addr >= r.base && addr - r.base < r.size && len <= r.size - (addr - r.base)) return r.port;
    return -1;
}

void Router::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    int port = decode(gp.get_address(), gp.get_data_length());
    if (port < 0) {
        ++decode_errors_;
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (ctx_.isolation) {
        // Every device access that reaches a target, checked against what its IOMMU granted.
        const IopfExt* ext = gp.get_extension<IopfExt>();
        if (ext && ext->msg == PcieMsg::none && ext->device && *ext->device)
            ctx_.isolation->access(ext->device, gp.get_address(), gp.get_data_length(), gp.is_write(),
                                   ext->t_issue_ps, now_ps() + delay.value());
    }
    delay += ps(hop_ps_);
    out[port]->b_transport(gp, delay);
    delay += ps(hop_ps_);
}

unsigned Router::transport_dbg(int, tlm::tlm_generic_payload& gp) {
    int port = decode(gp.get_address(), gp.get_data_length());
    if (port < 0) { gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE); return 0; }
    return out[port]->transport_dbg(gp);
}

IOPF_REGISTER_MODEL("interconnect", build_order::interconnect,
                    "address router between initiators (CPU, IOMMUs, devices) and targets, one hop latency",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto r = std::make_unique<Router>(n.c_str(), b.ctx, b.params(n));
                        b.set_bus(*r);
                        return r;
                    });

}  // namespace iopf
