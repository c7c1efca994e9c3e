// What the OS sets up for each device behind an IOMMU (host.streams.<device>): the
// StreamAttach list an IOMMU driver's probe reads, in the one format every driver of
// stream-table IOMMUs shares (SMMUv3, VT-d), and the kernel-wide ASID allocator the SMMUv3
// drivers take ASIDs from (Linux: one arm_smmu_asid_xa for every SMMU).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/common/params.h"
#include "models/host/driver_registry.h"
#include "models/host/smmu_v3_driver.h"

namespace iopf {

// The devices firmware puts behind IOMMU unit `iommu`, with what the OS sets up for each
// (a device without a host.streams entry: Config::detached).
std::vector<StreamAttach> parse_stream_attaches(HostEnv& env, const std::string& iommu);

// Every address space (a stream context's own tables, or a process bound with SVA) has its
// own ASID, so no two share TLB entries. A platform may pin one; two address spaces pinned
// to one ASID are rejected. The rest are allocated like Linux's arm_smmu_asid_xa (xa_alloc
// from 1, the lowest free), processes first, then contexts in the order drivers asked.
class AsidAllocator {
public:
    // A context's ASID (0 = allocate one) that allocate() fills in; `slot` must stay valid.
    void request(uint16_t* slot, std::string who, std::string key);
    // Claims pinned ASIDs (processes, then contexts), then allocates the rest.
    void allocate(OsMm& mm);

private:
    struct Request {
        uint16_t* slot;
        std::string who, key;
    };
    std::vector<Request> requests_;
};

}  // namespace iopf
