#include "models/common/build_info.h"
#include "platforms/registry.h"
#include "models/devices/trace_player.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "models/devices/job_device.h"   // pattern_byte

namespace fs = std::filesystem;

namespace iopf {

std::string resolve_trace_path(const std::string& param_path, const std::string& file) {
    if (file.empty()) throw ConfigError("parameter '" + param_path + "': expected the path of a CSV access trace, got ''");
    std::vector<fs::path> tried;
    fs::path p(file);
    if (p.is_absolute()) {
        tried.push_back(p);
    } else {
        tried.push_back(p);
        if (const char* env = std::getenv("IOPF_TRACE_PATH"); env && *env) tried.push_back(fs::path(env) / p);
        std::error_code ec;
        fs::path exe = fs::read_symlink("/proc/self/exe", ec);
        if (!ec) tried.push_back(exe.parent_path().parent_path() / "traces" / p);
        tried.push_back(fs::path(iopf::source_dir()) / "traces" / p);
    }
    for (const auto& t : tried) {
        std::error_code ec;
        if (fs::is_regular_file(t, ec)) return t.string();
    }
    std::string where;
    std::vector<fs::path> listed;
    for (const auto& t : tried) {
        const fs::path n = t.lexically_normal();
        if (std::find(listed.begin(), listed.end(), n) != listed.end()) continue;
        listed.push_back(n);
        where += (where.empty() ? "" : ", ") + n.string();
    }
    throw ConfigError("parameter '" + param_path + "': cannot read trace '" + file + "' (looked for " + where + ")");
}

TracePlayer::TracePlayer(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : sc_module(name), socket("socket"), ctrl("ctrl", p, bus_master_enable), ctx_(ctx) {
    const std::string file = p.get_string("trace", "", {"CSV access trace to replay (docs/models/trace-player.md)", src::config});
    path_ = resolve_trace_path(p.path("trace"), file);
    // The trace is streamed: only the first record is read before the run (it gives the
    // default StreamID and shows the file is a trace); the slots read the rest as they go,
    // so a long trace costs neither start-up time nor memory. A bad line further on ends
    // the run as bad input (exit 2) when the player reaches it.
    file_ = std::make_unique<std::ifstream>(path_);
    if (!*file_) throw ConfigError("parameter '" + p.path("trace") + "': cannot read '" + path_ + "'");
    reader_ = std::make_unique<TraceReader>(*file_, path_);
    have_pending_ = reader_->next(pending_);
    sid_ = p.get_uint("sid", have_pending_ ? pending_.sid : 0, "",
                      {"StreamID the firmware reports for the device (default: the first access's stream)", src::config}, 0, 0xffffffffu);
    priv_ = p.get_bool("priv", false, {"PnU: issue privileged transactions", "assumed: device DMA is unprivileged (PnU=0) unless the platform says otherwise"});
    can_stall_ = p.get_bool("can_stall", false, {"firmware says the device tolerates stalled transactions (dma-can-stall)", "Linux: firmware property dma-can-stall is absent unless the platform says so"});
    outstanding_ = p.get_uint("outstanding", 4, "transactions", {"accesses in flight at once", "assumed: a few accesses in flight, as a simple DMA engine"}, 1, 1024);
    origin_enable_ = p.get_enum("time_origin", "enable", {"enable", "zero"},
                                {"what trace time 0 is: bus-master enable by the driver, or simulation start", "assumed: traces are captured from the moment the driver enables the device"}) == "enable";

    SC_HAS_PROCESS(TracePlayer);
    SC_THREAD(run);
    for (unsigned i = 0; i < outstanding_; ++i)
        sc_core::sc_spawn([this, i] { slot(i); }, sc_core::sc_gen_unique_name("slot"));

    std::string me = this->name();
    ctx.traces.add(me + ".outstanding", outstanding_now_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        const uint64_t done = ok_ + err_;
        root["devices"][me] = {
            {"issued", issued_}, {"completed_ok", ok_}, {"completed_error", err_}, {"bytes", bytes_},
            {"sid", sid_}, {"finished", finished_}, {"records", reader_->records()}, {"reads", reads_}, {"writes", writes_},
            {"late", late_},
            {"late_ns", {{"mean", late_ ? late_sum_ps_ / 1000.0 / late_ : 0.0}, {"max", late_max_ps_ / 1000.0}}},
            {"latency_ns", {{"mean", done ? latency_sum_ps_ / 1000.0 / done : 0.0}, {"max", latency_max_ps_ / 1000.0}}},
            {"first_issue_ns", t_first_issue_ps_ / 1000.0}, {"last_done_ns", t_last_done_ps_ / 1000.0}};
    });
}

void TracePlayer::run() {
    if (!enabled_at_start_ && !bus_master_enable.read()) wait(bus_master_enable.posedge_event());
    origin_ps_ = origin_enable_ ? now_ps() : 0;
    start_.notify(sc_core::SC_ZERO_TIME);
    while (slots_done_ < outstanding_) wait(slot_exit_);
    finished_ = true;
}

bool TracePlayer::next_access(TraceAccess& a) {
    if (have_pending_) {
        a = pending_;
        have_pending_ = false;
        return true;
    }
    return reader_->next(a);
}

void TracePlayer::slot(unsigned) {
    AccessSlot& slot = slot_pool_.add(name());
    IopfExt* ext = &slot.ext();
    wait(start_);
    TraceAccess a;
    for (;;) {
        bool more = false;
        try {
            more = next_access(a);
        } catch (const ConfigError& e) {   // a bad line reached during the run: bad input
            if (ctx_.config_error.empty()) ctx_.config_error = e.what();
            sc_core::sc_stop();
        }
        if (!more) break;
        const uint64_t due = origin_ps_ + a.time_ps;
        if (now_ps() < due) wait(ps(due - now_ps()));
        else if (now_ps() > due) {
            const uint64_t late = now_ps() - due;
            ++late_;
            late_sum_ps_ += late;
            late_max_ps_ = std::max(late_max_ps_, late);
        }
        tlm::tlm_generic_payload& gp = slot.prepare(a.address, a.write, a.size, a.sid, a.ssid, a.ssv, priv_);
        if (issued_ == 0) t_first_issue_ps_ = now_ps();
        ++issued_;
        ++(a.write ? writes_ : reads_);
        ++outstanding_now_;

        sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
        socket->b_transport(gp, delay);
        wait(delay);

        const uint64_t lat = now_ps() - ext->t_issue_ps;
        latency_sum_ps_ += lat;
        latency_max_ps_ = std::max(latency_max_ps_, lat);
        if (gp.is_response_ok()) { ++ok_; bytes_ += a.size; }
        else ++err_;
        if (const uint64_t fid = probe_fault_id(gp)) ctx_.faults.close(fid, now_ps());
        t_last_done_ps_ = std::max(t_last_done_ps_, now_ps());
        --outstanding_now_;
    }
    ++slots_done_;
    slot_exit_.notify(sc_core::SC_ZERO_TIME);
}

IOPF_REGISTER_MODEL("trace_player", build_order::device + 10,
                    "replays a recorded DMA trace (time, R/W, address, size, SSID) through its IOMMU",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto d = std::make_unique<TracePlayer>(n.c_str(), b.ctx, b.params(n));
                        b.add_dma_master(n, *d);
                        return d;
                    });

}  // namespace iopf
