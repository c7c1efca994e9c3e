// Stats registry: each module registers a writer that fills its part of the stats JSON
// (DESIGN.md "Stats JSON"), e.g. root["devices"][name] or root["smmus"][name].
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

namespace iopf {

class StatsRegistry {
public:
    using Writer = std::function<void(nlohmann::json& root)>;
    void add(Writer w) { writers_.push_back(std::move(w)); }
    // Calls every writer in registration order on `root`.
    void collect(nlohmann::json& root) const {
        for (const auto& w : writers_) w(root);
    }

private:
    std::vector<Writer> writers_;
};

// Exact order statistics over a sample (nearest-rank percentiles), for the distributions
// in the stats JSON: count, min, mean, p50, p90, p99, max.
nlohmann::json distribution(std::vector<double> samples);

// A distribution accumulated one sample at a time, in bounded memory: exact (the samples
// are kept and `json()` is `distribution()` of them) up to kExactSamples, then a
// log-bucketed histogram (Boost.Histogram, kBinsPerDecade bins per decade from kLowest to
// kHighest): count, min, max and mean stay exact; a percentile is the geometric middle of
// the bucket that holds the nearest-rank sample, clamped to [min, max], so its relative
// error is at most kRelativeError (docs/outputs.md). Zero and values below kLowest are
// counted exactly as 0.
class Distribution {
public:
    static constexpr size_t kExactSamples = 100000;
    static constexpr unsigned kBinsPerDecade = 200;
    static constexpr double kLowest = 1e-3, kHighest = 1e12;   // ns: 1 ps .. 1000 s
    static const double kRelativeError;                        // sqrt(10^(1/kBinsPerDecade)) - 1

    Distribution();
    ~Distribution();
    Distribution(Distribution&&) noexcept;
    Distribution& operator=(Distribution&&) noexcept;
    void add(double v);
    uint64_t count() const { return count_; }
    bool exact() const { return !hist_; }
    nlohmann::json json() const;

private:
    struct Hist;
    uint64_t count_ = 0;
    double min_ = 0, max_ = 0;
    long double sum_ = 0;
    std::vector<double> samples_;
    std::unique_ptr<Hist> hist_;
};

}  // namespace iopf
