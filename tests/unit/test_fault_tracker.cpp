// FaultTracker in bounded memory (models/common/fault_tracker.h): the fault log streams in
// id order as faults close, and only a bounded number of closed records stay in memory.
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/common/fault_tracker.h"

using namespace iopf;

namespace {

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream is(s);
    for (std::string l; std::getline(is, l);) out.push_back(l);
    return out;
}

FaultRecord rec(uint64_t t) {
    FaultRecord r;
    r.device = "dma0";
    r.smmu = "smmu";
    r.event = "F_TRANSLATION";
    r.t_issue_ps = t;
    return r;
}

}  // namespace

TEST_CASE("FaultTracker streams the fault log in id order as faults close") {
    FaultTracker ft;
    std::ostringstream os;
    ft.stream_csv(&os);
    const uint64_t a = ft.open(rec(1000)), b = ft.open(rec(2000)), c = ft.open(rec(3000));
    ft.close(b, 5000);
    ft.close(c, 6000);
    CHECK(lines(os.str()).size() == 1);   // header only: fault a (older) is still open
    ft.close(a, 7000);
    auto l = lines(os.str());
    REQUIRE(l.size() == 4);
    CHECK(l[1].rfind("1,dma0,smmu,", 0) == 0);
    CHECK(l[2].rfind("2,", 0) == 0);
    CHECK(l[3].rfind("3,", 0) == 0);
    // The same rows as a whole-log write of the records in memory.
    std::ostringstream whole;
    ft.write_csv(whole);
    CHECK(whole.str() == os.str());
    // An open fault holds back the faults after it; finish_csv writes them at the end.
    const uint64_t d = ft.open(rec(8000)), e = ft.open(rec(9000));
    ft.close(e, 10000);
    CHECK(lines(os.str()).size() == 4);
    ft.finish_csv();
    l = lines(os.str());
    REQUIRE(l.size() == 5);
    CHECK(l[4].rfind("5,", 0) == 0);
    CHECK(ft.open_count() == 1);
    CHECK(ft.find(d) != nullptr);
}

TEST_CASE("FaultTracker keeps only the last kRetained closed records in memory") {
    FaultTracker ft;
    const size_t n = 3 * FaultTracker::kRetained;
    for (size_t i = 0; i < n; ++i) {
        const uint64_t id = ft.open(rec(i * 1000));
        ft.mark(id, Stage::detect, i * 1000 + 100);
        ft.resolve(id, Resolution::success);
        ft.close(id, i * 1000 + 500);
    }
    CHECK(ft.size() == FaultTracker::kRetained);
    CHECK(ft.records().front().id == n - FaultTracker::kRetained + 1);
    CHECK(ft.find(1) == nullptr);
    CHECK(ft.find(n) != nullptr);
    // The statistics still cover every fault.
    const auto s = ft.stats();
    CHECK(s["count"] == n);
    CHECK(s["by_resolution"]["success"] == n);
    CHECK(s["latency_ns"]["max"] == 0.5);
    CHECK(s["stages"]["detect"]["p50"] == 0.1);
}
