// x86-64 first-stage (IA-32e / "first-level") page-table walker, as used by Intel VT-d
// scalable-mode first-stage translation (VT-d spec 3.6 "First-Stage Translation",
// 9.7 "First-Stage Paging Entries"; Intel SDM vol. 3 4.5 "4-Level and 5-Level Paging").
//
// Entry bits: P [0], R/W [1], U/S [2], PWT [3], PCD [4], A [5], D [6], PS [7] (PAT in a PTE),
// EA [10] (extended accessed, VT-d), address [51:12], XD [63].
// Levels are numbered as the SDM counts them: 5 = PML5E, 4 = PML4E, 3 = PDPTE, 2 = PDE,
// 1 = PTE. A PDPTE with PS=1 maps 1 GiB, a PDE with PS=1 maps 2 MiB.
//
// Checks, in the order the walk meets them:
//   1. canonical input address (bits 63:47 equal, or 63:56 with 5-level paging);
//   2. per entry: P = 0 -> NotPresent; reserved bits set -> Reserved: address bits at or
//      above `addr_width`, PS in a PML5E/PML4E, PS in a PDPTE when 1 GiB pages are not
//      supported, PDPTE(PS=1) bits [29:13], PDE(PS=1) bits [20:13], XD when NXE = 0;
//   3. at the leaf, with rights ANDed over all levels (R/W, U/S) and ORed (XD):
//      user request to a U/S=0 page -> User; write without R/W (user requests, or
//      supervisor requests with WPE = 1) -> Write; execute with XD=1, or supervisor
//      execute of a user page with SMEP = 1 -> Exec.
//   4. on success only, A is set in every entry used and D in the leaf for writes, through
//      the optional writer (one read-modify-write of the 8 bytes; the model has a single
//      walker per unit so no atomic compare-exchange is needed).
// A fetch the memory callback refuses is an Abort at that level.
// No SystemC here: this is part of the functional core.
#pragma once
#include <cstdint>

#include "models/smmu/fault.h"
#include "models/smmu/walker.h"  // WalkMemory: the "read 8 bytes at PA" callback

namespace iopf::smmu {

namespace x86pte {
constexpr uint64_t P = 1ull << 0;
constexpr uint64_t RW = 1ull << 1;
constexpr uint64_t US = 1ull << 2;
constexpr uint64_t PWT = 1ull << 3;
constexpr uint64_t PCD = 1ull << 4;
constexpr uint64_t A = 1ull << 5;
constexpr uint64_t D = 1ull << 6;
constexpr uint64_t PS = 1ull << 7;
constexpr uint64_t EA = 1ull << 10;
constexpr uint64_t XD = 1ull << 63;
constexpr uint64_t ADDR = 0x000ffffffffff000ull;  // [51:12]
}  // namespace x86pte

// Optional writer for the A/D updates.
struct WalkWriter {
    virtual ~WalkWriter() = default;
    virtual bool write64(uint64_t pa, uint64_t value) = 0;
};

struct X86Config {
    uint64_t root = 0;          // FSPTPTR: PML4 (or PML5) table, 4 KiB aligned
    bool five_level = false;    // FSPM = 01b
    unsigned addr_width = 52;   // physical address width; entry address bits above are reserved
    bool wpe = false;           // write protect enable for supervisor requests
    bool nxe = true;            // XD honoured; with NXE = 0 XD is a reserved bit
    bool smep = false;          // supervisor-mode execute prevention
    bool allow_1g = true;       // CAP_REG.FL1GP
    bool set_ad = true;         // update A/D (needs a writer)
};

enum class X86Fault : uint8_t {
    None = 0,
    NotPresent,    // P = 0
    Reserved,      // a reserved bit is set
    NonCanonical,  // input address not canonical
    User,          // user request to a supervisor page
    Write,         // write without write permission
    Exec,          // execute without execute permission
    Abort,         // the entry fetch (or A/D write) failed
};
const char* x86_fault_name(X86Fault f);
// The SMMU event vocabulary the shared shell uses: NotPresent/Reserved/NonCanonical ->
// F_TRANSLATION; User/Write/Exec -> F_PERMISSION; Abort -> F_WALK_EABT.
EventId x86_fault_event(X86Fault f);

// The rights of a mapping as the walk accumulates them: R/W and U/S ANDed over every level,
// XD ORed (only when NXE = 1). What a request may do with them depends on its kind.
struct X86Rights {
    bool rw = false;
    bool us = false;
    bool xd = false;
};

// Step 3 above for one request against accumulated rights: None, User, Write or Exec. The
// walk and a cached-translation hit (models/smmu/shell) use the same rule.
X86Fault x86_access_check(const X86Rights& rights, bool wpe, bool smep, const Access& access);

struct X86WalkResult {
    X86Fault fault = X86Fault::None;
    unsigned level = 0;            // level of the leaf or of the faulting entry (5..1)
    uint64_t pa = 0;               // output address of the requested VA
    uint64_t va_base = 0, pa_base = 0;
    unsigned size_log2 = 12;       // 12, 21 or 30
    bool writable = false;         // effective rights of the mapping for this request kind
    bool user = false;
    bool executable = false;
    X86Rights rights;              // accumulated rights (request-independent; for a TLB)
    bool dirty = false;            // the leaf's D bit after the walk (set by a write walk)
    unsigned reads = 0;            // entry reads issued
    unsigned writes = 0;           // A/D updates written
    uint64_t fault_entry_pa = 0;   // PA of the entry at which the walk failed
    bool ok() const { return fault == X86Fault::None; }
};

// `access.priv` is a supervisor request (PCIe PMR / "Privileged Mode Requested"),
// `access.exec` an execute request, `access.write` a write.
X86WalkResult walk_x86(const X86Config& cfg, uint64_t va, const Access& access, WalkMemory& mem,
                       WalkWriter* writer = nullptr);

// Canonical check for 48-bit (4-level) or 57-bit (5-level) input addresses.
bool x86_canonical(uint64_t va, bool five_level);

// Entry builders for software models and tests.
uint64_t x86_table_entry(uint64_t next_table_pa, bool writable = true, bool user = true,
                         bool xd = false);
uint64_t x86_leaf_entry(uint64_t pa, unsigned level, bool writable, bool user, bool xd,
                        bool accessed = false, bool dirty = false);

}  // namespace iopf::smmu
