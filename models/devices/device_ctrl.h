// The control page of a platform DMA master (models/devices/format/dev_ctrl.h): a 4 KiB MMIO
// target with CTRL.EN, the device's bus-master enable, and a read-only ID. The page belongs
// to its device (DMA engine, trace player); the platform maps it at the device's `ctrl_base`
// and firmware tells the host where CTRL is, so a driver turns the device's DMA on with an
// MMIO write like any other register (no signal reaches across from the host).
//
// Accesses: 32-bit, aligned; anything else is an address error. Unknown offsets read as zero
// and ignore writes. Clearing EN after the device started is recorded but does not stop it
// (not modelled).
#pragma once
#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/common/params.h"
#include "models/devices/format/dev_ctrl.h"

namespace iopf {

class DeviceCtrl : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<DeviceCtrl> socket;

    // `enable` is the device's bus-master enable, driven by CTRL.EN.
    DeviceCtrl(sc_core::sc_module_name name, ParamScope params, sc_core::sc_signal<bool>& enable);

    void set_base(uint64_t base) { base_ = base; }
    uint64_t base() const { return base_; }
    uint64_t writes() const { return writes_; }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    sc_core::sc_signal<bool>& enable_;
    uint64_t base_ = 0;
    uint64_t latency_ps_;
    uint64_t writes_ = 0;
};

}  // namespace iopf
