// Intel VT-d scalable-mode translation structures in memory (spec chapter 9 "Translation
// Structure Formats") and the primary fault recording register (spec 11.4.14).
//
//  * Scalable-mode root entry (9.2), 128 bits, indexed by bus: LP [0], LCTP [63:12] for
//    devfn 0-127; UP [64], UCTP [127:76] for devfn 128-255.
//  * Scalable-mode context entry (9.4), 256 bits, indexed by devfn & 0x7f: P [0], FPD [1],
//    DTE [2], PASIDE [3], PRE [4], PDTS [11:9], PASIDDIRPTR [63:12]; RID_PASID [83:64],
//    RID_PRIV [84].
//  * Scalable-mode PASID directory entry (9.5), 64 bits, indexed by PASID[19:6]: P [0],
//    FPD [1], SMPTBLPTR [63:12].
//  * Scalable-mode PASID table entry (9.6), 512 bits, indexed by PASID[5:0]: word 0
//    P [0], FPD [1], AW [4:2], SSEE [5], PGTT [8:6], SSADE [9], SSPTPTR [63:12];
//    word 1 DID [79:64], PWSNP [87], PGSNP [88], CD [89], EMTE [90], EMT [93:91],
//    PWT [94], PCD [95], PAT [127:96]; word 2 SRE [128], ERE [129], FSPM [131:130],
//    WPE [132], NXE [133], SMEP [134], EAFE [135], FSPTPTR [191:140].
//    (Rev. 3 names: SLEE/SLADE/SLPTPTR/FLPM/FLPTPTR; Linux uses the rev. 3 names.)
//  * Fault recording register (11.4.14), 128 bits: FI [63:12]; SID [79:64], T2 [92],
//    PRIV [93], EXE [94], PP [95], FR [103:96], PV [123:104], AT [125:124], T1 [126],
//    F [127].
//
// No SystemC in this file: it is part of the functional core.
#pragma once
#include <cstdint>
#include <string>

#include "models/smmu/walker_x86.h"
#include "models/vtd/format/regs.h"

namespace iopf::vtd {

// ---- root entry --------------------------------------------------------------------
namespace root_f {
constexpr Field LP{0, 0};      // word 0
constexpr Field LCTP{63, 12};  // word 0
constexpr Field UP{0, 0};      // word 1
constexpr Field UCTP{63, 12};  // word 1
}  // namespace root_f

struct RootEntry {
    bool lp = false;
    uint64_t lctp = 0;  // byte address, 4 KiB aligned
    bool up = false;
    uint64_t uctp = 0;
    // Reserved bits [11:1] and [75:65] set.
    bool reserved_set = false;
};
RootEntry decode_root(const uint64_t w[2]);
void encode_root(const RootEntry& r, uint64_t w[2]);
constexpr unsigned kRootEntryBytes = 16;

// ---- scalable-mode context entry -----------------------------------------------------
namespace ctx_f {
constexpr Field P{0, 0};
constexpr Field FPD{1, 1};
constexpr Field DTE{2, 2};
constexpr Field PASIDE{3, 3};
constexpr Field PRE{4, 4};
constexpr Field PDTS{11, 9};
constexpr Field PASIDDIRPTR{63, 12};
constexpr Field RID_PASID{19, 0};  // word 1
constexpr Field RID_PRIV{20, 20};  // word 1
}  // namespace ctx_f

struct ContextEntry {
    bool p = false, fpd = false, dte = false, paside = false, pre = false;
    uint8_t pdts = 0;            // PASID directory has 2^(PDTS+7) entries
    uint64_t pasid_dir = 0;      // PASIDDIRPTR, byte address
    uint32_t rid_pasid = 0;
    bool rid_priv = false;
    bool reserved_set = false;   // bits [8:5], [127:85] or words 2-3 non-zero
    uint64_t pasid_dir_entries() const { return uint64_t(1) << (pdts + 7); }
};
ContextEntry decode_context(const uint64_t w[4]);
void encode_context(const ContextEntry& c, uint64_t w[4]);
constexpr unsigned kContextEntryBytes = 32;
// Byte address of the context entry of (bus, devfn) given the root entry of the bus.
// Returns 0 if the relevant half is not present.
uint64_t context_entry_pa(const RootEntry& r, uint8_t devfn);

// ---- PASID directory entry ----------------------------------------------------------
namespace pde_f {
constexpr Field P{0, 0};
constexpr Field FPD{1, 1};
constexpr Field SMPTBLPTR{63, 12};
}  // namespace pde_f

struct PasidDirEntry {
    bool p = false, fpd = false;
    uint64_t table = 0;  // SMPTBLPTR, byte address
    bool reserved_set = false;
};
PasidDirEntry decode_pasid_dir(uint64_t w);
uint64_t encode_pasid_dir(const PasidDirEntry& d);
constexpr unsigned kPasidDirEntryBytes = 8;
inline uint32_t pasid_dir_index(uint32_t pasid) { return pasid >> 6; }
inline uint32_t pasid_table_index(uint32_t pasid) { return pasid & 0x3f; }

// ---- scalable-mode PASID table entry -------------------------------------------------
namespace pte_f {
// word 0
constexpr Field P{0, 0};
constexpr Field FPD{1, 1};
constexpr Field AW{4, 2};
constexpr Field SSEE{5, 5};
constexpr Field PGTT{8, 6};
constexpr Field SSADE{9, 9};
constexpr Field SSPTPTR{63, 12};
// word 1
constexpr Field DID{15, 0};
constexpr Field PWSNP{23, 23};
constexpr Field PGSNP{24, 24};
constexpr Field CD{25, 25};
constexpr Field EMTE{26, 26};
constexpr Field EMT{29, 27};
constexpr Field PWT{30, 30};
constexpr Field PCD{31, 31};
constexpr Field PAT{63, 32};
// word 2
constexpr Field SRE{0, 0};
constexpr Field ERE{1, 1};
constexpr Field FSPM{3, 2};
constexpr Field WPE{4, 4};
constexpr Field NXE{5, 5};
constexpr Field SMEP{6, 6};
constexpr Field EAFE{7, 7};
constexpr Field FSPTPTR{63, 12};
}  // namespace pte_f

// PASID Granular Translation Type (PGTT).
enum class Pgtt : uint8_t { Reserved0 = 0, FirstStage = 1, SecondStage = 2, Nested = 3,
                            PassThrough = 4 };
// First-stage paging mode (FSPM): 00b 4-level, 01b 5-level.
enum class Fspm : uint8_t { Level4 = 0, Level5 = 1 };

struct PasidEntry {
    bool p = false, fpd = false;
    uint8_t aw = 0;
    bool ssee = false;
    uint8_t pgtt = 0;
    bool ssade = false;
    uint64_t ssptptr = 0;
    uint16_t did = 0;
    bool pwsnp = false, pgsnp = false, cd = false, emte = false;
    uint8_t emt = 0;
    bool pwt = false, pcd = false;
    uint32_t pat = 0;
    bool sre = false, ere = false;
    uint8_t fspm = 0;
    bool wpe = false, nxe = false, smep = false, eafe = false;
    uint64_t fsptptr = 0;
    bool reserved_set = false;  // reserved bits in words 0-2 or words 3-7 non-zero
};
PasidEntry decode_pasid_entry(const uint64_t w[8]);
void encode_pasid_entry(const PasidEntry& e, uint64_t w[8]);
constexpr unsigned kPasidEntryBytes = 64;

// ---- fault reasons (spec 7.1.3, Table "Scalable-Mode ... Faults") ---------------------
namespace fr {
constexpr uint8_t SRT_1 = 0x38;   // error accessing root entry
constexpr uint8_t SRT_2 = 0x39;   // root entry present bit clear
constexpr uint8_t SRT_3 = 0x3A;   // root entry reserved field non-zero
constexpr uint8_t SCT_1 = 0x40;   // error accessing context entry
constexpr uint8_t SCT_2 = 0x41;   // context entry present bit clear
constexpr uint8_t SCT_3 = 0x42;   // context entry reserved field non-zero
constexpr uint8_t SCT_4 = 0x43;   // invalid context entry programming
constexpr uint8_t SCT_5 = 0x44;   // translation request with DTE = 0
constexpr uint8_t SCT_6 = 0x45;   // request with PASID, PASIDE = 0
constexpr uint8_t SCT_7 = 0x46;   // PASID larger than the PASID directory
constexpr uint8_t SCT_8 = 0x47;   // page request with PRE = 0
constexpr uint8_t SPD_1 = 0x50;   // error accessing PASID directory entry
constexpr uint8_t SPD_2 = 0x51;   // PASID directory entry present bit clear
constexpr uint8_t SPD_3 = 0x52;   // PASID directory entry reserved field non-zero
constexpr uint8_t SPT_1 = 0x58;   // error accessing PASID table entry
constexpr uint8_t SPT_2 = 0x59;   // PASID table entry present bit clear
constexpr uint8_t SPT_3 = 0x5A;   // PASID table entry reserved field non-zero
constexpr uint8_t SPT_4 = 0x5B;   // invalid PASID table entry programming (PGTT)
constexpr uint8_t SPT_6 = 0x5D;   // supervisor request with SRE = 0
constexpr uint8_t SFL_1 = 0x70;   // error accessing a first-stage paging entry
constexpr uint8_t SFL_2 = 0x71;   // first-stage paging entry present bit clear
constexpr uint8_t SFL_3 = 0x72;   // first-stage paging entry reserved field non-zero
constexpr uint8_t SGN_1 = 0x80;   // address not canonical (first stage)
constexpr uint8_t SGN_2 = 0x81;   // user request to a supervisor (U/S = 0) page
constexpr uint8_t SGN_3 = 0x82;   // execute request without execute permission
constexpr uint8_t SGN_6 = 0x85;   // write request without write permission
constexpr uint8_t SGN_7 = 0x86;   // read request without read permission
}  // namespace fr
// Fault reason for a failed first-stage walk: Abort SFL.1, NotPresent SFL.2, Reserved SFL.3,
// NonCanonical SGN.1, User SGN.2, Exec SGN.3, Write SGN.6.
uint8_t fault_reason_for(smmu::X86Fault f);
// Short spec-style description of a fault reason, "UNKNOWN" for others.
const char* fault_reason_name(uint8_t fr);

// ---- fault recording register -------------------------------------------------------
namespace frcd_f {
constexpr Field FI{63, 12};   // word 0
constexpr Field SID{15, 0};   // word 1 (bits 79:64)
constexpr Field T2{28, 28};
constexpr Field PRIV{29, 29};
constexpr Field EXE{30, 30};
constexpr Field PP{31, 31};
constexpr Field FR{39, 32};
constexpr Field PV{59, 40};
constexpr Field AT{61, 60};
constexpr Field T1{62, 62};
constexpr Field F{63, 63};
}  // namespace frcd_f

// Type of the faulted request; the value is (T1 << 1) | T2 (spec 11.4.14): T1=0 T2=0 write,
// T1=0 T2=1 page (translation) request, T1=1 T2=0 read, T1=1 T2=1 atomic. Linux's
// dma_frcd_type() reads T1 alone (1 = "DMA Read"), which agrees for untranslated requests.
enum class FaultReqType : uint8_t { Write = 0, Page = 1, Read = 2, Atomic = 3 };

struct FaultRecord {
    uint64_t fi = 0;       // faulting page address (bits [63:12])
    uint16_t sid = 0;      // requester id (bus:dev.fn)
    FaultReqType type = FaultReqType::Read;
    bool priv = false, exe = false;
    bool pp = false;
    uint32_t pv = 0;       // PASID value
    uint8_t fr = 0;        // fault reason
    uint8_t at = 0;        // address type of the request
    bool f = false;
};
FaultRecord decode_frcd(const uint64_t w[2]);
void encode_frcd(const FaultRecord& r, uint64_t w[2]);
// "FRCD sid=0x0100 pasid=1 addr=0x... read fr=0x71 (SFL.2 ...)"
std::string to_string(const FaultRecord& r);

}  // namespace iopf::vtd
