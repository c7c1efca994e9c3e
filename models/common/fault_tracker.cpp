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
    rec.id = next_id_++;
    ++open_;
    auto it = recs_.emplace_hint(recs_.end(), rec.id, std::move(rec));
    return it->first;
}

FaultRecord* FaultTracker::find(uint64_t id) {
    auto it = recs_.find(id);
    return it == recs_.end() ? nullptr : &it->second;
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
    total_.add((r->t_done_ps - r->t_issue_ps) / 1000.0);
    (r->stage_of_fault == 2 ? total_s2_ : total_s1_).add((r->t_done_ps - r->t_issue_ps) / 1000.0);
    auto d = r->durations_ps();
    for (size_t i = 0; i < kStageCount; ++i) stage_[i].add(d[i] / 1000.0);
    ++by_res_[static_cast<size_t>(r->resolution)];
    if (id == next_write_) drain();
}

void FaultTracker::drain() {
    // Write (or pass over) every closed fault whose predecessors are all written, then drop
    // the oldest written records beyond kRetained.
    for (auto it = recs_.find(next_write_); it != recs_.end() && it->first == next_write_ && it->second.closed; ++it) {
        if (csv_) write_row(*csv_, it->second);
        ++next_write_;
        ++written_;
    }
    while (written_ > kRetained) {   // the lowest ids in recs_ are the oldest written ones
        recs_.erase(recs_.begin());
        --written_;
    }
}

const std::vector<FaultRecord>& FaultTracker::records() const {
    view_.clear();
    view_.reserve(recs_.size());
    for (const auto& [id, r] : recs_) view_.push_back(r);
    return view_;
}

nlohmann::json FaultTracker::stats() const {
    nlohmann::json f;
    nlohmann::json by_res = nlohmann::json::object();
    for (Resolution r : {Resolution::success, Resolution::invalid, Resolution::failure, Resolution::terminated})
        by_res[resolution_name(r)] = by_res_[static_cast<size_t>(r)];
    if (by_res_[static_cast<size_t>(Resolution::pending)])
        by_res[resolution_name(Resolution::pending)] = by_res_[static_cast<size_t>(Resolution::pending)];
    f["count"] = total_.count();
    f["by_resolution"] = by_res;
    f["by_stage_of_fault"] = {{"stage1", total_s1_.count()}, {"stage2", total_s2_.count()}};
    if (total_s2_.count()) {
        // Latency of each stage's faults (only when stage 2 faulted at all).
        f["latency_ns_by_stage_of_fault"] = {{"stage1", total_s1_.json()}, {"stage2", total_s2_.json()}};
    }
    auto lat = total_.json();
    lat.erase("count");
    f["latency_ns"] = lat;
    nlohmann::json stages = nlohmann::json::object();
    for (size_t i = 0; i < kStageCount; ++i) stages[stage_name(static_cast<Stage>(i))] = stage_[i].json();
    f["stages"] = stages;
    return f;
}

void FaultTracker::write_header(std::ostream& os) {
    os << "id,device,smmu,sid,pasid,address,access,event,resolution,t_issue_ns,t_done_ns,total_ns";
    for (size_t i = 0; i < kStageCount; ++i) os << ',' << stage_name(static_cast<Stage>(i)) << "_ns";
    os << ",ats_negative_at_ns,page_request_at_ns,prg_response_at_ns,ats_retry_at_ns,stage_of_fault,vm\n";
}

void FaultTracker::write_row(std::ostream& os, const FaultRecord& r) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)r.address);
    const char access[4] = {r.write ? 'W' : 'R', r.exec ? 'X' : '\0', 0, 0};
    // Times in ns with exactly 3 decimals (the kernel resolution is 1 ps).
    auto ns = [&os](uint64_t ps_value) {
        char b[32];
        std::snprintf(b, sizeof b, "%llu.%03llu", (unsigned long long)(ps_value / 1000),
                      (unsigned long long)(ps_value % 1000));
        os << b;
    };
    os << r.id << ',' << r.device << ',' << r.smmu << ',' << r.sid << ',';
    if (r.ssv) os << r.ssid;
    os << ',' << buf << ',' << access << (r.priv ? "P" : "") << ',' << r.event << ','
       << resolution_name(r.resolution) << ',';
    ns(r.t_issue_ps);
    os << ',';
    ns(r.t_done_ps);
    os << ',';
    ns(r.t_done_ps - r.t_issue_ps);
    for (auto d : r.durations_ps()) {
        os << ',';
        ns(d);
    }
    for (uint64_t t : {r.t_ats_negative_ps, r.t_page_request_ps, r.t_prg_response_ps, r.t_ats_retry_ps}) {
        os << ',';
        if (t) ns(t);
    }
    os << ',' << r.stage_of_fault << ',' << vm_name(r);
    os << '\n';
}

void FaultTracker::stream_csv(std::ostream* os) {
    csv_ = os;
    if (!csv_) return;
    write_header(*csv_);
    // Rows already closed and in order (normally none: streams attach before the run).
    for (auto it = recs_.begin(); it != recs_.end() && it->first < next_write_; ++it) write_row(*csv_, it->second);
}

void FaultTracker::finish_csv() {
    if (!csv_) return;
    for (auto it = recs_.lower_bound(next_write_); it != recs_.end(); ++it)
        if (it->second.closed) write_row(*csv_, it->second);
    csv_->flush();
}

void FaultTracker::write_csv(std::ostream& os) const {
    write_header(os);
    for (const auto& [id, r] : recs_)
        if (r.closed) write_row(os, r);
}

}  // namespace iopf
