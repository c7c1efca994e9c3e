// Host CPU timing (docs/models/host.md "CPU scheduling", "Interrupt affinity", "Background
// load"): hard IRQs charged to the thread they preempt, handlers on their IRQ's core,
// background load stretching work by exactly its share, per-core accounting that sums to the
// simulated time, and the fault path's queueing growing with load.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/common/build_info.h"
#include "models/common/payload.h"
#include "models/host/host.h"
#include "tests/scenario/harness.h"

using namespace iopf;
using namespace iopf::test;
using nlohmann::json;

namespace {

constexpr uint64_t kUs = 1'000'000;   // ps
constexpr uint64_t kT0 = 1000 * kUs;  // the test's work starts at 1 ms, after the driver's probe

void wait_until(uint64_t t) {
    if (now_ps() < t) sc_core::wait(sc_core::sc_time::from_value(t - now_ps()));
}

json per_core_sum_check(const json& stats) {
    const double sim = stats["run"]["simulated_ns"].get<double>();
    for (const auto& c : stats["host"]["cpu"]["per_core"]) {
        double sum = 0;
        for (const char* k : {"hardirq_ns", "irq_thread_ns", "kworker_ns", "load_ns", "task_ns", "idle_ns"})
            sum += c[k].get<double>();
        INFO("core " << c["core"]);
        CHECK(sum == Approx(sim).epsilon(1e-12));
    }
    return stats["host"]["cpu"]["per_core"];
}

// sva_stall with a background load entry "bg" (random, 20 us mean gap) at utilization 0,
// written to `dir`; --set host.cpu.load.bg.utilization=U sets the load.
std::string sva_with_load(const TempDir& dir) {
    json p = json::parse(read_text(std::string(iopf::source_dir()) + "/platforms/sva_stall.json"), nullptr, true, true);
    p["host"]["cpu"]["load"] = {{"bg", {{"utilization", 0}, {"pattern", "random"}, {"period", "20us"}}}};
    const std::string f = dir.file("sva_load.json");
    write_text(f, p.dump(2));
    return f;
}

}  // namespace

TEST_CASE("host cpu: a hard IRQ landing on a running thread delays its completion by exactly the IRQ time",
          "[scenario][host][cpu]") {
    Scenario sc(base_platform(R"({"host": {"cpu": {"cores": 1}}})"));
    Host& h = sc.platform().host();
    uint64_t done = 0, handler_at = 0;
    h.irqc.request_threaded_irq(200, "test", [&](uint64_t) { handler_at = now_ps(); });
    sc.spawn([&] {
        wait_until(kT0);
        OnCore core(h.cpu);
        h.cpu.busy(10 * kUs, "test_work");
        done = now_ps();
    });
    sc.spawn([&] {
        wait_until(kT0 + 3 * kUs);
        h.irqc.raise(200);
    }, "raiser");
    const json& s = sc.run();
    CHECK(done == kT0 + 10 * kUs + 800'000);          // hardirq_cost 800 ns, charged to the thread
    // The IRQ thread got the only core when the test thread gave it back: wake-up 2 us later.
    CHECK(handler_at == done + 2 * kUs);
    CHECK(h.irqc.irq_core(200) == 0);
    per_core_sum_check(s);
}

TEST_CASE("host cpu: handlers run on their IRQ's core, a busy core makes the thread wait or migrate",
          "[scenario][host][cpu]") {
    Scenario sc(base_platform(R"({"host": {"cpu": {"cores": 4}, "irq": {"affinity": {"200": 2, "201": 0}, "thread_placement": "wait"}}})"),
                {"host.irq.affinity.201=3"});   // an override of a key the platform has
    Host& h = sc.platform().host();
    std::vector<unsigned> thread_cores, hard_cores;
    h.cpu.add_observer([&](const Cpu::Slice& s) {
        if (s.start_ps < kT0) return;
        if (s.kind == Cpu::Kind::irq_thread) thread_cores.push_back(s.core);
        if (s.kind == Cpu::Kind::hardirq) hard_cores.push_back(s.core);
    });
    uint64_t handled_200 = 0;
    h.irqc.request_threaded_irq(200, "t200", [&](uint64_t) { handled_200 = now_ps(); });
    h.irqc.request_threaded_irq(201, "t201", [&](uint64_t) {});
    sc.spawn([&] {
        // Hold core 2 (bound there) for 20 us from T0 + 1 us.
        h.cpu.set_thread(Cpu::Kind::task, Cpu::kPrioNormal, 2, true);
        wait_until(kT0 + kUs);
        OnCore core(h.cpu);
        CHECK(h.cpu.current_core() == 2);
        h.cpu.busy(20 * kUs, "hog");
    });
    sc.spawn([&] {
        wait_until(kT0);
        for (int i = 0; i < 3; ++i) { h.irqc.raise(201); wait_until(now_ps() + 10 * kUs); }
    }, "raiser");
    sc.spawn([&] {
        wait_until(kT0 + 5 * kUs);
        h.irqc.raise(200);
    }, "raiser_200");
    const json& s = sc.run();
    CHECK(h.irqc.irq_core(200) == 2);
    CHECK(h.irqc.irq_core(201) == 3);
    REQUIRE(!thread_cores.empty());
    for (unsigned c : hard_cores) CHECK((c == 2 || c == 3));
    for (unsigned c : thread_cores) CHECK((c == 2 || c == 3));
    // IRQ 200 at T0+5us: its hard IRQ preempts the hog (hog ends at T0+21us+0.8us); its thread
    // waits for core 2 (placement wait), then wakes up (2 us).
    CHECK(handled_200 == kT0 + 21 * kUs + 800'000 + 2 * kUs);
    CHECK(s["host"]["irqs"]["t200"]["core"] == 2);
    CHECK(s["host"]["irqs"]["t200"]["thread_migrated"] == 0);
    per_core_sum_check(s);
}

TEST_CASE("host cpu: with thread_placement migrate a busy IRQ core sends the thread to a free core",
          "[scenario][host][cpu]") {
    Scenario sc(base_platform(R"({"host": {"cpu": {"cores": 4}, "irq": {"affinity": {"200": 2}, "thread_placement": "migrate"}}})"));
    Host& h = sc.platform().host();
    uint64_t handled = 0;
    int handled_on = -1;
    h.irqc.request_threaded_irq(200, "t200", [&](uint64_t) { handled = now_ps(); handled_on = h.cpu.current_core(); });
    sc.spawn([&] {
        h.cpu.set_thread(Cpu::Kind::task, Cpu::kPrioNormal, 2, true);
        wait_until(kT0);
        OnCore core(h.cpu);
        h.cpu.busy(20 * kUs, "hog");
    });
    sc.spawn([&] { wait_until(kT0 + 5 * kUs); h.irqc.raise(200); }, "raiser");
    const json& s = sc.run();
    CHECK(handled == kT0 + 5 * kUs + 800'000 + 2 * kUs);   // hard IRQ on core 2, thread elsewhere at once
    CHECK(handled_on != 2);
    CHECK(s["host"]["irqs"]["t200"]["thread_migrated"] == 1);
}

TEST_CASE("host cpu: 50% preempting background load on a core doubles a step's time there, exactly",
          "[scenario][host][cpu][load]") {
    // Load: 5 us every 10 us on core 1 from T0 + 1 us (a periodic softirq-like burst).
    Scenario sc(base_platform(R"({"platform": {"duration": "2ms"}, "host": {"cpu": {"cores": 2, "load": {"bg": {
        "cores": "1", "utilization": 0.5, "period": "10us", "phase": "1001us", "priority": "irq"}}}}})"));
    Host& h = sc.platform().host();
    uint64_t on_loaded = 0, on_free = 0;
    sc.spawn([&] {
        h.cpu.set_thread(Cpu::Kind::task, Cpu::kPrioNormal, 1, true);
        wait_until(kT0);
        OnCore core(h.cpu);
        h.cpu.busy(100 * kUs, "work");
        on_loaded = now_ps() - kT0;
    });
    sc.spawn([&] {
        h.cpu.set_thread(Cpu::Kind::task, Cpu::kPrioNormal, 0, true);
        wait_until(kT0);
        OnCore core(h.cpu);
        h.cpu.busy(100 * kUs, "work");
        on_free = now_ps() - kT0;
    }, "other");
    const json& s = sc.run();
    CHECK(on_free == 100 * kUs);
    CHECK(on_loaded == 200 * kUs);   // 100 us of work, 20 bursts of 5 us land on it
    const json cores = per_core_sum_check(s);
    CHECK(cores[1]["load_ns"].get<double>() == Approx(s["host"]["cpu"]["load"]["bg"]["busy_ns"].get<double>()));
}

TEST_CASE("host cpu: sva_stall per-core time sums to the simulated time, hard IRQ time matches its accounting",
          "[scenario][host][cpu]") {
    TempDir tmp;
    const std::string st = tmp.file("s.json");
    REQUIRE(run_cli({"--platform", sva_with_load(tmp), "--quiet", "--stats", st,
                     "--set", "host.cpu.load.bg.utilization=0.3"}).exit_code == 0);
    const json s = json::parse(read_text(st));
    const json cores = per_core_sum_check(s);
    REQUIRE(cores.size() == 4);
    double hard = 0, load = 0;
    for (const auto& c : cores) { hard += c["hardirq_ns"].get<double>(); load += c["load_ns"].get<double>(); }
    CHECK(hard == Approx(s["host"]["cpu"]["busy_ns"]["hardirq"].get<double>()));
    // (a load task still running at the end counts in load_ns but not yet in busy_ns)
    CHECK(load == Approx(s["host"]["cpu"]["busy_ns"]["load"].get<double>()).epsilon(0.01));
    CHECK(load / (4 * s["run"]["simulated_ns"].get<double>()) == Approx(0.3).epsilon(0.1));
    // Every SMMU interrupt's handler ran on its own core (the default spread: 0, 1, 2, ...).
    for (const auto& [name, irq] : s["host"]["irqs"].items()) {
        INFO(name);
        CHECK(irq["core"].get<unsigned>() < 4);
    }
}

TEST_CASE("host cpu: a background-load sweep 0/30/60/90% makes the queue stage grow monotonically",
          "[scenario][host][cpu][load]") {
    TempDir tmp;
    const std::string platform = sva_with_load(tmp);
    double prev_queue = -1, first_irq = -1, irq = 0;
    for (const char* u : {"0", "0.3", "0.6", "0.9"}) {
        INFO("utilization " << u);
        const std::string st = tmp.file(std::string("s") + u + ".json");
        REQUIRE(run_cli({"--platform", platform, "--quiet", "--stats", st,
                         "--set", std::string("host.cpu.load.bg.utilization=") + u}).exit_code == 0);
        const json s = json::parse(read_text(st));
        const double queue = s["faults"]["stages"]["queue"]["mean"].get<double>();
        irq = s["faults"]["stages"]["irq"]["mean"].get<double>();
        if (first_irq < 0) first_irq = irq;
        CHECK(queue > prev_queue);
        prev_queue = queue;
        per_core_sum_check(s);
    }
    CHECK(irq > first_irq);   // at 90% the IRQ threads wait for cores too
}
