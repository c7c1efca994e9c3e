// Software page-table builder. Call from a thread that holds a core (OnCore).
// (Linux io-pgtable-arm / the CPU's page tables): builds
// VMSAv8-64 stage-1 tables, 4 KiB granule, 48-bit VA (4 levels, T0SZ = 16), in simulated
// memory through timed host accesses. These are the very tables the SMMU walks.
// With PgtableFormat::x86_64 the same 4-level, 9-bits-per-level tree holds x86-64 entries
// (P, R/W, U/S, A, D, PS, XD: models/smmu/walker_x86.h), the tables a VT-d first-stage
// walk reads (an x86 host's CPU page tables, shared with the device through SVA).
#pragma once
#include <cstdint>
#include <vector>
#include <string>

#include "models/host/cpu.h"
#include "models/host/host_bus.h"
#include "models/host/phys_alloc.h"
#include "models/smmu/vmsa.h"
#include "models/smmu/walker_x86.h"

namespace iopf {

enum class PgtableFormat { vmsav8_64, x86_64 };
// "vmsav8_64" / "x86_64".
const char* pgtable_format_name(PgtableFormat f);

struct PgtableCosts {
    Cost pte_write{20000};   // software cost per descriptor written (beyond the access)
};

class IoPgtable {
public:
    static constexpr unsigned kVaBits = 48;
    static constexpr unsigned kT0sz = 64 - kVaBits;

    IoPgtable(HostBus& bus, PhysAlloc& tables, Cpu& cpu, PgtableCosts costs,
              PgtableFormat format = PgtableFormat::vmsav8_64);
    PgtableFormat format() const { return format_; }

    uint64_t ttb() const { return root_; }
    // Allocates the level-0 table if there is none yet; returns it.
    uint64_t ensure_root() { if (!root_) root_ = new_table(); return root_; }
    // Maps [va, va+size) to [pa, pa+size). Uses 2 MiB / 1 GiB blocks where `allow_blocks`
    // and alignment permit. Throws ConfigError when va/pa/size are not 4 KiB aligned, the
    // range leaves the 48-bit VA space, or it overlaps an existing mapping.
    void map(uint64_t va, uint64_t pa, uint64_t size, const smmu::LeafAttrs& attrs, bool allow_blocks = false);
    // Writes `desc` (any 4 KiB leaf format, e.g. a stage-2 page descriptor) as the level-3
    // entry of va, creating tables. False (nothing written) if the entry is already valid.
    bool map_desc(uint64_t va, uint64_t desc);
    // Removes the leaf entries of [va, va+size) (4 KiB pages only). Returns pages unmapped;
    // with `freed`, appends the output address of each removed leaf (what it pointed at).
    uint64_t unmap(uint64_t va, uint64_t size, std::vector<uint64_t>* freed = nullptr);
    // Software walk (timed reads): the leaf descriptor for `va`, or 0.
    uint64_t lookup(uint64_t va);

    uint64_t tables() const { return tables_; }
    uint64_t descriptors_written() const { return writes_; }

private:
    uint64_t table_for(uint64_t va, unsigned level, bool create);   // table at `level` covering va
    uint64_t new_table();
    void charge_pte_write();
    uint64_t table_desc(uint64_t next) const;
    uint64_t leaf_desc(uint64_t pa, unsigned level, const smmu::LeafAttrs& attrs) const;
    bool is_table(uint64_t d, unsigned level) const;

    HostBus& bus_;
    PhysAlloc& alloc_;
    Cpu& cpu_;
    PgtableCosts costs_;
    PgtableFormat format_;
    uint64_t root_;
    uint64_t tables_ = 0, writes_ = 0;
};

}  // namespace iopf
