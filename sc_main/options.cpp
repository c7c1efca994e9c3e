#include "sc_main/options.h"

#include <cctype>
#include <sstream>

#include <boost/program_options.hpp>

#include "models/common/params.h"
#include "models/common/units.h"

namespace po = boost::program_options;

namespace iopf {
namespace {

po::options_description describe_options() {
    po::options_description d("iopf-sim options");
    d.add_options()
        ("help,h", "show this help")
        ("version", "print the iopf-sim and SystemC versions")
        ("platform,p", po::value<std::string>(), "platform name (see --list-platforms) or path to a .json file")
        ("set,s", po::value<std::vector<std::string>>()->composing(), "override a parameter: key.path=value (repeatable)")
        ("set-file", po::value<std::vector<std::string>>()->composing(),
         "apply a JSON object of key.path: value overrides (repeatable; --set wins)")
        ("seed", po::value<std::string>(), "random seed (default 1); same platform + overrides + seed = same results")
        ("stats", po::value<std::string>(), "write the stats JSON to FILE")
        ("fault-log", po::value<std::string>(), "write one CSV row per fault to FILE")
        ("vcd", po::value<std::string>(), "write a VCD waveform to FILE")
        ("trace-filter", po::value<std::string>(), "only trace signals whose name matches this glob")
        ("queue-log", po::value<std::string>(), "log every SMMU command/event/PRI record to FILE")
        ("timeline", po::value<std::string>(), "write the run as a Chrome trace (ui.perfetto.dev) to FILE.json: host cores, devices, faults, IRQs, queues")
        ("mode", po::value<std::string>(), "timing mode: accurate (default) or fast")
        ("duration", po::value<std::string>(), "stop after this much simulated time (e.g. 2ms)")
        ("quiet,q", "no progress or summary output")
        ("inject", po::value<std::vector<std::string>>()->composing(),
         "schedule an error: TARGET:POINT[@TIME][*COUNT][+DURATION][,core=N], e.g. smmu:evtq_write@20us (repeatable; docs/reliability.md)")
        ("check-isolation", "check every device access against what its IOMMU granted (isolation monitor); a violation exits 1")
        ("list-platforms", "list the shipped platforms")
        ("list-models", "list every registered component type (a platform's \"type\" values)")
        ("describe", po::value<std::string>(), "print every parameter of a platform with default, unit and meaning")
        ("json", "with --describe: print the effective configuration as JSON (what --dump-config writes)")
        ("dump-config", po::value<std::string>(), "write every parameter's effective value, default, unit and source to FILE.json")
        ("config", po::value<std::string>(), "repeat a run from a --dump-config file (or a stats JSON, which embeds one)");
    return d;
}

// The one-line explanation for a word on the command line that belongs to no option.
std::string stray_argument_message(int argc, char** argv, const std::string& word) {
    // The word just before it, to recognise a value split by an unquoted space.
    std::string before;
    for (int i = 1; i < argc; ++i)
        if (word == argv[i]) { if (i > 1) before = argv[i - 1]; break; }
    const bool after_value = !before.empty() && before[0] != '-' && before.find('=') != std::string::npos;
    if (after_value)
        return "command line: unexpected argument '" + word + "' after '" + before +
               "': a value has no spaces (write " + before + word + ", or quote the whole key=value)";
    return "command line: unexpected argument '" + word + "' (options start with --; did you mean --platform " + word +
           "?)";
}

}  // namespace

std::string usage() {
    std::ostringstream os;
    os << "usage: iopf-sim [--platform NAME|FILE.json] [--set key.path=value]... [--set-file FILE.json]... [--seed N]\n"
          "                [--stats FILE.json] [--fault-log FILE.csv] [--vcd FILE.vcd] [--queue-log FILE]\n"
          "                [--trace-filter GLOB] [--mode accurate|fast] [--duration TIME] [--quiet]\n"
          "                [--timeline FILE.json] [--dump-config FILE.json] [--config FILE.json]\n"
          "       iopf-sim --list-platforms | --list-models | --describe NAME [--json] | --version\n"
          "       iopf-sim sweep ...   (parameter sweeps: iopf-sim sweep --help)\n\n"
       << describe_options();
    return os.str();
}

Options parse_options(int argc, char** argv) {
    Options o;
    po::variables_map vm;
    try {
        const po::options_description desc = describe_options();   // `parsed` points into it
        const auto parsed = po::command_line_parser(argc, argv).options(desc).run();
        // Words that belong to no option: `iopf-sim sva_stall` (meant --platform sva_stall) or the
        // second half of an unquoted `--set dram.latency=2 us`. Refuse them rather than guess.
        const auto stray = po::collect_unrecognized(parsed.options, po::include_positional);
        if (!stray.empty()) throw ConfigError(stray_argument_message(argc, argv, stray.front()));
        po::store(parsed, vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw ConfigError(std::string("command line: ") + e.what());
    }
    o.help = vm.count("help");
    o.version = vm.count("version");
    o.quiet = vm.count("quiet");
    o.check_isolation = vm.count("check-isolation");
    o.list_platforms = vm.count("list-platforms");
    o.list_models = vm.count("list-models");
    if (vm.count("platform")) o.platform = vm["platform"].as<std::string>(), o.platform_set = true;
    o.describe_json = vm.count("json");
    if (o.describe_json && !vm.count("describe")) throw ConfigError("--json: only with --describe NAME");
    if (vm.count("timeline")) o.timeline = vm["timeline"].as<std::string>();
    if (vm.count("dump-config")) o.dump_config = vm["dump-config"].as<std::string>();
    if (vm.count("config")) o.config = vm["config"].as<std::string>();
    if (!o.config.empty() && o.platform_set)
        throw ConfigError("--config: replays the platform it records; drop --platform (or use --platform FILE alone)");
    if (vm.count("describe")) o.describe = vm["describe"].as<std::string>();
    if (vm.count("stats")) o.stats = vm["stats"].as<std::string>();
    if (vm.count("fault-log")) o.fault_log = vm["fault-log"].as<std::string>();
    if (vm.count("vcd")) o.vcd = vm["vcd"].as<std::string>();
    if (vm.count("trace-filter")) o.trace_filter = vm["trace-filter"].as<std::string>();
    if (!o.trace_filter.empty() && o.vcd.empty())
        throw ConfigError("--trace-filter: only filters a waveform; add --vcd FILE.vcd");
    if (vm.count("queue-log")) o.queue_log = vm["queue-log"].as<std::string>();
    if (vm.count("duration")) {
        o.duration = vm["duration"].as<std::string>();
        auto d = parse_time_ps(o.duration);
        if (!d || *d == 0)
            throw ConfigError("--duration: expected a positive time such as 500us or 2ms, got '" + o.duration + "'");
        // A bare number would silently mean nanoseconds; make the unit explicit.
        if (!o.duration.empty() && std::isdigit(static_cast<unsigned char>(o.duration.back())))
            throw ConfigError("--duration: '" + o.duration + "' has no unit; write it with one of ps, ns, us, ms, s (e.g. " +
                              o.duration + "us)");
    }
    if (vm.count("mode")) {
        o.mode = vm["mode"].as<std::string>();
        if (o.mode != "accurate" && o.mode != "fast")
            throw ConfigError("--mode: expected accurate or fast, got '" + o.mode + "'");
    }
    if (vm.count("seed")) {
        auto s = parse_uint(vm["seed"].as<std::string>());
        if (!s) throw ConfigError("--seed: expected an unsigned integer, got '" + vm["seed"].as<std::string>() + "'");
        o.seed = *s;
        o.seed_set = true;
    }
    if (vm.count("inject"))
        for (const auto& t : vm["inject"].as<std::vector<std::string>>())
            o.injects.push_back(Injector::parse_cli(t, "cli" + std::to_string(o.injects.size() + 1)));
    if (vm.count("set-file")) o.set_files = vm["set-file"].as<std::vector<std::string>>();
    if (vm.count("set")) {
        for (const auto& kv : vm["set"].as<std::vector<std::string>>()) {
            auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0)
                throw ConfigError("--set: expected key.path=value, got '" + kv + "'");
            o.sets.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        }
    }
    return o;
}

}  // namespace iopf
