#include "models/vtd/format/tables.h"

#include <cinttypes>
#include <cstdio>

namespace iopf::vtd {

RootEntry decode_root(const uint64_t w[2]) {
    RootEntry r;
    r.lp = root_f::LP.get(w[0]);
    r.lctp = w[0] & root_f::LCTP.mask();
    r.up = root_f::UP.get(w[1]);
    r.uctp = w[1] & root_f::UCTP.mask();
    r.reserved_set = (w[0] & 0xffeull) || (w[1] & 0xffeull);
    return r;
}

void encode_root(const RootEntry& r, uint64_t w[2]) {
    w[0] = root_f::LP.make(r.lp) | (r.lctp & root_f::LCTP.mask());
    w[1] = root_f::UP.make(r.up) | (r.uctp & root_f::UCTP.mask());
}

ContextEntry decode_context(const uint64_t w[4]) {
    ContextEntry c;
    c.p = ctx_f::P.get(w[0]);
    c.fpd = ctx_f::FPD.get(w[0]);
    c.dte = ctx_f::DTE.get(w[0]);
    c.paside = ctx_f::PASIDE.get(w[0]);
    c.pre = ctx_f::PRE.get(w[0]);
    c.pdts = uint8_t(ctx_f::PDTS.get(w[0]));
    c.pasid_dir = w[0] & ctx_f::PASIDDIRPTR.mask();
    c.rid_pasid = uint32_t(ctx_f::RID_PASID.get(w[1]));
    c.rid_priv = ctx_f::RID_PRIV.get(w[1]);
    c.reserved_set = (w[0] & 0x1e0ull) || (w[1] >> 21) || w[2] || w[3];
    return c;
}

void encode_context(const ContextEntry& c, uint64_t w[4]) {
    w[0] = ctx_f::P.make(c.p) | ctx_f::FPD.make(c.fpd) | ctx_f::DTE.make(c.dte) |
           ctx_f::PASIDE.make(c.paside) | ctx_f::PRE.make(c.pre) | ctx_f::PDTS.make(c.pdts) |
           (c.pasid_dir & ctx_f::PASIDDIRPTR.mask());
    w[1] = ctx_f::RID_PASID.make(c.rid_pasid) | ctx_f::RID_PRIV.make(c.rid_priv);
    w[2] = 0;
    w[3] = 0;
}

uint64_t context_entry_pa(const RootEntry& r, uint8_t devfn) {
    const bool upper = devfn & 0x80;
    if (upper ? !r.up : !r.lp) return 0;
    const uint64_t table = upper ? r.uctp : r.lctp;
    return table + uint64_t(devfn & 0x7f) * kContextEntryBytes;
}

PasidDirEntry decode_pasid_dir(uint64_t w) {
    PasidDirEntry d;
    d.p = pde_f::P.get(w);
    d.fpd = pde_f::FPD.get(w);
    d.table = w & pde_f::SMPTBLPTR.mask();
    d.reserved_set = (w & 0xffcull) != 0;
    return d;
}

uint64_t encode_pasid_dir(const PasidDirEntry& d) {
    return pde_f::P.make(d.p) | pde_f::FPD.make(d.fpd) | (d.table & pde_f::SMPTBLPTR.mask());
}

PasidEntry decode_pasid_entry(const uint64_t w[8]) {
    PasidEntry e;
    e.p = pte_f::P.get(w[0]);
    e.fpd = pte_f::FPD.get(w[0]);
    e.aw = uint8_t(pte_f::AW.get(w[0]));
    e.ssee = pte_f::SSEE.get(w[0]);
    e.pgtt = uint8_t(pte_f::PGTT.get(w[0]));
    e.ssade = pte_f::SSADE.get(w[0]);
    e.ssptptr = w[0] & pte_f::SSPTPTR.mask();
    e.did = uint16_t(pte_f::DID.get(w[1]));
    e.pwsnp = pte_f::PWSNP.get(w[1]);
    e.pgsnp = pte_f::PGSNP.get(w[1]);
    e.cd = pte_f::CD.get(w[1]);
    e.emte = pte_f::EMTE.get(w[1]);
    e.emt = uint8_t(pte_f::EMT.get(w[1]));
    e.pwt = pte_f::PWT.get(w[1]);
    e.pcd = pte_f::PCD.get(w[1]);
    e.pat = uint32_t(pte_f::PAT.get(w[1]));
    e.sre = pte_f::SRE.get(w[2]);
    e.ere = pte_f::ERE.get(w[2]);
    e.fspm = uint8_t(pte_f::FSPM.get(w[2]));
    e.wpe = pte_f::WPE.get(w[2]);
    e.nxe = pte_f::NXE.get(w[2]);
    e.smep = pte_f::SMEP.get(w[2]);
    e.eafe = pte_f::EAFE.get(w[2]);
    e.fsptptr = w[2] & pte_f::FSPTPTR.mask();
    e.reserved_set = (w[0] & 0xc00ull) || (w[1] & 0x7f0000ull) || (w[2] & 0xf00ull) ||
                     w[3] || w[4] || w[5] || w[6] || w[7];
    return e;
}

void encode_pasid_entry(const PasidEntry& e, uint64_t w[8]) {
    w[0] = pte_f::P.make(e.p) | pte_f::FPD.make(e.fpd) | pte_f::AW.make(e.aw) |
           pte_f::SSEE.make(e.ssee) | pte_f::PGTT.make(e.pgtt) | pte_f::SSADE.make(e.ssade) |
           (e.ssptptr & pte_f::SSPTPTR.mask());
    w[1] = pte_f::DID.make(e.did) | pte_f::PWSNP.make(e.pwsnp) | pte_f::PGSNP.make(e.pgsnp) |
           pte_f::CD.make(e.cd) | pte_f::EMTE.make(e.emte) | pte_f::EMT.make(e.emt) |
           pte_f::PWT.make(e.pwt) | pte_f::PCD.make(e.pcd) | pte_f::PAT.make(e.pat);
    w[2] = pte_f::SRE.make(e.sre) | pte_f::ERE.make(e.ere) | pte_f::FSPM.make(e.fspm) |
           pte_f::WPE.make(e.wpe) | pte_f::NXE.make(e.nxe) | pte_f::SMEP.make(e.smep) |
           pte_f::EAFE.make(e.eafe) | (e.fsptptr & pte_f::FSPTPTR.mask());
    for (int i = 3; i < 8; ++i) w[i] = 0;
}

uint8_t fault_reason_for(smmu::X86Fault f) {
    using smmu::X86Fault;
    switch (f) {
        case X86Fault::Abort: return fr::SFL_1;
        case X86Fault::NotPresent: return fr::SFL_2;
        case X86Fault::Reserved: return fr::SFL_3;
        case X86Fault::NonCanonical: return fr::SGN_1;
        case X86Fault::User: return fr::SGN_2;
        case X86Fault::Exec: return fr::SGN_3;
        case X86Fault::Write: return fr::SGN_6;
        case X86Fault::None: break;
    }
    return 0;
}

const char* fault_reason_name(uint8_t f) {
    switch (f) {
        case fr::SRT_1: return "SRT.1 root entry access error";
        case fr::SRT_2: return "SRT.2 root entry not present";
        case fr::SRT_3: return "SRT.3 root entry reserved bit";
        case fr::SCT_1: return "SCT.1 context entry access error";
        case fr::SCT_2: return "SCT.2 context entry not present";
        case fr::SCT_3: return "SCT.3 context entry reserved bit";
        case fr::SCT_4: return "SCT.4 invalid context entry";
        case fr::SCT_5: return "SCT.5 translation request with DTE=0";
        case fr::SCT_6: return "SCT.6 PASID request with PASIDE=0";
        case fr::SCT_7: return "SCT.7 PASID beyond PASID directory";
        case fr::SCT_8: return "SCT.8 page request with PRE=0";
        case fr::SPD_1: return "SPD.1 PASID directory entry access error";
        case fr::SPD_2: return "SPD.2 PASID directory entry not present";
        case fr::SPD_3: return "SPD.3 PASID directory entry reserved bit";
        case fr::SPT_1: return "SPT.1 PASID table entry access error";
        case fr::SPT_2: return "SPT.2 PASID table entry not present";
        case fr::SPT_3: return "SPT.3 PASID table entry reserved bit";
        case fr::SPT_4: return "SPT.4 invalid PASID table entry";
        case fr::SPT_6: return "SPT.6 supervisor request with SRE=0";
        case fr::SFL_1: return "SFL.1 first-stage entry access error";
        case fr::SFL_2: return "SFL.2 first-stage entry not present";
        case fr::SFL_3: return "SFL.3 first-stage entry reserved bit";
        case fr::SGN_1: return "SGN.1 non-canonical address";
        case fr::SGN_2: return "SGN.2 user request to supervisor page";
        case fr::SGN_3: return "SGN.3 execute request without execute permission";
        case fr::SGN_6: return "SGN.6 write without write permission";
        case fr::SGN_7: return "SGN.7 read without read permission";
        default: return "UNKNOWN";
    }
}

FaultRecord decode_frcd(const uint64_t w[2]) {
    FaultRecord r;
    r.fi = w[0] & frcd_f::FI.mask();
    r.sid = uint16_t(frcd_f::SID.get(w[1]));
    r.type = FaultReqType((frcd_f::T1.get(w[1]) << 1) | frcd_f::T2.get(w[1]));
    r.priv = frcd_f::PRIV.get(w[1]);
    r.exe = frcd_f::EXE.get(w[1]);
    r.pp = frcd_f::PP.get(w[1]);
    r.fr = uint8_t(frcd_f::FR.get(w[1]));
    r.pv = uint32_t(frcd_f::PV.get(w[1]));
    r.at = uint8_t(frcd_f::AT.get(w[1]));
    r.f = frcd_f::F.get(w[1]);
    return r;
}

void encode_frcd(const FaultRecord& r, uint64_t w[2]) {
    const unsigned t = unsigned(r.type);
    w[0] = r.fi & frcd_f::FI.mask();
    w[1] = frcd_f::SID.make(r.sid) | frcd_f::T2.make(t & 1) | frcd_f::PRIV.make(r.priv) |
           frcd_f::EXE.make(r.exe) | frcd_f::PP.make(r.pp) | frcd_f::FR.make(r.fr) |
           frcd_f::PV.make(r.pv) | frcd_f::AT.make(r.at) | frcd_f::T1.make(t >> 1) |
           frcd_f::F.make(r.f);
}

std::string to_string(const FaultRecord& r) {
    static const char* types[] = {"write", "page-request", "read", "atomic"};
    char buf[200];
    std::snprintf(buf, sizeof buf, "FRCD sid=0x%04x%s%s addr=0x%" PRIx64 " %s%s%s fr=0x%02x (%s)",
                  r.sid, r.pp ? " pasid=" : "", r.pp ? std::to_string(r.pv).c_str() : "", r.fi,
                  types[unsigned(r.type) & 3], r.priv ? " priv" : "", r.exe ? " exe" : "", r.fr,
                  fault_reason_name(r.fr));
    return buf;
}

}  // namespace iopf::vtd
