// Run log to stderr: warnings always, info unless --quiet.
#pragma once
#include <map>
#include <cstdint>
#include <string>

namespace iopf {

class Log {
public:
    void set_quiet(bool q) { quiet_ = q; }
    bool quiet() const { return quiet_; }
    void info(const std::string& msg) const;
    void warn(const std::string& msg) const;
    // Like dev_warn_ratelimited: the first `burst` warnings with this key are printed, the
    // rest only counted (reported by `suppressed`).
    void warn_ratelimited(const std::string& key, const std::string& msg, unsigned burst = 5);
    uint64_t suppressed() const;

private:
    bool quiet_ = false;
    std::map<std::string, uint64_t> warned_;
};

}  // namespace iopf
