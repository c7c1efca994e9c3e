#include "models/common/params.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/common/units.h"

namespace iopf {
namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : path) {
        if (c == '.') { parts.push_back(cur); cur.clear(); }
        else cur += c;
    }
    parts.push_back(cur);
    return parts;
}

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

bool is_dist_object(const nlohmann::json& j) { return j.is_object() && j.contains("dist"); }

void collect_leaves(const nlohmann::json& j, const std::string& prefix, std::vector<std::string>& out) {
    if (j.is_object() && !j.empty() && !is_dist_object(j)) {
        for (auto it = j.begin(); it != j.end(); ++it)
            collect_leaves(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    } else {
        out.push_back(prefix);
    }
}

std::string json_text(const nlohmann::json& j) {
    return j.is_string() ? j.get<std::string>() : j.dump();
}

}  // namespace

Params::Params(nlohmann::json root) : root_(std::move(root)) {
    if (!root_.is_object()) throw ConfigError("platform: expected a JSON object at the top level");
}

void Params::set_override(const std::string& path, const std::string& value) {
    if (path.empty()) throw ConfigError("--set: expected key.path=value, got an empty key");
    overrides_[path] = value;
}

void Params::set_overrides_from_json(const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object()) throw ConfigError(origin + ": expected a JSON object of key.path: value overrides");
    std::vector<std::pair<std::string, const nlohmann::json*>> stack;
    for (auto it = j.begin(); it != j.end(); ++it) stack.emplace_back(it.key(), &it.value());
    for (size_t i = 0; i < stack.size(); ++i) {
        const auto [key, v] = stack[i];
        // A key whose last segment starts with '_' or '#' is metadata or a comment (a
        // tools/calibrate-host preset records what it measured under "_measured").
        const size_t dot = key.rfind('.');
        const char lead = key.empty() ? '\0' : key[dot == std::string::npos ? 0 : dot + 1];
        if (lead == '_' || lead == '#') continue;
        if (v->is_object() && !is_dist_object(*v) && !v->empty()) {
            for (auto it = v->begin(); it != v->end(); ++it) stack.emplace_back(key + "." + it.key(), &it.value());
            continue;
        }
        if (v->is_null() || (v->is_object() && v->empty()) || v->is_array())
            throw ConfigError(origin + ": key '" + key + "': expected a value, got " + v->dump());
        set_override(key, json_text(*v));
    }
}

void Params::set_overrides_from_file(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw ConfigError("--set-file: cannot read '" + file + "'");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::exception& e) {   // parse_error, or out_of_range for 1e400
        throw ConfigError("--set-file '" + file + "': invalid JSON: " + e.what());
    }
    set_overrides_from_json(j, "--set-file '" + file + "'");
}

ParamScope Params::scope(const std::string& prefix) { return ParamScope(*this, prefix); }

const nlohmann::json* Params::lookup(const std::string& path) const {
    const nlohmann::json* j = &root_;
    for (const auto& part : split_path(path)) {
        if (!j->is_object()) return nullptr;
        auto it = j->find(part);
        if (it == j->end()) return nullptr;
        j = &*it;
    }
    return j;
}

void Params::declare(ParamInfo info) {
    if (declared_paths_.insert(info.path).second) declared_.push_back(std::move(info));
}

std::string Params::nearest(const std::string& path) const {
    std::string best;
    size_t best_d = SIZE_MAX;
    for (const auto& d : declared_paths_) {
        size_t dist = edit_distance(path, d);
        if (dist < best_d) { best_d = dist; best = d; }
    }
    return best;
}

void Params::check_unknown() const {
    auto known = [&](const std::string& path) {
        if (declared_paths_.count(path)) return true;
        // Members of an object parameter (children()) are known when declared one by one;
        // "type" keys are read by the builder and declared like any other parameter.
        return false;
    };
    std::vector<std::string> leaves;
    collect_leaves(root_, "", leaves);
    for (const auto& [path, value] : overrides_) leaves.push_back(path);
    for (const auto& leaf : leaves) {
        if (leaf.empty() || known(leaf)) continue;
        // An empty object declared via children() is a leaf of its own.
        std::string msg = "unknown parameter '" + leaf + "'";
        std::string near = nearest(leaf);
        if (!near.empty()) msg += " (did you mean '" + near + "'?)";
        throw ConfigError(msg);
    }
}

bool ParamScope::raw(const std::string& name, std::string& text, const nlohmann::json*& json) const {
    const std::string full = path(name);
    auto ov = p_->overrides_.find(full);
    json = nullptr;
    if (ov != p_->overrides_.end()) { text = ov->second; return true; }
    json = p_->lookup(full);
    if (json) { text = json_text(*json); return true; }
    return false;
}

void ParamScope::type_error(const std::string& name, const std::string& got,
                            const std::string& expected) const {
    throw ConfigError("parameter '" + path(name) + "': expected " + expected + ", got '" + got + "'");
}

bool ParamScope::has(const std::string& name) const {
    std::string t;
    const nlohmann::json* j;
    return raw(name, t, j);
}

uint64_t ParamScope::get_uint(const std::string& name, uint64_t def, const std::string& unit,
                              const Doc& doc, uint64_t min, uint64_t max) {
    std::string text;
    const nlohmann::json* j;
    uint64_t v = def;
    if (raw(name, text, j)) {
        std::optional<uint64_t> parsed;
        if (j && j->is_number_unsigned()) parsed = j->get<uint64_t>();
        else if (j && j->is_number_integer() && j->get<int64_t>() >= 0) parsed = j->get<int64_t>();
        else if (!j || j->is_string()) parsed = parse_uint(text);
        if (!parsed) type_error(name, text, "an unsigned integer" + (unit.empty() ? "" : " (" + unit + ")"));
        v = *parsed;
    }
    if (v < min || v > max)
        throw ConfigError("parameter '" + path(name) + "': expected a value in [" + std::to_string(min) +
                          ", " + std::to_string(max) + "], got " + std::to_string(v));
    p_->declare({path(name), "uint", unit, std::to_string(def), std::to_string(v), doc.meaning, doc.source});
    return v;
}

uint64_t ParamScope::read_bytes(const std::string& name, uint64_t def, const char* expected) {
    std::string text;
    const nlohmann::json* j;
    if (!raw(name, text, j)) return def;
    std::optional<uint64_t> parsed;
    if (j && j->is_number_unsigned()) parsed = j->get<uint64_t>();
    else if (!j || j->is_string()) parsed = parse_size(text);
    if (!parsed) type_error(name, text, expected);
    return *parsed;
}

uint64_t ParamScope::get_size(const std::string& name, uint64_t def, const Doc& doc) {
    const uint64_t v = read_bytes(name, def, "a size such as 4096, 0x1000, 4KiB or 2MiB");
    p_->declare({path(name), "size", "bytes", format_size(def), format_size(v), doc.meaning, doc.source});
    return v;
}

uint64_t ParamScope::get_addr(const std::string& name, uint64_t def, const Doc& doc) {
    const uint64_t v = read_bytes(name, def, "an address such as 0x80000000");
    p_->declare({path(name), "addr", "", hex(def), hex(v), doc.meaning, doc.source});
    return v;
}

uint64_t ParamScope::get_time_ps(const std::string& name, uint64_t def_ps, const Doc& doc) {
    std::string text;
    const nlohmann::json* j;
    uint64_t v = def_ps;
    if (raw(name, text, j)) {
        std::optional<uint64_t> parsed;
        if (j && j->is_number())
            parsed = ps_from_double(j->get<double>() * 1000.0);  // bare number = ns
        else if (!j || j->is_string()) parsed = parse_time_ps(text);
        if (!parsed) type_error(name, text, "a time such as 250ns, 2us or 1.5ms (bare number = ns)");
        v = *parsed;
    }
    p_->declare({path(name), "time", "ns", format_time_ps(def_ps), format_time_ps(v), doc.meaning, doc.source});
    return v;
}

Cost ParamScope::get_cost(const std::string& name, uint64_t def_ps, const Doc& doc) {
    std::string text;
    const nlohmann::json* j;
    const std::string full = path(name);
    TimeDist d = TimeDist::constant(def_ps);
    if (raw(name, text, j)) {
        if (j && is_dist_object(*j)) {
            d = TimeDist::parse(*j, full, p_->base_dir_);
            p_->value_json_[full] = *j;
        } else if (!j && !text.empty() && text.front() == '{') {
            nlohmann::json parsed;
            try {
                parsed = nlohmann::json::parse(text);
            } catch (const nlohmann::json::exception&) {   // parse_error, or out_of_range for 1e400
                type_error(name, text, "a time such as 2us or a distribution such as {\"dist\":\"lognormal\",\"median\":\"2us\",\"p99\":\"8us\"}");
            }
            d = TimeDist::parse(parsed, full, p_->base_dir_);
            p_->value_json_[full] = parsed;
        } else {
            std::optional<uint64_t> parsed;
            if (j && j->is_number() && j->get<double>() >= 0) {
                const double ps = j->get<double>() * 1000.0 + 0.5;   // bare number = ns
                if (ps < 9.2e18) parsed = static_cast<uint64_t>(ps);  // from 2^63 ps on it is no time
            }
            else if (!j || j->is_string()) parsed = parse_time_ps(text);
            if (!parsed)
                type_error(name, text, "a time such as 250ns or 2us, or a {\"dist\": uniform|lognormal|empirical, ...} object");
            d = TimeDist::constant(*parsed);
        }
    }
    p_->declare({full, "cost", "ns", format_time_ps(def_ps), d.describe(), doc.meaning, doc.source});
    const unsigned reader = p_->cost_readers_[full]++;
    return Cost(std::move(d), RngStream(p_->seed_, full + "#" + std::to_string(reader)));
}

double ParamScope::get_double(const std::string& name, double def, const std::string& unit,
                              const Doc& doc, double min, double max) {
    std::string text;
    const nlohmann::json* j;
    double v = def;
    if (raw(name, text, j)) {
        if (j && j->is_number()) v = j->get<double>();
        else {
            char* end = nullptr;
            v = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size())
                type_error(name, text, "a number" + (unit.empty() ? "" : " (" + unit + ")"));
        }
    }
    if (!(v >= min && v <= max)) {
        std::ostringstream os;
        os << "parameter '" << path(name) << "': expected a value in [" << min << ", " << max << "], got " << v;
        throw ConfigError(os.str());
    }
    std::ostringstream d, cur;
    d << def;
    cur << v;
    p_->declare({path(name), "double", unit, d.str(), cur.str(), doc.meaning, doc.source});
    return v;
}

bool ParamScope::get_bool(const std::string& name, bool def, const Doc& doc) {
    std::string text;
    const nlohmann::json* j;
    bool v = def;
    if (raw(name, text, j)) {
        if (j && j->is_boolean()) v = j->get<bool>();
        else if (text == "true" || text == "1" || text == "on" || text == "yes") v = true;
        else if (text == "false" || text == "0" || text == "off" || text == "no") v = false;
        else type_error(name, text, "a boolean (true/false)");
    }
    p_->declare({path(name), "bool", "", def ? "true" : "false", v ? "true" : "false", doc.meaning, doc.source});
    return v;
}

std::string ParamScope::get_enum(const std::string& name, const std::string& def,
                                 const std::vector<std::string>& choices, const Doc& doc) {
    std::string text;
    const nlohmann::json* j;
    std::string v = def;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : "|") + c;
    if (raw(name, text, j)) {
        if (j && !j->is_string()) type_error(name, text, "one of " + list);
        if (std::find(choices.begin(), choices.end(), text) == choices.end())
            type_error(name, text, "one of " + list);
        v = text;
    }
    p_->declare({path(name), "enum", list, def, v, doc.meaning, doc.source});
    return v;
}

std::string ParamScope::get_string(const std::string& name, const std::string& def, const Doc& doc) {
    std::string text;
    const nlohmann::json* j;
    std::string v = def;
    if (raw(name, text, j)) {
        if (j && !j->is_string()) type_error(name, text, "a string");
        v = text;
    }
    p_->declare({path(name), "string", "", def, v, doc.meaning, doc.source});
    return v;
}

std::vector<std::string> ParamScope::children(const std::string& name, const Doc& doc) {
    std::vector<std::string> names;
    const nlohmann::json* j = p_->lookup(path(name));
    if (j) {
        if (!j->is_object()) type_error(name, json_text(*j), "an object of named entries");
        for (auto it = j->begin(); it != j->end(); ++it) names.push_back(it.key());
    }
    std::sort(names.begin(), names.end());
    p_->declare({path(name), "object", "", "{}", std::to_string(names.size()) + " entries", doc.meaning, doc.source});
    return names;
}

}  // namespace iopf
