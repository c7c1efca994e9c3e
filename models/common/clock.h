// A block's clock: cycle counts from parameters turn into simulated time here.
#pragma once
#include <cstdint>

#include <systemc>

#include "models/common/units.h"

namespace iopf {

class Clock {
public:
    explicit Clock(double mhz = 1000.0) : mhz_(mhz), period_ps_(cycles_to_ps(1, mhz)) {}
    double mhz() const { return mhz_; }
    uint64_t period_ps() const { return period_ps_; }
    uint64_t cycles_ps(uint64_t n) const { return cycles_to_ps(n, mhz_); }
    sc_core::sc_time cycles(uint64_t n) const { return sc_core::sc_time::from_value(cycles_ps(n)); }

private:
    double mhz_;
    uint64_t period_ps_;
};

}  // namespace iopf
