// Isolation monitor (measurement only, off the model's data path; DESIGN.md "Measurement is
// an observer"). It answers one question for every device access that reaches memory: did
// the device's translations grant that physical page at that time?
//
// What it knows, and from whom:
//  - grants: the IOMMU front ends report every translation they hand a watched device (a
//    forwarded untranslated transaction, a successful ATS Translation Completion), tagged by
//    the address space it belongs to (IOMMU, ASID or domain) and its input page;
//  - revocations: the host drivers report the end of each invalidation sequence that takes
//    translations away (munmap / mm invalidation, SVA unbind, unmap on a context bank): from
//    then on Linux may free and reuse the pages, so a device must not reach them any more;
//  - accesses: the interconnect reports every device access (device name, PA, length, when
//    the device issued it).
// A watched device's access to a page it holds no live grant for is a violation, unless the
// grant was revoked after the access was issued (the transaction was translated before the
// host's invalidation completed). A translation an endpoint keeps in its ATC after the host
// revoked it (a missing CMD_ATC_INV) is exactly such a violation.
//
// What it cannot see: whether a grant was right (the IOMMU's walk is trusted here; walker and
// format correctness are the unit tests' job), stage-2 revocations (the hypervisor's stage-2
// unmaps are not reported), and devices that sit behind no IOMMU (they are not watched).
//
// Pure C++: no SystemC; times are passed in (ps).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace iopf {

class IsolationMonitor {
public:
    static constexpr uint64_t kPage = 4096;
    // An address space: the IOMMU and its tag (ASID, domain id, or kBypass for a stream the
    // IOMMU passes through untranslated).
    static constexpr uint32_t kBypass = 0xffffffffu;

    // Devices behind an IOMMU (the platform builder lists them); only these are checked.
    void watch(const std::string& device);
    bool watched(const std::string& device) const { return devices_.count(device) != 0; }

    // The IOMMU gave `device` the translation [va, va + size) -> [pa, pa + size) of address
    // space (iommu, tag) at time `t_ps`.
    void grant(const char* device, const std::string& iommu, uint32_t tag, uint64_t va, uint64_t pa, uint64_t size,
               uint64_t t_ps);
    // The host finished invalidating [start, end) of address space (iommu, tag) at `t_ps`:
    // every grant in it is revoked. end = UINT64_MAX: the whole address space.
    void revoke(const std::string& iommu, uint32_t tag, uint64_t start, uint64_t end, uint64_t t_ps);
    // Stage 2: the host took the frame at `pa` away from VMID `vmid` (a stage-2 unmap, after
    // its TLBI and CMD_SYNC): every grant of an address space of that VMID (tag >> 16) to
    // that frame is revoked, whatever its input address (S2-only IPA or nested VA).
    void revoke_pa(const std::string& iommu, uint16_t vmid, uint64_t pa, uint64_t t_ps);
    // `device` accessed [pa, pa + len), issued at `t_issue_ps`, reaching memory at `t_ps`.
    void access(const char* device, uint64_t pa, uint64_t len, bool write, uint64_t t_issue_ps, uint64_t t_ps);

    uint64_t violations() const { return violations_; }
    uint64_t accesses_checked() const { return checked_; }
    nlohmann::json stats() const;

private:
    static constexpr uint64_t kLive = ~0ull;
    struct Grant {
        uint32_t device;
        uint64_t va_page, pa_page;
        uint64_t granted_at, revoked_at = kLive;
    };
    struct Violation {
        std::string device;
        uint64_t pa;
        bool write;
        uint64_t t_ps, t_issue_ps;
        uint64_t revoked_at;   // kLive: never granted
    };
    using SpaceKey = std::pair<std::string, uint32_t>;
    struct Space {
        std::vector<size_t> grants;                        // indices into grants_
        std::map<std::tuple<uint32_t, uint64_t, uint64_t>, size_t> index;   // (device, va, pa) -> grant
    };

    std::map<std::string, uint32_t> devices_;                      // watched device -> id
    std::vector<std::unordered_map<uint64_t, std::vector<size_t>>> by_pa_;   // per device: PA page -> grants
    std::deque<Grant> grants_;
    std::map<SpaceKey, Space> spaces_;
    uint64_t violations_ = 0, checked_ = 0, grants_made_ = 0, revocations_ = 0, revoked_grants_ = 0;
    std::vector<Violation> first_;   // the first few, for the stats
};

}  // namespace iopf
