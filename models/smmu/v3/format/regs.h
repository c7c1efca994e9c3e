// SMMUv3 programming-interface register map and register field layouts.
//
// Source: Arm SMMU architecture specification IHI 0070 (issue G.b), chapter 6
// "Memory map and registers", cross-checked against Linux
// drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.h. Names follow the specification
// (SMMU_EVENTQ_*, not Linux's EVTQ_*; EVTQ_* aliases are provided for readers
// coming from the driver).
//
// Spec-vs-Linux notes (the spec wins here):
//  * Address fields (STRTAB_BASE.ADDR, *Q_BASE.ADDR, *_IRQ_CFG0.ADDR) extend to
//    bit 55 in SMMUv3.4 (G.b); Linux masks them at bit 51. Bits above the
//    configured OAS are RES0 either way.
//  * GERROR bit 2 is EVENTQ_ABT_ERR in the spec (Linux: EVTQ_ABT_ERR).
//
// No SystemC in this file: it is part of the functional core.
#pragma once
#include <cstdint>

namespace iopf::smmu::v3 {

// A contiguous bit field [hi:lo] of a register or structure word.
struct Field {
    unsigned hi;
    unsigned lo;

    constexpr unsigned width() const { return hi - lo + 1; }
    constexpr uint64_t mask() const {
        return (width() >= 64 ? ~uint64_t{0} : ((uint64_t{1} << width()) - 1)) << lo;
    }
    // Value of the field in v (right-aligned).
    constexpr uint64_t get(uint64_t v) const { return (v & mask()) >> lo; }
    // The field value f placed at its position (excess bits of f dropped).
    constexpr uint64_t make(uint64_t f) const { return (f << lo) & mask(); }
    // v with the field replaced by f.
    constexpr uint64_t put(uint64_t v, uint64_t f) const { return (v & ~mask()) | make(f); }
    // True if f is representable in the field.
    constexpr bool fits(uint64_t f) const {
        return width() >= 64 || (f >> width()) == 0;
    }
};

constexpr Field bit_field(unsigned b) { return Field{b, b}; }

// ---------------------------------------------------------------------------
// Register offsets (from the SMMU base). Page 0 is 0x00000-0x0FFFF, Page 1 is
// 0x10000-0x1FFFF. SMMU_EVENTQ_PROD/CONS and SMMU_PRIQ_PROD/CONS live in Page 1.
// ---------------------------------------------------------------------------
namespace reg {
constexpr uint32_t PAGE_SIZE = 0x10000;
constexpr uint32_t PAGE1 = 0x10000;

constexpr uint32_t IDR0 = 0x0000;
constexpr uint32_t IDR1 = 0x0004;
constexpr uint32_t IDR2 = 0x0008;
constexpr uint32_t IDR3 = 0x000C;
constexpr uint32_t IDR4 = 0x0010;
constexpr uint32_t IDR5 = 0x0014;
constexpr uint32_t IIDR = 0x0018;
constexpr uint32_t AIDR = 0x001C;
constexpr uint32_t CR0 = 0x0020;
constexpr uint32_t CR0ACK = 0x0024;
constexpr uint32_t CR1 = 0x0028;
constexpr uint32_t CR2 = 0x002C;
constexpr uint32_t STATUSR = 0x0040;
constexpr uint32_t GBPA = 0x0044;
constexpr uint32_t AGBPA = 0x0048;
constexpr uint32_t IRQ_CTRL = 0x0050;
constexpr uint32_t IRQ_CTRLACK = 0x0054;
constexpr uint32_t GERROR = 0x0060;
constexpr uint32_t GERRORN = 0x0064;
constexpr uint32_t GERROR_IRQ_CFG0 = 0x0068;  // 64-bit
constexpr uint32_t GERROR_IRQ_CFG1 = 0x0070;
constexpr uint32_t GERROR_IRQ_CFG2 = 0x0074;
constexpr uint32_t STRTAB_BASE = 0x0080;  // 64-bit
constexpr uint32_t STRTAB_BASE_CFG = 0x0088;
constexpr uint32_t CMDQ_BASE = 0x0090;  // 64-bit
constexpr uint32_t CMDQ_PROD = 0x0098;
constexpr uint32_t CMDQ_CONS = 0x009C;
constexpr uint32_t EVENTQ_BASE = 0x00A0;  // 64-bit
constexpr uint32_t EVENTQ_PROD = PAGE1 + 0x00A8;
constexpr uint32_t EVENTQ_CONS = PAGE1 + 0x00AC;
constexpr uint32_t EVENTQ_IRQ_CFG0 = 0x00B0;  // 64-bit
constexpr uint32_t EVENTQ_IRQ_CFG1 = 0x00B8;
constexpr uint32_t EVENTQ_IRQ_CFG2 = 0x00BC;
constexpr uint32_t PRIQ_BASE = 0x00C0;  // 64-bit
constexpr uint32_t PRIQ_PROD = PAGE1 + 0x00C8;
constexpr uint32_t PRIQ_CONS = PAGE1 + 0x00CC;
constexpr uint32_t PRIQ_IRQ_CFG0 = 0x00D0;  // 64-bit
constexpr uint32_t PRIQ_IRQ_CFG1 = 0x00D8;
constexpr uint32_t PRIQ_IRQ_CFG2 = 0x00DC;

// Linux-style aliases.
constexpr uint32_t EVTQ_BASE = EVENTQ_BASE;
constexpr uint32_t EVTQ_PROD = EVENTQ_PROD;
constexpr uint32_t EVTQ_CONS = EVENTQ_CONS;
constexpr uint32_t EVTQ_IRQ_CFG0 = EVENTQ_IRQ_CFG0;
constexpr uint32_t EVTQ_IRQ_CFG1 = EVENTQ_IRQ_CFG1;
constexpr uint32_t EVTQ_IRQ_CFG2 = EVENTQ_IRQ_CFG2;

// True for registers that are 64 bits wide (offset of their low word).
constexpr bool is_64bit(uint32_t off) {
    return off == GERROR_IRQ_CFG0 || off == STRTAB_BASE || off == CMDQ_BASE ||
           off == EVENTQ_BASE || off == EVENTQ_IRQ_CFG0 || off == PRIQ_BASE ||
           off == PRIQ_IRQ_CFG0;
}
}  // namespace reg

// Spec name of a register for logs ("SMMU_CR0"). The high word of a 64-bit
// register gets a "_HI" suffix ("SMMU_STRTAB_BASE_HI"). Unknown offsets give
// "SMMU_UNKNOWN".
inline const char* reg_name(uint32_t offset) {
    switch (offset) {
    case reg::IDR0: return "SMMU_IDR0";
    case reg::IDR1: return "SMMU_IDR1";
    case reg::IDR2: return "SMMU_IDR2";
    case reg::IDR3: return "SMMU_IDR3";
    case reg::IDR4: return "SMMU_IDR4";
    case reg::IDR5: return "SMMU_IDR5";
    case reg::IIDR: return "SMMU_IIDR";
    case reg::AIDR: return "SMMU_AIDR";
    case reg::CR0: return "SMMU_CR0";
    case reg::CR0ACK: return "SMMU_CR0ACK";
    case reg::CR1: return "SMMU_CR1";
    case reg::CR2: return "SMMU_CR2";
    case reg::STATUSR: return "SMMU_STATUSR";
    case reg::GBPA: return "SMMU_GBPA";
    case reg::AGBPA: return "SMMU_AGBPA";
    case reg::IRQ_CTRL: return "SMMU_IRQ_CTRL";
    case reg::IRQ_CTRLACK: return "SMMU_IRQ_CTRLACK";
    case reg::GERROR: return "SMMU_GERROR";
    case reg::GERRORN: return "SMMU_GERRORN";
    case reg::GERROR_IRQ_CFG0: return "SMMU_GERROR_IRQ_CFG0";
    case reg::GERROR_IRQ_CFG0 + 4: return "SMMU_GERROR_IRQ_CFG0_HI";
    case reg::GERROR_IRQ_CFG1: return "SMMU_GERROR_IRQ_CFG1";
    case reg::GERROR_IRQ_CFG2: return "SMMU_GERROR_IRQ_CFG2";
    case reg::STRTAB_BASE: return "SMMU_STRTAB_BASE";
    case reg::STRTAB_BASE + 4: return "SMMU_STRTAB_BASE_HI";
    case reg::STRTAB_BASE_CFG: return "SMMU_STRTAB_BASE_CFG";
    case reg::CMDQ_BASE: return "SMMU_CMDQ_BASE";
    case reg::CMDQ_BASE + 4: return "SMMU_CMDQ_BASE_HI";
    case reg::CMDQ_PROD: return "SMMU_CMDQ_PROD";
    case reg::CMDQ_CONS: return "SMMU_CMDQ_CONS";
    case reg::EVENTQ_BASE: return "SMMU_EVENTQ_BASE";
    case reg::EVENTQ_BASE + 4: return "SMMU_EVENTQ_BASE_HI";
    case reg::EVENTQ_PROD: return "SMMU_EVENTQ_PROD";
    case reg::EVENTQ_CONS: return "SMMU_EVENTQ_CONS";
    case reg::EVENTQ_IRQ_CFG0: return "SMMU_EVENTQ_IRQ_CFG0";
    case reg::EVENTQ_IRQ_CFG0 + 4: return "SMMU_EVENTQ_IRQ_CFG0_HI";
    case reg::EVENTQ_IRQ_CFG1: return "SMMU_EVENTQ_IRQ_CFG1";
    case reg::EVENTQ_IRQ_CFG2: return "SMMU_EVENTQ_IRQ_CFG2";
    case reg::PRIQ_BASE: return "SMMU_PRIQ_BASE";
    case reg::PRIQ_BASE + 4: return "SMMU_PRIQ_BASE_HI";
    case reg::PRIQ_PROD: return "SMMU_PRIQ_PROD";
    case reg::PRIQ_CONS: return "SMMU_PRIQ_CONS";
    case reg::PRIQ_IRQ_CFG0: return "SMMU_PRIQ_IRQ_CFG0";
    case reg::PRIQ_IRQ_CFG0 + 4: return "SMMU_PRIQ_IRQ_CFG0_HI";
    case reg::PRIQ_IRQ_CFG1: return "SMMU_PRIQ_IRQ_CFG1";
    case reg::PRIQ_IRQ_CFG2: return "SMMU_PRIQ_IRQ_CFG2";
    default: return "SMMU_UNKNOWN";
    }
}

// ---------------------------------------------------------------------------
// Register fields (spec section 6.3).
// ---------------------------------------------------------------------------
namespace idr0 {
constexpr Field S2P{0, 0};
constexpr Field S1P{1, 1};
constexpr Field TTF{3, 2};  // 0b01 VMSAv8-32 LPAE, 0b10 VMSAv8-64, 0b11 both
constexpr Field COHACC{4, 4};
constexpr Field BTM{5, 5};
constexpr Field HTTU{7, 6};
constexpr Field DORMHINT{8, 8};
constexpr Field HYP{9, 9};
constexpr Field ATS{10, 10};
constexpr Field NS1ATS{11, 11};
constexpr Field ASID16{12, 12};
constexpr Field MSI{13, 13};
constexpr Field SEV{14, 14};
constexpr Field ATOS{15, 15};
constexpr Field PRI{16, 16};
constexpr Field VMW{17, 17};
constexpr Field VMID16{18, 18};
constexpr Field CD2L{19, 19};
constexpr Field VATOS{20, 20};
constexpr Field TTENDIAN{22, 21};  // 0b00 mixed, 0b10 LE only, 0b11 BE only
constexpr Field ATSRECERR{23, 23};
constexpr Field STALL_MODEL{25, 24};  // 0b00 stall+terminate, 0b01 terminate only, 0b10 stall forced
constexpr Field TERM_MODEL{26, 26};
constexpr Field ST_LEVEL{28, 27};  // 0b00 linear, 0b01 2-level supported
constexpr Field RME_IMPL{30, 30};

constexpr uint32_t TTF_AARCH32 = 0b01;
constexpr uint32_t TTF_AARCH64 = 0b10;
constexpr uint32_t TTF_BOTH = 0b11;
constexpr uint32_t TTENDIAN_MIXED = 0b00;
constexpr uint32_t TTENDIAN_LE = 0b10;
constexpr uint32_t TTENDIAN_BE = 0b11;
constexpr uint32_t STALL_MODEL_STALL_TERM = 0b00;
constexpr uint32_t STALL_MODEL_TERM_ONLY = 0b01;
constexpr uint32_t STALL_MODEL_STALL_FORCED = 0b10;
constexpr uint32_t ST_LEVEL_LINEAR = 0b00;
constexpr uint32_t ST_LEVEL_2LVL = 0b01;
}  // namespace idr0

namespace idr1 {
constexpr Field SIDSIZE{5, 0};
constexpr Field SSIDSIZE{10, 6};
constexpr Field PRIQS{15, 11};
constexpr Field EVENTQS{20, 16};
constexpr Field CMDQS{25, 21};
constexpr Field ATTR_PERMS_OVR{26, 26};
constexpr Field ATTR_TYPES_OVR{27, 27};
constexpr Field REL{28, 28};
constexpr Field QUEUES_PRESET{29, 29};
constexpr Field TABLES_PRESET{30, 30};
constexpr Field ECMDQ{31, 31};
constexpr unsigned QS_MAX = 19;  // maximum log2 queue size
}  // namespace idr1

namespace idr3 {
constexpr Field HAD{2, 2};
constexpr Field PBHA{3, 3};
constexpr Field XNX{4, 4};
constexpr Field PPS{5, 5};
constexpr Field MPAM{7, 7};
constexpr Field FWB{8, 8};
constexpr Field STT{9, 9};
constexpr Field RIL{10, 10};
constexpr Field BBML{12, 11};
constexpr Field E0PD{13, 13};
constexpr Field PTWNNC{14, 14};
constexpr Field DPT{15, 15};
}  // namespace idr3

namespace idr5 {
constexpr Field OAS{2, 0};  // 0:32 1:36 2:40 3:42 4:44 5:48 6:52 7:56 bits
constexpr Field GRAN4K{4, 4};
constexpr Field GRAN16K{5, 5};
constexpr Field GRAN64K{6, 6};
constexpr Field DS{7, 7};
constexpr Field D128{8, 8};
constexpr Field VAX{11, 10};  // 0b00 48-bit VA, 0b01 52-bit, 0b10 56-bit
constexpr Field STALL_MAX{31, 16};
}  // namespace idr5

namespace iidr {
constexpr Field IMPLEMENTER{11, 0};
constexpr Field REVISION{15, 12};
constexpr Field VARIANT{19, 16};
constexpr Field PRODUCTID{31, 20};
}  // namespace iidr

namespace aidr {
constexpr Field ARCH_MINOR_REV{3, 0};
constexpr Field ARCH_MAJOR_REV{7, 4};  // 0 == SMMUv3
}  // namespace aidr

namespace cr0 {  // also the layout of SMMU_CR0ACK
constexpr Field SMMUEN{0, 0};
constexpr Field PRIQEN{1, 1};
constexpr Field EVENTQEN{2, 2};
constexpr Field CMDQEN{3, 3};
constexpr Field ATSCHK{4, 4};
constexpr Field VMW{8, 6};
constexpr Field EVTQEN = EVENTQEN;  // Linux alias
}  // namespace cr0

namespace cr1 {
constexpr Field QUEUE_IC{1, 0};
constexpr Field QUEUE_OC{3, 2};
constexpr Field QUEUE_SH{5, 4};
constexpr Field TABLE_IC{7, 6};
constexpr Field TABLE_OC{9, 8};
constexpr Field TABLE_SH{11, 10};
}  // namespace cr1

namespace cr2 {
constexpr Field E2H{0, 0};
constexpr Field RECINVSID{1, 1};
constexpr Field PTM{2, 2};
}  // namespace cr2

namespace statusr {
constexpr Field DORMANT{0, 0};
}

namespace gbpa {  // also SMMU_AGBPA-style attribute layout
constexpr Field MEMATTR{3, 0};
constexpr Field MTCFG{4, 4};
constexpr Field ALLOCCFG{11, 8};
constexpr Field SHCFG{13, 12};
constexpr Field PRIVCFG{17, 16};
constexpr Field INSTCFG{19, 18};
constexpr Field ABORT{20, 20};
constexpr Field UPDATE{31, 31};
}  // namespace gbpa

namespace irq_ctrl {  // also the layout of SMMU_IRQ_CTRLACK
constexpr Field GERROR_IRQEN{0, 0};
constexpr Field PRIQ_IRQEN{1, 1};
constexpr Field EVENTQ_IRQEN{2, 2};
}  // namespace irq_ctrl

namespace gerror {  // also the layout of SMMU_GERRORN
constexpr uint32_t CMDQ_ERR = 1u << 0;
constexpr uint32_t EVENTQ_ABT_ERR = 1u << 2;
constexpr uint32_t PRIQ_ABT_ERR = 1u << 3;
constexpr uint32_t MSI_CMDQ_ABT_ERR = 1u << 4;
constexpr uint32_t MSI_EVENTQ_ABT_ERR = 1u << 5;
constexpr uint32_t MSI_PRIQ_ABT_ERR = 1u << 6;
constexpr uint32_t MSI_GERROR_ABT_ERR = 1u << 7;
constexpr uint32_t SFM_ERR = 1u << 8;
constexpr uint32_t CMDQP_ERR = 1u << 9;
constexpr uint32_t DPT_ERR = 1u << 10;
constexpr uint32_t EVTQ_ABT_ERR = EVENTQ_ABT_ERR;  // Linux alias
constexpr uint32_t MSI_EVTQ_ABT_ERR = MSI_EVENTQ_ABT_ERR;
// Bits this model can activate (no ECMDQ, no DPT).
constexpr uint32_t IMPLEMENTED = CMDQ_ERR | EVENTQ_ABT_ERR | PRIQ_ABT_ERR |
                                 MSI_CMDQ_ABT_ERR | MSI_EVENTQ_ABT_ERR |
                                 MSI_PRIQ_ABT_ERR | MSI_GERROR_ABT_ERR;   // SFM_ERR: not modelled
}  // namespace gerror

namespace irq_cfg0 {  // SMMU_{GERROR,EVENTQ,PRIQ}_IRQ_CFG0
constexpr Field ADDR{55, 2};
}
namespace irq_cfg1 {
constexpr Field DATA{31, 0};
}
namespace irq_cfg2 {
constexpr Field MEMATTR{3, 0};
constexpr Field SH{5, 4};
constexpr Field PRIQ_LO{31, 31};  // SMMU_PRIQ_IRQ_CFG2.LO: interrupt only on Last
}  // namespace irq_cfg2

namespace strtab_base {
constexpr Field ADDR{55, 6};
constexpr Field RA{62, 62};
}  // namespace strtab_base

namespace strtab_base_cfg {
constexpr Field LOG2SIZE{5, 0};
constexpr Field SPLIT{10, 6};
constexpr Field FMT{17, 16};
constexpr uint32_t FMT_LINEAR = 0b00;
constexpr uint32_t FMT_2LVL = 0b01;
}  // namespace strtab_base_cfg

// SMMU_CMDQ_BASE, SMMU_EVENTQ_BASE, SMMU_PRIQ_BASE.
namespace q_base {
constexpr Field LOG2SIZE{4, 0};
constexpr Field ADDR{55, 5};
constexpr Field RA{62, 62};  // CMDQ: Read-Allocate; EVENTQ/PRIQ: WA (Write-Allocate)
constexpr Field WA = RA;
}  // namespace q_base

// SMMU_*Q_PROD / SMMU_*Q_CONS. The WR/RD field holds the index in its low
// LOG2SIZE bits and the wrap bit just above; the field itself is [19:0].
namespace q_ptr {
constexpr Field WR{19, 0};
constexpr Field RD{19, 0};
constexpr Field ERR{30, 24};  // SMMU_CMDQ_CONS.ERR
constexpr uint32_t OVFLG = 1u << 31;     // SMMU_EVENTQ_PROD / SMMU_PRIQ_PROD
constexpr uint32_t OVACKFLG = 1u << 31;  // SMMU_EVENTQ_CONS / SMMU_PRIQ_CONS
}  // namespace q_ptr

// SMMU_CMDQ_CONS.ERR codes (spec 7.1).
constexpr uint8_t CERROR_NONE = 0;
constexpr uint8_t CERROR_ILL = 1;
constexpr uint8_t CERROR_ABT = 2;
constexpr uint8_t CERROR_ATC_INV_SYNC = 3;

// Entry sizes in bytes.
constexpr unsigned CMDQ_ENTRY_BYTES = 16;
constexpr unsigned EVENTQ_ENTRY_BYTES = 32;
constexpr unsigned PRIQ_ENTRY_BYTES = 16;
constexpr unsigned STE_BYTES = 64;
constexpr unsigned CD_BYTES = 64;

}  // namespace iopf::smmu::v3
