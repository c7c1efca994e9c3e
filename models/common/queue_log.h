// --queue-log: every command, event and PRI record an SMMU consumes or produces, as
// simulated time, SMMU, queue, raw 64-bit words in hex, and the decoded form.
#pragma once
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

namespace iopf {

class QueueLog {
public:
    bool open(const std::string& path);
    bool enabled() const { return out_ != nullptr; }
    void flush() { if (out_) out_->flush(); }
    // Flushes and closes; false when any write failed (true when never opened).
    bool close() {
        if (!out_) return true;
        out_->close();
        const bool ok = !out_->fail();
        out_.reset();
        return ok;
    }
    void write(uint64_t t_ps, const std::string& smmu, const char* queue, const uint64_t* words,
               unsigned nwords, const std::string& decoded);
    void note(uint64_t t_ps, const std::string& smmu, const char* queue, const std::string& text);

private:
    std::unique_ptr<std::ofstream> out_;
};

}  // namespace iopf
