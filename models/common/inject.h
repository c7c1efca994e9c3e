// Fault injection: scheduled error conditions on the architecture's own error paths (an
// SMMU's queue, table or MSI access aborting, a host core stalled, an interrupt delivered
// late). The platform schedules them (`platform.inject.<name>` or `--inject`); a model
// declares the points it supports at construction and asks its point at the moment the
// condition could occur. Nothing here touches the model's data: the model itself takes the
// architected error path (GERROR, an event record, an abort completion) when a point fires.
//
// An injection is armed from `at` and fires on the next `count` opportunities of its point
// (an access of that kind, an interrupt); time-triggered points (a core stall) read their
// injections once and schedule them. Unknown targets or points are configuration errors.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iopf {

struct InjectSpec {
    std::string name;             // platform.inject.<name> (or cli<N> for --inject)
    std::string target;           // component name ("smmu", "host")
    std::string point;            // the point of that component ("evtq_write", "cpu.stall")
    uint64_t at_ps = 0;           // armed from
    uint64_t count = 1;           // opportunities it fires on
    uint64_t duration_ps = 0;     // for points with a length (a stall, a delay)
    int64_t core = -1;            // for host cpu points: the core (-1 = default)
};

class InjectPoint {
public:
    InjectPoint(std::string target, std::string point, std::string doc)
        : target_(std::move(target)), point_(std::move(point)), doc_(std::move(doc)) {}
    // Cheap test for the hot path: false when nothing is scheduled here any more.
    bool armed() const { return remaining_ != 0; }
    // One opportunity at `now_ps`: the spec that applies (the earliest armed one with count
    // left; its count is consumed), or null.
    const InjectSpec* fire(uint64_t now_ps);
    // Every injection scheduled on this point (time-triggered points schedule them all).
    const std::vector<const InjectSpec*>& specs() const { return specs_; }
    // A time-triggered point reports each one that took effect.
    void took_effect() { ++fired_; }

    const std::string& target() const { return target_; }
    const std::string& point() const { return point_; }
    const std::string& doc() const { return doc_; }
    uint64_t fired() const { return fired_; }

private:
    friend class Injector;
    std::string target_, point_, doc_;
    std::vector<const InjectSpec*> specs_;
    std::vector<uint64_t> left_;
    uint64_t remaining_ = 0;
    uint64_t fired_ = 0;
};

class Injector {
public:
    // Before elaboration. Throws ConfigError for a malformed spec.
    void add(InjectSpec s);
    // A model's point (at construction). Stable address for the run.
    InjectPoint& declare(const std::string& target, const std::string& point, const std::string& doc);
    // After elaboration: every scheduled injection names a declared point, else ConfigError
    // naming the points of that target (or the targets that have points).
    void validate() const;
    bool empty() const { return specs_.empty(); }
    // stats "inject": per injection, its point, schedule and how often it fired.
    void stats(nlohmann::json& root) const;

    // `--inject TARGET:POINT[@AT][*COUNT][+DURATION][,core=N]` -> a spec (ConfigError on
    // malformed text). Times take units ("20us"); a bare number is rejected.
    static InjectSpec parse_cli(const std::string& text, const std::string& name);

private:
    std::deque<InjectSpec> specs_;
    std::map<std::string, std::unique_ptr<InjectPoint>> points_;   // "target:point"
};

}  // namespace iopf
