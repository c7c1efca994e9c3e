// CMD_RESUME (RETRY / ABORT / TERM), unknown STAG and CMD_STALL_TERM at the register level:
// the test thread is the driver (it writes the stream table, CD, page tables and commands
// itself) and a spawned device thread issues the transaction that stalls.
#include <catch2/catch.hpp>

#include "models/smmu/v3/format/cd.h"
#include "models/smmu/v3/format/ste.h"
#include "models/smmu/vmsa.h"
#include "tests/scenario/smmu_bench.h"

using namespace iopf;
using namespace iopf::test::bench;

namespace {

constexpr uint32_t kSid = 1;
constexpr uint64_t kCd = 0x80040000;
constexpr uint64_t kL0 = 0x80050000, kL1 = 0x80051000, kL2 = 0x80052000, kL3 = 0x80053000;
constexpr uint64_t kVa = 0x10000000;           // L0[0] L1[0] L2[128] L3[0]
constexpr uint64_t kPage = 0x90000000;         // the page a RETRY finds once it is mapped
constexpr unsigned kCmdqLog2 = 3, kEvtqLog2 = 3;

void write64(Bench& tb, uint64_t pa, uint64_t v) { tb.mem_write(pa, &v, 8); }

// STE (SID 1, stage 1, stall allowed) -> CD (S=1, R=1, A=1) -> tables with L3[0] invalid;
// command and event queues; SMMU enabled.
void setup(Bench& tb) {
    v3::Ste ste;
    ste.v = true;
    ste.config = v3::ste_config::S1_TRANS;
    ste.s1_context_ptr = kCd;
    uint64_t w[8];
    v3::encode_ste(ste, w);
    tb.mem_write(kStrtab + kSid * 64, w, 64);
    v3::Cd cd;
    cd.v = true;
    cd.t0sz = 16;
    cd.tg0 = v3::tg0_from_granule_shift(12);
    cd.epd1 = true;
    cd.t1sz = 16;
    cd.tg1 = v3::tg1_from_granule_shift(12);
    cd.ips = 5;   // 48 bits
    cd.aa64 = true;
    cd.asid = 1;
    cd.ttb0 = kL0;
    cd.r = cd.a = cd.s = true;
    v3::encode_cd(cd, w);
    tb.mem_write(kCd, w, 64);
    write64(tb, kL0, smmu::make_table_desc(kL1));
    write64(tb, kL1, smmu::make_table_desc(kL2));
    write64(tb, kL2 + 128 * 8, smmu::make_table_desc(kL3));
    const uint8_t pattern[64] = {0x11, 0x22, 0x33, 0x44};
    tb.mem_write(kPage, pattern, sizeof pattern);

    tb.wr64(reg::STRTAB_BASE, kStrtab & v3::strtab_base::ADDR.mask());
    tb.wr32(reg::STRTAB_BASE_CFG, uint32_t(v3::strtab_base_cfg::LOG2SIZE.make(4)));
    tb.wr64(reg::CMDQ_BASE, (kCmdq & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(kCmdqLog2));
    tb.wr64(reg::EVTQ_BASE, (kEvtq & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(kEvtqLog2));
    tb.set_cr0(uint32_t(v3::cr0::CMDQEN.mask() | v3::cr0::EVENTQEN.mask() | v3::cr0::SMMUEN.mask()));
}

// Waits for the stall record, checks it and returns it.
v3::EventRecord wait_stall(Bench& tb, Rig& rig) {
    while (rig.smmu().stalled_count() == 0) tb.wait_ns(50);
    CHECK(tb.poll32(reg::EVTQ_PROD, 0xff, 1));
    uint64_t w[4];
    tb.mem_read(kEvtq, w, 32);
    return v3::decode_event(w);
}

// Queues one command followed by a CMD_SYNC and waits for CONS to pass both.
uint32_t g_prod = 0;
void issue(Bench& tb, const v3::Command& c) {
    const v3::QueuePtr q(kCmdqLog2);
    uint64_t w[2];
    v3::encode_command(c, w);
    tb.put_cmd(kCmdq, kCmdqLog2, g_prod, w);
    g_prod = q.inc(g_prod);
    tb.put_sync(kCmdq, kCmdqLog2, g_prod);
    g_prod = q.inc(g_prod);
    tb.wr32(reg::CMDQ_PROD, g_prod);
    CHECK(tb.poll32(reg::CMDQ_CONS, q.ptr_mask(), g_prod));
}

struct DeviceRead {
    tlm::tlm_response_status status = tlm::TLM_INCOMPLETE_RESPONSE;
    uint8_t data[64] = {0xee, 0xee, 0xee, 0xee};
    bool done = false;
};

// A read of kVa from a device thread (it stalls in the SMMU until resumed).
void spawn_read(Bench& tb, DeviceRead& r) {
    sc_core::sc_spawn([&tb, &r] {
        tlm::tlm_generic_payload gp;
        IopfExt ext;
        ext.sid = kSid;
        ext.device = "dev";
        ext.t_issue_ps = now_ps();
        gp.set_extension(&ext);
        gp.set_command(tlm::TLM_READ_COMMAND);
        gp.set_address(kVa);
        gp.set_data_ptr(r.data);
        gp.set_data_length(64);
        gp.set_streaming_width(64);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = sc_core::SC_ZERO_TIME;
        tb.dev->b_transport(gp, d);
        sc_core::wait(d);
        gp.clear_extension(&ext);
        r.status = gp.get_response_status();
        r.done = true;
    });
}

}  // namespace

TEST_CASE("resume: the stall record carries Stall, STAG, SID, RnW and the input address", "[scenario][resume]") {
    v3::EventRecord ev;
    DeviceRead r;
    Rig* rig_ptr = nullptr;
    Rig rig({}, [&](Bench& tb) {
        setup(tb);
        spawn_read(tb, r);
        ev = wait_stall(tb, *rig_ptr);
        issue(tb, v3::cmd_resume(kSid, ev.stag, v3::ResumeResp::ABORT));
    });
    rig_ptr = &rig;
    rig.run();
    CHECK(ev.id == smmu::EventId::F_TRANSLATION);
    CHECK(ev.stall);
    CHECK(ev.stag == 0);   // the first stall-table entry
    CHECK(ev.sid == kSid);
    CHECK(ev.rnw);
    CHECK(ev.input_addr == kVa);
    CHECK(ev.event_class == v3::EventClass::IN);
}

TEST_CASE("resume: RETRY re-translates as if newly arrived and completes with the data", "[scenario][resume]") {
    DeviceRead r;
    Rig* rig_ptr = nullptr;
    uint64_t stalled_while_waiting = 0;
    Rig rig({}, [&](Bench& tb) {
        setup(tb);
        spawn_read(tb, r);
        const v3::EventRecord ev = wait_stall(tb, *rig_ptr);
        tb.wait_ns(2000);                       // software takes its time: the read stays stalled
        stalled_while_waiting = rig_ptr->smmu().stalled_count();
        write64(tb, kL3, smmu::make_page_desc(kPage, smmu::leaf_attrs_for(true, true, false)));
        issue(tb, v3::cmd_resume(kSid, ev.stag, v3::ResumeResp::RETRY));
    });
    rig_ptr = &rig;
    rig.run();
    CHECK(stalled_while_waiting == 1);
    REQUIRE(r.done);
    CHECK(r.status == tlm::TLM_OK_RESPONSE);
    CHECK(r.data[0] == 0x11);
    CHECK(r.data[3] == 0x44);
    const json s = rig.stats();
    CHECK(s.at("stalls") == 1);
    CHECK(s.at("resumes") == 1);
    CHECK(s.at("walks") == 2);   // the faulting walk and the retried one
    CHECK(rig.smmu().stalled_count() == 0);
}

TEST_CASE("resume: ABORT completes the transaction with an error", "[scenario][resume]") {
    DeviceRead r;
    Rig* rig_ptr = nullptr;
    Rig rig({}, [&](Bench& tb) {
        setup(tb);
        spawn_read(tb, r);
        const v3::EventRecord ev = wait_stall(tb, *rig_ptr);
        issue(tb, v3::cmd_resume(kSid, ev.stag, v3::ResumeResp::ABORT));
    });
    rig_ptr = &rig;
    rig.run();
    REQUIRE(r.done);
    CHECK(r.status == tlm::TLM_GENERIC_ERROR_RESPONSE);
    CHECK(rig.stats().at("aborted") == 1);
}

TEST_CASE("resume: TERM completes a read as zero with an OK response", "[scenario][resume]") {
    DeviceRead r;
    Rig* rig_ptr = nullptr;
    Rig rig({}, [&](Bench& tb) {
        setup(tb);
        spawn_read(tb, r);
        const v3::EventRecord ev = wait_stall(tb, *rig_ptr);
        issue(tb, v3::cmd_resume(kSid, ev.stag, v3::ResumeResp::TERM));
    });
    rig_ptr = &rig;
    rig.run();
    REQUIRE(r.done);
    CHECK(r.status == tlm::TLM_OK_RESPONSE);
    CHECK(r.data[0] == 0);
    CHECK(r.data[3] == 0);
    CHECK(rig.stats().at("raz_wi") == 1);
}

TEST_CASE("resume: an unknown STAG is a no-op, CMD_STALL_TERM then aborts the stream's stall", "[scenario][resume]") {
    DeviceRead r;
    Rig* rig_ptr = nullptr;
    uint64_t stalled_after_bad_resume = 0;
    bool done_after_bad_resume = true;
    Rig rig({}, [&](Bench& tb) {
        setup(tb);
        spawn_read(tb, r);
        const v3::EventRecord ev = wait_stall(tb, *rig_ptr);
        issue(tb, v3::cmd_resume(kSid, uint16_t(ev.stag + 5), v3::ResumeResp::RETRY));   // matches nothing
        issue(tb, v3::cmd_resume(kSid + 1, ev.stag, v3::ResumeResp::RETRY));              // wrong StreamID
        tb.wait_ns(500);
        stalled_after_bad_resume = rig_ptr->smmu().stalled_count();
        done_after_bad_resume = r.done;
        issue(tb, v3::cmd_stall_term(kSid));
    });
    rig_ptr = &rig;
    rig.run();
    CHECK(stalled_after_bad_resume == 1);
    CHECK_FALSE(done_after_bad_resume);
    REQUIRE(r.done);
    CHECK(r.status == tlm::TLM_GENERIC_ERROR_RESPONSE);
    const json s = rig.stats();
    CHECK(s.at("resume_unknown_stag") == 2);
    CHECK(s.at("stall_terms") == 1);
    CHECK(rig.smmu().stalled_count() == 0);
}

TEST_CASE("resume: clearing SMMUEN terminates a stalled transaction", "[scenario][resume]") {
    DeviceRead r;
    Rig* rig_ptr = nullptr;
    Rig rig({}, [&](Bench& tb) {
        setup(tb);
        spawn_read(tb, r);
        wait_stall(tb, *rig_ptr);
        tb.set_cr0(uint32_t(v3::cr0::CMDQEN.mask() | v3::cr0::EVENTQEN.mask()));
    });
    rig_ptr = &rig;
    rig.run();
    REQUIRE(r.done);
    CHECK(r.status == tlm::TLM_GENERIC_ERROR_RESPONSE);
    CHECK(rig.smmu().stalled_count() == 0);
}
