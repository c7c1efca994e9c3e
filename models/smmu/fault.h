// Fault and event vocabulary shared by the functional core and both SMMU programming
// models. Event IDs are the SMMUv3 architected values (SMMUv3 spec, "Event records").
#pragma once
#include <cstdint>

namespace iopf::smmu {

// SMMUv3 event record type (EVENT_ID field, word 0 bits [7:0]).
enum class EventId : uint8_t {
    None = 0x00,
    F_UUT = 0x01,
    C_BAD_STREAMID = 0x02,
    F_STE_FETCH = 0x03,
    C_BAD_STE = 0x04,
    F_BAD_ATS_TREQ = 0x05,
    F_STREAM_DISABLED = 0x06,
    F_TRANSL_FORBIDDEN = 0x07,
    C_BAD_SUBSTREAMID = 0x08,
    F_CD_FETCH = 0x09,
    C_BAD_CD = 0x0a,
    F_WALK_EABT = 0x0b,
    F_TRANSLATION = 0x10,
    F_ADDR_SIZE = 0x11,
    F_ACCESS = 0x12,
    F_PERMISSION = 0x13,
    F_TLB_CONFLICT = 0x20,
    F_CFG_CONFLICT = 0x21,
    E_PAGE_REQUEST = 0x24,
    F_VMS_FETCH = 0x25,
};

// Spec name of an event ID ("F_TRANSLATION"), or "UNKNOWN_0xNN" style for others.
const char* event_name(EventId id);

// Properties of the access being translated (carried by the payload extension).
struct Access {
    bool write = false;   // RnW == 0
    bool exec = false;    // InD: instruction fetch
    bool priv = false;    // PnU: privileged
};

}  // namespace iopf::smmu
