// Register-level tests of the SMMUv3 programming interface with a tiny testbench and no
// host driver: SmmuV3 + DRAM + interconnect, bound as platforms/platform.cpp binds them,
// and a test initiator thread doing MMIO, memory accesses (queues and tables) and device
// transactions into the SMMU's upstream port. One elaboration per TEST_CASE.
#include <catch2/catch.hpp>

#include "models/host/smmu_v3_driver.h"
#include "tests/scenario/harness.h"
#include "tests/scenario/smmu_bench.h"

using namespace iopf::test::bench;

using namespace iopf;
using nlohmann::json;
namespace v3 = iopf::smmu::v3;
namespace reg = iopf::smmu::v3::reg;
using sc_core::sc_time;
using sc_core::SC_NS;


// ---------------------------------------------------------------------------------------

TEST_CASE("registers: IDR0/1/5 reflect configured features", "[scenario][registers]") {
    // Every value differs from its default, so a hard-wired IDR cannot pass.
    uint32_t idr0 = 0, idr1 = 0, idr5 = 0, idr0_after_write = 0;
    Rig rig({"smmu.features.sid_bits=12", "smmu.features.ssid_bits=8", "smmu.features.oas_bits=44",
             "smmu.features.msi=false", "smmu.features.sev=false", "smmu.features.st_2level=false",
             "smmu.features.asid16=false", "smmu.features.stall_model=stall_forced", "smmu.features.stall_max=7",
             "smmu.features.cmdq_log2size=5", "smmu.features.evtq_log2size=4", "smmu.features.ats=false",
             "smmu.features.pri=false"},
            [&](Bench& tb) {
                idr0 = tb.rd32(reg::IDR0);
                idr1 = tb.rd32(reg::IDR1);
                idr5 = tb.rd32(reg::IDR5);
                tb.wr32(reg::IDR0, 0);   // read-only: ignored
                idr0_after_write = tb.rd32(reg::IDR0);
            });
    rig.run();
    CHECK(v3::idr0::S1P.get(idr0) == 1);
    CHECK(v3::idr0::S2P.get(idr0) == 1);   // stage 2 advertised (features.stage2, default on)
    CHECK(v3::idr0::TTF.get(idr0) == v3::idr0::TTF_AARCH64);
    CHECK(v3::idr0::MSI.get(idr0) == 0);
    CHECK(v3::idr0::SEV.get(idr0) == 0);
    CHECK(v3::idr0::ASID16.get(idr0) == 0);
    CHECK(v3::idr0::ST_LEVEL.get(idr0) == v3::idr0::ST_LEVEL_LINEAR);
    CHECK(v3::idr0::STALL_MODEL.get(idr0) == v3::idr0::STALL_MODEL_STALL_FORCED);
    CHECK(v3::idr0::ATS.get(idr0) == 0);
    CHECK(v3::idr0::PRI.get(idr0) == 0);
    CHECK(v3::idr1::SIDSIZE.get(idr1) == 12);
    CHECK(v3::idr1::SSIDSIZE.get(idr1) == 8);
    CHECK(v3::idr1::CMDQS.get(idr1) == 5);
    CHECK(v3::idr1::EVENTQS.get(idr1) == 4);
    CHECK(v3::idr1::PRIQS.get(idr1) == 0);
    CHECK(v3::idr5::OAS.get(idr5) == 4);   // 44 bits
    CHECK(v3::idr5::GRAN4K.get(idr5) == 1);
    CHECK(v3::idr5::STALL_MAX.get(idr5) == 7);
    CHECK(idr0_after_write == idr0);
}

TEST_CASE("registers: IDR defaults match the documented parameter defaults", "[scenario][registers]") {
    uint32_t idr0 = 0, idr1 = 0, idr5 = 0;
    Rig rig({}, [&](Bench& tb) {
        idr0 = tb.rd32(reg::IDR0);
        idr1 = tb.rd32(reg::IDR1);
        idr5 = tb.rd32(reg::IDR5);
    });
    rig.run();
    CHECK(v3::idr0::MSI.get(idr0) == 1);
    CHECK(v3::idr0::SEV.get(idr0) == 1);
    CHECK(v3::idr0::ASID16.get(idr0) == 1);
    CHECK(v3::idr0::ST_LEVEL.get(idr0) == v3::idr0::ST_LEVEL_2LVL);
    CHECK(v3::idr0::STALL_MODEL.get(idr0) == v3::idr0::STALL_MODEL_STALL_TERM);
    CHECK(v3::idr1::SIDSIZE.get(idr1) == 16);
    CHECK(v3::idr1::SSIDSIZE.get(idr1) == 20);
    CHECK(v3::idr1::CMDQS.get(idr1) == 8);
    CHECK(v3::idr1::EVENTQS.get(idr1) == 7);
    CHECK(v3::idr0::ATS.get(idr0) == 1);
    CHECK(v3::idr0::PRI.get(idr0) == 1);
    CHECK(v3::idr1::PRIQS.get(idr1) == 8);
    CHECK(v3::idr5::OAS.get(idr5) == 5);   // 48 bits
    CHECK(v3::idr5::STALL_MAX.get(idr5) == 32);
}

TEST_CASE("registers: CR0ACK and IRQ_CTRLACK follow only after ack_cycles", "[scenario][registers]") {
    // ack_cycles = 100 at 1000 MHz: the ACK registers change 100 ns after the write.
    const uint32_t cr0 = uint32_t(v3::cr0::CMDQEN.mask() | v3::cr0::EVENTQEN.mask());
    const uint32_t irqen = uint32_t(v3::irq_ctrl::EVENTQ_IRQEN.mask() | v3::irq_ctrl::GERROR_IRQEN.mask());
    Rig rig({"smmu.timing.ack_cycles=100"}, [&](Bench& tb) {
        CHECK(tb.rd32(reg::CR0ACK) == 0);
        tb.wr32(reg::CR0, cr0);
        const sc_time t_w = tb.t_last;
        CHECK(tb.rd32(reg::CR0) == cr0);       // CR0 reads back at once
        CHECK(tb.rd32(reg::CR0ACK) == 0);      // immediately after: old value
        tb.wait_ns(99 - (sc_core::sc_time_stamp() - t_w).to_seconds() * 1e9);
        CHECK(tb.rd32(reg::CR0ACK) == 0);      // t_w + 99 ns: still old
        tb.wait_ns(2);
        CHECK(tb.rd32(reg::CR0ACK) == cr0);    // past t_w + 100 ns: new

        tb.wr32(reg::IRQ_CTRL, irqen);
        const sc_time t_i = tb.t_last;
        CHECK(tb.rd32(reg::IRQ_CTRL) == irqen);
        CHECK(tb.rd32(reg::IRQ_CTRLACK) == 0);
        tb.wait_ns(99 - (sc_core::sc_time_stamp() - t_i).to_seconds() * 1e9);
        CHECK(tb.rd32(reg::IRQ_CTRLACK) == 0);
        tb.wait_ns(2);
        CHECK(tb.rd32(reg::IRQ_CTRLACK) == irqen);

        // Disabling follows the same rule.
        tb.wr32(reg::CR0, 0);
        CHECK(tb.rd32(reg::CR0ACK) == cr0);
        tb.wait_ns(101);
        CHECK(tb.rd32(reg::CR0ACK) == 0);
    });
    rig.run();
}

TEST_CASE("registers: GBPA Update handshake governs traffic while SMMUEN=0", "[scenario][registers]") {
    uint8_t landed[64] = {};
    Rig rig({}, [&](Bench& tb) {
        const uint32_t abort = uint32_t(v3::gbpa::ABORT.mask()), update = uint32_t(v3::gbpa::UPDATE.mask());
        tb.wr32(reg::GBPA, abort | update);
        uint32_t g = tb.rd32(reg::GBPA);
        CHECK((g & update) == 0);              // the SMMU completed the update
        CHECK((g & abort) == abort);
        CHECK(tb.dev_access(kData, true, 1) != tlm::TLM_OK_RESPONSE);   // aborted

        tb.wr32(reg::GBPA, 0);                 // no Update: ignored
        CHECK((tb.rd32(reg::GBPA) & abort) == abort);
        CHECK(tb.dev_access(kData, true, 1) != tlm::TLM_OK_RESPONSE);

        tb.wr32(reg::GBPA, update);            // ABORT = 0, with Update
        g = tb.rd32(reg::GBPA);
        CHECK(g == 0);
        CHECK(tb.dev_access(kData, true, 1) == tlm::TLM_OK_RESPONSE);   // bypass: PA == VA
    });
    rig.run();
    rig.dram().store().read(kData, landed, 64);
    for (uint8_t b : landed) CHECK(b == 0xa5);
    CHECK(rig.smmu().counters().aborted == 2);
    CHECK(rig.smmu().counters().bypassed == 1);
}

TEST_CASE("registers: command queue PROD/CONS wrap on a 4-entry queue", "[scenario][registers][cmdq]") {
    // LOG2SIZE 2: pointers are index[1:0] + wrap bit 2. 10 CMD_SYNCs in batches of 3, 4, 3:
    // after 3: 3 (idx 3 wrap 0); after 7: 7 (idx 3 wrap 1; the batch of 4 filled the queue:
    // PROD idx == CONS idx with wraps different = full, not empty); after 10: 10 & 7 = 2
    // (idx 2 wrap 0).
    std::vector<uint32_t> cons_after;
    Rig rig({}, [&](Bench& tb) {
        enable_cmdq(tb, 2);
        const v3::QueuePtr q(2);
        uint32_t prod = 0;
        for (unsigned batch : {3u, 4u, 3u}) {
            for (unsigned i = 0; i < batch; ++i) tb.put_sync(kCmdq, 2, q.advance(prod, i));
            prod = q.advance(prod, batch);
            tb.wr32(reg::CMDQ_PROD, prod);
            CHECK(tb.poll32(reg::CMDQ_CONS, q.ptr_mask(), prod));
            cons_after.push_back(tb.rd32(reg::CMDQ_CONS));
        }
    });
    rig.run();
    REQUIRE(cons_after.size() == 3);
    const v3::QueuePtr q(2);
    CHECK(cons_after[0] == 3);
    CHECK(q.index(cons_after[1]) == 3);
    CHECK(q.wrap(cons_after[1]));
    CHECK(cons_after[1] == 7);
    CHECK(cons_after[2] == 2);
    CHECK(q.index(cons_after[2]) == 2);
    CHECK_FALSE(q.wrap(cons_after[2]));
    const json st = rig.stats();
    CHECK(st.at("commands").at("CMD_SYNC") == 10);
    CHECK(st.at("cmdq_errors") == 0);
}

TEST_CASE("registers: an illegal command stops the queue until GERRORN acknowledges CMDQ_ERR",
          "[scenario][registers][cmdq]") {
    // Queue [SYNC, 0x7f (unknown opcode), SYNC], PROD = 3: the SMMU consumes entry 0, stops
    // at entry 1 with CONS.ERR = CERROR_ILL and GERROR.CMDQ_ERR active (GERROR != GERRORN),
    // A 4th command (PROD = 4) is not consumed either.
    // Software replaces entry 1 with a SYNC and writes GERRORN = GERROR: the queue drains
    // (CONS = 4: index 0, wrap 1) and 4 SYNCs have executed.
    uint32_t cons_stopped = 0, cons_still = 0, active_err = 0, cons_final = 0, active_after = 0;
    std::unique_ptr<Rig> rig;
    rig = std::make_unique<Rig>(std::vector<std::string>{}, [&](Bench& tb) {
        enable_cmdq(tb, 2);
        const v3::QueuePtr q(2);
        const uint64_t illegal[2] = {0x7f, 0};
        tb.put_sync(kCmdq, 2, 0);
        tb.put_cmd(kCmdq, 2, 1, illegal);
        tb.put_sync(kCmdq, 2, 2);
        tb.wr32(reg::CMDQ_PROD, 3);
        tb.wait_ns(2000);
        cons_stopped = tb.rd32(reg::CMDQ_CONS);
        active_err = tb.rd32(reg::GERROR) ^ tb.rd32(reg::GERRORN);

        tb.put_sync(kCmdq, 2, 3);
        tb.wr32(reg::CMDQ_PROD, 4);
        tb.wait_ns(2000);
        cons_still = tb.rd32(reg::CMDQ_CONS);

        tb.put_sync(kCmdq, 2, 1);                       // fix the bad entry, then acknowledge
        tb.wr32(reg::GERRORN, tb.rd32(reg::GERROR));
        CHECK(tb.poll32(reg::CMDQ_CONS, q.ptr_mask(), 4));
        cons_final = tb.rd32(reg::CMDQ_CONS);
        active_after = tb.rd32(reg::GERROR) ^ tb.rd32(reg::GERRORN);
    });
    rig->run();
    const v3::QueuePtr q(2);
    CHECK(q.ptr(cons_stopped) == 1);                    // stays at the bad command
    CHECK(err_of(cons_stopped) == v3::CERROR_ILL);
    CHECK((active_err & v3::gerror::CMDQ_ERR) != 0);
    CHECK(q.ptr(cons_still) == 1);                      // later commands not consumed
    CHECK(err_of(cons_still) == v3::CERROR_ILL);
    CHECK(q.ptr(cons_final) == 4);                      // index 0, wrap 1
    CHECK((active_after & v3::gerror::CMDQ_ERR) == 0);
    const json st = rig->stats();
    CHECK(st.at("cmdq_errors") == 1);
    CHECK(st.at("commands").at("CMD_SYNC") == 4);
}

TEST_CASE("registers: event queue overflow toggles EVTQ_PROD.OVFLG once and CONS.OVACKFLG acknowledges",
          "[scenario][registers][evtq]") {
    // 2-entry event queue (LOG2SIZE 1: index bit 0, wrap bit 1). Stream table all zero:
    // every transaction from SID 1 is C_BAD_STE (recorded, aborted). Interrupts off.
    //  ev1 -> PROD 1; ev2 -> PROD 2 (full); ev3 lost, OVFLG toggles -> 0x80000002;
    //  ev4, ev5 lost, no further toggle.                 => lost 3
    //  SW: CONS = 2 | OVACKFLG (consumed both, acknowledged).
    //  ev6 -> PROD 0x80000003; ev7 -> PROD 0x80000000 (idx 0 wrap 0, full again);
    //  ev8 lost, overflow was acknowledged so OVFLG toggles back -> 0x00000000.
    //                                                     => lost 4, 8 events
    std::vector<uint32_t> prod;
    v3::EventRecord rec[2];
    std::unique_ptr<Rig> rig;
    rig = std::make_unique<Rig>(std::vector<std::string>{}, [&](Bench& tb) {
        tb.wr64(reg::STRTAB_BASE, kStrtab);
        tb.wr32(reg::STRTAB_BASE_CFG, uint32_t(v3::strtab_base_cfg::LOG2SIZE.make(4)));
        tb.wr64(reg::EVTQ_BASE, (kEvtq & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(1));
        tb.wr32(reg::EVTQ_PROD, 0);
        tb.wr32(reg::EVTQ_CONS, 0);
        tb.set_cr0(uint32_t(v3::cr0::EVENTQEN.mask() | v3::cr0::SMMUEN.mask()));
        for (int i = 0; i < 5; ++i) CHECK(tb.dev_access(kData + 4096 * i, false, 1) != tlm::TLM_OK_RESPONSE);
        prod.push_back(tb.rd32(reg::EVTQ_PROD));
        for (int i = 0; i < 2; ++i) {
            uint64_t w[4];
            tb.mem_read(kEvtq + 32 * i, w, 32);
            rec[i] = v3::decode_event(w);
        }
        tb.wr32(reg::EVTQ_CONS, 2 | v3::q_ptr::OVACKFLG);
        prod.push_back(tb.rd32(reg::EVTQ_PROD));   // unchanged by the acknowledgement
        CHECK(tb.dev_access(kData, false, 1) != tlm::TLM_OK_RESPONSE);
        prod.push_back(tb.rd32(reg::EVTQ_PROD));
        CHECK(tb.dev_access(kData, false, 1) != tlm::TLM_OK_RESPONSE);
        prod.push_back(tb.rd32(reg::EVTQ_PROD));
        CHECK(tb.dev_access(kData, false, 1) != tlm::TLM_OK_RESPONSE);
        prod.push_back(tb.rd32(reg::EVTQ_PROD));
    });
    rig->run();
    REQUIRE(prod.size() == 5);
    CHECK(prod[0] == 0x80000002u);
    CHECK(prod[1] == 0x80000002u);
    CHECK(prod[2] == 0x80000003u);
    CHECK(prod[3] == 0x80000000u);
    CHECK(prod[4] == 0x00000000u);
    for (const auto& r : rec) {
        CHECK(r.id == smmu::EventId::C_BAD_STE);
        CHECK(r.sid == 1);
    }
    CHECK(rec[0].raw[0] != 0);
    const auto& c = rig->smmu().counters();
    CHECK(c.events == 8);
    CHECK(c.events_lost == 4);
    CHECK(c.aborted == 8);
}

// Wired interrupt outputs. KNOWN BUG: SmmuV3's evtq_irq / gerror_irq / sev are plain
// sc_signal<bool> (SC_ONE_WRITER) written by pulse() from whichever process records the
// event or runs the command (a device thread, cmdq_thread, ...) and lowered by the
// lower_lines method, so the first pulse ends the simulation with E115 "sc_signal<T>
// cannot have more than one driver".

TEST_CASE("registers: CMDQ_ERR pulses the wired GERROR interrupt once", "[scenario][registers][irq]") {
    // GERROR_IRQEN on, no MSI address: the illegal command raises one edge on gerror_irq.
    uint64_t gerror_edges = 0;
    uint32_t active = 0;
    Rig rig({}, [&](Bench& tb) {
        tb.set_irq_ctrl(uint32_t(v3::irq_ctrl::GERROR_IRQEN.mask()));
        enable_cmdq(tb, 2);
        const uint64_t illegal[2] = {0x7f, 0};
        tb.put_cmd(kCmdq, 2, 0, illegal);
        tb.wr32(reg::CMDQ_PROD, 1);
        tb.wait_ns(2000);
        active = tb.rd32(reg::GERROR) ^ tb.rd32(reg::GERRORN);
    });
    test::count_posedges(rig.smmu().gerror_irq, gerror_edges);
    rig.run();
    CHECK((active & v3::gerror::CMDQ_ERR) != 0);
    CHECK(gerror_edges == 1);
}

TEST_CASE("registers: event records and the overflow pulse the wired EVTQ interrupt",
          "[scenario][registers][irq]") {
    // 2-entry queue, EVENTQ_IRQEN on, no MSI address. 5 C_BAD_STE records: 2 written (an
    // edge each), the 3rd overflows (one edge as OVFLG toggles), the 4th and 5th are lost
    // while the overflow is unacknowledged (no edge) => 3 edges.
    uint64_t evtq_edges = 0;
    Rig rig({}, [&](Bench& tb) {
        tb.wr64(reg::STRTAB_BASE, kStrtab);
        tb.wr32(reg::STRTAB_BASE_CFG, uint32_t(v3::strtab_base_cfg::LOG2SIZE.make(4)));
        tb.wr64(reg::EVTQ_BASE, (kEvtq & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(1));
        tb.wr32(reg::EVTQ_PROD, 0);
        tb.wr32(reg::EVTQ_CONS, 0);
        tb.set_irq_ctrl(uint32_t(v3::irq_ctrl::EVENTQ_IRQEN.mask()));
        tb.set_cr0(uint32_t(v3::cr0::EVENTQEN.mask() | v3::cr0::SMMUEN.mask()));
        for (int i = 0; i < 5; ++i) tb.dev_access(kData, false, 1);
    });
    test::count_posedges(rig.smmu().evtq_irq, evtq_edges);
    rig.run();
    CHECK(rig.smmu().counters().events == 5);
    CHECK(evtq_edges == 3);
}

TEST_CASE("registers: C_BAD_STREAMID is recorded only when CR2.RECINVSID is set",
          "[scenario][registers][evtq]") {
    // Spec 7.3.3: C_BAD_STREAMID is "recorded when SMMU_CR2.RECINVSID == 1" and the StreamID
    // is out of range. Stream table LOG2SIZE 2 (SIDs 0..3); SID 9 is out of range and always
    // aborted. With CR2 = 0: no record (PROD stays 0); with RECINVSID = 1: one record.
    uint32_t prod_off = 0, prod_on = 0;
    tlm::tlm_response_status r_off = tlm::TLM_OK_RESPONSE, r_on = tlm::TLM_OK_RESPONSE;
    v3::EventRecord rec;
    Rig rig({}, [&](Bench& tb) {
        tb.wr64(reg::STRTAB_BASE, kStrtab);
        tb.wr32(reg::STRTAB_BASE_CFG, uint32_t(v3::strtab_base_cfg::LOG2SIZE.make(2)));
        tb.wr64(reg::EVTQ_BASE, (kEvtq & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(2));
        tb.wr32(reg::EVTQ_PROD, 0);
        tb.wr32(reg::EVTQ_CONS, 0);
        tb.set_cr0(uint32_t(v3::cr0::EVENTQEN.mask() | v3::cr0::SMMUEN.mask()));
        r_off = tb.dev_access(kData, false, 9);
        prod_off = tb.rd32(reg::EVTQ_PROD);
        tb.wr32(reg::CR2, uint32_t(v3::cr2::RECINVSID.mask()));
        r_on = tb.dev_access(kData, false, 9);
        prod_on = tb.rd32(reg::EVTQ_PROD);
        uint64_t w[4];
        tb.mem_read(kEvtq + 32 * v3::QueuePtr(2).index(prod_off), w, 32);
        rec = v3::decode_event(w);
    });
    rig.run();
    CHECK(r_off != tlm::TLM_OK_RESPONSE);
    CHECK(r_on != tlm::TLM_OK_RESPONSE);
    CHECK(prod_off == 0);
    CHECK(v3::QueuePtr(2).used(prod_on, prod_off) == 1);
    CHECK(rec.id == smmu::EventId::C_BAD_STREAMID);
    CHECK(rec.sid == 9);
}

TEST_CASE("registers: reserved offsets read as zero and ignore writes", "[scenario][registers]") {
    // Page 0 holes (0x30, 0x100, 0xff0), page 1 base (0x10000), a 64-bit access at the end.
    std::vector<uint64_t> got;
    std::vector<tlm::tlm_response_status> status;
    Rig rig({}, [&](Bench& tb) {
        tb.wr32(0x0030, 0xdeadbeef);
        status.push_back(tb.last);
        for (uint32_t off : {0x0030u, 0x0100u, 0x0ff0u, 0x10000u}) {
            got.push_back(tb.rd32(off));
            status.push_back(tb.last);
        }
        got.push_back(tb.rd64(0x1fff8));
        status.push_back(tb.last);
        // A real register next to a hole still works.
        tb.wr32(reg::CR2, 0x2);
        got.push_back(tb.rd32(reg::CR2));
    });
    rig.run();
    REQUIRE(got.size() == 6);
    for (size_t i = 0; i < 5; ++i) CHECK(got[i] == 0);
    CHECK(got[5] == 0x2);
    for (auto s : status) CHECK(s == tlm::TLM_OK_RESPONSE);
    CHECK(rig.smmu().counters().mmio_unknown == 6);   // 1 write + 5 reads of holes
}

// ---------------------------------------------------------------------------------------
// Through the full host driver

TEST_CASE("registers: the driver's GERROR handler skips an illegal command and SYNC completes",
          "[scenario][registers][cmdq][driver]") {
    // submit_raw([opcode 0x7f], sync): the SMMU stops at it (CMDQ_ERR); the driver's GERROR
    // handler overwrites it with a CMD_SYNC and acknowledges; the queue drains, the driver's
    // own SYNC completes. A following plain CMD_SYNC completes too. A wait that timed out
    // would take poll_limit (1000) x 100 ns = 100 us, so each must return well before.
    using namespace iopf::test;
    TempDir tmp;
    Scenario s(base_platform(R"({
      "dma0": { "type": "dma_engine", "smmu": "smmu", "sid": 1, "jobs": {
          "r": { "op": "read", "base": "0x10000000", "length": "4KiB", "burst": 4096 } } },
      "host": { "streams": { "dma0": { "contexts": { "main": { "asid": 1, "mappings": {
          "buf": { "va": "0x10000000", "pa": "0x90000000", "size": "4KiB" } } } } } } }
    })"), {"host.smmu_driver.poll_limit=1000"});
    s.queue_log(tmp.file("q.txt"));
    bool returned1 = false, returned2 = false;
    uint64_t t0 = 0, t1 = 0, t2 = 0;
    uint32_t cons = 0, prodreg = 0, gerror_active = 0;
    Platform& p = s.platform();
    s.spawn([&] {
        SmmuV3Driver& drv = p.host().nth_driver<SmmuV3Driver>(0);
        if (!drv.ready()) sc_core::wait(drv.ready_event());
        OnCore core(p.host().cpu);
        t0 = now_ps();
        drv.submit_raw({{0x7full, 0ull}}, true);
        returned1 = true;
        t1 = now_ps();
        drv.submit({}, true);
        returned2 = true;
        t2 = now_ps();
        const uint64_t base = p.smmu("smmu").mmio_base();
        cons = p.host().bus.read32(base + reg::CMDQ_CONS);
        prodreg = p.host().bus.read32(base + reg::CMDQ_PROD);
        gerror_active = p.host().bus.read32(base + reg::GERROR) ^ p.host().bus.read32(base + reg::GERRORN);
    });
    const auto& st = s.run();
    s.ctx().queue_log = QueueLog();
    REQUIRE(returned1);
    REQUIRE(returned2);
    CHECK(p.host().nth_driver<SmmuV3Driver>(0).cmdq_errors_handled() == 1);
    CHECK(p.smmu("smmu").counters().cmdq_errors == 1);
    CHECK(t1 - t0 < 50'000'000ull);   // < 50 us
    CHECK(t2 - t1 < 50'000'000ull);
    CHECK(v3::q_ptr::RD.get(cons) == v3::q_ptr::WR.get(prodreg));   // everything consumed
    CHECK((gerror_active & v3::gerror::CMDQ_ERR) == 0);
    const std::string q = read_text(tmp.file("q.txt"));
    CHECK(q.find("ILLEGAL") != std::string::npos);
    CHECK(st.at("host").at("smmu_drivers").begin().value().at("cmdq_errors_handled") == 1);
}
