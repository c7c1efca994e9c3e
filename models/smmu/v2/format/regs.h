// SMMUv2 (SMMU-500 style) register map and register field layouts: the global register
// space (GR0: sCR0, ID0-2, sGFSR, SMRn, S2CRn, global TLB maintenance; GR1: CBARn,
// CBFRSYNRAn, CBA2Rn) and the per-context-bank registers (SCTLR, RESUME, TCR/TCR2,
// TTBR0/1, MAIR0/1, FSR, FAR, FSYNR0, TLBI*, TLBSYNC/TLBSTATUS).
//
// Sources: Arm System MMU Architecture Specification SMMUv2 (IHI 0062B), field names as in
// the spec; offsets and bit positions cross-checked against Linux
// drivers/iommu/arm/arm-smmu/arm-smmu.h and the MMU-500 register reference (FSR, FSYNR0,
// SCTLR, CBFRSYNRA bit layouts). Linux's names (ARM_SMMU_CB_FSR, ARM_SMMU_FSR_SS...) map
// one-to-one onto the names used here.
//
// No SystemC in this file: it is part of the functional core.
#pragma once
#include <cstdint>
#include <string>

#include "models/smmu/fault.h"
#include "models/smmu/vmsa.h"

namespace iopf::smmu::v2 {

// A contiguous bit field [hi:lo].
struct Bits {
    unsigned hi, lo;
    constexpr unsigned width() const { return hi - lo + 1; }
    constexpr uint64_t mask() const { return (width() >= 64 ? ~uint64_t{0} : ((uint64_t{1} << width()) - 1)) << lo; }
    constexpr uint64_t get(uint64_t v) const { return (v & mask()) >> lo; }
    constexpr uint64_t make(uint64_t f) const { return (f << lo) & mask(); }
};

// ---------------------------------------------------------------------------------------
// Register map. The register space is 2 * NUMPAGE pages of 4 KiB (ID1.PAGESIZE = 0):
// page 0 = GR0, page 1 = GR1, pages NUMPAGE + n = context bank n (Linux ARM_SMMU_CB()).
namespace reg {
constexpr uint32_t PAGE_SIZE = 0x1000;
// GR0
constexpr uint32_t sCR0 = 0x000;
constexpr uint32_t sACR = 0x010;
constexpr uint32_t ID0 = 0x020;
constexpr uint32_t ID1 = 0x024;
constexpr uint32_t ID2 = 0x028;
constexpr uint32_t ID7 = 0x03c;
constexpr uint32_t sGFAR = 0x040;        // 64-bit
constexpr uint32_t sGFSR = 0x048;
constexpr uint32_t sGFSRRESTORE = 0x04c;
constexpr uint32_t sGFSYNR0 = 0x050;
constexpr uint32_t sGFSYNR1 = 0x054;
constexpr uint32_t TLBIVMID = 0x064;
constexpr uint32_t TLBIALLNSNH = 0x068;
constexpr uint32_t sTLBGSYNC = 0x070;
constexpr uint32_t sTLBGSTATUS = 0x074;
constexpr uint32_t SMR(unsigned n) { return 0x800 + 4 * n; }
constexpr uint32_t S2CR(unsigned n) { return 0xc00 + 4 * n; }
// GR1 (offsets within page 1)
constexpr uint32_t CBAR(unsigned n) { return 0x000 + 4 * n; }
constexpr uint32_t CBFRSYNRA(unsigned n) { return 0x400 + 4 * n; }
constexpr uint32_t CBA2R(unsigned n) { return 0x800 + 4 * n; }
// Context bank (offsets within the bank's page)
constexpr uint32_t CB_SCTLR = 0x000;
constexpr uint32_t CB_ACTLR = 0x004;
constexpr uint32_t CB_RESUME = 0x008;
constexpr uint32_t CB_TCR2 = 0x010;
constexpr uint32_t CB_TTBR0 = 0x020;     // 64-bit
constexpr uint32_t CB_TTBR1 = 0x028;     // 64-bit
constexpr uint32_t CB_TCR = 0x030;
constexpr uint32_t CB_CONTEXTIDR = 0x034;
constexpr uint32_t CB_MAIR0 = 0x038;
constexpr uint32_t CB_MAIR1 = 0x03c;
constexpr uint32_t CB_PAR = 0x050;       // 64-bit
constexpr uint32_t CB_FSR = 0x058;
constexpr uint32_t CB_FSRRESTORE = 0x05c;
constexpr uint32_t CB_FAR = 0x060;       // 64-bit
constexpr uint32_t CB_FSYNR0 = 0x068;
constexpr uint32_t CB_FSYNR1 = 0x06c;
constexpr uint32_t CB_TLBIVA = 0x600;    // 64-bit
constexpr uint32_t CB_TLBIVAA = 0x608;   // 64-bit
constexpr uint32_t CB_TLBIASID = 0x610;
constexpr uint32_t CB_TLBIALL = 0x618;
constexpr uint32_t CB_TLBIVAL = 0x620;   // 64-bit
constexpr uint32_t CB_TLBIVAAL = 0x628;  // 64-bit
constexpr uint32_t CB_TLBSYNC = 0x7f0;
constexpr uint32_t CB_TLBSTATUS = 0x7f4;
}  // namespace reg

// Name of a context-bank register offset ("FSR", "RESUME", ...), or "CB+0xNNN".
std::string cb_reg_name(uint32_t off);

// ---------------------------------------------------------------------------------------
// sCR0
namespace scr0 {
constexpr uint32_t CLIENTPD = 1u << 0;   // 1: translation disabled, all traffic bypasses
constexpr uint32_t GFRE = 1u << 1;
constexpr uint32_t GFIE = 1u << 2;
constexpr uint32_t USFCFG = 1u << 10;    // 1: unmatched streams fault (else bypass)
}  // namespace scr0

// sGFSR
namespace gfsr {
constexpr uint32_t ICF = 1u << 0;
constexpr uint32_t USF = 1u << 1;    // unidentified stream fault
constexpr uint32_t SMCF = 1u << 2;   // stream match conflict
constexpr uint32_t MULTI = 1u << 31;
}  // namespace gfsr

// ID registers: what the SMMU reports about itself.
struct Id {
    bool s1ts = true;              // ID0.S1TS: stage 1 supported
    bool sms = true;               // ID0.SMS: stream matching (SMR) supported
    unsigned numsidb = 15;         // ID0.NUMSIDB: StreamID bits
    unsigned numirpt = 8;          // ID0.NUMIRPT: context interrupts
    unsigned numsmrg = 16;         // ID0.NUMSMRG: stream mapping register groups
    bool pagesize_64k = false;     // ID1.PAGESIZE
    unsigned numpagendxb = 2;      // ID1.NUMPAGENDXB: global space = 2^(n+1) pages
    unsigned numcb = 8;            // ID1.NUMCB
    unsigned ias = 5, oas = 5;     // ID2.IAS/OAS (5 = 48 bits)
    bool ptfs_4k = true, ptfs_16k = true, ptfs_64k = true;   // ID2.PTFS_*
    unsigned major = 2, minor = 0; // ID7
};
uint32_t make_id0(const Id&);
uint32_t make_id1(const Id&);
uint32_t make_id2(const Id&);
uint32_t make_id7(const Id&);
Id decode_id(uint32_t id0, uint32_t id1, uint32_t id2);
// Pages in the global space: 2^(NUMPAGENDXB + 1).
constexpr unsigned numpage(unsigned numpagendxb) { return 1u << (numpagendxb + 1); }
// Address-size field (ID2.IAS/OAS, TCR2.PASIZE) <-> bits: 0:32 1:36 2:40 3:42 4:44 5:48 6:52.
unsigned size_field_bits(unsigned field);
unsigned size_bits_field(unsigned bits);   // smallest field covering `bits` (>= 32)

// ---------------------------------------------------------------------------------------
// Stream matching: SMRn (VALID[31], MASK[30:16] (MMU-500: 15 bits), ID[15:0]) and
// S2CRn (TYPE[17:16]: 0 translate, 1 bypass, 2 fault; CBNDX[7:0]; PRIVCFG[25:24]).
struct Smr {
    bool valid = false;
    uint16_t id = 0;
    uint16_t mask = 0;   // bits set = ignored when matching
};
uint32_t encode_smr(const Smr&);
Smr decode_smr(uint32_t);
inline bool smr_matches(const Smr& s, uint32_t sid) {
    return s.valid && ((sid ^ s.id) & ~uint32_t(s.mask) & 0xffffu) == 0;
}

enum class S2crType : uint8_t { translate = 0, bypass = 1, fault = 2 };
struct S2cr {
    S2crType type = S2crType::translate;
    uint8_t cbndx = 0;
    uint8_t privcfg = 0;
};
uint32_t encode_s2cr(const S2cr&);
S2cr decode_s2cr(uint32_t);

// CBARn: TYPE[17:16] (1 = stage 1 with stage 2 bypass), IRPTNDX[31:24], VMID[7:0].
enum class CbarType : uint8_t { s2_trans = 0, s1_trans_s2_bypass = 1, s1_trans_s2_fault = 2, s1_trans_s2_trans = 3 };
struct Cbar {
    CbarType type = CbarType::s1_trans_s2_bypass;
    uint8_t vmid = 0;
    uint8_t irptndx = 0;
};
uint32_t encode_cbar(const Cbar&);
Cbar decode_cbar(uint32_t);
// CBA2Rn: VA64[0] (AArch64 translation format), VMID16[31:16].
struct Cba2r {
    bool va64 = false;
    uint16_t vmid16 = 0;
};
uint32_t encode_cba2r(const Cba2r&);
Cba2r decode_cba2r(uint32_t);
// CBFRSYNRAn: StreamID[15:0] of the transaction that caused the fault recorded in the bank.
inline uint32_t encode_cbfrsynra(uint32_t sid) { return sid & 0xffffu; }
inline uint32_t cbfrsynra_sid(uint32_t v) { return v & 0xffffu; }

// ---------------------------------------------------------------------------------------
// SMMU_CBn_SCTLR
struct Sctlr {
    bool m = false;        // [0]  translation enabled for the bank (else bypass)
    bool tre = false;      // [1]  TEX remap enable
    bool afe = false;      // [2]  access flag enable
    bool affd = false;     // [3]  access flag fault disable
    bool e = false;        // [4]  big endian
    bool cfre = false;     // [5]  context fault report enable: abort the client (else RAZ/WI)
    bool cfie = false;     // [6]  context fault interrupt enable
    bool cfcfg = false;    // [7]  context fault configuration: 1 stall, 0 terminate
    bool hupcf = false;    // [8]  hit under previous context fault
    bool wxn = false;      // [9]
    bool uwxn = false;     // [10]
    bool asidpne = false;  // [12]
};
namespace sctlr {
constexpr uint32_t M = 1u << 0, TRE = 1u << 1, AFE = 1u << 2, AFFD = 1u << 3, E = 1u << 4, CFRE = 1u << 5,
                   CFIE = 1u << 6, CFCFG = 1u << 7, HUPCF = 1u << 8, WXN = 1u << 9, UWXN = 1u << 10,
                   ASIDPNE = 1u << 12;
}
uint32_t encode_sctlr(const Sctlr&);
Sctlr decode_sctlr(uint32_t);

// SMMU_CBn_FSR: write-1-to-clear.
namespace fsr {
constexpr uint32_t TF = 1u << 1;       // translation fault
constexpr uint32_t AFF = 1u << 2;      // access flag fault
constexpr uint32_t PF = 1u << 3;       // permission fault
constexpr uint32_t EF = 1u << 4;       // external fault (e.g. abort on a table walk read)
constexpr uint32_t TLBMCF = 1u << 5;   // TLB match conflict
constexpr uint32_t TLBLKF = 1u << 6;   // TLB lock fault
constexpr uint32_t ASF = 1u << 7;      // address size fault
constexpr uint32_t UUT = 1u << 8;      // unsupported upstream transaction
constexpr uint32_t SS = 1u << 30;      // stalled: a transaction is stalled on the recorded fault
constexpr uint32_t MULTI = 1u << 31;   // a further fault occurred while one was recorded
// The fault syndrome bits: any of these set means a fault is recorded (FAR/FSYNR0 valid).
constexpr uint32_t SYNDROME = TF | AFF | PF | EF | TLBMCF | TLBLKF | ASF | UUT;
constexpr uint32_t ALL = SYNDROME | SS | MULTI;   // Linux ARM_SMMU_FSR_FAULT
}  // namespace fsr
// FSR bit recording a walker fault (TF for F_TRANSLATION, PF for F_PERMISSION, AFF for
// F_ACCESS, ASF for F_ADDR_SIZE, EF for F_WALK_EABT); 0 for anything else.
uint32_t fsr_bit_for(EventId e);
// FSR after a write of `value`: each 1 clears that bit (W1C); 0s leave bits unchanged.
// SS is not write-one-to-clear on MMU-500: only a CB_RESUME write clears it (and the
// context interrupt stays asserted while it is set). Linux iommu/arm-smmu "Fix spurious
// interrupts with stall-on-fault" (2025): "writing to FSR.SS doesn't clear this bit".
constexpr uint32_t fsr_w1c(uint32_t fsr, uint32_t value) { return fsr & ~(value & fsr::ALL & ~fsr::SS); }
// "TF|SS" style rendering ("0" when clear).
std::string fsr_to_string(uint32_t fsr);

// SMMU_CBn_FSYNR0
struct Fsynr0 {
    unsigned plvl = 0;     // [1:0] level of the translation table walk at the fault
    bool wnr = false;      // [4]   1 = write
    bool pnu = false;      // [5]   1 = privileged
    bool ind = false;      // [6]   1 = instruction fetch
    bool nsattr = false;   // [8]
    bool atof = false;     // [9]   fault from an address translation operation
    bool ptwf = false;     // [10]  fault on a translation table walk access
    bool afr = false;      // [11]  asynchronous fault record
    unsigned s1cbndx = 0;  // [23:16]
};
uint32_t encode_fsynr0(const Fsynr0&);
Fsynr0 decode_fsynr0(uint32_t);

// SMMU_CBn_RESUME: TnR[0] = 0 retry, 1 terminate (Linux ARM_SMMU_RESUME_TERMINATE).
namespace resume {
constexpr uint32_t TNR = 1u << 0;
constexpr uint32_t RETRY = 0, TERMINATE = 1;
}  // namespace resume

// SMMU_CBn_TCR (AArch64 format, CBA2R.VA64 = 1): the lower 32 bits of a VMSAv8-64 TCR.
struct Tcr {
    unsigned t0sz = 16;   // [5:0]
    bool epd0 = false;    // [7]
    unsigned irgn0 = 0, orgn0 = 0, sh0 = 0;   // [9:8] [11:10] [13:12]
    unsigned tg0 = 0;     // [15:14] 0 4K, 1 64K, 2 16K
    unsigned t1sz = 16;   // [21:16]
    bool a1 = false;      // [22]    ASID from TTBR1 (else TTBR0)
    bool epd1 = false;    // [23]
    unsigned irgn1 = 0, orgn1 = 0, sh1 = 0;   // [25:24] [27:26] [29:28]
    unsigned tg1 = 2;     // [31:30] 1 16K, 2 4K, 3 64K
};
uint32_t encode_tcr(const Tcr&);
Tcr decode_tcr(uint32_t);
// Granule of a TG0 / TG1 encoding; false for a reserved encoding.
bool tg0_granule(unsigned tg0, Granule& g);
bool tg1_granule(unsigned tg1, Granule& g);

// SMMU_CBn_TCR2: PASIZE[2:0] (intermediate/physical output size), AS[4], SEP[17:15].
struct Tcr2 {
    unsigned pasize = 5;
    bool as = false;
    unsigned sep = 7;
};
uint32_t encode_tcr2(const Tcr2&);
Tcr2 decode_tcr2(uint32_t);

// SMMU_CBn_TTBRm (AArch64): ASID[63:48], BADDR[47:0].
struct Ttbr {
    uint64_t baddr = 0;
    uint16_t asid = 0;
};
uint64_t encode_ttbr(const Ttbr&);
Ttbr decode_ttbr(uint64_t);

// SMMU_CBn_TLBIVA / TLBIVAL (AArch64): ASID[63:48], VA[55:12] in bits [43:0].
// TLBIVAA / TLBIVAAL: the same without the ASID. TLBIASID: ASID[15:0].
uint64_t encode_tlbiva(uint16_t asid, uint64_t va);
uint16_t tlbiva_asid(uint64_t v);
uint64_t tlbiva_va(uint64_t v);

// TLBSTATUS / sTLBGSTATUS: SACTIVE[0] / GSACTIVE[0].
constexpr uint32_t TLBSTATUS_SACTIVE = 1u << 0;

}  // namespace iopf::smmu::v2
