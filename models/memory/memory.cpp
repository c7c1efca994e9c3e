#include "models/memory/memory.h"
#include "platforms/registry.h"

#include <algorithm>

#include "models/common/payload.h"

namespace iopf {

Memory::Memory(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : sc_module(name), socket("socket") {
    base_ = p.get_addr("base", 0x80000000ull, {"physical base address of this memory", src::config});
    size_ = p.get_size("size", 4ull << 30, {"size of this memory (only written pages use host RAM)", src::config});
    if (size_ == 0) throw ConfigError("parameter '" + p.path("size") + "': expected a positive size, got 0");
    if (base_ + size_ < base_ && base_ + size_ != 0)
        throw ConfigError("parameter '" + p.path("size") + "': base + size wraps past 2^64");
    latency_ps_ = p.get_cost("latency", 80000, {"access latency from request to first data", "assumed: idle DRAM load-to-use latency of server parts is 70-100 ns; 80 ns is a round figure, not a measurement"});
    bytes_per_ns_ = p.get_double("bandwidth", 16.0, "bytes/ns", {"sustained transfer rate of one channel", "assumed: one DDR4-2400 channel peaks at 19.2 GB/s; 16 B/ns is that derated for efficiency"}, 0.001);
    unsigned channels = p.get_uint("channels", 2, "", {"independent channels (requests use the earliest free)", "assumed: two independent channels, a small server or SoC memory system"}, 1, 64);
    channel_free_ps_.assign(channels, 0);
    socket.register_b_transport(this, &Memory::b_transport);
    socket.register_transport_dbg(this, &Memory::transport_dbg);

    std::string me = this->name();
    ctx.stats.add([this, me](nlohmann::json& root) {
        root["memories"][me] = {{"reads", reads_}, {"writes", writes_}, {"bytes", bytes_},
                                {"errors", errors_}, {"pages_touched", store_.pages_touched()}};
    });
}

bool Memory::check(tlm::tlm_generic_payload& gp) {
    uint64_t a = gp.get_address(), len = gp.get_data_length();
    if (gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return false;
    }
    if (a < base_ || len > size_ || a - base_ > size_ - len) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return false;
    }
    return true;
}

void Memory::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (!check(gp)) { ++errors_; return; }
    uint64_t len = gp.get_data_length();
    // Earliest free channel; the transfer occupies it for len / bandwidth.
    uint64_t arrive = now_ps() + delay.value();
    auto ch = std::min_element(channel_free_ps_.begin(), channel_free_ps_.end());
    uint64_t start = std::max(arrive, *ch);
    uint64_t xfer = static_cast<uint64_t>(len * 1000.0 / bytes_per_ns_ + 0.5);
    *ch = start + xfer;
    delay += ps(start - arrive + latency_ps_.sample() + xfer);

    if (gp.is_read()) { store_.read(gp.get_address(), gp.get_data_ptr(), len); ++reads_; }
    else if (gp.is_write()) { store_.write(gp.get_address(), gp.get_data_ptr(), len); ++writes_; }
    bytes_ += len;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Memory::transport_dbg(tlm::tlm_generic_payload& gp) {
    if (!check(gp)) return 0;
    if (gp.is_read()) store_.read(gp.get_address(), gp.get_data_ptr(), gp.get_data_length());
    else if (gp.is_write()) store_.write(gp.get_address(), gp.get_data_ptr(), gp.get_data_length());
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return gp.get_data_length();
}

IOPF_REGISTER_MODEL("memory", build_order::memory, "DRAM: sparse backing store behind a timed target at base/size",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto m = std::make_unique<Memory>(n.c_str(), b.ctx, b.params(n));
                        b.map(m->socket, m->base(), m->size(), n);
                        return m;
                    });

}  // namespace iopf
