// The isolation monitor's rules (models/common/isolation_monitor.h), on hand-made events.
#include <catch2/catch.hpp>

#include "models/common/isolation_monitor.h"

using iopf::IsolationMonitor;

namespace {
constexpr uint64_t kPa = 0x90000000, kVa = 0x400000000;
}

TEST_CASE("isolation monitor: an access is fine only to pages granted to that device", "[unit][isolation]") {
    IsolationMonitor m;
    m.watch("dma0");
    m.watch("dma1");
    m.grant("dma0", "smmu", 1, kVa, kPa, 4096, 100);
    m.access("dma0", kPa + 64, 64, true, 100, 150);
    CHECK(m.violations() == 0);
    m.access("dma1", kPa, 64, false, 100, 150);   // another device: not its page
    CHECK(m.violations() == 1);
    m.access("dma0", kPa + 4096, 64, false, 100, 150);   // the next page was never granted
    CHECK(m.violations() == 2);
    m.access("dma0", kPa + 4032, 128, false, 100, 150);  // straddles into it
    CHECK(m.violations() == 3);
    m.access("cpu_dma", kPa + 4096, 64, false, 100, 150);   // not behind an IOMMU: not watched
    CHECK(m.violations() == 3);
    CHECK(m.accesses_checked() == 4);
    const auto s = m.stats();
    CHECK(s.at("first_violations").at(0).at("device") == "dma1");
    CHECK(s.at("first_violations").at(0).at("why") == "no translation ever granted this page to the device");
}

TEST_CASE("isolation monitor: a revoked page is off limits to accesses issued after the revocation", "[unit][isolation]") {
    IsolationMonitor m;
    m.watch("ep0");
    m.grant("ep0", "smmu", 7, kVa, kPa, 2 * 4096, 100);   // two pages, one grant
    m.revoke("smmu", 7, kVa, kVa + 4096, 1000);            // the first page only
    m.access("ep0", kPa, 64, true, 900, 1100);             // issued before: translated before it
    CHECK(m.violations() == 0);
    m.access("ep0", kPa, 64, true, 1001, 1100);            // issued after: a stale translation
    CHECK(m.violations() == 1);
    m.access("ep0", kPa + 4096, 64, true, 1001, 1100);     // the second page is still granted
    CHECK(m.violations() == 1);
    // Another address space, or another IOMMU with the same tag, revokes nothing here.
    m.revoke("smmu", 8, 0, UINT64_MAX, 1200);
    m.revoke("smmu2", 7, 0, UINT64_MAX, 1200);
    m.access("ep0", kPa + 4096, 64, true, 1300, 1400);
    CHECK(m.violations() == 1);
    // The whole space; then the host maps the page again and the device may use it.
    m.revoke("smmu", 7, 0, UINT64_MAX, 1500);
    m.access("ep0", kPa + 4096, 64, true, 1600, 1700);
    CHECK(m.violations() == 2);
    m.grant("ep0", "smmu", 7, kVa, kPa, 4096, 1800);
    m.access("ep0", kPa, 64, true, 1900, 2000);
    CHECK(m.violations() == 2);
    const auto s = m.stats();
    CHECK(s.at("grants_revoked") == 2);
    CHECK(s.at("first_violations").at(0).at("revoked_ns") == 1.0);
}
