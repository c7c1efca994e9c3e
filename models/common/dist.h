// Time distributions for software costs and latencies, and the deterministic random streams
// that sample them.
//
// A cost parameter's value is either a constant time ("2us", the default form) or a JSON
// object naming a distribution:
//   {"dist": "constant",  "value": "2us"}
//   {"dist": "uniform",   "min": "1us", "max": "3us"}          every ps in [min, max] equally likely
//   {"dist": "lognormal", "median": "2us", "p99": "8us"}       ln(X) ~ N(ln median, sigma),
//                                                               sigma = ln(p99/median) / 2.3263
//   {"dist": "empirical", "file": "hist.csv"}                  value,weight rows (value a time,
//                                                               bare number = ns); '#' comments and
//                                                               a "value,weight" header allowed
// Each Cost owns its own RngStream derived from --seed and the parameter's path (and the
// how-many-th reader of that path it is), so no stream is shared between components: adding a
// component or a distribution elsewhere does not perturb the samples of the others.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iopf {

// FNV-1a, 64 bit: a hash that is the same on every platform and library (std::hash is not).
uint64_t stable_hash(const std::string& s);

// splitmix64 stream: small, fast, fully determined by its seed.
class RngStream {
public:
    explicit RngStream(uint64_t seed = 1) : s_(seed) {}
    RngStream(uint64_t seed, const std::string& name);
    uint64_t next();
    // Uniform in the open interval (0, 1).
    double uniform01();
    // Standard normal (Box-Muller, one draw of two uniforms per sample).
    double normal();

private:
    uint64_t s_;
};

class TimeDist {
public:
    enum class Kind { constant, uniform, lognormal, empirical };

    TimeDist() = default;
    static TimeDist constant(uint64_t ps);
    // Parses the JSON object form. `key` names the parameter in error messages; `base_dir` is
    // tried for a relative histogram file that does not exist relative to the working directory.
    // Throws ConfigError (one line) for an unknown dist, a missing/extra field, a negative or
    // malformed time, p99 < median, min > max, an unreadable or empty histogram.
    static TimeDist parse(const nlohmann::json& j, const std::string& key, const std::string& base_dir = "");

    Kind kind() const { return kind_; }
    bool is_constant() const { return kind_ == Kind::constant; }
    // A sample in ps, below 2^63 (a lognormal's far tail is clamped there). Constants never
    // touch the stream.
    uint64_t sample(RngStream& rng) const;
    // Median-like nominal value in ps (the constant, the uniform midpoint, the lognormal
    // median, the histogram's weighted median).
    uint64_t nominal_ps() const;
    // Compact text for --describe and logs: "2us", "uniform 1us..3us", "lognormal 2us/p99 8us",
    // "empirical hist.csv".
    std::string describe() const;

private:
    Kind kind_ = Kind::constant;
    uint64_t a_ps_ = 0, b_ps_ = 0;   // constant: a; uniform: [a, b]; lognormal: median a, p99 b
    double mu_ = 0, sigma_ = 0;      // lognormal, in ln(ps)
    std::vector<uint64_t> values_;   // empirical
    std::vector<double> cum_;        // empirical: cumulative weights
    std::string file_;
};

// A time parameter as a component holds it: its distribution and its own random stream.
class Cost {
public:
    Cost() = default;
    explicit Cost(uint64_t constant_ps) : dist_(TimeDist::constant(constant_ps)) {}
    Cost(TimeDist d, RngStream rng) : dist_(std::move(d)), rng_(rng) {}
    // The time of one occurrence, in ps.
    uint64_t sample() const { return dist_.sample(rng_); }
    uint64_t nominal_ps() const { return dist_.nominal_ps(); }
    bool is_constant() const { return dist_.is_constant(); }
    const TimeDist& dist() const { return dist_; }

private:
    TimeDist dist_;
    mutable RngStream rng_;
};

}  // namespace iopf
