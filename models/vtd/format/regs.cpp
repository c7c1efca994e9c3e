#include "models/vtd/format/regs.h"

namespace iopf::vtd {

const char* reg_name(uint32_t off, uint32_t frcd_base, unsigned nfr) {
    switch (off) {
        case reg::VER: return "VER_REG";
        case reg::CAP: return "CAP_REG";
        case reg::ECAP: return "ECAP_REG";
        case reg::GCMD: return "GCMD_REG";
        case reg::GSTS: return "GSTS_REG";
        case reg::RTADDR: return "RTADDR_REG";
        case reg::CCMD: return "CCMD_REG";
        case reg::FSTS: return "FSTS_REG";
        case reg::FECTL: return "FECTL_REG";
        case reg::FEDATA: return "FEDATA_REG";
        case reg::FEADDR: return "FEADDR_REG";
        case reg::FEUADDR: return "FEUADDR_REG";
        case reg::IQH: return "IQH_REG";
        case reg::IQT: return "IQT_REG";
        case reg::IQA: return "IQA_REG";
        case reg::ICS: return "ICS_REG";
        case reg::IQERCD: return "IQERCD_REG";
        case reg::PQH: return "PQH_REG";
        case reg::PQT: return "PQT_REG";
        case reg::PQA: return "PQA_REG";
        case reg::PRS: return "PRS_REG";
        case reg::PECTL: return "PECTL_REG";
        case reg::PEDATA: return "PEDATA_REG";
        case reg::PEADDR: return "PEADDR_REG";
        case reg::PEUADDR: return "PEUADDR_REG";
        default: break;
    }
    if (off >= frcd_base && off < frcd_base + nfr * reg::FRCD_LEN) return "FRCD_REG";
    return nullptr;
}

uint32_t make_ver(const Caps& c) {
    return uint32_t(ver_f::MAX.make(c.major) | ver_f::MIN.make(c.minor));
}

uint64_t make_cap(const Caps& c) {
    return cap_f::ND.make(c.nd) | cap_f::SAGAW.make(c.sagaw) | cap_f::MGAW.make(c.mgaw) |
           cap_f::FRO.make(c.frcd_offset / 16) | cap_f::PSI.make(1) |
           cap_f::NFR.make(c.nfr - 1) | cap_f::MAMV.make(18) | cap_f::FL1GP.make(c.fl1gp) |
           cap_f::FL5LP.make(c.fl5lp);
}

uint64_t make_ecap(const Caps& c) {
    return ecap_f::C.make(1) | ecap_f::QI.make(1) | ecap_f::DT.make(c.dt) |
           ecap_f::IRO.make(c.iotlb_offset / 16) | ecap_f::PRS.make(c.prs) |
           ecap_f::ERS.make(c.ers) | ecap_f::SRS.make(c.srs) | ecap_f::PSS.make(c.pss) |
           ecap_f::PASID.make(1) | ecap_f::PDS.make(c.pds) | ecap_f::SMTS.make(1) |
           ecap_f::FSTS.make(1) | ecap_f::SMPWCS.make(1);
}

}  // namespace iopf::vtd
