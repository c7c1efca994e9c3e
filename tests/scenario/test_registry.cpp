// The model registry (platforms/registry.h): every platform "type" is a registered factory;
// --list-models prints them; an unknown type exits 2 naming the known ones. No SystemC
// elaboration happens in this process (everything runs the iopf-sim binary).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "models/common/build_info.h"
#include "tests/scenario/harness.h"

using namespace iopf::test;

namespace {

const std::vector<std::string> kTypes = {"dma_engine", "gpu",  "host",    "interconnect", "memory", "pcie_endpoint",
                                         "root_complex", "smmu_v2", "smmu_v3", "trace_player"};

std::string describe(const CliResult& r) {
    return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

}  // namespace

TEST_CASE("registry: --list-models prints every type once, with a description, sorted", "[scenario][registry]") {
    const auto r = run_cli({"--list-models"});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const auto lines = lines_of(r.out);
    std::vector<std::string> types;
    for (const auto& l : lines) {
        const auto sp = l.find(' ');
        REQUIRE(sp != std::string::npos);
        types.push_back(l.substr(0, sp));
        CHECK(l.find_first_not_of(' ', sp) != std::string::npos);   // a description follows
        CHECK(l.size() > sp + 20);
    }
    // Every type the shipped platforms use is listed, in name order, each once.
    for (const auto& t : kTypes) CHECK(std::count(types.begin(), types.end(), t) == 1);
    CHECK(std::is_sorted(types.begin(), types.end()));
    CHECK(types.size() >= kTypes.size());
}

TEST_CASE("registry: an unknown type exits 2 with one line naming it and the known types", "[scenario][registry]") {
    TempDir tmp;
    const std::string f = tmp.file("p.json");
    write_text(f, R"({ "mem": {"type": "memory", "base": "0x80000000", "size": "1GiB"},
                       "host": {"type": "host"},
                       "iommu0": {"type": "frobnicator"} })");
    const auto r = run_cli({"--platform", f, "--quiet"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(lines_of(r.err).size() == 1);
    CHECK(r.err.find("iommu0.type") != std::string::npos);
    CHECK(r.err.find("frobnicator") != std::string::npos);
    for (const auto& t : kTypes) CHECK(r.err.find(t) != std::string::npos);
}

TEST_CASE("registry: a device naming a missing IOMMU exits 2 naming the key and the IOMMUs", "[scenario][registry]") {
    TempDir tmp;
    const std::string f = tmp.file("p.json");
    write_text(f, R"({ "mem": {"type": "memory", "base": "0x80000000", "size": "1GiB"},
                       "host": {"type": "host"},
                       "smmu": {"type": "smmu_v3"},
                       "dma0": {"type": "dma_engine", "smmu": "smmu9"} })");
    const auto r = run_cli({"--platform", f, "--quiet"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(lines_of(r.err).size() == 1);
    CHECK(r.err.find("dma0.smmu") != std::string::npos);
    CHECK(r.err.find("smmu9") != std::string::npos);
    CHECK(r.err.find("IOMMUs: smmu") != std::string::npos);
}
