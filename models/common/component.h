// Roles a platform component plays, so the platform builder and the end-of-run checks treat
// every model of a kind alike without knowing its class:
//   IommuModel  - has a device-facing port devices (or a root complex) bind to, may hold
//                 stalled transactions, may exchange PCIe messages with a root complex.
//   DeviceModel - a DMA master: finishes its work, has transactions in flight.
#pragma once
#include <cstdint>

#include <tlm>

namespace iopf {

using DeviceTargetSocket = tlm::tlm_base_target_socket_b<32, tlm::tlm_fw_transport_if<>, tlm::tlm_bw_transport_if<>>;

class IommuModel {
public:
    virtual ~IommuModel() = default;
    // Where devices (or a root complex) send their transactions.
    virtual DeviceTargetSocket& device_port() = 0;
    // Transactions held inside (stalled on a fault, or waiting behind one).
    virtual uint64_t stalled_count() const = 0;
    // PCIe messages to endpoints (PRG Responses, ATS invalidations) go to `rc_in`. Returns
    // false when this IOMMU has no PCIe message path (then no root complex may sit before it).
    virtual bool bind_pcie_messages(DeviceTargetSocket& rc_in) { return false; }
};

class DeviceModel {
public:
    virtual ~DeviceModel() = default;
    virtual bool finished() const = 0;
    virtual uint64_t in_flight() const = 0;
};

}  // namespace iopf
