// Bus-master enable is a device register (issue 9 "no back doors"): a DMA master behind an
// IOMMU issues nothing until the IOMMU's driver has set it by MMIO, after the device's
// translations exist: CTRL.EN of a DMA engine's control page (models/devices/device_ctrl.h),
// Command.BME of a PCIe function's config space, CTRL.EN of the GPU.
#include <catch2/catch.hpp>

#include "models/devices/dma_engine.h"
#include "models/devices/format/dev_ctrl.h"
#include "models/devices/format/gpu_regs.h"
#include "models/devices/format/pcie_config.h"
#include "models/devices/pcie_endpoint.h"
#include "models/host/host.h"
#include "models/host/intel_iommu.h"
#include "models/host/smmu_v3_driver.h"
#include "tests/scenario/harness.h"

using namespace iopf;
using namespace iopf::test;
using nlohmann::json;

TEST_CASE("bus master: a DMA engine starts only once its SMMU driver sets CTRL.EN through MMIO",
          "[scenario][bus_master]") {
    // dma0's control page is the first of the default window (0x0c000000), dma1's sets its
    // own. At the driver's "ready" the engines have issued nothing and CTRL reads 0; the
    // driver then sets EN (a read and a write of CTRL), and the engines run.
    Scenario sc(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "jobs": {
          "r": { "op": "read", "base": "0x10000000", "length": "4KiB", "burst": 4096 } } },
      "dma1": { "type": "dma_engine", "smmu": "smmu", "sid": 2, "ctrl_base": "0x0c100000", "jobs": {
          "r": { "op": "read", "base": "0x10000000", "length": "4KiB", "burst": 4096 } } },
      "host": { "streams": {
          "dma0": { "contexts": { "main": { "mappings": { "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "4KiB" } } } } },
          "dma1": { "contexts": { "main": { "mappings": { "buf": { "va": "0x10000000", "pa": "0x90001000", "size": "4KiB" } } } } } } }
    })"));
    Platform& p = sc.platform();
    uint32_t id = 0, ctrl_before = 0, ctrl_after = 0, ctrl1_after = 0;
    uint64_t issued_at_ready = 99, writes_before = 99;
    sc.spawn([&] {
        SmmuV3Driver& drv = p.host().nth_driver<SmmuV3Driver>(0);
        if (!drv.ready()) sc_core::wait(drv.ready_event());
        issued_at_ready = p.dma("dma0").issued() + p.dma("dma1").issued();
        writes_before = p.dma("dma0").ctrl.writes();
        id = p.host().bus.read32(0x0c000000 + dev_ctrl::ID);
        ctrl_before = p.host().bus.read32(0x0c000000 + dev_ctrl::CTRL);
        sc_core::wait(sc_core::sc_time(5, sc_core::SC_US));
        ctrl_after = p.host().bus.read32(0x0c000000 + dev_ctrl::CTRL);
        ctrl1_after = p.host().bus.read32(0x0c100000 + dev_ctrl::CTRL);
    });
    const json& s = sc.run();
    CHECK(issued_at_ready == 0);
    CHECK(writes_before == 0);
    CHECK(id == dev_ctrl::kIdValue);
    CHECK(ctrl_before == 0);
    CHECK(ctrl_after == dev_ctrl::CTRL_EN);
    CHECK(ctrl1_after == dev_ctrl::CTRL_EN);
    CHECK(p.dma("dma0").ctrl.writes() == 1);
    CHECK(p.dma("dma1").ctrl.writes() == 1);
    CHECK(device_stats(s, "dma0").at("completed_ok") == 1);
    CHECK(device_stats(s, "dma1").at("completed_ok") == 1);
    CHECK(s.at("invariants").at("lost_transactions") == 0);
}

TEST_CASE("bus master: a PCIe function behind VT-d waits for Command.BME, which intel_iommu sets last",
          "[scenario][bus_master][vtd]") {
    Scenario sc(base_platform(R"({
      "smmu": null,
      "vtd": { "type": "vtd", "mmio_base": "0x0a000000" },
      "rc0": { "type": "root_complex", "smmu": "vtd", "latency": "150ns" },
      "ep0": { "type": "pcie_endpoint", "root_complex": "rc0", "sid": 256, "ecam_base": "0x40000000", "outstanding": 1,
               "jobs": { "w": { "op": "write", "ssid": 1, "base": "0x400000000", "length": "8KiB", "burst": 4096 } } },
      "host": {
        "mm": { "pgtable_format": "x86_64", "user_pool": { "base": "0xa0000000", "size": "256MiB" } },
        "processes": { "p0": { "pasid": 1, "asid": 10, "vmas": {
            "buf": { "start": "0x400000000", "size": "1MiB", "perm": "rw" } } } },
        "streams": { "ep0": { "sva": "p0" } } }
    })"));
    Platform& p = sc.platform();
    uint32_t cmd_before = 0xffffffff, cmd_after = 0;
    uint64_t issued_at_ready = 99;
    sc.spawn([&] {
        IntelIommuDriver& drv = p.host().nth_driver<IntelIommuDriver>(0);
        if (!drv.ready()) sc_core::wait(drv.ready_event());
        issued_at_ready = p.endpoint("ep0").issued();
        cmd_before = p.host().bus.read32(0x40000000 + pcie_cfg::COMMAND);
        sc_core::wait(sc_core::sc_time(5, sc_core::SC_US));
        cmd_after = p.host().bus.read32(0x40000000 + pcie_cfg::COMMAND);
    });
    const json& s = sc.run();
    CHECK(issued_at_ready == 0);
    CHECK((cmd_before & pcie_cfg::CMD_BME) == 0);
    CHECK((cmd_after & pcie_cfg::CMD_BME) != 0);
    CHECK(device_stats(s, "ep0").at("completed_ok") == 2);
    CHECK(s.at("invariants").at("lost_transactions") == 0);
}

TEST_CASE("bus master: the control page rejects accesses other than aligned 32-bit ones",
          "[scenario][bus_master][bad_input]") {
    // A misaligned or wrong-sized access is an address error (HostBus reports it); an
    // unknown offset reads as zero and ignores writes; none of them enables the engine.
    Scenario sc(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "jobs": {
          "r": { "op": "read", "base": "0x10000000", "length": "4KiB", "burst": 4096 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "mappings": {
          "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "4KiB" } } } } } } }
    })"));
    Platform& p = sc.platform();
    uint32_t unknown = 1, ctrl = 1;
    uint64_t errors = 0;
    bool driver_ready = true;
    sc.spawn([&] {
        const uint64_t base = 0x0c000000;
        uint8_t b[8] = {1, 0, 0, 0, 0, 0, 0, 0};
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        for (auto [addr, len] : {std::pair<uint64_t, unsigned>{base + 2, 4}, {base, 8}, {base, 1}}) {
            tlm::tlm_generic_payload gp;
            gp.set_command(tlm::TLM_WRITE_COMMAND);
            gp.set_address(addr);
            gp.set_data_ptr(b);
            gp.set_data_length(len);
            gp.set_streaming_width(len);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            p.dma("dma0").ctrl.socket.get_base_export()->b_transport(gp, d);   // the target directly: see its answer
            if (gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE) ++errors;
        }
        p.host().bus.write32(base + 0x100, dev_ctrl::CTRL_EN);
        unknown = p.host().bus.read32(base + 0x100);
        ctrl = p.host().bus.read32(base + dev_ctrl::CTRL);
        driver_ready = p.host().nth_driver<SmmuV3Driver>(0).ready();
    });
    sc.run();
    REQUIRE_FALSE(driver_ready);   // all of the above happened before the driver enabled dma0
    CHECK(errors == 3);
    CHECK(unknown == 0);
    CHECK(ctrl == 0);
}
