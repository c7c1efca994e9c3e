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
#include <string>
#include <map>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

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

class FaultTracker {
public:
    uint64_t open(FaultRecord rec);             // returns the fault id (never 0)
    void mark(uint64_t id, Stage stage, uint64_t t_ps);
    void resolve(uint64_t id, Resolution r);
    void close(uint64_t id, uint64_t t_done_ps);
    FaultRecord* find(uint64_t id);
    // Lookup keys so software models can find the fault a hardware record refers to (e.g.
    // SMMU name + (SID << 16 | STAG)). Instrumentation only.
    void set_key(uint64_t id, const std::string& owner, uint64_t key) { keys_[{owner, key}] = id; }
    void clear_key(const std::string& owner, uint64_t key) { keys_.erase({owner, key}); }
    uint64_t find_key(const std::string& owner, uint64_t key) const {
        auto it = keys_.find({owner, key});
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
    size_t size() const { return records_.size(); }
    const std::vector<FaultRecord>& records() const { return records_; }

    // "faults" section of the stats JSON (closed faults only).
    nlohmann::json stats() const;
    // One CSV row per closed fault (the --fault-log format; header documented in docs/).
    void write_csv(std::ostream& os) const;

private:
    std::vector<FaultRecord> records_;   // index = id - 1
    std::map<std::pair<std::string, uint64_t>, uint64_t> keys_;
    size_t open_ = 0;
    std::map<uint16_t, std::string> vm_names_;
};

}  // namespace iopf
