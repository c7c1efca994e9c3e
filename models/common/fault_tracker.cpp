#include "models/common/fault_tracker.h"

#include <ostream>

#include "models/common/stats.h"

namespace iopf {

const char* stage_name(Stage s) {
    static const char* names[] = {"detect", "record", "irq", "dispatch", "queue",
                                  "mm_fault", "dump", "respond", "retry"};
    return s < Stage::count ? names[static_cast<size_t>(s)] : "?";
}

const char* resolution_name(Resolution r) {
    switch (r) {
    case Resolution::pending: return "pending";
    case Resolution::success: return "success";
    case Resolution::invalid: return "invalid";
    case Resolution::failure: return "failure";
    case Resolution::terminated: return "terminated";
    }
    return "?";
}

std::array<uint64_t, kStageCount> FaultRecord::durations_ps() const {
    std::array<uint64_t, kStageCount> d{};
    uint64_t prev = t_issue_ps;
    for (size_t i = 0; i < kStageCount; ++i) {
        uint64_t end = end_ps[i];
        if (i == static_cast<size_t>(Stage::retry) && closed) end = t_done_ps;
        if (end == 0 || end < prev) { d[i] = 0; continue; }   // not reached: lasts zero
        d[i] = end - prev;
        prev = end;
    }
    return d;
}

uint64_t FaultTracker::open(FaultRecord rec) {
    rec.id = records_.size() + 1;
    records_.push_back(std::move(rec));
    ++open_;
    return records_.back().id;
}

FaultRecord* FaultTracker::find(uint64_t id) {
    return (id == 0 || id > records_.size()) ? nullptr : &records_[id - 1];
}

void FaultTracker::mark(uint64_t id, Stage stage, uint64_t t_ps) {
    if (auto* r = find(id)) r->end_ps[static_cast<size_t>(stage)] = t_ps;
}

void FaultTracker::resolve(uint64_t id, Resolution res) {
    if (auto* r = find(id)) r->resolution = res;
}

void FaultTracker::close(uint64_t id, uint64_t t_done_ps) {
    auto* r = find(id);
    if (!r || r->closed) return;
    r->closed = true;
    r->t_done_ps = t_done_ps;
    r->end_ps[static_cast<size_t>(Stage::retry)] = t_done_ps;
    --open_;
}

nlohmann::json FaultTracker::stats() const {
    nlohmann::json f;
    std::vector<double> total;
    std::array<std::vector<double>, kStageCount> per_stage;
    nlohmann::json by_res = {{"success", 0}, {"invalid", 0}, {"failure", 0}, {"terminated", 0}};
    uint64_t stage1 = 0, stage2 = 0;
    std::vector<double> total_s1, total_s2;
    for (const auto& r : records_) {
        if (!r.closed) continue;
        (r.stage_of_fault == 2 ? stage2 : stage1) += 1;
        (r.stage_of_fault == 2 ? total_s2 : total_s1).push_back((r.t_done_ps - r.t_issue_ps) / 1000.0);
        total.push_back((r.t_done_ps - r.t_issue_ps) / 1000.0);
        auto d = r.durations_ps();
        for (size_t i = 0; i < kStageCount; ++i) per_stage[i].push_back(d[i] / 1000.0);
        std::string res = resolution_name(r.resolution);
        by_res[res] = by_res.value(res, 0) + 1;
    }
    f["count"] = total.size();
    f["by_resolution"] = by_res;
    f["by_stage_of_fault"] = {{"stage1", stage1}, {"stage2", stage2}};
    if (stage2) {
        // Latency of each stage's faults (only when stage 2 faulted at all).
        nlohmann::json l1 = distribution(total_s1), l2 = distribution(total_s2);
        f["latency_ns_by_stage_of_fault"] = {{"stage1", l1}, {"stage2", l2}};
    }
    auto lat = distribution(total);
    lat.erase("count");
    f["latency_ns"] = lat;
    nlohmann::json stages = nlohmann::json::object();
    for (size_t i = 0; i < kStageCount; ++i)
        stages[stage_name(static_cast<Stage>(i))] = distribution(per_stage[i]);
    f["stages"] = stages;
    return f;
}

void FaultTracker::write_csv(std::ostream& os) const {
    os << "id,device,smmu,sid,pasid,address,access,event,resolution,t_issue_ns,t_done_ns,total_ns";
    for (size_t i = 0; i < kStageCount; ++i) os << ',' << stage_name(static_cast<Stage>(i)) << "_ns";
    os << ",ats_negative_at_ns,page_request_at_ns,prg_response_at_ns,ats_retry_at_ns,stage_of_fault,vm\n";
    char buf[32];
    for (const auto& r : records_) {
        if (!r.closed) continue;
        std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)r.address);
        std::string access = std::string(r.write ? "W" : "R") + (r.exec ? "X" : "") + (r.priv ? "P" : "");
        // Times in ns with exactly 3 decimals (the kernel resolution is 1 ps).
        auto ns = [](uint64_t ps_value) {
            char b[32];
            std::snprintf(b, sizeof b, "%llu.%03llu", (unsigned long long)(ps_value / 1000),
                          (unsigned long long)(ps_value % 1000));
            return std::string(b);
        };
        os << r.id << ',' << r.device << ',' << r.smmu << ',' << r.sid << ','
           << (r.ssv ? std::to_string(r.ssid) : std::string()) << ',' << buf << ',' << access << ','
           << r.event << ',' << resolution_name(r.resolution) << ',' << ns(r.t_issue_ps) << ','
           << ns(r.t_done_ps) << ',' << ns(r.t_done_ps - r.t_issue_ps);
        for (auto d : r.durations_ps()) os << ',' << ns(d);
        for (uint64_t t : {r.t_ats_negative_ps, r.t_page_request_ps, r.t_prg_response_ps, r.t_ats_retry_ps}) {
            os << ',';
            if (t) os << ns(t);
        }
        os << ',' << r.stage_of_fault << ',' << vm_name(r);
        os << '\n';
    }
}

}  // namespace iopf
