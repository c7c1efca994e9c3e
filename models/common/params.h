// Parameters: every module reads its configuration through a ParamScope, which records
// the parameter's path, type, unit, default and meaning as it is read. That record is what
// `--describe` prints and what unknown-key detection checks against, so documentation and
// behaviour cannot drift apart.
//
// Values come from (highest first): `--set path=value` overrides, the platform JSON, the
// declared default. A path is the dotted key into the platform JSON ("smmu.tlb.entries").
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/common/dist.h"

namespace iopf {

// Bad input (unknown key, wrong type, out-of-range value). The message is one line that
// names the key and what was expected; the CLI prints it and exits 2.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a parameter means and where its default comes from, declared together at the one
// place the parameter is read: `{"meaning", "source"}`. The source is a citation (spec or
// TRM section, paper and table, Linux file + function, a measurement) or "assumed: why".
// A bare meaning (no source) still compiles so other work keeps building, but the
// every-parameter-sourced test fails on it.
struct Doc {
    std::string meaning;
    std::string source;
    Doc(std::string m, std::string s) : meaning(std::move(m)), source(std::move(s)) {}
};

// Sources shared by many parameters (so the same reason reads the same everywhere).
namespace src {
// A choice each platform makes for its own layout or workload, not a property of a part.
inline const char* const config = "assumed: a configuration choice of the platform (layout or workload), not a measured quantity";
// gem5's SMMUv3.py default: a placeholder of gem5's, not a measurement of a part.
inline const char* const gem5 = "gem5 src/dev/arm/SMMUv3.py default (a gem5 placeholder, not a measurement of a part)";
}  // namespace src

struct ParamInfo {
    std::string path;
    std::string type;     // "uint", "size", "time", "cost", "double", "bool", "enum", "string", "object"
                          // ("cost": a time or a distribution, see models/common/dist.h)
    std::string unit;     // "cycles", "ns", "bytes", "MHz", ... or ""
    std::string def;      // default, formatted
    std::string value;    // value in effect, formatted
    std::string doc;      // one-line meaning
    std::string source;   // citation or "assumed: why" for the default
};

class ParamScope;

class Params {
public:
    explicit Params(nlohmann::json root = nlohmann::json::object());

    // Record a `--set path=value` override (value is text; it is typed when read).
    void set_override(const std::string& path, const std::string& value);
    // `--set-file FILE.json`: a JSON object of overrides. Keys are dotted paths or nested
    // objects (both {"host.irq.hardirq_cost": "1us"} and {"host": {"irq": {...}}}); an object
    // with a "dist" member is a distribution value, not a level of nesting. Throws ConfigError.
    void set_overrides_from_file(const std::string& file);
    void set_overrides_from_json(const nlohmann::json& j, const std::string& origin);

    // The --seed the random streams of distribution-valued parameters derive from (set it
    // before elaboration), and the directory relative histogram files are also looked up in.
    void set_seed(uint64_t seed) { seed_ = seed; }
    uint64_t seed() const { return seed_; }
    void set_base_dir(std::string dir) { base_dir_ = std::move(dir); }

    ParamScope scope(const std::string& prefix);
    const nlohmann::json& root() const { return root_; }

    // After elaboration: every key in the platform and every override must have been read.
    // Throws ConfigError naming the first unknown key and the nearest valid one.
    void check_unknown() const;

    const std::vector<ParamInfo>& declared() const { return declared_; }
    // The JSON a distribution-valued cost was given as (to write it back in a dumped
    // configuration), or nullptr when the parameter's value is its plain text.
    const nlohmann::json* value_json(const std::string& path) const {
        auto it = value_json_.find(path);
        return it == value_json_.end() ? nullptr : &it->second;
    }

private:
    friend class ParamScope;
    const nlohmann::json* lookup(const std::string& path) const;
    void declare(ParamInfo info);
    std::string nearest(const std::string& path) const;

    nlohmann::json root_;
    std::map<std::string, std::string> overrides_;
    std::vector<ParamInfo> declared_;
    std::set<std::string> declared_paths_;
    uint64_t seed_ = 1;
    std::string base_dir_;
    std::map<std::string, unsigned> cost_readers_;
    std::map<std::string, nlohmann::json> value_json_;   // distribution-valued costs   // path -> how many Costs were made from it
};

class ParamScope {
public:
    ParamScope(Params& params, std::string prefix) : p_(&params), prefix_(std::move(prefix)) {}

    uint64_t get_uint(const std::string& name, uint64_t def, const std::string& unit,
                      const Doc& doc, uint64_t min = 0, uint64_t max = UINT64_MAX);
    uint64_t get_size(const std::string& name, uint64_t def, const Doc& doc);
    // An address: like a size, but shown in hex.
    uint64_t get_addr(const std::string& name, uint64_t def, const Doc& doc);
    uint64_t get_time_ps(const std::string& name, uint64_t def_ps, const Doc& doc);
    // A time that may also be a distribution (dist.h): a software cost or a latency. Each
    // call returns a Cost with its own random stream (seed, path, reader index).
    Cost get_cost(const std::string& name, uint64_t def_ps, const Doc& doc);
    double get_double(const std::string& name, double def, const std::string& unit,
                      const Doc& doc, double min = 0.0, double max = 1e300);
    bool get_bool(const std::string& name, bool def, const Doc& doc);
    std::string get_enum(const std::string& name, const std::string& def,
                         const std::vector<std::string>& choices, const Doc& doc);
    std::string get_string(const std::string& name, const std::string& def, const Doc& doc);

    // Names of the members of the JSON object at `name` (e.g. a device's jobs), sorted.
    // Declares `name` as an object parameter so its presence is not "unknown".
    std::vector<std::string> children(const std::string& name, const Doc& doc);
    bool has(const std::string& name) const;

    ParamScope sub(const std::string& name) const { return ParamScope(*p_, path(name)); }
    std::string path(const std::string& name) const {
        return prefix_.empty() ? name : prefix_ + "." + name;
    }
    const std::string& prefix() const { return prefix_; }

private:
    // The raw text (override) or JSON value for `name`; false when neither exists.
    bool raw(const std::string& name, std::string& text, const nlohmann::json*& json) const;
    // A byte count or address from text ("4KiB", "0x1000") or a JSON number; def if absent.
    uint64_t read_bytes(const std::string& name, uint64_t def, const char* expected);
    [[noreturn]] void type_error(const std::string& name, const std::string& got,
                                 const std::string& expected) const;

    Params* p_;
    std::string prefix_;
};

}  // namespace iopf
