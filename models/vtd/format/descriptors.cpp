#include "models/vtd/format/descriptors.h"

#include <cinttypes>
#include <cstdio>

namespace iopf::vtd {

namespace {
constexpr Field TYPE_LO{3, 0}, TYPE_HI{11, 9};
constexpr Field G{5, 4}, DID{31, 16}, SID_HI{47, 32}, FM{49, 48};
constexpr Field PASID{51, 32};
constexpr Field DW{6, 6}, DR{7, 7};
constexpr Field AM{5, 0}, IH{6, 6}, ADDR{63, 12};
constexpr Field PFSID_LO{15, 12}, PFSID_HI{63, 52};
constexpr Field MIP_DEV{20, 16}, MIP_PDEV{8, 4}, SID_MID{31, 16};
constexpr Field S_DEV{0, 0}, G_PDEV{0, 0}, S_PDEV{11, 11};
constexpr Field IF{4, 4}, SW{5, 5}, FN{6, 6}, PD{7, 7}, STDATA{63, 32}, STADDR{63, 2};
constexpr Field PP{4, 4}, RC{15, 12}, RID{31, 16}, LPIG{2, 2}, PRGI{11, 3};
// page_req_dsc
constexpr Field PR_TYPE{7, 0}, PR_PP{8, 8}, PR_RID{31, 16}, PR_PASID{51, 32}, PR_EXR{52, 52},
    PR_PMR{53, 53};
constexpr Field PR_RDR{0, 0}, PR_WRR{1, 1}, PR_LPIG{2, 2}, PR_PRGI{11, 3}, PR_ADDR{63, 12};

uint64_t type_bits(uint8_t t) { return TYPE_LO.make(t & 0xf) | TYPE_HI.make(t >> 4); }
}  // namespace

const char* inv_type_name(uint8_t t) {
    switch (t) {
        case 0x1: return "cc_inv_dsc";
        case 0x2: return "iotlb_inv_dsc";
        case 0x3: return "dev_tlb_inv_dsc";
        case 0x4: return "iec_inv_dsc";
        case 0x5: return "inv_wait_dsc";
        case 0x6: return "p_iotlb_inv_dsc";
        case 0x7: return "pc_inv_dsc";
        case 0x8: return "p_dev_tlb_inv_dsc";
        case 0x9: return "page_grp_resp_dsc";
        default: return "UNKNOWN";
    }
}

const char* resp_code_name(uint8_t rc) {
    switch (rc) {
        case resp::SUCCESS: return "SUCCESS";
        case resp::INVALID: return "INVALID";
        case resp::FAILURE: return "FAILURE";
        default: return "RESERVED";
    }
}

InvDesc decode_inv(const uint64_t w[2]) {
    InvDesc d;
    d.type = uint8_t(TYPE_LO.get(w[0]) | (TYPE_HI.get(w[0]) << 4));
    switch (InvType(d.type)) {
        case InvType::CC:
            d.g = uint8_t(G.get(w[0]));
            d.did = uint16_t(DID.get(w[0]));
            d.sid = uint16_t(SID_HI.get(w[0]));
            d.fm = uint8_t(FM.get(w[0]));
            break;
        case InvType::IOTLB:
            d.g = uint8_t(G.get(w[0]));
            d.dw = DW.get(w[0]);
            d.dr = DR.get(w[0]);
            d.did = uint16_t(DID.get(w[0]));
            d.am = uint8_t(AM.get(w[1]));
            d.ih = IH.get(w[1]);
            d.addr = w[1] & ADDR.mask();
            break;
        case InvType::DEV_TLB:
            d.pfsid = uint16_t(PFSID_LO.get(w[0]) | (PFSID_HI.get(w[0]) << 4));
            d.mip = uint8_t(MIP_DEV.get(w[0]));
            d.sid = uint16_t(SID_HI.get(w[0]));
            d.s = S_DEV.get(w[1]);
            d.addr = w[1] & ADDR.mask();
            break;
        case InvType::WAIT:
            d.iflag = IF.get(w[0]);
            d.sw = SW.get(w[0]);
            d.fn = FN.get(w[0]);
            d.pd = PD.get(w[0]);
            d.stdata = uint32_t(STDATA.get(w[0]));
            d.staddr = w[1] & STADDR.mask();
            break;
        case InvType::P_IOTLB:
            d.g = uint8_t(G.get(w[0]));
            d.did = uint16_t(DID.get(w[0]));
            d.pasid = uint32_t(PASID.get(w[0]));
            d.am = uint8_t(AM.get(w[1]));
            d.ih = IH.get(w[1]);
            d.addr = w[1] & ADDR.mask();
            break;
        case InvType::PC:
            d.g = uint8_t(G.get(w[0]));
            d.did = uint16_t(DID.get(w[0]));
            d.pasid = uint32_t(PASID.get(w[0]));
            break;
        case InvType::P_DEV_TLB:
            d.mip = uint8_t(MIP_PDEV.get(w[0]));
            d.pfsid = uint16_t(PFSID_LO.get(w[0]) | (PFSID_HI.get(w[0]) << 4));
            d.sid = uint16_t(SID_MID.get(w[0]));
            d.pasid = uint32_t(PASID.get(w[0]));
            d.glob = G_PDEV.get(w[1]);
            d.s = S_PDEV.get(w[1]);
            d.addr = w[1] & ADDR.mask();
            break;
        case InvType::PGRP_RESP:
            d.pp = PP.get(w[0]);
            d.rc = uint8_t(RC.get(w[0]));
            d.sid = uint16_t(RID.get(w[0]));
            d.pasid = uint32_t(PASID.get(w[0]));
            d.lpig = LPIG.get(w[1]);
            d.prgi = uint16_t(PRGI.get(w[1]));
            break;
        default: break;
    }
    return d;
}

void encode_inv(const InvDesc& d, uint64_t w[2]) {
    w[0] = type_bits(d.type);
    w[1] = 0;
    switch (InvType(d.type)) {
        case InvType::CC:
            w[0] |= G.make(d.g) | DID.make(d.did) | SID_HI.make(d.sid) | FM.make(d.fm);
            break;
        case InvType::IOTLB:
            w[0] |= G.make(d.g) | DW.make(d.dw) | DR.make(d.dr) | DID.make(d.did);
            w[1] = AM.make(d.am) | IH.make(d.ih) | (d.addr & ADDR.mask());
            break;
        case InvType::DEV_TLB:
            w[0] |= PFSID_LO.make(d.pfsid & 0xf) | PFSID_HI.make(d.pfsid >> 4) |
                    MIP_DEV.make(d.mip) | SID_HI.make(d.sid);
            w[1] = S_DEV.make(d.s) | (d.addr & ADDR.mask());
            break;
        case InvType::WAIT:
            w[0] |= IF.make(d.iflag) | SW.make(d.sw) | FN.make(d.fn) | PD.make(d.pd) |
                    STDATA.make(d.stdata);
            w[1] = d.staddr & STADDR.mask();
            break;
        case InvType::P_IOTLB:
            w[0] |= G.make(d.g) | DID.make(d.did) | PASID.make(d.pasid);
            w[1] = AM.make(d.am) | IH.make(d.ih) | (d.addr & ADDR.mask());
            break;
        case InvType::PC:
            w[0] |= G.make(d.g) | DID.make(d.did) | PASID.make(d.pasid);
            break;
        case InvType::P_DEV_TLB:
            w[0] |= MIP_PDEV.make(d.mip) | PFSID_LO.make(d.pfsid & 0xf) |
                    PFSID_HI.make(d.pfsid >> 4) | SID_MID.make(d.sid) | PASID.make(d.pasid);
            w[1] = G_PDEV.make(d.glob) | S_PDEV.make(d.s) | (d.addr & ADDR.mask());
            break;
        case InvType::PGRP_RESP:
            w[0] |= PP.make(d.pp) | RC.make(d.rc) | RID.make(d.sid) | PASID.make(d.pasid);
            w[1] = LPIG.make(d.lpig) | PRGI.make(d.prgi);
            break;
        default: break;
    }
}

std::string to_string(const InvDesc& d) {
    char buf[240];
    const char* n = inv_type_name(d.type);
    switch (InvType(d.type)) {
        case InvType::CC:
            std::snprintf(buf, sizeof buf, "%s g=%u did=%u sid=0x%04x fm=%u", n, d.g, d.did,
                          d.sid, d.fm);
            break;
        case InvType::IOTLB:
            std::snprintf(buf, sizeof buf, "%s g=%u did=%u addr=0x%" PRIx64 " am=%u%s%s%s", n,
                          d.g, d.did, d.addr, d.am, d.ih ? " ih" : "", d.dr ? " dr" : "",
                          d.dw ? " dw" : "");
            break;
        case InvType::DEV_TLB:
            std::snprintf(buf, sizeof buf, "%s sid=0x%04x pfsid=0x%04x mip=%u addr=0x%" PRIx64
                          "%s", n, d.sid, d.pfsid, d.mip, d.addr, d.s ? " s" : "");
            break;
        case InvType::WAIT:
            std::snprintf(buf, sizeof buf, "%s%s%s%s%s stdata=0x%x staddr=0x%" PRIx64, n,
                          d.iflag ? " if" : "", d.sw ? " sw" : "", d.fn ? " fn" : "",
                          d.pd ? " pd" : "", d.stdata, d.staddr);
            break;
        case InvType::P_IOTLB:
            std::snprintf(buf, sizeof buf, "%s g=%u did=%u pasid=%u addr=0x%" PRIx64 " am=%u%s",
                          n, d.g, d.did, d.pasid, d.addr, d.am, d.ih ? " ih" : "");
            break;
        case InvType::PC:
            std::snprintf(buf, sizeof buf, "%s g=%u did=%u pasid=%u", n, d.g, d.did, d.pasid);
            break;
        case InvType::P_DEV_TLB:
            std::snprintf(buf, sizeof buf, "%s sid=0x%04x pasid=%u pfsid=0x%04x mip=%u addr=0x%"
                          PRIx64 "%s%s", n, d.sid, d.pasid, d.pfsid, d.mip, d.addr,
                          d.s ? " s" : "", d.glob ? " g" : "");
            break;
        case InvType::PGRP_RESP:
            std::snprintf(buf, sizeof buf, "%s rid=0x%04x%s%s prgi=%u%s rc=%s", n, d.sid,
                          d.pp ? " pasid=" : "", d.pp ? std::to_string(d.pasid).c_str() : "",
                          d.prgi, d.lpig ? " lpig" : "", resp_code_name(d.rc));
            break;
        default:
            std::snprintf(buf, sizeof buf, "%s type=0x%x", n, d.type);
            break;
    }
    return buf;
}

void encode_page_req(const PageReqDesc& p, uint64_t w[4]) {
    w[0] = PR_TYPE.make(p.type) | PR_PP.make(p.pp) | PR_RID.make(p.rid) |
           PR_PASID.make(p.pasid) | PR_EXR.make(p.exr) | PR_PMR.make(p.pmr);
    w[1] = PR_RDR.make(p.rdr) | PR_WRR.make(p.wrr) | PR_LPIG.make(p.lpig) |
           PR_PRGI.make(p.prgi) | (p.addr & PR_ADDR.mask());
    w[2] = 0;
    w[3] = 0;
}

PageReqDesc decode_page_req(const uint64_t w[4]) {
    PageReqDesc p;
    p.type = uint8_t(PR_TYPE.get(w[0]));
    p.pp = PR_PP.get(w[0]);
    p.rid = uint16_t(PR_RID.get(w[0]));
    p.pasid = uint32_t(PR_PASID.get(w[0]));
    p.exr = PR_EXR.get(w[0]);
    p.pmr = PR_PMR.get(w[0]);
    p.rdr = PR_RDR.get(w[1]);
    p.wrr = PR_WRR.get(w[1]);
    p.lpig = PR_LPIG.get(w[1]);
    p.prgi = uint16_t(PR_PRGI.get(w[1]));
    p.addr = w[1] & PR_ADDR.mask();
    return p;
}

std::string to_string(const PageReqDesc& p) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "page_req_dsc rid=0x%04x%s%s addr=0x%" PRIx64
                  " prgi=%u%s%s%s%s%s%s",
                  p.rid, p.pp ? " pasid=" : "", p.pp ? std::to_string(p.pasid).c_str() : "",
                  p.addr, p.prgi, p.rdr ? " R" : "", p.wrr ? " W" : "", p.exr ? " X" : "",
                  p.pmr ? " Priv" : "", p.lpig ? " lpig" : "",
                  p.is_stop_marker() ? " (stop marker)" : "");
    return buf;
}

}  // namespace iopf::vtd
