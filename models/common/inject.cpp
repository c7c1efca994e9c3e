#include "models/common/inject.h"

#include <cctype>

#include "models/common/params.h"
#include "models/common/units.h"

namespace iopf {

const InjectSpec* InjectPoint::fire(uint64_t now_ps) {
    for (size_t i = 0; i < specs_.size(); ++i) {
        if (!left_[i] || specs_[i]->at_ps > now_ps) continue;
        --left_[i];
        --remaining_;
        ++fired_;
        return specs_[i];
    }
    return nullptr;
}

void Injector::add(InjectSpec s) {
    const std::string where = "platform.inject." + s.name;
    if (s.target.empty()) throw ConfigError("parameter '" + where + ".target': missing (the component, e.g. \"smmu\")");
    if (s.point.empty()) throw ConfigError("parameter '" + where + ".point': missing (e.g. \"evtq_write\")");
    if (s.count == 0) throw ConfigError("parameter '" + where + ".count': expected at least 1");
    specs_.push_back(std::move(s));
}

InjectPoint& Injector::declare(const std::string& target, const std::string& point, const std::string& doc) {
    auto& p = points_[target + ":" + point];
    if (!p) {
        p = std::make_unique<InjectPoint>(target, point, doc);
        for (const auto& s : specs_) {
            if (s.target != target || s.point != point) continue;
            p->specs_.push_back(&s);
            p->left_.push_back(s.count);
            p->remaining_ += s.count;
        }
    }
    return *p;
}

void Injector::validate() const {
    for (const auto& s : specs_) {
        if (points_.count(s.target + ":" + s.point)) continue;
        std::string known;
        for (const auto& [k, p] : points_)
            if (p->target() == s.target) known += (known.empty() ? "" : ", ") + p->point();
        if (known.empty()) {
            std::string targets;
            std::string last;
            for (const auto& [k, p] : points_)
                if (p->target() != last) { targets += (targets.empty() ? "" : ", ") + p->target(); last = p->target(); }
            throw ConfigError("parameter 'platform.inject." + s.name + ".target': '" + s.target +
                              "' has no injection points; components with points: " + (targets.empty() ? "none" : targets));
        }
        throw ConfigError("parameter 'platform.inject." + s.name + ".point': '" + s.target + "' has no point '" + s.point +
                          "'; its points: " + known);
    }
}

void Injector::stats(nlohmann::json& root) const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& s : specs_) {
        const auto it = points_.find(s.target + ":" + s.point);
        nlohmann::json e = {{"target", s.target}, {"point", s.point}, {"at_ns", s.at_ps / 1000.0}, {"count", s.count}};
        if (s.duration_ps) e["duration_ns"] = s.duration_ps / 1000.0;
        if (s.core >= 0) e["core"] = s.core;
        e["point_fired"] = it == points_.end() ? 0 : it->second->fired();
        out[s.name] = e;
    }
    root["inject"] = out;
}

InjectSpec Injector::parse_cli(const std::string& text, const std::string& name) {
    auto bad = [&](const std::string& why) -> ConfigError {
        return ConfigError("--inject '" + text + "': " + why +
                           " (expected TARGET:POINT[@TIME][*COUNT][+DURATION][,core=N], e.g. smmu:evtq_write@20us)");
    };
    InjectSpec s;
    s.name = name;
    const size_t colon = text.find(':');
    if (colon == std::string::npos || colon == 0) throw bad("no TARGET:");
    s.target = text.substr(0, colon);
    std::string rest = text.substr(colon + 1);
    std::string opts;
    if (const size_t comma = rest.find(','); comma != std::string::npos) {
        opts = rest.substr(comma + 1);
        rest.resize(comma);
    }
    const size_t mark = rest.find_first_of("@*+");
    s.point = rest.substr(0, mark);
    if (s.point.empty()) throw bad("no POINT");
    std::string tail = mark == std::string::npos ? "" : rest.substr(mark);
    while (!tail.empty()) {
        const char k = tail[0];
        size_t end = tail.find_first_of("@*+", 1);
        const std::string v = tail.substr(1, end == std::string::npos ? std::string::npos : end - 1);
        tail = end == std::string::npos ? "" : tail.substr(end);
        if (k == '*') {
            const auto n = parse_uint(v);
            if (!n || *n == 0) throw bad("COUNT '" + v + "' is not a positive integer");
            s.count = *n;
            continue;
        }
        // Times need a unit: a bare number is ambiguous (as for --duration).
        if (v.empty() || std::isdigit(static_cast<unsigned char>(v.back())))
            throw bad("time '" + v + "' needs a unit (ps, ns, us, ms, s)");
        const auto t = parse_time_ps(v);
        if (!t) throw bad("'" + v + "' is not a time");
        (k == '@' ? s.at_ps : s.duration_ps) = *t;
    }
    while (!opts.empty()) {
        const size_t comma = opts.find(',');
        const std::string kv = opts.substr(0, comma);
        opts = comma == std::string::npos ? "" : opts.substr(comma + 1);
        const size_t eq = kv.find('=');
        if (eq == std::string::npos || kv.substr(0, eq) != "core") throw bad("unknown option '" + kv + "'");
        const auto c = parse_uint(kv.substr(eq + 1));
        if (!c || *c > 1023) throw bad("core '" + kv.substr(eq + 1) + "' is not a core number");
        s.core = int64_t(*c);
    }
    return s;
}

}  // namespace iopf
