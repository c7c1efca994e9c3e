#include "sc_main/calibration.h"

#include <optional>

namespace iopf {
namespace {

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(' ');
    const auto b = s.find_last_not_of(' ');
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::optional<double> at_pointer(const nlohmann::json& stats, const std::string& ptr) {
    try {
        const nlohmann::json& v = stats.at(nlohmann::json::json_pointer(ptr));
        if (v.is_number()) return v.get<double>();
    } catch (const nlohmann::json::exception&) {
    }
    return std::nullopt;
}

}  // namespace

std::vector<CalibrationAnchor> read_calibration(Params& params) {
    std::vector<CalibrationAnchor> out;
    const auto& root = params.root();
    if (!root.contains("platform") || !root["platform"].is_object() || !root["platform"].contains("calibration")) return out;
    ParamScope top = params.scope("platform");
    ParamScope c = top.sub("calibration");
    for (const auto& n : top.children("calibration", {"published measurements this platform reproduces (stats `calibration`)", src::config})) {
        ParamScope a = c.sub(n);
        CalibrationAnchor x;
        x.name = n;
        x.metric = a.get_string("metric", "", {"the model's figure: a JSON pointer into the stats (/devices/ep0/...), or \"A - B\"", src::config});
        x.anchor = a.get_double("anchor", 0.0, "", {"the published figure, in `unit`", "the anchor's own `source`"}, -1e300);
        x.tolerance = a.get_double("tolerance", 0.15, "fraction", {"half-width of the band around the anchor, relative (0.15 = +-15%)", "assumed: +-15%, the band issue 14 asks of the pcie-bench anchors"}, 0.0, 10.0);
        x.unit = a.get_string("unit", "ns", {"unit of anchor and model", src::config});
        x.source = a.get_string("source", "", {"where the published figure comes from", src::config});
        if (x.metric.empty()) throw ConfigError("parameter '" + a.path("metric") + "': a calibration anchor needs a metric");
        if (x.metric[0] != '/')
            throw ConfigError("parameter '" + a.path("metric") + "': expected a JSON pointer such as /faults/stages/mm_fault/p50, or \"A - B\"");
        out.push_back(std::move(x));
    }
    return out;
}

nlohmann::json evaluate_calibration(const std::vector<CalibrationAnchor>& anchors, const nlohmann::json& stats) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& a : anchors) {
        std::optional<double> v;
        const auto minus = a.metric.find(" - ");
        if (minus == std::string::npos) {
            v = at_pointer(stats, trim(a.metric));
        } else {
            const auto x = at_pointer(stats, trim(a.metric.substr(0, minus)));
            const auto y = at_pointer(stats, trim(a.metric.substr(minus + 3)));
            if (x && y) v = *x - *y;
        }
        const double lo = a.anchor * (1.0 - a.tolerance), hi = a.anchor * (1.0 + a.tolerance);
        nlohmann::json e = {{"anchor", a.anchor}, {"band", {lo, hi}}, {"unit", a.unit}, {"source", a.source},
                            {"metric", a.metric}};
        e["model"] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
        e["in_band"] = v && *v >= lo && *v <= hi;
        out[a.name] = e;
    }
    return out;
}

}  // namespace iopf
