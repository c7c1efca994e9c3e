#include "models/common/isolation_monitor.h"

#include <algorithm>
#include <cstdio>

namespace iopf {

namespace {
std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}
constexpr size_t kViolationsListed = 16;
}  // namespace

void IsolationMonitor::watch(const std::string& device) {
    if (devices_.emplace(device, uint32_t(devices_.size())).second) by_pa_.emplace_back();
}

void IsolationMonitor::grant(const char* device, const std::string& iommu, uint32_t tag, uint64_t va, uint64_t pa,
                             uint64_t size, uint64_t t_ps) {
    auto d = devices_.find(device);
    if (d == devices_.end() || size == 0) return;
    const uint32_t dev = d->second;
    Space& sp = spaces_[{iommu, tag}];
    const uint64_t first = pa / kPage, last = (pa + size - 1) / kPage;
    for (uint64_t p = first; p <= last; ++p) {
        const uint64_t vp = va / kPage + (p - first);
        auto [it, fresh] = sp.index.emplace(std::make_tuple(dev, vp, p), grants_.size());
        if (fresh) {
            grants_.push_back({dev, vp, p, t_ps});
            sp.grants.push_back(it->second);
            by_pa_[dev][p].push_back(it->second);
        } else {
            Grant& g = grants_[it->second];
            if (g.revoked_at != kLive) g.granted_at = t_ps;
            g.revoked_at = kLive;
        }
        ++grants_made_;
    }
}

void IsolationMonitor::revoke(const std::string& iommu, uint32_t tag, uint64_t start, uint64_t end, uint64_t t_ps) {
    ++revocations_;
    auto it = spaces_.find({iommu, tag});
    if (it == spaces_.end()) return;
    for (size_t i : it->second.grants) {
        Grant& g = grants_[i];
        if (g.revoked_at != kLive) continue;
        const uint64_t va = g.va_page * kPage;
        if (va + kPage <= start || (end != UINT64_MAX && va >= end)) continue;
        g.revoked_at = t_ps;
        ++revoked_grants_;
    }
}

void IsolationMonitor::revoke_pa(const std::string& iommu, uint16_t vmid, uint64_t pa, uint64_t t_ps) {
    ++revocations_;
    for (auto& [key, space] : spaces_) {
        if (key.first != iommu || key.second == kBypass || (key.second >> 16) != vmid) continue;
        for (size_t i : space.grants) {
            Grant& g = grants_[i];
            if (g.revoked_at != kLive || g.pa_page != pa / kPage) continue;
            g.revoked_at = t_ps;
            ++revoked_grants_;
        }
    }
}

void IsolationMonitor::access(const char* device, uint64_t pa, uint64_t len, bool write, uint64_t t_issue_ps,
                              uint64_t t_ps) {
    auto d = devices_.find(device);
    if (d == devices_.end()) return;
    ++checked_;
    const auto& pages = by_pa_[d->second];
    const uint64_t last = (pa + std::max<uint64_t>(len, 1) - 1) / kPage;
    for (uint64_t p = pa / kPage; p <= last; ++p) {
        bool ok = false;
        uint64_t revoked = kLive;
        if (auto g = pages.find(p); g != pages.end())
            for (size_t i : g->second) {
                const Grant& gr = grants_[i];
                // Live, or revoked only after this access was issued (translated before).
                if (gr.revoked_at == kLive || gr.revoked_at >= t_issue_ps) { ok = true; break; }
                revoked = std::min(revoked, gr.revoked_at);
            }
        if (ok) continue;
        ++violations_;
        if (first_.size() < kViolationsListed)
            first_.push_back({device, std::max(pa, p * kPage), write, t_ps, t_issue_ps, revoked});
        return;   // one violation per access
    }
}

nlohmann::json IsolationMonitor::stats() const {
    nlohmann::json v = nlohmann::json::array();
    for (const auto& x : first_) {
        nlohmann::json e = {{"device", x.device}, {"pa", hex(x.pa)}, {"access", x.write ? "W" : "R"},
                            {"t_ns", x.t_ps / 1000.0}, {"issued_ns", x.t_issue_ps / 1000.0}};
        if (x.revoked_at == kLive) e["why"] = "no translation ever granted this page to the device";
        else {
            e["why"] = "the page's translation was revoked by the host before the access was issued";
            e["revoked_ns"] = x.revoked_at / 1000.0;
        }
        v.push_back(e);
    }
    return {{"devices_watched", devices_.size()}, {"accesses_checked", checked_},
            {"pages_granted", grants_.size()}, {"grants", grants_made_}, {"revocations", revocations_},
            {"grants_revoked", revoked_grants_}, {"violations", violations_}, {"first_violations", v}};
}

}  // namespace iopf
