// Catch2 runner for SystemC: libsystemc.so provides main(), which calls sc_main().
// catch_discover_tests runs every TEST_CASE in its own process, because SystemC
// cannot elaborate twice in one process.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>

int sc_main(int argc, char** argv) { return Catch::Session().run(argc, argv); }
