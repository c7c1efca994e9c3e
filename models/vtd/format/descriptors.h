// Intel VT-d queue descriptors: invalidation queue descriptors (spec 6.5.2 "Queued
// Invalidation Interface"), the page group response descriptor that software queues on
// the invalidation queue (spec 7.7.1), and the page request descriptor that hardware
// writes to the page request queue (spec 7.5.1).
//
// Bit positions (qw = 64-bit word; 256-bit descriptors carry qw2/qw3 as zero here):
//   all inv. descriptors: Type[3:0] = qw0[3:0], Type[6:4] = qw0[11:9]
//   0x1 cc_inv_dsc        G[5:4] DID[31:16] SID[47:32] FM[49:48]
//   0x2 iotlb_inv_dsc     G[5:4] DW[6] DR[7] DID[31:16] | qw1: AM[5:0] IH[6] ADDR[63:12]
//   0x3 dev_tlb_inv_dsc   PFSID[15:12] MIP[20:16] SID[47:32] PFSID[63:52] | qw1: S[0] ADDR
//   0x4 iec_inv_dsc       (decoded by type only; interrupt remapping is not modelled)
//   0x5 inv_wait_dsc      IF[4] SW[5] FN[6] PD[7] STDATA[63:32] | qw1: STADDR[63:2]
//   0x6 p_iotlb_inv_dsc   G[5:4] DID[31:16] PASID[51:32] | qw1: AM[5:0] IH[6] ADDR[63:12]
//   0x7 pc_inv_dsc        G[5:4] DID[31:16] PASID[51:32]
//   0x8 p_dev_tlb_inv_dsc MIP[8:4] PFSID[15:12] SID[31:16] PASID[51:32] PFSID[63:52] |
//                         qw1: G[0] S[11] ADDR[63:12]
//   0x9 page_grp_resp_dsc PP[4] RC[15:12] RID[31:16] PASID[51:32] | qw1: LPIG[2] PRGI[11:3]
//   page_req_dsc (PRQ)    Type[7:0]=1 PP[8] RID[31:16] PASID[51:32] EXR[52] PMR[53] |
//                         qw1: RDR[0] WRR[1] LPIG[2] PRGI[11:3] ADDR[63:12]
// Cross-checked against Linux drivers/iommu/intel/iommu.h (QI_*), prq.c (page_req_dsc).
//
// No SystemC in this file: it is part of the functional core.
#pragma once
#include <cstdint>
#include <string>

#include "models/vtd/format/regs.h"

namespace iopf::vtd {

enum class InvType : uint8_t {
    CC = 0x1,          // context-cache invalidate
    IOTLB = 0x2,       // IOTLB invalidate
    DEV_TLB = 0x3,     // device-TLB invalidate
    IEC = 0x4,         // interrupt entry cache invalidate
    WAIT = 0x5,        // invalidation wait
    P_IOTLB = 0x6,     // PASID-based IOTLB invalidate
    PC = 0x7,          // PASID-cache invalidate
    P_DEV_TLB = 0x8,   // PASID-based device-TLB invalidate
    PGRP_RESP = 0x9,   // page group response
};
// "iotlb_inv_dsc", "page_grp_resp_dsc", ... ; "UNKNOWN" for other types.
const char* inv_type_name(uint8_t type);

// Granularities (the G field; its meaning depends on the descriptor type).
namespace gran {
// cc_inv_dsc
constexpr uint8_t CC_GLOBAL = 1, CC_DOMAIN = 2, CC_DEVICE = 3;
// iotlb_inv_dsc
constexpr uint8_t IOTLB_GLOBAL = 1, IOTLB_DOMAIN = 2, IOTLB_PAGE = 3;
// p_iotlb_inv_dsc: 00b reserved... (spec: 00 reserved, 01 reserved, 10 PASID-selective,
// 11 page-selective-within-PASID; Linux QI_GRAN_NONG_PASID = 2, QI_GRAN_PSI_PASID = 3)
constexpr uint8_t PIOTLB_PASID = 2, PIOTLB_PAGE = 3;
// pc_inv_dsc: 00 domain-selective, 01 PASID-selective, 11 global
constexpr uint8_t PC_DOMAIN = 0, PC_PASID = 1, PC_GLOBAL = 3;
}  // namespace gran

// Page group response codes (PCIe PRG Response Code; Linux QI_RESP_*).
namespace resp {
constexpr uint8_t SUCCESS = 0x0, INVALID = 0x1, FAILURE = 0xF;
}  // namespace resp
const char* resp_code_name(uint8_t rc);

// One decoded invalidation-queue descriptor. Only the fields of `type` are meaningful.
struct InvDesc {
    uint8_t type = 0;
    uint8_t g = 0;
    uint16_t did = 0;
    uint16_t sid = 0;       // cc, dev_tlb, p_dev_tlb: source id; pgrp_resp: RID
    uint8_t fm = 0;
    uint32_t pasid = 0;
    uint64_t addr = 0;      // [63:12] (iotlb, p_iotlb, dev_tlb, p_dev_tlb)
    uint8_t am = 0;
    bool ih = false, dw = false, dr = false;
    uint16_t pfsid = 0;
    uint8_t mip = 0;
    bool s = false;         // dev_tlb size bit
    bool glob = false;      // p_dev_tlb G
    // inv_wait_dsc
    bool iflag = false, sw = false, fn = false, pd = false;
    uint32_t stdata = 0;
    uint64_t staddr = 0;
    // page_grp_resp_dsc
    bool pp = false;
    uint8_t rc = 0;
    bool lpig = false;
    uint16_t prgi = 0;
};

InvDesc decode_inv(const uint64_t w[2]);
// Writes qw0 and qw1 (a 256-bit descriptor's qw2/qw3 are the caller's, normally zero).
void encode_inv(const InvDesc& d, uint64_t w[2]);
// One-line decoded form, e.g. "page_grp_resp_dsc rid=0x0100 pasid=1 prgi=3 lpig rc=SUCCESS".
std::string to_string(const InvDesc& d);

// Page request descriptor written by hardware to the page request queue.
struct PageReqDesc {
    uint8_t type = 1;
    bool pp = false;        // PASID present
    uint16_t rid = 0;       // requester id
    uint32_t pasid = 0;
    bool exr = false;       // execute requested
    bool pmr = false;       // privileged mode requested
    bool rdr = false, wrr = false;
    bool lpig = false;      // last page in group
    uint16_t prgi = 0;      // page request group index (9 bits)
    uint64_t addr = 0;      // page address, bits [63:12]
    // Stop marker (PCIe "Stop PASID"): L=1 with R=W=0.
    bool is_stop_marker() const { return lpig && !rdr && !wrr; }
};
void encode_page_req(const PageReqDesc& p, uint64_t w[4]);
PageReqDesc decode_page_req(const uint64_t w[4]);
// "page_req_dsc rid=0x0100 pasid=1 addr=0x40000000 prgi=3 R W lpig"
std::string to_string(const PageReqDesc& p);

}  // namespace iopf::vtd
