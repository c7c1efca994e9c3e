// VCD output of every shipped platform and the GTKWave save files in traces/
// (docs/workflows.md "Waveforms"): each VCD is well formed (declared ids only, increasing
// time, values as wide as declared), converts with vcd2fst (exit 0, nothing on stderr) and
// back with fst2vcd, and traces/<platform>.gtkw names only signals the VCD has -- including
// every IRQ line, queue occupancy, stall / fault / core / outstanding counter -- and GTKWave
// (headless, under xvfb-run) opens it with all of them displayed.
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <regex>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/scenario/harness.h"

using namespace iopf::test;
namespace fs = std::filesystem;

namespace {

const std::string kSource = iopf::source_dir();

std::vector<std::string> shipped_platforms() {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(kSource + "/platforms"))
        if (e.path().extension() == ".json") v.push_back(e.path().stem().string());
    std::sort(v.begin(), v.end());
    return v;
}

bool have_tool(const std::string& name) {
    return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

int run_shell(const std::string& cmd) {
    const int st = std::system(cmd.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

struct Vcd {
    std::map<std::string, std::pair<std::string, int>> ids;   // id code -> (full name, width)
    std::vector<std::string> names;                            // "SystemC.smmu.stalled[63:0]" as GTKWave shows them
    std::string problems;
    size_t changes = 0, stamps = 0;
    std::map<std::string, size_t> moves;   // id code -> changes after time 0
};

// The prefix "SystemC.gpu_smmu.cb1." of a context-bank signal, "" for others.
std::string bank_of(const std::string& name) {
    static const std::regex re("^(.*\\.cb[0-9]+\\.).*");
    std::smatch m;
    return std::regex_match(name, m, re) ? m[1].str() : "";
}

// Parses and checks a VCD written by iopf-sim.
Vcd parse_vcd(const std::string& text) {
    Vcd v;
    std::istringstream in(text);
    std::string tok;
    std::vector<std::string> scopes;
    bool defs = true;
    long long last_t = -1;
    auto problem = [&](const std::string& p) {
        if (v.problems.size() < 2000) v.problems += p + "\n";
    };
    while (defs && in >> tok) {
        if (tok == "$scope") {
            std::string kind, name;
            in >> kind >> name;
            scopes.push_back(name);
        } else if (tok == "$upscope") {
            if (scopes.empty()) problem("$upscope without $scope");
            else scopes.pop_back();
        } else if (tok == "$var") {
            std::string type, id, ref, rest;
            int width = 0;
            in >> type >> width >> id >> ref;
            std::string range;
            while (in >> rest && rest != "$end") range = rest;
            std::string full;
            for (const auto& s : scopes) full += s + ".";
            full += ref + (range.size() && range[0] == '[' ? range : "");
            if (v.ids.count(id)) problem("id " + id + " declared twice");
            v.ids[id] = {full, width};
            v.names.push_back(full);
        } else if (tok == "$enddefinitions") {
            in >> tok;   // $end
            defs = false;
        }
    }
    if (defs) problem("no $enddefinitions");
    if (!scopes.empty()) problem("unclosed $scope");
    std::string line;
    bool comment = false;
    while (std::getline(in, line)) {
        if (line.rfind("$comment", 0) == 0) comment = true;
        if (comment) {
            comment = line.find("$end") == std::string::npos;
            continue;
        }
        if (line.empty() || line[0] == '$') continue;   // $dumpvars / $end
        if (line[0] == '#') {
            const long long t = std::stoll(line.substr(1));
            if (t <= last_t) problem("time " + line + " not after #" + std::to_string(last_t));
            last_t = t;
            ++v.stamps;
            continue;
        }
        ++v.changes;
        std::string id;
        int width = 1;
        if (line[0] == 'b') {
            const auto sp = line.find(' ');
            if (sp == std::string::npos) { problem("bad vector change: " + line); continue; }
            const std::string bits = line.substr(1, sp - 1);
            id = line.substr(sp + 1);
            width = static_cast<int>(bits.size());
            if (bits.find_first_not_of("01xzXZ") != std::string::npos) problem("bad bits: " + line);
        } else if (std::string("01xzXZ").find(line[0]) != std::string::npos) {
            id = line.substr(1);
        } else {
            problem("unexpected line: " + line);
            continue;
        }
        if (last_t > 0) ++v.moves[id];   // a change after the initial values
        auto it = v.ids.find(id);
        if (it == v.ids.end()) problem("undeclared id in: " + line);
        else if (width > it->second.second) problem("value wider than " + std::to_string(it->second.second) + ": " + line);
    }
    return v;
}

// Signal lines of a .gtkw file (not directives, flags, comments or group names).
std::vector<std::string> gtkw_signals(const std::string& text, std::string& dumpfile, std::string& savefile) {
    std::vector<std::string> out;
    for (const auto& l : lines_of(text)) {
        if (l.empty()) continue;
        if (l.rfind("[dumpfile] ", 0) == 0) dumpfile = l.substr(11);
        if (l.rfind("[savefile] ", 0) == 0) savefile = l.substr(11);
        if (l[0] == '[' || l[0] == '@' || l[0] == '-' || l[0] == '*') continue;
        out.push_back(l);
    }
    return out;
}

bool useful(const std::string& name) {
    for (const char* k : {"irq", "occupancy", "stalled", "faults_in_flight", "cores_busy", "outstanding"})
        if (name.find(k) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("vcd: every shipped platform's VCD is well formed and vcd2fst converts it cleanly", "[scenario][vcd]") {
    REQUIRE(have_tool("vcd2fst"));   // Debian package gtkwave (tools/setup test installs it)
    REQUIRE(have_tool("fst2vcd"));
    TempDir tmp;
    const auto platforms = shipped_platforms();
    REQUIRE(platforms.size() >= 3);
    for (const auto& p : platforms) {
        INFO("platform " << p);
        const std::string vcd = tmp.file(p + ".vcd"), fst = tmp.file(p + ".fst"), back = tmp.file(p + ".back.vcd");
        const auto r = run_cli({"--platform", p, "--quiet", "--vcd", vcd});
        INFO("exit " << r.exit_code << " stderr " << r.err);
        REQUIRE(r.exit_code == 0);
        const Vcd v = parse_vcd(read_text(vcd));
        INFO("problems:\n" << v.problems);
        CHECK(v.problems.empty());
        CHECK(v.ids.size() >= 5);
        CHECK(v.stamps > 1);
        CHECK(v.changes > v.ids.size());   // initial values plus real changes

        const std::string err = tmp.file(p + ".vcd2fst.err");
        CHECK(run_shell("vcd2fst '" + vcd + "' '" + fst + "' >/dev/null 2>'" + err + "'") == 0);
        INFO("vcd2fst stderr: " << read_text(err));
        CHECK(read_text(err).empty());
        CHECK(fs::file_size(fst) > 0);
        CHECK(run_shell("fst2vcd '" + fst + "' >'" + back + "' 2>'" + err + "'") == 0);
        CHECK(parse_vcd(read_text(back)).ids.size() == v.ids.size());
    }
}

TEST_CASE("vcd: traces/<platform>.gtkw names every useful signal of its VCD and nothing else", "[scenario][vcd]") {
    TempDir tmp;
    for (const auto& p : shipped_platforms()) {
        INFO("platform " << p << " (regenerate the save files: tools/refresh-golden)");
        const std::string gtkw = kSource + "/traces/" + p + ".gtkw";
        REQUIRE(fs::exists(gtkw));
        const std::string vcd = tmp.file(p + ".vcd");
        REQUIRE(run_cli({"--platform", p, "--quiet", "--vcd", vcd}).exit_code == 0);
        const Vcd v = parse_vcd(read_text(vcd));
        std::string dumpfile, savefile;
        const auto sigs = gtkw_signals(read_text(gtkw), dumpfile, savefile);
        CHECK(dumpfile == "\"" + p + ".vcd\"");
        CHECK(savefile == "\"" + p + ".gtkw\"");
        const std::set<std::string> have(v.names.begin(), v.names.end()), shown(sigs.begin(), sigs.end());
        for (const auto& s : sigs) {
            INFO("save file signal " << s << " is not in the VCD");
            CHECK(have.count(s) == 1);
        }
        // Left out on purpose: interrupt lines that never move (MSI mode, unused banks) and
        // context banks none of whose signals move.
        std::set<std::string> moved, banks_used;
        for (const auto& [id, nw] : v.ids)
            if (v.moves.count(id)) {
                moved.insert(nw.first);
                if (!bank_of(nw.first).empty()) banks_used.insert(bank_of(nw.first));
            }
        size_t useful_count = 0;
        for (const auto& [id, nw] : v.ids) {
            const std::string& n = nw.first;
            if (!useful(n)) continue;
            if (!bank_of(n).empty() && !banks_used.count(bank_of(n))) {
                INFO("unused context bank signal " << n << " is in the save file");
                CHECK(shown.count(n) == 0);
                continue;
            }
            if (nw.second == 1 && n.find("irq") != std::string::npos && !moved.count(n)) {
                INFO("flat interrupt line " << n << " is in the save file");
                CHECK(shown.count(n) == 0);
                continue;
            }
            ++useful_count;
            INFO("VCD signal " << n << " is missing from the save file");
            CHECK(shown.count(n) == 1);
        }
        CHECK(useful_count >= 5);   // at least the SMMU IRQ lines, occupancies, stalled, a device
    }
}

TEST_CASE("vcd: GTKWave opens each traces/<platform>.gtkw headlessly with all its signals", "[scenario][vcd][gtkwave]") {
    REQUIRE(have_tool("gtkwave"));
    REQUIRE(have_tool("xvfb-run"));   // Debian package xvfb (tools/setup test installs it)
    TempDir tmp;
    // The save files open traces/<platform>.vcd next to them: write those VCDs into a copy
    // of the folder so the repository's traces/ is left alone.
    const std::string script = tmp.file("list.tcl");
    write_text(script,
               "set f [open $::env(GTKW_OUT) w]\n"
               "puts $f \"dumpfile=[gtkwave::getDumpFileName]\"\n"
               "puts $f \"zoom=[gtkwave::getZoomFactor]\"\n"
               "foreach s [gtkwave::getDisplayedSignals] { puts $f $s }\n"
               "close $f\n"
               "gtkwave::/File/Quit\n");
    for (const auto& p : shipped_platforms()) {
        INFO("platform " << p);
        const std::string gtkw = tmp.file(p + ".gtkw"), out = tmp.file(p + ".shown");
        fs::copy_file(kSource + "/traces/" + p + ".gtkw", gtkw);
        REQUIRE(run_cli({"--platform", p, "--quiet", "--vcd", tmp.file(p + ".vcd")}).exit_code == 0);
        // Run from another folder: the relative [dumpfile] must resolve against the save file.
        const int rc = run_shell("cd / && GTKW_OUT='" + out + "' timeout 120 xvfb-run -a gtkwave -S '" + script + "' '" +
                                 gtkw + "' >'" + tmp.file(p + ".log") + "' 2>&1");
        INFO("gtkwave log:\n" << read_text(tmp.file(p + ".log")));
        REQUIRE(rc == 0);
        auto shown = lines_of(read_text(out));
        REQUIRE_FALSE(shown.empty());
        CHECK(shown[0] == "dumpfile=" + tmp.file(p + ".vcd"));
        shown.erase(shown.begin());
        // Zoomed to the whole run: 2^-zoom ps per pixel over the ~860-pixel wave area.
        REQUIRE_FALSE(shown.empty());
        REQUIRE(shown[0].rfind("zoom=", 0) == 0);
        const double zoom = std::stod(shown[0].substr(5));
        shown.erase(shown.begin());
        const std::string vtext = read_text(tmp.file(p + ".vcd"));
        const auto hash = vtext.rfind("\n#");
        REQUIRE(hash != std::string::npos);
        const double last_ps = std::stod(vtext.substr(hash + 2));
        CHECK(zoom < 0);
        CHECK(std::pow(2.0, -zoom) * 860 >= last_ps);
        CHECK(std::pow(2.0, -zoom) * 860 < 2.5 * last_ps);   // not zoomed out further than needed
        std::string d, s;
        const auto listed = gtkw_signals(read_text(gtkw), d, s);
        CHECK(shown == listed);   // every signal found, in the save file's order
    }
}
