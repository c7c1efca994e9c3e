// Scenario-test harness: build a platform from an in-code JSON description (plus
// `--set`-style overrides), run it to completion exactly like the `iopf-sim` binary does
// (sc_main/simulation.cpp), then assert on the Platform's components and on the stats JSON.
// Also: run the `iopf-sim` binary itself and capture exit code, stdout and stderr.
//
// SystemC elaborates once per process: construct at most one Scenario per TEST_CASE and
// never inside a SECTION (ctest runs every TEST_CASE in its own process).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <systemc>

#include "models/common/context.h"
#include "platforms/platform.h"

namespace iopf::test {

// A platform with a bus, 2 GiB of DRAM at 0x80000000, one SMMUv3 named "smmu" (terminate
// model defaults) and a host whose kernel pool is the first 64 MiB of DRAM. `patch` (JSON
// text, RFC 7396 merge patch: objects merge, null deletes) adds devices, host.streams, ...
nlohmann::json base_platform(const std::string& patch = "{}");

class Scenario {
public:
    // `platform` is the whole platform description; overrides are "key.path=value" strings,
    // applied like `--set`. Elaborates (Platform + unknown-key check) immediately.
    explicit Scenario(nlohmann::json platform, const std::vector<std::string>& overrides = {},
                      uint64_t seed = 1, const std::string& name = "scenario");
    ~Scenario();
    Scenario(const Scenario&) = delete;
    Scenario& operator=(const Scenario&) = delete;

    Platform& platform() { return *platform_; }
    SimContext& ctx() { return *ctx_; }
    Params& params() { return *params_; }

    // Writes the --queue-log to `path` (call before run()).
    void queue_log(const std::string& path);
    // Spawns a test thread (call before run()).
    void spawn(std::function<void()> body, const char* name = "test_thread");

    // sc_start(duration, SC_EXIT_ON_STARVATION), then assembles the stats JSON the way the
    // binary does: run section, every module's stats, faults, invariants from end_state().
    const nlohmann::json& run();
    const nlohmann::json& stats() const { return stats_; }
    const EndState& end() const { return end_; }
    // Every scenario runs with the isolation monitor on; run() fails the test on a violation
    // unless the test expects them (call before run()).
    void expect_isolation_violations() { expect_violations_ = true; }
    const IsolationMonitor& isolation() const { return *isolation_; }

private:
    std::unique_ptr<Params> params_;
    std::unique_ptr<SimContext> ctx_;
    std::unique_ptr<IsolationMonitor> isolation_;
    std::unique_ptr<Platform> platform_;
    nlohmann::json stats_;
    EndState end_;
    bool ran_ = false;
    bool expect_violations_ = false;
};

// Stats helpers (throw via json::at when a key is missing, which fails the test).
const nlohmann::json& smmu_stats(const nlohmann::json& stats, const std::string& smmu = "smmu");
// The stats of the only SMMU driver (host.smmu_drivers.<name>).
const nlohmann::json& driver_stats(const nlohmann::json& stats);
const nlohmann::json& device_stats(const nlohmann::json& stats, const std::string& dev);
// obj[key] as an unsigned count, 0 when the key is absent (e.g. events_by_type entries).
uint64_t count_or_zero(const nlohmann::json& obj, const std::string& key);

// Runs the iopf-sim binary (IOPF_SIM_BINARY) with `args`.
struct CliResult {
    int exit_code = -1;
    std::string out, err;
};
CliResult run_cli(const std::vector<std::string>& args);

// A private directory under $TMPDIR (mkdtemp), removed with its contents at scope exit.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// Runs a shell command line (a tool under tools/), stdout and stderr captured, stderr via a
// file in `tmp`.
CliResult run_shell(const std::string& cmd, const TempDir& tmp);

// Counts rising edges of a wired output (e.g. the SMMU's evtq_irq) during the run; call
// during elaboration.
void count_posedges(const sc_core::sc_signal_in_if<bool>& sig, uint64_t& counter);

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);
std::vector<std::string> lines_of(const std::string& text);
std::vector<std::string> split(const std::string& s, char sep);

// A CSV file (results.csv, a fault log) as rows of column -> text; fields hold no commas or
// quotes, so a plain split is exact. Each row also has "#fields", its field count.
struct Csv {
    std::vector<std::string> header;
    std::vector<std::map<std::string, std::string>> rows;
};
Csv read_csv(const std::string& path);

}  // namespace iopf::test
