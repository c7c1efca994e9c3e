// Fault-latency instrumentation (DESIGN.md "Fault-latency lifecycle"). This is measurement,
// not behaviour: the hardware and software models mark the moments a fault passes through
// their stages; nothing here feeds back into the simulation.
//
// A fault is opened when the SMMU detects it, carries the device's issue time, and is
// closed when the device gets its data or error. Each `mark(stage, t)` records the end of a
// stage; a stage a path does not have lasts zero. Stage durations therefore partition
// issue..completion exactly.
#pragma once
#include <array>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/common/stats.h"

namespace iopf {

enum class Stage : uint8_t { detect, record, irq, dispatch, queue, mm_fault, dump, respond, retry, count };
constexpr size_t kStageCount = static_cast<size_t>(Stage::count);
const char* stage_name(Stage s);

enum class Resolution : uint8_t { pending, success, invalid, failure, terminated };
const char* resolution_name(Resolution r);

struct FaultRecord {
    uint64_t id = 0;
    std::string device;
    std::string smmu;
    uint32_t sid = 0;
    uint32_t ssid = 0;
    bool ssv = false;
    uint64_t address = 0;
    bool write = false, exec = false, priv = false;
    std::string event;                 // e.g. "F_TRANSLATION"
    Resolution resolution = Resolution::pending;
    uint64_t t_issue_ps = 0;
    std::array<uint64_t, kStageCount> end_ps{};   // 0 = stage not reached
    uint64_t t_done_ps = 0;
    bool closed = false;
    // PCIe ATS/PRI hops (0 = not on this fault's path): negative ATS completion, first Page
    // Request sent, PRG Response received, successful ATS retry.
    uint64_t t_ats_negative_ps = 0, t_page_request_ps = 0, t_prg_response_ps = 0, t_ats_retry_ps = 0;
    // Translation stage that faulted (1 or 2) and the VMID of the stream (-1: none, the
    // host's own stream). The fault log names the VM from FaultTracker::name_vm().
    unsigned stage_of_fault = 1;
    int vmid = -1;

    // Duration of each stage; they sum to t_done - t_issue for a closed fault.
    std::array<uint64_t, kStageCount> durations_ps() const;
};

// Keys by which a hardware record names its fault (FaultTracker::set_key/find_key).
inline uint64_t stall_fault_key(uint32_t sid, uint16_t stag) { return (uint64_t(sid) << 16) | stag; }
inline uint64_t prg_fault_key(uint32_t sid, uint32_t pasid, uint16_t prgi) {
    return (1ull << 63) | (uint64_t(sid) << 29) | (uint64_t(pasid & 0xfffff) << 9) | (prgi & 0x1ff);
}

// Bounded memory at storm scale: a closed fault's row goes to the fault-log stream (when one
// is attached) as soon as every fault opened before it has closed too, so the log keeps
// the id order; its latencies go into the distributions (exact samples up to
// Distribution::kExactSamples, then a log-bucketed histogram: docs/outputs.md). Only the
// last kRetained closed records stay in memory (records(), find()), plus the open ones and
// those waiting for an older fault to close before they can be written.
class FaultTracker {
public:
    static constexpr size_t kRetained = 4096;

    uint64_t open(FaultRecord rec);             // returns the fault id (never 0)
    void mark(uint64_t id, Stage stage, uint64_t t_ps);
    void resolve(uint64_t id, Resolution r);
    void close(uint64_t id, uint64_t t_done_ps);
    // The record of an open fault (or of a closed one still retained); nullptr otherwise.
    // The pointer stays valid until the fault is closed.
    FaultRecord* find(uint64_t id);
    // Lookup keys so software models can find the fault a hardware record refers to (e.g.
    // SMMU name + (SID << 16 | STAG)). Instrumentation only.
    void set_key(uint64_t id, const std::string& owner, uint64_t key) { keys_[{owner_id(owner), key}] = id; }
    void clear_key(const std::string& owner, uint64_t key) { keys_.erase({owner_id(owner), key}); }
    uint64_t find_key(const std::string& owner, uint64_t key) const {
        auto o = owners_.find(owner);
        if (o == owners_.end()) return 0;
        auto it = keys_.find({o->second, key});
        return it == keys_.end() ? 0 : it->second;
    }

    // The hypervisor names the VM that owns a VMID (instrumentation: the fault log's `vm`).
    void name_vm(uint16_t vmid, const std::string& vm) { vm_names_[vmid] = vm; }
    // "host" for a fault of no VM.
    std::string vm_name(const FaultRecord& r) const {
        if (r.vmid < 0) return "host";
        auto it = vm_names_.find(uint16_t(r.vmid));
        return it == vm_names_.end() ? "host" : it->second;
    }

    size_t open_count() const { return open_; }
    uint64_t opened() const { return next_id_ - 1; }
    // Records in memory (open, waiting to be written, and the last kRetained closed), by id.
    const std::vector<FaultRecord>& records() const;
    size_t size() const { return records().size(); }

    // "faults" section of the stats JSON (closed faults only).
    nlohmann::json stats() const;
    // Streams the fault log (the --fault-log CSV) to `os` from now on: writes the header,
    // then each closed fault's row in id order as soon as it can. `finish_csv` writes the
    // rows still held (closed faults opened after one that never closed) at the end.
    void stream_csv(std::ostream* os);
    void finish_csv();
    // Header and the rows of the closed faults in memory (for a run without a stream).
    void write_csv(std::ostream& os) const;

private:
    static void write_header(std::ostream& os);
    void write_row(std::ostream& os, const FaultRecord& r) const;
    uint32_t owner_id(const std::string& owner) {
        auto it = owners_.find(owner);
        if (it != owners_.end()) return it->second;
        const uint32_t id = static_cast<uint32_t>(owners_.size());
        owners_.emplace(owner, id);
        return id;
    }
    void drain();

    struct KeyHash {
        size_t operator()(const std::pair<uint32_t, uint64_t>& k) const {
            return std::hash<uint64_t>{}(k.second * 0x9e3779b97f4a7c15ull ^ k.first);
        }
    };
    std::map<uint64_t, FaultRecord> recs_;        // by id: open, unwritten and retained closed
    uint64_t next_id_ = 1;
    uint64_t next_write_ = 1;                     // lowest id not yet written / dropped
    size_t written_ = 0;                          // written records still in recs_
    std::unordered_map<std::string, uint32_t> owners_;
    std::unordered_map<std::pair<uint32_t, uint64_t>, uint64_t, KeyHash> keys_;
    size_t open_ = 0;
    std::ostream* csv_ = nullptr;
    mutable std::vector<FaultRecord> view_;       // records()
    // Closed-fault statistics, accumulated as faults close.
    Distribution total_;
    std::array<Distribution, kStageCount> stage_;
    Distribution total_s1_, total_s2_;   // by the translation stage that faulted
    std::array<uint64_t, 5> by_res_{};
    std::map<uint16_t, std::string> vm_names_;
};

}  // namespace iopf
