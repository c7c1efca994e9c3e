#include "models/common/build_info.h"
#include "tests/scenario/harness.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <systemc>

#include "models/common/payload.h"

namespace fs = std::filesystem;

namespace iopf::test {

nlohmann::json base_platform(const std::string& patch) {
    nlohmann::json p = nlohmann::json::parse(R"({
      "platform": { "description": "scenario test", "duration": "50ms" },
      "bus":  { "type": "interconnect", "latency": "2ns" },
      "dram": { "type": "memory", "base": "0x80000000", "size": "2GiB", "latency": "80ns",
                "bandwidth": 16, "channels": 2 },
      "smmu": { "type": "smmu_v3", "mmio_base": "0x09000000", "clock_mhz": 1000,
                "tlb": { "entries": 128, "ways": 4, "replacement": "lru", "lookup_cycles": 3 } },
      "host": { "type": "host",
                "cpu": { "cores": 4 },
                "kernel_pool": { "base": "0x80000000", "size": "64MiB" } }
    })");
    p.merge_patch(nlohmann::json::parse(patch, nullptr, true, /*ignore_comments=*/true));
    return p;
}

Scenario::Scenario(nlohmann::json platform, const std::vector<std::string>& overrides, uint64_t seed,
                   const std::string& name) {
    // Same kernel set-up as run_simulation().
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    params_ = std::make_unique<Params>(std::move(platform));
    params_->set_seed(seed);
    for (const auto& kv : overrides) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos) throw std::invalid_argument("override without '=': " + kv);
        params_->set_override(kv.substr(0, eq), kv.substr(eq + 1));
    }
    ctx_ = std::make_unique<SimContext>(*params_);
    ctx_->seed = seed;
    ctx_->log.set_quiet(true);
    isolation_ = std::make_unique<IsolationMonitor>();
    ctx_->isolation = isolation_.get();
    platform_ = std::make_unique<Platform>(*ctx_, name);
    params_->check_unknown();
}

Scenario::~Scenario() {
    ctx_->traces.close();
}

void Scenario::queue_log(const std::string& path) {
    if (!ctx_->queue_log.open(path)) throw std::runtime_error("cannot write queue log " + path);
}

void Scenario::spawn(std::function<void()> body, const char* name) {
    sc_core::sc_spawn(std::move(body), sc_core::sc_gen_unique_name(name));
}

const nlohmann::json& Scenario::run() {
    if (ran_) throw std::logic_error("Scenario::run() called twice (SystemC runs once per process)");
    ran_ = true;
    sc_core::sc_start(ps(platform_->duration_ps()), sc_core::SC_EXIT_ON_STARVATION);

    // As sc_main/simulation.cpp assembles it.
    nlohmann::json s;
    s["run"] = {{"platform", platform_->platform_name()}, {"seed", ctx_->seed},
                {"mode", ctx_->mode == TimingMode::fast ? "fast" : "accurate"},
                {"simulated_ns", now_ps() / 1000.0}, {"wall_s", 0.0}, {"sim_version", std::string(iopf::sim_version())}};
    s["devices"] = nlohmann::json::object();
    s["smmus"] = nlohmann::json::object();
    ctx_->stats.collect(s);
    s["faults"] = ctx_->faults.stats();
    end_ = platform_->end_state();
    s["run"]["finished"] = end_.all_finished;
    s["run"]["cut_short"] = end_.cut_short;
    s["run"]["in_flight_at_end"] = end_.in_flight;
    s["invariants"] = {{"lost_transactions", end_.lost_transactions},
                       {"stalled_at_end", end_.stalled_at_end},
                       {"deadlock", end_.deadlock ? 1 : 0},
                       {"open_faults", end_.open_faults},
                       {"isolation_violations", isolation_->violations()}};
    s["isolation"] = isolation_->stats();
    if (isolation_->violations() && !expect_violations_)
        throw std::runtime_error("isolation monitor: " + std::to_string(isolation_->violations()) +
                                 " device accesses to pages their translations did not grant: " +
                                 s["isolation"]["first_violations"].dump());
    stats_ = std::move(s);
    return stats_;
}

const nlohmann::json& smmu_stats(const nlohmann::json& stats, const std::string& smmu) {
    return stats.at("smmus").at(smmu);
}

const nlohmann::json& driver_stats(const nlohmann::json& stats) {
    const auto& drivers = stats.at("host").at("smmu_drivers");
    if (drivers.size() != 1) throw std::runtime_error("expected exactly one SMMU driver in the stats");
    return drivers.begin().value();
}

const nlohmann::json& device_stats(const nlohmann::json& stats, const std::string& dev) {
    return stats.at("devices").at(dev);
}

uint64_t count_or_zero(const nlohmann::json& obj, const std::string& key) {
    auto it = obj.find(key);
    return it == obj.end() ? 0 : it->get<uint64_t>();
}

// ---------------------------------------------------------------------------------------
// The binary.

namespace {

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    return q + "'";
}

}  // namespace

CliResult run_shell(const std::string& cmd, const TempDir& tmp) {
    CliResult r;
    const std::string err = tmp.file("cmd.err");
    FILE* p = popen((cmd + " 2>'" + err + "'").c_str(), "r");
    if (!p) throw std::runtime_error("popen failed for: " + cmd);
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int st = pclose(p);
    r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    r.err = read_text(err);
    return r;
}

CliResult run_cli(const std::vector<std::string>& args) {
    TempDir tmp;
    const std::string err_path = tmp.file("stderr.txt");
    std::string cmd = shell_quote(IOPF_SIM_BINARY);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " 2>" + shell_quote(err_path);

    CliResult r;
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed: " + cmd);
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
    const int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    r.err = read_text(err_path);
    return r;
}

TempDir::TempDir() {
    const char* t = std::getenv("TMPDIR");
    std::string tmpl = std::string(t && *t ? t : "/tmp") + "/iopf-scenario-XXXXXX";
    std::vector<char> b(tmpl.begin(), tmpl.end());
    b.push_back('\0');
    if (!mkdtemp(b.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
    path_ = b.data();
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
        size_t c = s.find(sep, pos);
        out.push_back(s.substr(pos, c == std::string::npos ? std::string::npos : c - pos));
        if (c == std::string::npos) return out;
        pos = c + 1;
    }
}

Csv read_csv(const std::string& path) {
    Csv c;
    const auto lines = lines_of(read_text(path));
    if (lines.empty()) return c;
    c.header = split(lines[0], ',');
    for (size_t i = 1; i < lines.size(); ++i) {
        const auto f = split(lines[i], ',');
        std::map<std::string, std::string> row;
        for (size_t k = 0; k < c.header.size() && k < f.size(); ++k) row[c.header[k]] = f[k];
        row["#fields"] = std::to_string(f.size());
        c.rows.push_back(row);
    }
    return c;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) v.push_back(l);
    return v;
}

void count_posedges(const sc_core::sc_signal_in_if<bool>& sig, uint64_t& counter) {
    sc_core::sc_spawn_options opt;
    opt.spawn_method();
    opt.dont_initialize();
    opt.set_sensitivity(&sig.posedge_event());
    sc_core::sc_spawn([&counter] { ++counter; }, sc_core::sc_gen_unique_name("edges"), &opt);
}

}  // namespace iopf::test
