// Run log to stderr: warnings always, info unless --quiet.
#pragma once
#include <string>

namespace iopf {

class Log {
public:
    void set_quiet(bool q) { quiet_ = q; }
    bool quiet() const { return quiet_; }
    void info(const std::string& msg) const;
    void warn(const std::string& msg) const;

private:
    bool quiet_ = false;
};

}  // namespace iopf
