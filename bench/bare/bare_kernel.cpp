// The SystemC kernel limit for bench/run: the cheapest possible timed TLM-2.0 traffic on
// this machine, to divide iopf-sim's throughput by (bench/README.md, "bare kernel").
//
//   roundtrip  each initiator thread: b_transport to a memory target that annotates a
//              fixed latency and copies the data, then wait(delay): one b_transport and one
//              context switch per transaction (what iopf-sim's accurate mode does at best);
//   quantum    the same with a tlm_quantumkeeper: inc(delay), sync only when the quantum is
//              used up (what a decoupled fast mode does at best).
//
// usage: bench-bare-kernel roundtrip|quantum TRANSACTIONS [DEVICES] [QUANTUM_NS]
// Prints one JSON line: {"mode","transactions","devices","cpu_s","wall_s","per_tx_ns"},
// where cpu_s is the process CPU time spent inside sc_start.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

namespace {

double cpu_now() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct Memory : sc_core::sc_module {
    tlm_utils::simple_target_socket<Memory> socket{"socket"};
    std::vector<uint8_t> store = std::vector<uint8_t>(1 << 16);
    explicit Memory(sc_core::sc_module_name n) : sc_module(n) {
        socket.register_b_transport(this, &Memory::b_transport);
    }
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
        const uint64_t off = gp.get_address() & (store.size() - 1 - 63);
        if (gp.is_write()) std::memcpy(&store[off], gp.get_data_ptr(), gp.get_data_length());
        else std::memcpy(gp.get_data_ptr(), &store[off], gp.get_data_length());
        delay += sc_core::sc_time(80, sc_core::SC_NS);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};

struct Initiator : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Initiator> socket{"socket"};
    uint64_t count;
    bool quantum;
    Initiator(sc_core::sc_module_name n, uint64_t c, bool q) : sc_module(n), count(c), quantum(q) {
        SC_HAS_PROCESS(Initiator);
        SC_THREAD(run);
    }
    void run() {
        tlm::tlm_generic_payload gp;
        uint8_t data[64] = {};
        tlm_utils::tlm_quantumkeeper qk;
        qk.reset();
        for (uint64_t i = 0; i < count; ++i) {
            gp.set_command((i & 1) ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            gp.set_address(i * 64);
            gp.set_data_ptr(data);
            gp.set_data_length(64);
            gp.set_streaming_width(64);
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            if (quantum) {
                sc_core::sc_time delay = qk.get_local_time();
                socket->b_transport(gp, delay);
                qk.set(delay);
                if (qk.need_sync()) qk.sync();
            } else {
                sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
                socket->b_transport(gp, delay);
                wait(delay);
            }
        }
        if (quantum) qk.sync();
    }
};

}  // namespace

int sc_main(int argc, char** argv) {
    if (argc < 3 || (std::strcmp(argv[1], "roundtrip") != 0 && std::strcmp(argv[1], "quantum") != 0)) {
        std::fprintf(stderr, "usage: %s roundtrip|quantum TRANSACTIONS [DEVICES] [QUANTUM_NS]\n", argv[0]);
        return 2;
    }
    const bool quantum = std::strcmp(argv[1], "quantum") == 0;
    const uint64_t total = std::strtoull(argv[2], nullptr, 0);
    const unsigned devices = argc > 3 ? unsigned(std::strtoul(argv[3], nullptr, 0)) : 1;
    const double quantum_ns = argc > 4 ? std::strtod(argv[4], nullptr) : 1000.0;
    if (devices == 0 || total < devices) {
        std::fprintf(stderr, "bench-bare-kernel: need TRANSACTIONS >= DEVICES >= 1\n");
        return 2;
    }
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_core::sc_time(quantum_ns, sc_core::SC_NS));
    std::vector<std::unique_ptr<Initiator>> init;
    std::vector<std::unique_ptr<Memory>> mem;
    for (unsigned d = 0; d < devices; ++d) {
        init.push_back(std::make_unique<Initiator>(("init" + std::to_string(d)).c_str(), total / devices, quantum));
        mem.push_back(std::make_unique<Memory>(("mem" + std::to_string(d)).c_str()));
        init.back()->socket.bind(mem.back()->socket);
    }
    const double c0 = cpu_now();
    const auto w0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const double cpu = cpu_now() - c0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    const uint64_t done = total / devices * devices;
    std::printf("{\"mode\": \"%s\", \"transactions\": %llu, \"devices\": %u, \"cpu_s\": %.6f, \"wall_s\": %.6f, "
                "\"per_tx_ns\": %.2f}\n",
                quantum ? "quantum" : "roundtrip", (unsigned long long)done, devices, cpu, wall, cpu * 1e9 / done);
    return 0;
}
