// Stats registry: each module registers a writer that fills its part of the stats JSON
// (DESIGN.md "Stats JSON"), e.g. root["devices"][name] or root["smmus"][name].
#pragma once
#include <functional>
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

}  // namespace iopf
