// iopf-sim: the simulator executable.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <systemc>

#include "models/common/params.h"
#include "sc_main/diff.h"
#include "sc_main/simulation.h"
#include "sc_main/sweep.h"

// libsystemc.so provides a main() that prints a banner before calling sc_main(); ours (the
// executable's definition wins) silences it, then enters SystemC the documented way.
int main(int argc, char** argv) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char** argv) {
    try {
        if (argc > 1 && std::string(argv[1]) == "sweep") return iopf::run_sweep(argc - 1, argv + 1);
        if (argc > 1 && std::string(argv[1]) == "diff") return iopf::run_diff(argc - 1, argv + 1);
        return iopf::run_simulation(iopf::parse_options(argc, argv));
    } catch (const iopf::ConfigError& e) {
        std::fprintf(stderr, "iopf-sim: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "iopf-sim: error: %s\n", e.what());
        return 1;
    }
}
