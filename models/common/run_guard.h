// Bad configuration that only shows once the host runs (a kernel pool too small for the
// tables and queues a driver allocates at probe, a driver-level check) must end the run as
// bad input -- one line, exit 2 -- not as an exception escaping a SystemC process (which
// SystemC reports as E549, exit 1). guarded() runs a probe/boot thread body, records the
// first such error in the context and stops the simulation; the CLI reports it after
// sc_start returns.
#pragma once
#include <stdexcept>
#include <string>

#include <systemc>

#include "models/common/context.h"

namespace iopf {

template <class Body>
void guarded(SimContext& ctx, Body&& body) {
    try {
        body();
    } catch (const ConfigError& e) {
        if (ctx.config_error.empty()) ctx.config_error = e.what();
        sc_core::sc_stop();
    } catch (const std::bad_alloc&) {
        if (ctx.config_error.empty()) ctx.config_error = "out of host memory while setting up the platform";
        sc_core::sc_stop();
    }
}

}  // namespace iopf
