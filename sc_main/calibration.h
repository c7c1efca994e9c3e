// Calibration anchors: a platform may name published measurements it reproduces. Each
// anchor under `platform.calibration` gives the stats metric that is the
// model's figure (a JSON pointer into the stats, or "A - B" of two), the published figure,
// a relative tolerance, a unit and the source. After the run the stats get a
// `calibration` object: for each anchor {"model", "anchor", "band": [lo, hi], "unit",
// "source", "metric", "in_band"} -- computed from this run's own numbers.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/common/params.h"

namespace iopf {

struct CalibrationAnchor {
    std::string name, metric, unit, source;
    double anchor = 0, tolerance = 0;
};

// Declares and reads `platform.calibration.<name>.{metric,anchor,tolerance,unit,source}`.
std::vector<CalibrationAnchor> read_calibration(Params& params);

// The `calibration` stats object. A metric whose value is missing gives "model": null.
nlohmann::json evaluate_calibration(const std::vector<CalibrationAnchor>& anchors, const nlohmann::json& stats);

}  // namespace iopf
