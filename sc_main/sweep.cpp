#include "sc_main/sweep.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>

#include "models/common/fault_tracker.h"
#include "models/common/params.h"
#include "models/common/units.h"
#include "sc_main/simulation.h"

extern char** environ;

namespace fs = std::filesystem;
namespace po = boost::program_options;
using nlohmann::json;

namespace iopf {
namespace {

// ---------------------------------------------------------------------------------------
// Options and points.

struct SweepOptions {
    std::string platform = Options{}.platform;
    std::vector<std::pair<std::string, std::vector<std::string>>> vary;   // in --vary order
    std::vector<std::string> sets;                                         // "k=v"
    uint64_t seed = 1;
    std::string mode, duration;
    unsigned jobs = 1;
    std::string out, emit_jobs, merge;
    bool vcd = false, force = false, help = false;
};

struct Point {
    size_t index = 0;
    std::string id;
    std::vector<std::pair<std::string, std::string>> values;   // (vary key, value)
    fs::path dir;
    std::vector<std::string> args;   // child argv without argv[0]
};

po::options_description sweep_options() {
    po::options_description d("iopf-sim sweep options");
    d.add_options()
        ("help,h", "show this help")
        ("platform,p", po::value<std::string>(), "platform name or .json file (as for iopf-sim)")
        ("vary", po::value<std::vector<std::string>>()->composing(),
         "key=v1,v2,... : a parameter and its values (repeatable; the points are the cross product). "
         "The key 'seed' varies --seed")
        ("set,s", po::value<std::vector<std::string>>()->composing(), "key=value applied to every point (repeatable)")
        ("seed", po::value<std::string>(), "random seed of every point (default 1)")
        ("mode", po::value<std::string>(), "timing mode of every point: accurate or fast")
        ("duration", po::value<std::string>(), "simulated-time limit of every point")
        ("jobs,j", po::value<unsigned>(), "points run at once (default: number of CPUs)")
        ("out,o", po::value<std::string>(), "sweep directory: DIR/points/<id>/ and DIR/results.csv")
        ("vcd", "also write each point's VCD (DIR/points/<id>/trace.vcd)")
        ("force", "re-run points that already finished")
        ("emit-jobs", po::value<std::string>(), "write one iopf-sim command line per point to FILE and run nothing")
        ("merge", po::value<std::string>(), "rebuild DIR/results.csv from the points' stats files and run nothing");
    return d;
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

SweepOptions parse_sweep_options(int argc, char** argv) {
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(sweep_options()).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw ConfigError(std::string("sweep: command line: ") + e.what());
    }
    SweepOptions o;
    o.help = vm.count("help");
    if (vm.count("merge")) {
        o.merge = vm["merge"].as<std::string>();
        for (const char* other : {"platform", "vary", "set", "seed", "mode", "duration", "out", "emit-jobs", "vcd"})
            if (vm.count(other)) throw ConfigError(std::string("sweep: --merge DIR takes no other option, got --") + other);
        return o;
    }
    if (o.help) return o;
    if (vm.count("platform")) o.platform = vm["platform"].as<std::string>();
    if (!vm.count("out")) throw ConfigError("sweep: --out DIR is required (where the points and results.csv go)");
    o.out = vm["out"].as<std::string>();
    if (vm.count("emit-jobs")) o.emit_jobs = vm["emit-jobs"].as<std::string>();
    o.vcd = vm.count("vcd");
    o.force = vm.count("force");
    unsigned hw = std::thread::hardware_concurrency();
    o.jobs = vm.count("jobs") ? vm["jobs"].as<unsigned>() : (hw ? hw : 1);
    if (o.jobs == 0) throw ConfigError("sweep: -j: expected at least 1, got 0");
    if (vm.count("seed")) {
        auto s = parse_uint(vm["seed"].as<std::string>());
        if (!s) throw ConfigError("sweep: --seed: expected an unsigned integer, got '" + vm["seed"].as<std::string>() + "'");
        o.seed = *s;
    }
    if (vm.count("mode")) {
        o.mode = vm["mode"].as<std::string>();
        if (o.mode != "accurate" && o.mode != "fast")
            throw ConfigError("sweep: --mode: expected accurate or fast, got '" + o.mode + "'");
    }
    if (vm.count("duration")) {
        o.duration = vm["duration"].as<std::string>();
        if (!parse_time_ps(o.duration))
            throw ConfigError("sweep: --duration: expected a time such as 500us or 2ms, got '" + o.duration + "'");
    }
    if (vm.count("set")) {
        for (const auto& kv : vm["set"].as<std::vector<std::string>>()) {
            auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) throw ConfigError("sweep: --set: expected key.path=value, got '" + kv + "'");
            o.sets.push_back(kv);
        }
    }
    std::set<std::string> keys;
    if (vm.count("vary")) {
        for (const auto& kv : vm["vary"].as<std::vector<std::string>>()) {
            auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
                throw ConfigError("sweep: --vary: expected key.path=v1,v2,..., got '" + kv + "'");
            const std::string key = kv.substr(0, eq);
            if (!keys.insert(key).second) throw ConfigError("sweep: --vary: key '" + key + "' given twice");
            auto values = split(kv.substr(eq + 1), ',');
            std::set<std::string> seen;
            for (const auto& v : values) {
                if (v.empty()) throw ConfigError("sweep: --vary " + key + ": empty value in '" + kv.substr(eq + 1) + "'");
                if (!seen.insert(v).second) throw ConfigError("sweep: --vary " + key + ": value '" + v + "' given twice");
                if (key == "seed" && !parse_uint(v))
                    throw ConfigError("sweep: --vary seed: expected unsigned integers, got '" + v + "'");
            }
            o.vary.emplace_back(key, values);
        }
    }
    return o;
}

std::string sanitize(const std::string& s) {
    std::string out;
    for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
    return out;
}

// Child argv (without argv[0]) for one point.
std::vector<std::string> point_args(const SweepOptions& o, const std::string& platform, const Point& p,
                                    bool describe) {
    std::vector<std::string> a;
    a.push_back(describe ? "--describe" : "--platform");
    a.push_back(platform);
    uint64_t seed = o.seed;
    for (const auto& s : o.sets) { a.push_back("--set"); a.push_back(s); }
    for (const auto& [k, v] : p.values) {
        if (k == "seed") { seed = *parse_uint(v); continue; }
        a.push_back("--set");
        a.push_back(k + "=" + v);
    }
    if (!o.mode.empty()) { a.push_back("--mode"); a.push_back(o.mode); }
    if (!o.duration.empty()) { a.push_back("--duration"); a.push_back(o.duration); }
    if (describe) return a;
    a.push_back("--seed");
    a.push_back(std::to_string(seed));
    a.push_back("--stats");
    a.push_back((p.dir / "stats.json").string());
    a.push_back("--fault-log");
    a.push_back((p.dir / "faults.csv").string());
    if (o.vcd) { a.push_back("--vcd"); a.push_back((p.dir / "trace.vcd").string()); }
    a.push_back("--quiet");
    return a;
}

std::vector<Point> make_points(const SweepOptions& o, const std::string& platform, const fs::path& out) {
    std::vector<Point> points;
    size_t total = 1;
    for (const auto& v : o.vary) total *= v.second.size();
    std::set<std::string> ids;
    for (size_t i = 0; i < total; ++i) {
        Point p;
        p.index = i;
        size_t rest = i;
        // The first --vary varies slowest.
        std::vector<size_t> pick(o.vary.size());
        for (size_t k = o.vary.size(); k-- > 0;) {
            pick[k] = rest % o.vary[k].second.size();
            rest /= o.vary[k].second.size();
        }
        std::string id;
        for (size_t k = 0; k < o.vary.size(); ++k) {
            const auto& v = o.vary[k].second[pick[k]];
            p.values.emplace_back(o.vary[k].first, v);
            id += (id.empty() ? "" : "+") + o.vary[k].first + "=" + sanitize(v);
        }
        if (id.empty()) id = "base";
        if (id.size() > 200) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "p%05zu", i);
            id = buf;
        }
        while (!ids.insert(id).second) id += "~" + std::to_string(i);
        p.id = id;
        p.dir = out / "points" / id;
        p.args = point_args(o, platform, p, false);
        points.push_back(std::move(p));
    }
    return points;
}

// ---------------------------------------------------------------------------------------
// Child processes.

std::string exe_path() {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("/proc/self/exe") : exe.string();
}

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const std::string& out_path,
            const std::string& err_path, int err_fd = -1) {
    std::vector<std::string> all;
    all.push_back(exe);
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : all) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err_fd >= 0) posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    else posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("sweep: cannot start " + exe + ": " + std::strerror(rc));
    return pid;
}

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

// Runs `exe args` with stdout discarded; returns exit code and stderr.
std::pair<int, std::string> run_capture(const std::string& exe, const std::vector<std::string>& args) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("sweep: pipe failed");
    pid_t pid = spawn(exe, args, "/dev/null", "", fds[1]);
    close(fds[1]);
    std::string err;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) != 0) {
        if (n < 0) { if (errno == EINTR) continue; break; }
        err.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return {exit_code(status), err};
}

std::string first_line(const std::string& s) {
    std::string l = s.substr(0, s.find('\n'));
    const std::string prefix = "iopf-sim: ";
    if (l.rfind(prefix, 0) == 0) l = l.substr(prefix.size());
    return l;
}

// Checks every value of every --vary once (others at their first value) with a dry run
// (`iopf-sim --describe` elaborates, types every parameter and rejects unknown keys).
void validate(const SweepOptions& o, const std::string& exe, const std::string& platform) {
    std::vector<Point> checks;
    Point first;
    for (const auto& [k, vals] : o.vary) first.values.emplace_back(k, vals[0]);
    checks.push_back(first);
    for (size_t k = 0; k < o.vary.size(); ++k)
        for (size_t i = 1; i < o.vary[k].second.size(); ++i) {
            Point p = first;
            p.values[k].second = o.vary[k].second[i];
            checks.push_back(p);
        }
    for (const auto& p : checks) {
        auto [code, err] = run_capture(exe, point_args(o, platform, p, true));
        if (code == 0) continue;
        std::string what;
        for (const auto& [k, v] : p.values) what += (what.empty() ? "" : ",") + k + "=" + v;
        if (what.empty()) what = "base";
        std::string msg = "sweep: point " + what + ": " + (err.empty() ? "exit " + std::to_string(code) : first_line(err));
        if (code == 2) throw ConfigError(msg);
        throw std::runtime_error(msg);
    }
}

// ---------------------------------------------------------------------------------------
// Files.

std::optional<json> read_json(const fs::path& p) {
    std::ifstream in(p);
    if (!in) return std::nullopt;
    try {
        return json::parse(in);
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

void write_json(const fs::path& p, const json& j) {
    const fs::path tmp = p.string() + ".tmp";
    {
        std::ofstream out(tmp);
        if (!out) throw ConfigError("sweep: cannot write '" + p.string() + "'");
        out << j.dump(2) << '\n';
    }
    fs::rename(tmp, p);
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

std::string shell_quote(const std::string& s) {
    bool plain = !s.empty();
    for (char c : s)
        plain &= std::isalnum(static_cast<unsigned char>(c)) || std::strchr("/._+-=,:@%", c);
    if (plain) return s;
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string num(const json& j) {
    if (j.is_number()) return j.dump();
    if (j.is_boolean()) return j.get<bool>() ? "1" : "0";
    return "";
}

const json* at_path(const json& j, const std::string& dotted) {
    const json* cur = &j;
    for (const auto& k : split(dotted, '.')) {
        if (!cur->is_object()) return nullptr;
        auto it = cur->find(k);
        if (it == cur->end()) return nullptr;
        cur = &*it;
    }
    return cur;
}

bool finished_ok(const json& point_json, const fs::path& dir, const std::vector<std::string>& args) {
    if (!point_json.contains("args") || point_json["args"] != json(args)) return false;
    if (point_json.contains("exit")) {
        const int e = point_json["exit"].get<int>();
        if (e != 0 && e != 1) return false;
    }
    return read_json(dir / "stats.json").has_value();
}

// Exit code of a point: recorded by the sweep, else derived from its stats (a run that
// wrote stats exits 0 unless an invariant broke, then 1); -1 when it has not run.
int point_exit(const json& pj, const std::optional<json>& stats) {
    if (pj.contains("exit")) return pj["exit"].get<int>();
    if (!stats) return -1;
    const json* inv = at_path(*stats, "invariants");
    if (!inv || !inv->is_object()) return 1;
    for (const auto& [k, v] : inv->items())
        if (!v.is_number() || v.get<double>() != 0) return 1;
    return 0;
}

std::string status_name(int e, bool has_stderr) {
    switch (e) {
    case -1: return has_stderr ? "failed" : "not_run";
    case 0: return "ok";
    case 1: return "failed";   // invariant broken or run-time error
    case 2: return "bad_input";
    default: return e > 128 ? "signal_" + std::to_string(e - 128) : "exit_" + std::to_string(e);
    }
}

struct MergeResult {
    size_t points = 0, ok = 0, failed = 0, not_run = 0;
};

// Writes DIR/results.csv from DIR/sweep.json and each point's point.json + stats.json.
MergeResult write_results(const fs::path& dir) {
    auto sweep = read_json(dir / "sweep.json");
    if (!sweep) throw ConfigError("sweep: '" + dir.string() + "' is not a sweep directory (no readable sweep.json)");
    std::vector<std::string> keys;
    for (const auto& v : (*sweep)["vary"]) keys.push_back(v[0].get<std::string>());

    struct Row {
        std::string id;
        std::map<std::string, std::string> values;
        int exit = -1;
        std::string status;
        std::vector<std::pair<std::string, std::string>> metrics;
    };
    std::vector<Row> rows;
    std::vector<std::string> metric_cols;
    std::set<std::string> metric_set;
    MergeResult r;
    for (const auto& idj : (*sweep)["points"]) {
        const std::string id = idj.get<std::string>();
        const fs::path pd = dir / "points" / id;
        auto pj = read_json(pd / "point.json");
        if (!pj) throw ConfigError("sweep: '" + (pd / "point.json").string() + "' is missing or unreadable");
        Row row;
        row.id = id;
        for (const auto& kv : (*pj)["values"]) row.values[kv[0].get<std::string>()] = kv[1].get<std::string>();
        auto stats = read_json(pd / "stats.json");
        row.exit = point_exit(*pj, stats);
        std::error_code ec;
        const bool has_err = fs::file_size(pd / "stderr.txt", ec) > 0 && !ec;
        row.status = status_name(row.exit, has_err);
        if (stats) row.metrics = sweep_metrics(*stats);
        for (const auto& [c, v] : row.metrics)
            if (metric_set.insert(c).second) metric_cols.push_back(c);
        ++r.points;
        if (row.exit == 0) ++r.ok;
        else if (row.exit == -1 && !has_err) ++r.not_run;
        else ++r.failed;
        rows.push_back(std::move(row));
    }
    if (metric_cols.empty()) metric_cols = [] {
        std::vector<std::string> c;
        for (const auto& [k, v] : sweep_metrics(json::object())) c.push_back(k);
        return c;
    }();

    const fs::path out = dir / "results.csv";
    const fs::path tmp = out.string() + ".tmp";
    {
        std::ofstream os(tmp);
        if (!os) throw ConfigError("sweep: cannot write '" + out.string() + "'");
        os << "id";
        for (const auto& k : keys) os << ',' << csv_field(k);
        os << ",exit,status";
        for (const auto& c : metric_cols) os << ',' << csv_field(c);
        os << '\n';
        for (const auto& row : rows) {
            os << csv_field(row.id);
            for (const auto& k : keys) os << ',' << csv_field(row.values.count(k) ? row.values.at(k) : "");
            os << ',' << (row.exit >= 0 ? std::to_string(row.exit) : "") << ',' << row.status;
            std::map<std::string, std::string> m(row.metrics.begin(), row.metrics.end());
            for (const auto& c : metric_cols) os << ',' << csv_field(m.count(c) ? m[c] : "");
            os << '\n';
        }
    }
    fs::rename(tmp, out);
    return r;
}

// ---------------------------------------------------------------------------------------
// Progress.

std::string clock_text(double s) {
    if (s < 0) return "--:--";
    long t = static_cast<long>(s + 0.5);
    char buf[32];
    if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
    return buf;
}

class Progress {
public:
    Progress(size_t total, size_t reused) : total_(total), reused_(reused), tty_(isatty(2)) {
        t0_ = std::chrono::steady_clock::now();
    }
    bool tty() const { return tty_; }
    void finished(const Point& p, int code, double wall_s, const std::string& err) {
        ++done_;
        if (code != 0) ++failed_;
        clear();
        if (code != 0) {
            const std::string how = code > 128 ? "signal " + std::to_string(code - 128) : "exit " + std::to_string(code);
            std::fprintf(stderr, "sweep: point %s failed (%s): %s [%s]\n", p.id.c_str(), how.c_str(), first_line(err).c_str(),
                         (p.dir / "stderr.txt").string().c_str());
        } else if (!tty_) {
            std::fprintf(stderr, "sweep: [%zu/%zu] %s ok (%.2f s)\n", reused_ + done_, total_, p.id.c_str(), wall_s);
        }
        draw(true);
    }
    void tick(size_t running) {
        running_ = running;
        draw(false);
    }
    void clear() {
        if (tty_ && drawn_) std::fprintf(stderr, "\r\033[K");
        drawn_ = false;
    }

private:
    void draw(bool force) {
        if (!tty_) return;
        auto now = std::chrono::steady_clock::now();
        if (!force && now - last_ < std::chrono::milliseconds(250)) return;
        last_ = now;
        const double el = std::chrono::duration<double>(now - t0_).count();
        const size_t to_run = total_ - reused_;
        const double eta = done_ ? el / done_ * (to_run - done_) : -1;
        const size_t n = reused_ + done_;
        const int width = 30;
        const int fill = total_ ? static_cast<int>(width * n / total_) : width;
        std::string bar(fill, '#');
        bar += std::string(width - fill, '.');
        std::fprintf(stderr, "\r\033[K[%s] %zu/%zu  running %zu  failed %zu  elapsed %s  ETA %s", bar.c_str(), n, total_,
                     running_, failed_, clock_text(el).c_str(), clock_text(eta).c_str());
        std::fflush(stderr);
        drawn_ = true;
    }

    size_t total_, reused_, done_ = 0, failed_ = 0, running_ = 0;
    bool tty_, drawn_ = false;
    std::chrono::steady_clock::time_point t0_, last_;
};

json point_json(const Point& p) {
    json values = json::array();
    for (const auto& [k, v] : p.values) values.push_back({k, v});
    return {{"index", p.index}, {"id", p.id}, {"values", values}, {"args", p.args}};
}

int merge_only(const std::string& dir_text) {
    const fs::path dir = fs::absolute(dir_text);
    MergeResult r = write_results(dir);
    std::printf("sweep: %zu points: %zu ok, %zu failed, %zu not run -> %s\n", r.points, r.ok, r.failed, r.not_run,
                (fs::path(dir_text) / "results.csv").string().c_str());
    return (r.failed || r.not_run) ? 1 : 0;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> sweep_metrics(const json& s) {
    std::vector<std::pair<std::string, std::string>> m;
    auto get = [&](const std::string& path) {
        const json* j = at_path(s, path);
        return j ? num(*j) : std::string();
    };
    m.emplace_back("simulated_ns", get("run.simulated_ns"));
    m.emplace_back("wall_s", get("run.wall_s"));
    uint64_t issued = 0, errors = 0;
    bool any_dev = false;
    if (const json* d = at_path(s, "devices"); d && d->is_object())
        for (const auto& [n, dev] : d->items()) {
            any_dev = true;
            if (auto it = dev.find("issued"); it != dev.end() && it->is_number()) issued += it->get<uint64_t>();
            if (auto it = dev.find("completed_error"); it != dev.end() && it->is_number()) errors += it->get<uint64_t>();
        }
    m.emplace_back("transactions", any_dev ? std::to_string(issued) : "");
    m.emplace_back("completed_error", any_dev ? std::to_string(errors) : "");
    uint64_t hits = 0, misses = 0;
    if (const json* sm = at_path(s, "smmus"); sm && sm->is_object())
        for (const auto& [n, x] : sm->items()) {
            if (auto it = x.find("tlb_hits"); it != x.end() && it->is_number()) hits += it->get<uint64_t>();
            if (auto it = x.find("tlb_misses"); it != x.end() && it->is_number()) misses += it->get<uint64_t>();
        }
    char buf[32] = "";
    if (hits + misses) std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(hits) / (hits + misses));
    m.emplace_back("tlb_hit_rate", buf);
    m.emplace_back("faults.count", get("faults.count"));
    for (const char* r : {"success", "invalid", "failure", "terminated"})
        m.emplace_back(std::string("faults.by_resolution.") + r, get(std::string("faults.by_resolution.") + r));
    for (const char* k : {"mean", "p50", "p90", "p99", "max"})
        m.emplace_back(std::string("faults.latency_ns.") + k, get(std::string("faults.latency_ns.") + k));
    std::set<std::string> known;
    for (size_t i = 0; i < kStageCount; ++i) {
        const std::string st = stage_name(static_cast<Stage>(i));
        known.insert(st);
        m.emplace_back("faults.stages." + st + ".mean", get("faults.stages." + st + ".mean"));
    }
    // Stages added by models after this list was written, in the order the stats have them.
    if (const json* st = at_path(s, "faults.stages"); st && st->is_object())
        for (const auto& [name, d] : st->items())
            if (!known.count(name)) m.emplace_back("faults.stages." + name + ".mean", get("faults.stages." + name + ".mean"));
    return m;
}

std::string sweep_usage() {
    std::ostringstream os;
    os << "usage: iopf-sim sweep --platform P --vary key=v1,v2,... [--vary ...] [--set key=value]...\n"
          "                      [--seed N] [--mode M] [--duration T] [-j N] [--vcd] [--force] --out DIR\n"
          "                      [--emit-jobs FILE]\n"
          "       iopf-sim sweep --merge DIR\n\n"
       << sweep_options();
    return os.str();
}

int run_sweep(int argc, char** argv) {
    SweepOptions o = parse_sweep_options(argc, argv);
    if (o.help) { std::cout << sweep_usage(); return 0; }
    if (!o.merge.empty()) return merge_only(o.merge);

    const std::string platform = fs::absolute(find_platform(o.platform)).string();
    const std::string exe = exe_path();
    const fs::path out = fs::absolute(o.out);

    validate(o, exe, platform);   // throws ConfigError (exit 2) before anything runs

    std::error_code ec;
    fs::create_directories(out / "points", ec);
    if (ec) throw ConfigError("sweep: cannot create '" + (out / "points").string() + "': " + ec.message());
    std::vector<Point> points = make_points(o, platform, out);

    json sj = {{"platform", platform}, {"seed", o.seed}, {"mode", o.mode}, {"duration", o.duration}, {"sets", o.sets}};
    sj["vary"] = json::array();
    for (const auto& [k, v] : o.vary) sj["vary"].push_back({k, v});
    sj["points"] = json::array();
    for (const auto& p : points) sj["points"].push_back(p.id);
    write_json(out / "sweep.json", sj);

    if (!o.emit_jobs.empty()) {
        std::ofstream jobs(o.emit_jobs);
        if (!jobs) throw ConfigError("sweep: --emit-jobs: cannot write '" + o.emit_jobs + "'");
        for (const auto& p : points) {
            fs::create_directories(p.dir);
            for (const char* f : {"stats.json", "faults.csv", "stderr.txt", "stdout.txt", "trace.vcd"}) fs::remove(p.dir / f, ec);
            write_json(p.dir / "point.json", point_json(p));
            jobs << shell_quote(exe);
            for (const auto& a : p.args) jobs << ' ' << shell_quote(a);
            jobs << " 2>" << shell_quote((p.dir / "stderr.txt").string()) << '\n';
        }
        std::printf("sweep: wrote %zu job lines to %s; run them (e.g. parallel < %s), then: iopf-sim sweep --merge %s\n",
                    points.size(), o.emit_jobs.c_str(), o.emit_jobs.c_str(), o.out.c_str());
        return 0;
    }

    // Skip points that already finished with the same arguments (unless --force).
    std::vector<const Point*> todo;
    size_t reused = 0;
    for (const auto& p : points) {
        if (!o.force) {
            auto pj = read_json(p.dir / "point.json");
            if (pj && finished_ok(*pj, p.dir, p.args)) { ++reused; continue; }
        }
        todo.push_back(&p);
    }
    if (reused)
        std::fprintf(stderr, "sweep: %zu of %zu points already finished, reusing their results (--force re-runs them)\n",
                     reused, points.size());

    Progress progress(points.size(), reused);
    struct Running {
        const Point* p;
        std::chrono::steady_clock::time_point t0;
    };
    std::map<pid_t, Running> running;
    size_t next = 0;
    size_t failed = 0;
    while (next < todo.size() || !running.empty()) {
        while (running.size() < o.jobs && next < todo.size()) {
            const Point& p = *todo[next++];
            fs::create_directories(p.dir, ec);
            for (const char* f : {"stats.json", "faults.csv", "stderr.txt", "stdout.txt", "trace.vcd"}) fs::remove(p.dir / f, ec);
            write_json(p.dir / "point.json", point_json(p));
            pid_t pid = spawn(exe, p.args, (p.dir / "stdout.txt").string(), (p.dir / "stderr.txt").string());
            running[pid] = {&p, std::chrono::steady_clock::now()};
        }
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0) {
            progress.tick(running.size());
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("sweep: waitpid: ") + std::strerror(errno));
        }
        auto it = running.find(pid);
        if (it == running.end()) continue;
        const Point& p = *it->second.p;
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.t0).count();
        running.erase(it);
        const int code = exit_code(status);
        json pj = point_json(p);
        pj["exit"] = code;
        pj["wall_s"] = wall;
        write_json(p.dir / "point.json", pj);
        for (const char* f : {"stdout.txt", "stderr.txt"})
            if (fs::file_size(p.dir / f, ec) == 0 && !ec) fs::remove(p.dir / f, ec);
        if (code != 0) ++failed;
        progress.finished(p, code, wall, code ? read_all(p.dir / "stderr.txt") : std::string());
        progress.tick(running.size());
    }
    progress.clear();

    MergeResult r = write_results(out);
    std::printf("sweep: %zu points: %zu ran, %zu reused, %zu ok, %zu failed -> %s\n", points.size(), todo.size(), reused,
                r.ok, r.failed + r.not_run, (fs::path(o.out) / "results.csv").string().c_str());
    return (r.failed || r.not_run) ? 1 : 0;
}

}  // namespace iopf
