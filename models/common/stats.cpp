#include "models/common/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace iopf {

nlohmann::json distribution(std::vector<double> s) {
    nlohmann::json d;
    d["count"] = s.size();
    if (s.empty()) {
        for (const char* k : {"min", "mean", "p50", "p90", "p99", "max"}) d[k] = 0.0;
        return d;
    }
    std::sort(s.begin(), s.end());
    auto rank = [&](double p) {
        size_t idx = static_cast<size_t>(std::ceil(p * s.size()));
        return s[std::min(s.size(), std::max<size_t>(idx, 1)) - 1];
    };
    double sum = std::accumulate(s.begin(), s.end(), 0.0);
    d["min"] = s.front();
    d["mean"] = sum / s.size();
    d["p50"] = rank(0.50);
    d["p90"] = rank(0.90);
    d["p99"] = rank(0.99);
    d["max"] = s.back();
    return d;
}

}  // namespace iopf
