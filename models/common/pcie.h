// PCIe messages between an endpoint, the root complex and the SMMU's ATS/PRI ports. A
// message travels as a TLM transaction whose IopfExt says which message it is and whose
// data pointer points at the message body below (TLM_IGNORE_COMMAND: it touches no memory).
#pragma once
#include <cstdint>

namespace iopf {

enum class PcieMsg : uint8_t {
    none = 0,
    page_request,        // PRI Page Request (device -> SMMU); a Stop Marker is Last with no R/W
    prg_response,        // PRG Response (SMMU -> device)
    atc_invalidate,      // ATS Invalidate Request (SMMU -> device)
    atc_inv_completion,  // ATS Invalidate Completion (device -> SMMU)
};

// ATS Translation Completion, returned in the data of an AT=translation-request transaction.
struct AtsCompletion {
    bool no_write = true;       // request: NW, the function needs no write permission
    bool success = false;       // false: no translation (or UR): the device's cue for PRI
    bool unsupported = false;   // UR: ATS not enabled for the stream (STE.EATS)
    uint64_t pa = 0;            // translated address of the requested page
    uint8_t size_log2 = 12;     // translation size
    bool read = false, write = false, exec = false, priv = false;   // permissions granted
    bool global = false;
};

struct PageRequest {
    uint32_t pasid = 0;
    bool pasid_valid = false;
    uint16_t prgi = 0;          // 9-bit Page Request Group index
    bool last = false;
    bool read = false, write = false, exec = false, priv = false;
    uint64_t addr = 0;          // page address
    bool is_stop_marker() const { return last && !read && !write; }
};

// PRG Response codes (PCIe): Success 0000b, Invalid Request 0001b, Response Failure 1111b.
enum class PrgResponseCode : uint8_t { success = 0x0, invalid_request = 0x1, response_failure = 0xf };

struct PrgResponse {
    uint32_t pasid = 0;
    bool pasid_valid = false;
    uint16_t prgi = 0;
    PrgResponseCode code = PrgResponseCode::success;
};

struct AtcInvalidate {
    uint32_t pasid = 0;
    bool pasid_valid = false;
    bool global = false;
    uint64_t addr = 0;          // first page
    uint8_t size = 0;           // covers 4 KiB x 2^size (CMD_ATC_INV.Size)
    uint32_t itag = 0;          // matches the completion to the request
};

}  // namespace iopf
