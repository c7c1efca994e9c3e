#include "models/smmu/v2/format/regs.h"

#include <cstdio>

namespace iopf::smmu::v2 {

namespace {
constexpr uint32_t b(bool v, unsigned pos) { return v ? (1u << pos) : 0u; }
constexpr bool bit(uint64_t v, unsigned pos) { return (v >> pos) & 1u; }

// ID0
constexpr Bits ID0_NUMSMRG{7, 0}, ID0_NUMSIDB{12, 9}, ID0_NUMIRPT{23, 16};
constexpr unsigned ID0_SMS = 27, ID0_S1TS = 30;
// ID1
constexpr Bits ID1_NUMCB{7, 0}, ID1_NUMS2CB{23, 16}, ID1_NUMPAGENDXB{30, 28};
constexpr unsigned ID1_PAGESIZE = 31;
// ID2
constexpr Bits ID2_IAS{3, 0}, ID2_OAS{7, 4}, ID2_UBS{11, 8};
constexpr unsigned ID2_PTFS_4K = 12, ID2_PTFS_16K = 13, ID2_PTFS_64K = 14;
// ID7
constexpr Bits ID7_MINOR{3, 0}, ID7_MAJOR{7, 4};
// SMR / S2CR / CBAR / CBA2R
constexpr Bits SMR_ID{15, 0}, SMR_MASK{30, 16};
constexpr unsigned SMR_VALID = 31;
constexpr Bits S2CR_CBNDX{7, 0}, S2CR_TYPE{17, 16}, S2CR_PRIVCFG{25, 24};
constexpr Bits CBAR_VMID{7, 0}, CBAR_TYPE{17, 16}, CBAR_IRPTNDX{31, 24};
constexpr Bits CBA2R_VMID16{31, 16};
// FSYNR0
constexpr Bits FSYNR0_PLVL{1, 0}, FSYNR0_S1CBNDX{23, 16};
// TCR
constexpr Bits TCR_T0SZ{5, 0}, TCR_IRGN0{9, 8}, TCR_ORGN0{11, 10}, TCR_SH0{13, 12}, TCR_TG0{15, 14},
    TCR_T1SZ{21, 16}, TCR_IRGN1{25, 24}, TCR_ORGN1{27, 26}, TCR_SH1{29, 28}, TCR_TG1{31, 30};
constexpr unsigned TCR_EPD0 = 7, TCR_A1 = 22, TCR_EPD1 = 23;
// TCR2
constexpr Bits TCR2_PASIZE{2, 0}, TCR2_SEP{17, 15};
constexpr unsigned TCR2_AS = 4;
// TTBR / TLBIVA
constexpr Bits TTBR_BADDR{47, 0}, TTBR_ASID{63, 48}, TLBIVA_VA{43, 0}, TLBIVA_ASID{63, 48};
}  // namespace

std::string cb_reg_name(uint32_t off) {
    switch (off) {
    case reg::CB_SCTLR: return "SCTLR";
    case reg::CB_ACTLR: return "ACTLR";
    case reg::CB_RESUME: return "RESUME";
    case reg::CB_TCR2: return "TCR2";
    case reg::CB_TTBR0: return "TTBR0";
    case reg::CB_TTBR1: return "TTBR1";
    case reg::CB_TCR: return "TCR";
    case reg::CB_CONTEXTIDR: return "CONTEXTIDR";
    case reg::CB_MAIR0: return "MAIR0";
    case reg::CB_MAIR1: return "MAIR1";
    case reg::CB_PAR: return "PAR";
    case reg::CB_FSR: return "FSR";
    case reg::CB_FSRRESTORE: return "FSRRESTORE";
    case reg::CB_FAR: return "FAR";
    case reg::CB_FSYNR0: return "FSYNR0";
    case reg::CB_FSYNR1: return "FSYNR1";
    case reg::CB_TLBIVA: return "TLBIVA";
    case reg::CB_TLBIVAA: return "TLBIVAA";
    case reg::CB_TLBIASID: return "TLBIASID";
    case reg::CB_TLBIALL: return "TLBIALL";
    case reg::CB_TLBIVAL: return "TLBIVAL";
    case reg::CB_TLBIVAAL: return "TLBIVAAL";
    case reg::CB_TLBSYNC: return "TLBSYNC";
    case reg::CB_TLBSTATUS: return "TLBSTATUS";
    default: break;
    }
    char buf[24];
    std::snprintf(buf, sizeof buf, "CB+0x%03x", off);
    return buf;
}

uint32_t make_id0(const Id& i) {
    return uint32_t(ID0_NUMSMRG.make(i.numsmrg) | ID0_NUMSIDB.make(i.numsidb) | ID0_NUMIRPT.make(i.numirpt)) |
           b(i.sms, ID0_SMS) | b(i.s1ts, ID0_S1TS);
}
uint32_t make_id1(const Id& i) {
    return uint32_t(ID1_NUMCB.make(i.numcb) | ID1_NUMS2CB.make(0) | ID1_NUMPAGENDXB.make(i.numpagendxb)) |
           b(i.pagesize_64k, ID1_PAGESIZE);
}
uint32_t make_id2(const Id& i) {
    return uint32_t(ID2_IAS.make(i.ias) | ID2_OAS.make(i.oas) | ID2_UBS.make(i.oas)) | b(i.ptfs_4k, ID2_PTFS_4K) |
           b(i.ptfs_16k, ID2_PTFS_16K) | b(i.ptfs_64k, ID2_PTFS_64K);
}
uint32_t make_id7(const Id& i) { return uint32_t(ID7_MAJOR.make(i.major) | ID7_MINOR.make(i.minor)); }

Id decode_id(uint32_t id0, uint32_t id1, uint32_t id2) {
    Id i;
    i.numsmrg = unsigned(ID0_NUMSMRG.get(id0));
    i.numsidb = unsigned(ID0_NUMSIDB.get(id0));
    i.numirpt = unsigned(ID0_NUMIRPT.get(id0));
    i.sms = bit(id0, ID0_SMS);
    i.s1ts = bit(id0, ID0_S1TS);
    i.numcb = unsigned(ID1_NUMCB.get(id1));
    i.numpagendxb = unsigned(ID1_NUMPAGENDXB.get(id1));
    i.pagesize_64k = bit(id1, ID1_PAGESIZE);
    i.ias = unsigned(ID2_IAS.get(id2));
    i.oas = unsigned(ID2_OAS.get(id2));
    i.ptfs_4k = bit(id2, ID2_PTFS_4K);
    i.ptfs_16k = bit(id2, ID2_PTFS_16K);
    i.ptfs_64k = bit(id2, ID2_PTFS_64K);
    return i;
}

unsigned size_field_bits(unsigned f) {
    static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
    return f < 7 ? bits[f] : 48;
}

unsigned size_bits_field(unsigned n) {
    for (unsigned f = 0; f < 7; ++f)
        if (size_field_bits(f) >= n) return f;
    return 6;
}

uint32_t encode_smr(const Smr& s) {
    return uint32_t(SMR_ID.make(s.id) | SMR_MASK.make(s.mask)) | b(s.valid, SMR_VALID);
}
Smr decode_smr(uint32_t v) {
    Smr s;
    s.valid = bit(v, SMR_VALID);
    s.id = uint16_t(SMR_ID.get(v));
    s.mask = uint16_t(SMR_MASK.get(v));
    return s;
}

uint32_t encode_s2cr(const S2cr& s) {
    return uint32_t(S2CR_CBNDX.make(s.cbndx) | S2CR_TYPE.make(uint8_t(s.type)) | S2CR_PRIVCFG.make(s.privcfg));
}
S2cr decode_s2cr(uint32_t v) {
    S2cr s;
    s.cbndx = uint8_t(S2CR_CBNDX.get(v));
    const unsigned t = unsigned(S2CR_TYPE.get(v));
    s.type = t == 0 ? S2crType::translate : t == 1 ? S2crType::bypass : S2crType::fault;   // 3 reserved: fault
    s.privcfg = uint8_t(S2CR_PRIVCFG.get(v));
    return s;
}

uint32_t encode_cbar(const Cbar& c) {
    return uint32_t(CBAR_VMID.make(c.vmid) | CBAR_TYPE.make(uint8_t(c.type)) | CBAR_IRPTNDX.make(c.irptndx));
}
Cbar decode_cbar(uint32_t v) {
    Cbar c;
    c.vmid = uint8_t(CBAR_VMID.get(v));
    c.type = static_cast<CbarType>(CBAR_TYPE.get(v));
    c.irptndx = uint8_t(CBAR_IRPTNDX.get(v));
    return c;
}

uint32_t encode_cba2r(const Cba2r& c) { return uint32_t(CBA2R_VMID16.make(c.vmid16)) | b(c.va64, 0); }
Cba2r decode_cba2r(uint32_t v) {
    Cba2r c;
    c.va64 = bit(v, 0);
    c.vmid16 = uint16_t(CBA2R_VMID16.get(v));
    return c;
}

uint32_t encode_sctlr(const Sctlr& s) {
    return b(s.m, 0) | b(s.tre, 1) | b(s.afe, 2) | b(s.affd, 3) | b(s.e, 4) | b(s.cfre, 5) | b(s.cfie, 6) |
           b(s.cfcfg, 7) | b(s.hupcf, 8) | b(s.wxn, 9) | b(s.uwxn, 10) | b(s.asidpne, 12);
}
Sctlr decode_sctlr(uint32_t v) {
    Sctlr s;
    s.m = bit(v, 0);
    s.tre = bit(v, 1);
    s.afe = bit(v, 2);
    s.affd = bit(v, 3);
    s.e = bit(v, 4);
    s.cfre = bit(v, 5);
    s.cfie = bit(v, 6);
    s.cfcfg = bit(v, 7);
    s.hupcf = bit(v, 8);
    s.wxn = bit(v, 9);
    s.uwxn = bit(v, 10);
    s.asidpne = bit(v, 12);
    return s;
}

uint32_t fsr_bit_for(EventId e) {
    switch (e) {
    case EventId::F_TRANSLATION: return fsr::TF;
    case EventId::F_ACCESS: return fsr::AFF;
    case EventId::F_PERMISSION: return fsr::PF;
    case EventId::F_ADDR_SIZE: return fsr::ASF;
    case EventId::F_WALK_EABT: return fsr::EF;
    default: return 0;
    }
}

std::string fsr_to_string(uint32_t v) {
    static const struct { uint32_t bit; const char* name; } names[] = {
        {fsr::TF, "TF"}, {fsr::AFF, "AFF"}, {fsr::PF, "PF"}, {fsr::EF, "EF"}, {fsr::TLBMCF, "TLBMCF"},
        {fsr::TLBLKF, "TLBLKF"}, {fsr::ASF, "ASF"}, {fsr::UUT, "UUT"}, {fsr::SS, "SS"}, {fsr::MULTI, "MULTI"}};
    std::string s;
    for (const auto& n : names)
        if (v & n.bit) s += (s.empty() ? "" : "|") + std::string(n.name);
    return s.empty() ? "0" : s;
}

uint32_t encode_fsynr0(const Fsynr0& f) {
    return uint32_t(FSYNR0_PLVL.make(f.plvl) | FSYNR0_S1CBNDX.make(f.s1cbndx)) | b(f.wnr, 4) | b(f.pnu, 5) |
           b(f.ind, 6) | b(f.nsattr, 8) | b(f.atof, 9) | b(f.ptwf, 10) | b(f.afr, 11);
}
Fsynr0 decode_fsynr0(uint32_t v) {
    Fsynr0 f;
    f.plvl = unsigned(FSYNR0_PLVL.get(v));
    f.wnr = bit(v, 4);
    f.pnu = bit(v, 5);
    f.ind = bit(v, 6);
    f.nsattr = bit(v, 8);
    f.atof = bit(v, 9);
    f.ptwf = bit(v, 10);
    f.afr = bit(v, 11);
    f.s1cbndx = unsigned(FSYNR0_S1CBNDX.get(v));
    return f;
}

uint32_t encode_tcr(const Tcr& t) {
    return uint32_t(TCR_T0SZ.make(t.t0sz) | TCR_IRGN0.make(t.irgn0) | TCR_ORGN0.make(t.orgn0) | TCR_SH0.make(t.sh0) |
                    TCR_TG0.make(t.tg0) | TCR_T1SZ.make(t.t1sz) | TCR_IRGN1.make(t.irgn1) |
                    TCR_ORGN1.make(t.orgn1) | TCR_SH1.make(t.sh1) | TCR_TG1.make(t.tg1)) |
           b(t.epd0, TCR_EPD0) | b(t.a1, TCR_A1) | b(t.epd1, TCR_EPD1);
}
Tcr decode_tcr(uint32_t v) {
    Tcr t;
    t.t0sz = unsigned(TCR_T0SZ.get(v));
    t.epd0 = bit(v, TCR_EPD0);
    t.irgn0 = unsigned(TCR_IRGN0.get(v));
    t.orgn0 = unsigned(TCR_ORGN0.get(v));
    t.sh0 = unsigned(TCR_SH0.get(v));
    t.tg0 = unsigned(TCR_TG0.get(v));
    t.t1sz = unsigned(TCR_T1SZ.get(v));
    t.a1 = bit(v, TCR_A1);
    t.epd1 = bit(v, TCR_EPD1);
    t.irgn1 = unsigned(TCR_IRGN1.get(v));
    t.orgn1 = unsigned(TCR_ORGN1.get(v));
    t.sh1 = unsigned(TCR_SH1.get(v));
    t.tg1 = unsigned(TCR_TG1.get(v));
    return t;
}

bool tg0_granule(unsigned tg0, Granule& g) {
    switch (tg0) {
    case 0: g = Granule::K4; return true;
    case 1: g = Granule::K64; return true;
    case 2: g = Granule::K16; return true;
    default: return false;
    }
}
bool tg1_granule(unsigned tg1, Granule& g) {
    switch (tg1) {
    case 1: g = Granule::K16; return true;
    case 2: g = Granule::K4; return true;
    case 3: g = Granule::K64; return true;
    default: return false;
    }
}

uint32_t encode_tcr2(const Tcr2& t) {
    return uint32_t(TCR2_PASIZE.make(t.pasize) | TCR2_SEP.make(t.sep)) | b(t.as, TCR2_AS);
}
Tcr2 decode_tcr2(uint32_t v) {
    Tcr2 t;
    t.pasize = unsigned(TCR2_PASIZE.get(v));
    t.as = bit(v, TCR2_AS);
    t.sep = unsigned(TCR2_SEP.get(v));
    return t;
}

uint64_t encode_ttbr(const Ttbr& t) { return TTBR_BADDR.make(t.baddr) | TTBR_ASID.make(t.asid); }
Ttbr decode_ttbr(uint64_t v) {
    Ttbr t;
    t.baddr = TTBR_BADDR.get(v);
    t.asid = uint16_t(TTBR_ASID.get(v));
    return t;
}

uint64_t encode_tlbiva(uint16_t asid, uint64_t va) { return TLBIVA_VA.make(va >> 12) | TLBIVA_ASID.make(asid); }
uint16_t tlbiva_asid(uint64_t v) { return uint16_t(TLBIVA_ASID.get(v)); }
uint64_t tlbiva_va(uint64_t v) {
    // VA[55:12]; sign-extend bit 55 so TTBR1 addresses come back whole.
    uint64_t va = TLBIVA_VA.get(v) << 12;
    if (va & (uint64_t(1) << 55)) va |= 0xff00000000000000ull;
    return va;
}

}  // namespace iopf::smmu::v2
