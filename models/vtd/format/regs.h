// Intel VT-d remapping hardware register map and register field layouts.
//
// Source: Intel Virtualization Technology for Directed I/O Architecture Specification
// (rev. 4.x), chapter 11 "Register Descriptions", cross-checked against Linux
// include/linux/intel-iommu.h / drivers/iommu/intel/iommu.h (DMAR_*_REG, DMA_GCMD_*,
// DMA_FSTS_*, DMA_PRS_*). Names are the specification's (VER_REG, CAP_REG.FRO, PRS_REG.PPR).
//
// Spec-vs-Linux notes:
//  * Linux calls the scalable-mode TTM value DMA_RTADDR_SMT (bit 10); the spec field is
//    RTADDR_REG.TTM[11:10] with 01b = scalable mode.
//  * FSTS bit 7 (PRO) is deprecated in rev. 3+: page request overflow lives in PRS_REG.PRO.
//    Linux still clears DMA_FSTS_PRO in dmar_fault(); this model keeps FSTS bit 7 at 0.
//
// No SystemC in this file: it is part of the functional core.
#pragma once
#include <cstdint>

#include "models/smmu/v3/format/regs.h"  // Field: a generic [hi:lo] bit-field helper

namespace iopf::vtd {

using smmu::v3::Field;

// Register offsets from the remapping unit's base (spec 11.4 "Register Descriptions").
namespace reg {
constexpr uint32_t VER = 0x000;      // 32-bit
constexpr uint32_t CAP = 0x008;      // 64-bit
constexpr uint32_t ECAP = 0x010;     // 64-bit
constexpr uint32_t GCMD = 0x018;     // 32-bit
constexpr uint32_t GSTS = 0x01C;     // 32-bit
constexpr uint32_t RTADDR = 0x020;   // 64-bit
constexpr uint32_t CCMD = 0x028;     // 64-bit
constexpr uint32_t FSTS = 0x034;     // 32-bit
constexpr uint32_t FECTL = 0x038;    // 32-bit
constexpr uint32_t FEDATA = 0x03C;   // 32-bit
constexpr uint32_t FEADDR = 0x040;   // 32-bit
constexpr uint32_t FEUADDR = 0x044;  // 32-bit
constexpr uint32_t IQH = 0x080;      // 64-bit
constexpr uint32_t IQT = 0x088;      // 64-bit
constexpr uint32_t IQA = 0x090;      // 64-bit
constexpr uint32_t ICS = 0x09C;      // 32-bit
constexpr uint32_t IQERCD = 0x0B0;   // 64-bit
constexpr uint32_t PQH = 0x0C0;      // 64-bit
constexpr uint32_t PQT = 0x0C8;      // 64-bit
constexpr uint32_t PQA = 0x0D0;      // 64-bit
constexpr uint32_t PRS = 0x0DC;      // 32-bit
constexpr uint32_t PECTL = 0x0E0;    // 32-bit
constexpr uint32_t PEDATA = 0x0E4;   // 32-bit
constexpr uint32_t PEADDR = 0x0E8;   // 32-bit
constexpr uint32_t PEUADDR = 0x0EC;  // 32-bit
// This model's placement of the fault recording registers (CAP_REG.FRO * 16) and of the
// IOTLB registers (ECAP_REG.IRO * 16). Both are implementation choices the spec lets
// hardware make; software must read them from CAP/ECAP.
constexpr uint32_t FRCD_DEFAULT = 0x400;
constexpr uint32_t IOTLB_DEFAULT = 0x500;
constexpr uint32_t FRCD_LEN = 16;     // one fault recording register is 128 bits
constexpr uint32_t SIZE = 0x1000;     // register page
}  // namespace reg

// Spec name of the register at an offset ("PQH_REG"), nullptr if none. frcd_base is the
// FRCD offset in use (FRCD_REG n is reported as "FRCD_REG").
const char* reg_name(uint32_t offset, uint32_t frcd_base = reg::FRCD_DEFAULT,
                     unsigned nfr = 1);

// VER_REG (spec 11.4.1)
namespace ver_f {
constexpr Field MIN{3, 0};
constexpr Field MAX{7, 4};
}  // namespace ver_f

// CAP_REG (spec 11.4.2)
namespace cap_f {
constexpr Field ND{2, 0};
constexpr Field AFL{3, 3};
constexpr Field RWBF{4, 4};
constexpr Field PLMR{5, 5};
constexpr Field PHMR{6, 6};
constexpr Field CM{7, 7};
constexpr Field SAGAW{12, 8};
constexpr Field MGAW{21, 16};
constexpr Field ZLR{22, 22};
constexpr Field FRO{33, 24};   // fault-recording register offset, in 16-byte units
constexpr Field SLLPS{37, 34};
constexpr Field PSI{39, 39};
constexpr Field NFR{47, 40};   // number of fault-recording registers minus 1
constexpr Field MAMV{53, 48};
constexpr Field DWD{54, 54};
constexpr Field DRD{55, 55};
constexpr Field FL1GP{56, 56};
constexpr Field PI{59, 59};
constexpr Field FL5LP{60, 60};
constexpr Field ESIRTPS{62, 62};
constexpr Field ESRTPS{63, 63};
}  // namespace cap_f

// ECAP_REG (spec 11.4.3)
namespace ecap_f {
constexpr Field C{0, 0};
constexpr Field QI{1, 1};
constexpr Field DT{2, 2};
constexpr Field IR{3, 3};
constexpr Field EIM{4, 4};
constexpr Field PT{6, 6};
constexpr Field SC{7, 7};
constexpr Field IRO{17, 8};    // IOTLB register offset, in 16-byte units
constexpr Field MHMV{23, 20};
constexpr Field MTS{25, 25};
constexpr Field NEST{26, 26};
constexpr Field PRS{29, 29};
constexpr Field ERS{30, 30};
constexpr Field SRS{31, 31};
constexpr Field NWFS{33, 33};
constexpr Field EAFS{34, 34};
constexpr Field PSS{39, 35};   // PASID size supported minus 1
constexpr Field PASID{40, 40};
constexpr Field DIT{41, 41};
constexpr Field PDS{42, 42};
constexpr Field SMTS{43, 43};
constexpr Field VCS{44, 44};
constexpr Field SSADS{45, 45};  // SLADS in rev. 3
constexpr Field SSTS{46, 46};   // SLTS in rev. 3
constexpr Field FSTS{47, 47};   // FLTS in rev. 3 (first-stage translation support)
constexpr Field SMPWCS{48, 48};
constexpr Field RPS{49, 49};
constexpr Field ADMS{52, 52};
constexpr Field RPRIVS{53, 53};
}  // namespace ecap_f

// GCMD_REG / GSTS_REG (spec 11.4.4, 11.4.5): the same bit positions.
namespace gcmd {
constexpr uint32_t CFI = 1u << 23;
constexpr uint32_t SIRTP = 1u << 24;
constexpr uint32_t IRE = 1u << 25;
constexpr uint32_t QIE = 1u << 26;
constexpr uint32_t WBF = 1u << 27;
constexpr uint32_t EAFL = 1u << 28;
constexpr uint32_t SFL = 1u << 29;
constexpr uint32_t SRTP = 1u << 30;
constexpr uint32_t TE = 1u << 31;
}  // namespace gcmd
namespace gsts {
constexpr uint32_t CFIS = 1u << 23;
constexpr uint32_t IRTPS = 1u << 24;
constexpr uint32_t IRES = 1u << 25;
constexpr uint32_t QIES = 1u << 26;
constexpr uint32_t WBFS = 1u << 27;
constexpr uint32_t AFLS = 1u << 28;
constexpr uint32_t FLS = 1u << 29;
constexpr uint32_t RTPS = 1u << 30;
constexpr uint32_t TES = 1u << 31;
}  // namespace gsts

// RTADDR_REG (spec 11.4.6)
namespace rtaddr_f {
constexpr Field TTM{11, 10};
constexpr Field RTA{63, 12};
}  // namespace rtaddr_f
enum class Ttm : uint8_t { Legacy = 0, Scalable = 1, Reserved = 2, AbortDma = 3 };

// FSTS_REG (spec 11.4.7.1)
namespace fsts {
constexpr uint32_t PFO = 1u << 0;
constexpr uint32_t PPF = 1u << 1;
constexpr uint32_t AFO = 1u << 2;
constexpr uint32_t APF = 1u << 3;
constexpr uint32_t IQE = 1u << 4;
constexpr uint32_t ICE = 1u << 5;
constexpr uint32_t ITE = 1u << 6;
constexpr Field FRI{15, 8};
constexpr uint32_t RW1C = PFO | AFO | APF | IQE | ICE | ITE;
}  // namespace fsts

// FECTL_REG, PECTL_REG, IECTL_REG (spec 11.4.7.2, 11.4.11.5): interrupt mask / pending.
namespace ectl {
constexpr uint32_t IP = 1u << 30;
constexpr uint32_t IM = 1u << 31;
}  // namespace ectl

// IQH_REG / IQT_REG (spec 11.4.9.1/2): QH/QT [18:4] is a 128-bit-descriptor index; with
// IQA_REG.DW = 1 (256-bit descriptors) bit 4 must be 0.
namespace iq_f {
constexpr Field QHT{18, 4};
}  // namespace iq_f
// IQA_REG (spec 11.4.9.3)
namespace iqa_f {
constexpr Field QS{2, 0};     // queue size: 2^QS 4 KiB pages
constexpr Field DW{11, 11};   // descriptor width: 0 = 128-bit, 1 = 256-bit
constexpr Field IQA{63, 12};  // base address
}  // namespace iqa_f
// ICS_REG (spec 11.4.9.4)
namespace ics {
constexpr uint32_t IWC = 1u << 0;
}  // namespace ics
// IQERCD_REG (spec 11.4.9.9): IQEI [3:0]
enum class Iqei : uint8_t {
    Info_NA = 0, InvalidTail = 1, FetchError = 2, InvalidType = 3, ReservedField = 4,
    InvalidWidth = 5, TailMisaligned = 6, InvalidTtm = 7,
};

// PQH_REG / PQT_REG (spec 11.4.11.1/2): PQH/PQT [18:5], byte offset of a 32-byte descriptor.
namespace pq_f {
constexpr Field PQHT{18, 5};
}  // namespace pq_f
// PQA_REG (spec 11.4.11.3)
namespace pqa_f {
constexpr Field PQS{2, 0};     // queue size: 2^PQS 4 KiB pages
constexpr Field PQA{63, 12};
}  // namespace pqa_f
// PRS_REG (spec 11.4.11.4)
namespace prs {
constexpr uint32_t PPR = 1u << 0;   // pending page request (RW1C)
constexpr uint32_t PRO = 1u << 1;   // page request overflow (RW1C)
constexpr uint32_t RW1C = PPR | PRO;
}  // namespace prs

// Sizes in bytes of one queue entry.
constexpr unsigned kPageReqDescBytes = 32;   // page request descriptor (256-bit)
constexpr unsigned kInvDesc128Bytes = 16;
constexpr unsigned kInvDesc256Bytes = 32;

// Number of entries of a queue of 2^qs 4 KiB pages with entries of `entry_bytes`.
inline uint64_t queue_entries(unsigned qs, unsigned entry_bytes) {
    return (uint64_t(4096) << qs) / entry_bytes;
}

// What the model implements, as the capability registers report it.
struct Caps {
    unsigned major = 4, minor = 0;   // VER_REG
    unsigned nd = 2;                 // 256 domains
    unsigned sagaw = 0b00100;        // 4-level second stage (unused: first stage only)
    unsigned mgaw = 47;              // MGAW field = width - 1 (48-bit)
    uint32_t frcd_offset = reg::FRCD_DEFAULT;
    unsigned nfr = 8;                // number of fault recording registers (1..256)
    bool fl1gp = true;               // first-stage 1 GiB pages
    bool fl5lp = true;               // first-stage 5-level paging
    uint32_t iotlb_offset = reg::IOTLB_DEFAULT;
    bool dt = true;                  // device-TLB (ATS)
    bool prs = true;                 // page requests
    bool ers = false;                // execute requests
    bool srs = true;                 // supervisor requests
    bool pds = true;                 // page-request drain
    unsigned pss = 19;               // PASID size supported - 1 (20-bit PASIDs)
};

uint32_t make_ver(const Caps& c);
uint64_t make_cap(const Caps& c);
uint64_t make_ecap(const Caps& c);

}  // namespace iopf::vtd
