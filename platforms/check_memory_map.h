// Pre-run memory-map checks: after elaboration, before the first simulated nanosecond,
// every allocation pool (host.kernel_pool, host.mm.user_pool, any "*_pool" with base and
// size) and every mapping's PA range (".mappings.NAME.pa" + ".size") must lie inside one
// memory component. A DRAM too small for what the platform reserves (`--set dram.size=4KiB`)
// is caught here instead of as thousands of bus errors at run time.
//
// Works from the parameter registry alone (the values in effect after --set), so it does not
// depend on how the platform builder constructs components. Throws ConfigError (exit 2) with
// one line naming the parameter, its range and the memories that exist.
#pragma once

namespace iopf {

class Params;

void check_memory_map(const Params& params);

}  // namespace iopf
