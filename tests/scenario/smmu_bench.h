// Register-level SMMUv3 testbench (no host driver): SmmuV3 + DRAM + interconnect wired as
// platforms/platform.cpp wires them, and a Bench module whose thread plays software (MMIO,
// queue and table writes) and device (transactions into the SMMU's upstream port). Shared by
// the register and stall/resume tests. One elaboration per TEST_CASE.
#pragma once
#include <catch2/catch.hpp>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/context.h"
#include "models/common/payload.h"
#include "models/host/host.h"
#include "models/memory/memory.h"
#include "models/memory/router.h"
#include "models/smmu/v3/format/command.h"
#include "models/smmu/v3/format/event.h"
#include "models/smmu/v3/format/queue.h"
#include "models/smmu/v3/format/regs.h"
#include "models/smmu/v3/smmu_v3.h"

namespace iopf::test::bench {

using nlohmann::json;
namespace v3 = iopf::smmu::v3;
namespace reg = iopf::smmu::v3::reg;
using sc_core::sc_time;
using sc_core::SC_NS;

constexpr uint64_t kMmio = 0x09000000;
constexpr uint64_t kStrtab = 0x80010000;   // DRAM, reads as zero until written
constexpr uint64_t kCmdq = 0x80020000;
constexpr uint64_t kEvtq = 0x80030000;
constexpr uint64_t kData = 0x90000000;

// The test initiator: `cpu` reaches MMIO and DRAM through the interconnect, `dev` issues
// device transactions into the SMMU's upstream (TBU) port.
class Bench : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<Bench> cpu{"cpu"};
    tlm_utils::simple_initiator_socket<Bench> dev{"dev"};
    bool done = false;
    tlm::tlm_response_status last = tlm::TLM_INCOMPLETE_RESPONSE;

    Bench(sc_core::sc_module_name n, std::function<void(Bench&)> body) : sc_module(n), body_(std::move(body)) {
        SC_HAS_PROCESS(Bench);
        SC_THREAD(main);
    }

    // ---- MMIO (register offsets from the SMMU base)
    uint32_t rd32(uint32_t off) { uint32_t v = 0; access(tlm::TLM_READ_COMMAND, kMmio + off, &v, 4); return v; }
    uint64_t rd64(uint32_t off) { uint64_t v = 0; access(tlm::TLM_READ_COMMAND, kMmio + off, &v, 8); return v; }
    void wr32(uint32_t off, uint32_t v) { access(tlm::TLM_WRITE_COMMAND, kMmio + off, &v, 4); }
    void wr64(uint32_t off, uint64_t v) { access(tlm::TLM_WRITE_COMMAND, kMmio + off, &v, 8); }
    // Time the last access was performed at (LT: the target acts when it is called).
    sc_time t_last;

    // ---- memory
    void mem_write(uint64_t pa, const void* src, unsigned len) {
        access(tlm::TLM_WRITE_COMMAND, pa, const_cast<void*>(src), len);
    }
    void mem_read(uint64_t pa, void* dst, unsigned len) { access(tlm::TLM_READ_COMMAND, pa, dst, len); }
    void put_cmd(uint64_t qbase, unsigned log2size, uint32_t ptr, const uint64_t w[2]) {
        mem_write(qbase + v3::QueuePtr(log2size).offset(ptr, 16), w, 16);
    }
    void put_sync(uint64_t qbase, unsigned log2size, uint32_t ptr) {
        uint64_t w[2];
        v3::encode_command(v3::cmd_sync(v3::SyncCs::SIG_NONE), w);
        put_cmd(qbase, log2size, ptr, w);
    }

    // ---- a device transaction with StreamID `sid`
    tlm::tlm_response_status dev_access(uint64_t addr, bool write, uint32_t sid, unsigned len = 64) {
        tlm::tlm_generic_payload gp;
        IopfExt ext;
        ext.sid = sid;
        ext.device = "tb";
        ext.t_issue_ps = now_ps();
        std::vector<uint8_t> data(len, 0xa5);
        gp.set_extension(&ext);
        gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(addr);
        gp.set_data_ptr(data.data());
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = sc_core::SC_ZERO_TIME;
        dev->b_transport(gp, d);
        wait(d);
        gp.clear_extension(&ext);
        return gp.get_response_status();
    }

    void wait_ns(double ns) { wait(sc_time(ns, SC_NS)); }
    // Polls a 32-bit register every 10 ns until (v & mask) == value; false after `limit` polls.
    bool poll32(uint32_t off, uint32_t mask, uint32_t value, unsigned limit = 10000) {
        for (unsigned i = 0; i < limit; ++i) {
            if ((rd32(off) & mask) == value) return true;
            wait_ns(10);
        }
        return false;
    }
    void set_cr0(uint32_t v) {
        wr32(reg::CR0, v);
        CHECK(poll32(reg::CR0ACK, 0xffffffffu, v));
    }
    void set_irq_ctrl(uint32_t v) {
        wr32(reg::IRQ_CTRL, v);
        CHECK(poll32(reg::IRQ_CTRLACK, 0xffffffffu, v));
    }

private:
    void main() {
        body_(*this);
        done = true;
    }
    void access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
        tlm::tlm_generic_payload gp;
        gp.set_command(cmd);
        gp.set_address(addr);
        gp.set_data_ptr(static_cast<unsigned char*>(data));
        gp.set_data_length(len);
        gp.set_streaming_width(len);
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        sc_time d = sc_core::SC_ZERO_TIME;
        t_last = sc_core::sc_time_stamp();
        cpu->b_transport(gp, d);
        wait(d);
        last = gp.get_response_status();
        CHECK(last == tlm::TLM_OK_RESPONSE);
    }

    std::function<void(Bench&)> body_;
};

// SmmuV3 + DRAM + interconnect + Bench, wired like platforms/platform.cpp.
class Rig {
public:
    Rig(const std::vector<std::string>& overrides, std::function<void(Bench&)> body) {
        sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
        sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
        params_ = std::make_unique<Params>(json::parse(R"({
          "bus":  { "latency": "2ns" },
          "dram": { "base": "0x80000000", "size": "2GiB", "latency": "80ns", "bandwidth": 16, "channels": 2 },
          "smmu": { "mmio_base": "0x09000000", "clock_mhz": 1000 }
        })"));
        for (const auto& kv : overrides) {
            const auto eq = kv.find('=');
            params_->set_override(kv.substr(0, eq), kv.substr(eq + 1));
        }
        ctx_ = std::make_unique<SimContext>(*params_);
        ctx_->log.set_quiet(true);
        bus_ = std::make_unique<Router>("bus", *ctx_, params_->scope("bus"));
        dram_ = std::make_unique<Memory>("dram", *ctx_, params_->scope("dram"));
        smmu_ = std::make_unique<SmmuV3>("smmu", *ctx_, params_->scope("smmu"));
        tb_ = std::make_unique<Bench>("tb", std::move(body));
        bus_->out.bind(dram_->socket);
        bus_->map(dram_->base(), dram_->size(), "dram");
        bus_->out.bind(smmu_->mmio);
        bus_->map(smmu_->mmio_base(), SmmuV3::kMmioSize, "smmu");
        smmu_->downstream.bind(bus_->in);
        smmu_->walk_port.bind(bus_->in);
        tb_->cpu.bind(bus_->in);
        tb_->dev.bind(smmu_->upstream);
        params_->check_unknown();   // every override names a real parameter
    }

    SmmuV3& smmu() { return *smmu_; }
    Memory& dram() { return *dram_; }
    Bench& tb() { return *tb_; }
    void run() {
        sc_core::sc_start(sc_time(10, sc_core::SC_MS), sc_core::SC_EXIT_ON_STARVATION);
        CHECK(tb_->done);   // the test body ran to its end
    }
    json stats() {
        json j;
        ctx_->stats.collect(j);
        return j.at("smmus").at("smmu");
    }

private:
    std::unique_ptr<Params> params_;
    std::unique_ptr<SimContext> ctx_;
    std::unique_ptr<Router> bus_;
    std::unique_ptr<Memory> dram_;
    std::unique_ptr<SmmuV3> smmu_;
    std::unique_ptr<Bench> tb_;
};

// Command queue of 2^log2 entries at kCmdq, enabled.
inline void enable_cmdq(Bench& tb, unsigned log2) {
    tb.wr64(reg::CMDQ_BASE, v3::q_base::RA.make(1) | (kCmdq & v3::q_base::ADDR.mask()) | v3::q_base::LOG2SIZE.make(log2));
    tb.wr32(reg::CMDQ_PROD, 0);
    tb.wr32(reg::CMDQ_CONS, 0);
    tb.set_cr0(uint32_t(v3::cr0::CMDQEN.mask()));
}

inline uint32_t err_of(uint32_t cons) { return uint32_t(v3::q_ptr::ERR.get(cons)); }

}  // namespace iopf::test::bench
