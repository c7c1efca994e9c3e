#include "models/common/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/histogram.hpp>

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

namespace bh = boost::histogram;
using LogAxis = bh::axis::regular<double, bh::axis::transform::log>;
namespace {
constexpr unsigned kDecades = 15;   // log10(kHighest / kLowest)
}

struct Distribution::Hist {
    decltype(bh::make_histogram(LogAxis(1, 1.0, 10.0))) h;
    Hist() : h(bh::make_histogram(LogAxis(kDecades * kBinsPerDecade, kLowest, kHighest))) {}
};

const double Distribution::kRelativeError = std::sqrt(std::pow(10.0, 1.0 / kBinsPerDecade)) - 1.0;

Distribution::Distribution() = default;
Distribution::~Distribution() = default;
Distribution::Distribution(Distribution&&) noexcept = default;
Distribution& Distribution::operator=(Distribution&&) noexcept = default;

void Distribution::add(double v) {
    if (count_ == 0 || v < min_) min_ = v;
    if (count_ == 0 || v > max_) max_ = v;
    ++count_;
    sum_ += v;
    if (!hist_) {
        samples_.push_back(v);
        if (samples_.size() <= kExactSamples) return;
        hist_ = std::make_unique<Hist>();
        for (double x : samples_) hist_->h(x);
        std::vector<double>().swap(samples_);
        return;
    }
    hist_->h(v);
}

nlohmann::json Distribution::json() const {
    if (!hist_) return distribution(samples_);
    nlohmann::json d;
    d["count"] = count_;
    d["min"] = min_;
    d["mean"] = static_cast<double>(sum_ / count_);
    const auto& ax = hist_->h.axis();
    auto rank = [&](double p) {
        uint64_t k = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p * count_)));
        uint64_t seen = 0;
        for (auto&& x : bh::indexed(hist_->h, bh::coverage::all)) {
            seen += static_cast<uint64_t>(*x);
            if (seen < k) continue;
            const int i = x.index();
            double v;
            if (i < 0) v = 0.0;                                   // zero / below kLowest
            else if (i >= ax.size()) v = max_;                   // above kHighest
            else v = std::sqrt(ax.value(i) * ax.value(i + 1));   // geometric middle
            return std::min(max_, std::max(min_, v));
        }
        return max_;
    };
    d["p50"] = rank(0.50);
    d["p90"] = rank(0.90);
    d["p99"] = rank(0.99);
    d["max"] = max_;
    return d;
}

}  // namespace iopf
