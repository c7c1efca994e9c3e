#include "models/common/dist.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/common/params.h"
#include "models/common/units.h"

namespace iopf {
namespace {

// z of the 99th percentile of the standard normal.
constexpr double kZ99 = 2.3263478740408408;
constexpr double kTwoPi = 6.283185307179586;
// The largest sample: the limit of ps_from_double (times are below 2^63 ps, ~107 days).
constexpr uint64_t kMaxSamplePs = 9'200'000'000'000'000'000ull;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
    throw ConfigError("parameter '" + key + "': " + what);
}

uint64_t time_field(const nlohmann::json& j, const std::string& field, const std::string& key, const char* dist) {
    auto it = j.find(field);
    if (it == j.end()) fail(key, std::string(dist) + " distribution needs \"" + field + "\"");
    std::optional<uint64_t> v;
    if (it->is_number()) {
        if (it->get<double>() < 0) fail(key, std::string(dist) + " \"" + field + "\" is negative (" + it->dump() + ")");
        const double ps = it->get<double>() * 1000.0 + 0.5;   // bare number = ns
        if (ps < 9.2e18) v = static_cast<uint64_t>(ps);      // from 2^63 ps on it is no time
    } else if (it->is_string()) {
        const std::string t = it->get<std::string>();
        if (!t.empty() && t[0] == '-') fail(key, std::string(dist) + " \"" + field + "\" is negative (" + t + ")");
        v = parse_time_ps(t);
    }
    if (!v) fail(key, std::string(dist) + " \"" + field + "\": expected a time such as 2us, got " + it->dump());
    return *v;
}

void only_fields(const nlohmann::json& j, std::initializer_list<const char*> allowed, const std::string& key,
                 const std::string& dist) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool ok = it.key() == "dist";
        for (const char* a : allowed) ok |= it.key() == a;
        if (!ok) fail(key, dist + " distribution has no field \"" + it.key() + "\"");
    }
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

uint64_t stable_hash(const std::string& s) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) { h ^= c; h *= 0x100000001b3ull; }
    return h;
}

RngStream::RngStream(uint64_t seed, const std::string& name) : s_(0) {
    // Mix seed and name so that neighbouring seeds and similar names give unrelated streams.
    RngStream mix(seed * 0x9e3779b97f4a7c15ull ^ stable_hash(name));
    mix.next();
    s_ = mix.next();
}

uint64_t RngStream::next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double RngStream::uniform01() {
    return (static_cast<double>(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);   // (0,1), 53 bits
}

double RngStream::normal() {
    const double u1 = uniform01(), u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

TimeDist TimeDist::constant(uint64_t ps) {
    TimeDist d;
    d.a_ps_ = ps;
    return d;
}

TimeDist TimeDist::parse(const nlohmann::json& j, const std::string& key, const std::string& base_dir) {
    if (!j.is_object()) fail(key, "expected a time or a distribution object, got " + j.dump());
    auto dit = j.find("dist");
    if (dit == j.end() || !dit->is_string())
        fail(key, "a distribution object needs \"dist\": constant|uniform|lognormal|empirical");
    const std::string dist = dit->get<std::string>();
    TimeDist d;
    if (dist == "constant") {
        only_fields(j, {"value"}, key, dist);
        d.a_ps_ = time_field(j, "value", key, "constant");
    } else if (dist == "uniform") {
        only_fields(j, {"min", "max"}, key, dist);
        d.kind_ = Kind::uniform;
        d.a_ps_ = time_field(j, "min", key, "uniform");
        d.b_ps_ = time_field(j, "max", key, "uniform");
        if (d.b_ps_ < d.a_ps_)
            fail(key, "uniform max (" + format_time_ps(d.b_ps_) + ") is below its min (" + format_time_ps(d.a_ps_) + ")");
    } else if (dist == "lognormal") {
        only_fields(j, {"median", "p99"}, key, dist);
        d.kind_ = Kind::lognormal;
        d.a_ps_ = time_field(j, "median", key, "lognormal");
        d.b_ps_ = time_field(j, "p99", key, "lognormal");
        if (d.a_ps_ == 0) fail(key, "lognormal median must be above 0");
        if (d.b_ps_ < d.a_ps_)
            fail(key, "lognormal p99 (" + format_time_ps(d.b_ps_) + ") is below its median (" + format_time_ps(d.a_ps_) + ")");
        d.mu_ = std::log(static_cast<double>(d.a_ps_));
        d.sigma_ = std::log(static_cast<double>(d.b_ps_) / static_cast<double>(d.a_ps_)) / kZ99;
    } else if (dist == "empirical") {
        only_fields(j, {"file"}, key, dist);
        d.kind_ = Kind::empirical;
        auto fit = j.find("file");
        if (fit == j.end() || !fit->is_string()) fail(key, "empirical distribution needs \"file\": a value,weight CSV");
        d.file_ = fit->get<std::string>();
        namespace fs = std::filesystem;
        fs::path p(d.file_);
        if (!fs::exists(p) && p.is_relative() && !base_dir.empty() && fs::exists(fs::path(base_dir) / p))
            p = fs::path(base_dir) / p;
        std::ifstream in(p);
        if (!in) fail(key, "cannot read histogram '" + d.file_ + "'");
        std::string line;
        unsigned lineno = 0;
        double total = 0;
        while (std::getline(in, line)) {
            ++lineno;
            line = trim(line);
            if (line.empty() || line[0] == '#') continue;
            const auto comma = line.find(',');
            const std::string v = trim(line.substr(0, comma));
            const std::string w = comma == std::string::npos ? "" : trim(line.substr(comma + 1));
            if (d.values_.empty() && total == 0 && v == "value") continue;   // header
            const std::string where = "histogram '" + d.file_ + "' line " + std::to_string(lineno);
            if (!v.empty() && v[0] == '-') fail(key, where + ": negative value '" + v + "'");
            auto t = parse_time_ps(v);
            if (!t) fail(key, where + ": expected value,weight with a time value, got '" + line + "'");
            char* end = nullptr;
            const double wt = std::strtod(w.c_str(), &end);
            if (w.empty() || end != w.c_str() + w.size() || !(wt >= 0) || std::isinf(wt))
                fail(key, where + ": expected a non-negative weight, got '" + w + "'");
            if (wt == 0) continue;
            total += wt;
            d.values_.push_back(*t);
            d.cum_.push_back(total);
        }
        if (d.values_.empty()) fail(key, "histogram '" + d.file_ + "' is empty (no row with a weight above 0)");
    } else {
        fail(key, "unknown distribution '" + dist + "' (expected constant|uniform|lognormal|empirical)");
    }
    return d;
}

uint64_t TimeDist::sample(RngStream& rng) const {
    switch (kind_) {
    case Kind::constant: return a_ps_;
    case Kind::uniform: {
        const uint64_t span = b_ps_ - a_ps_;
        if (span == 0) return a_ps_;
        return a_ps_ + static_cast<uint64_t>(rng.uniform01() * static_cast<double>(span + 1));
    }
    case Kind::lognormal: {
        if (sigma_ == 0) return a_ps_;
        // A wide distribution's far tail can pass 2^63 ps (or overflow to inf): such a
        // sample is the longest time there is, not an out-of-range conversion.
        const double ps = std::exp(mu_ + sigma_ * rng.normal()) + 0.5;
        return ps < 9.2e18 ? static_cast<uint64_t>(ps) : kMaxSamplePs;
    }
    case Kind::empirical: {
        const double x = rng.uniform01() * cum_.back();
        size_t i = std::upper_bound(cum_.begin(), cum_.end(), x) - cum_.begin();
        return values_[std::min(i, values_.size() - 1)];
    }
    }
    return a_ps_;
}

uint64_t TimeDist::nominal_ps() const {
    switch (kind_) {
    case Kind::constant:
    case Kind::lognormal: return a_ps_;
    case Kind::uniform: return a_ps_ + (b_ps_ - a_ps_) / 2;
    case Kind::empirical: {
        size_t i = std::lower_bound(cum_.begin(), cum_.end(), cum_.back() / 2) - cum_.begin();
        return values_[std::min(i, values_.size() - 1)];
    }
    }
    return a_ps_;
}

std::string TimeDist::describe() const {
    switch (kind_) {
    case Kind::constant: return format_time_ps(a_ps_);
    case Kind::uniform: return "uniform " + format_time_ps(a_ps_) + ".." + format_time_ps(b_ps_);
    case Kind::lognormal: return "lognormal " + format_time_ps(a_ps_) + "/p99 " + format_time_ps(b_ps_);
    case Kind::empirical: return "empirical " + file_;
    }
    return "";
}

}  // namespace iopf
