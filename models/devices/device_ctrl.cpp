#include "models/devices/device_ctrl.h"

#include <cstring>

namespace iopf {

DeviceCtrl::DeviceCtrl(sc_core::sc_module_name name, ParamScope p, sc_core::sc_signal<bool>& enable)
    : sc_module(name), socket("socket"), enable_(enable) {
    latency_ps_ = p.get_time_ps("ctrl_latency", 200'000,
                                {"latency of one access to the device's control page (CTRL.EN)",
                                 "assumed: an uncached device register access, a few hundred ns round trip (as the GPU model's mmio_latency)"});
    socket.register_b_transport(this, &DeviceCtrl::b_transport);
}

void DeviceCtrl::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t a = gp.get_address();
    if (a < base_ || a - base_ >= dev_ctrl::kSize || gp.get_data_length() != 4 || (a & 3) || gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += sc_core::sc_time(double(latency_ps_), sc_core::SC_PS);
    const uint32_t off = uint32_t(a - base_);
    uint32_t v = 0;
    if (gp.is_read()) {
        if (off == dev_ctrl::CTRL) v = enable_.read() ? dev_ctrl::CTRL_EN : 0;
        else if (off == dev_ctrl::ID) v = dev_ctrl::kIdValue;
        std::memcpy(gp.get_data_ptr(), &v, 4);
    } else {
        std::memcpy(&v, gp.get_data_ptr(), 4);
        ++writes_;
        if (off == dev_ctrl::CTRL) enable_.write((v & dev_ctrl::CTRL_EN) != 0);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace iopf
