#include "sc_main/options.h"

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
        ("mode", po::value<std::string>(), "timing mode: accurate (default) or fast")
        ("duration", po::value<std::string>(), "stop after this much simulated time (e.g. 2ms)")
        ("quiet,q", "no progress or summary output")
        ("list-platforms", "list the shipped platforms")
        ("describe", po::value<std::string>(), "print every parameter of a platform with default, unit and meaning");
    return d;
}

}  // namespace

std::string usage() {
    std::ostringstream os;
    os << "usage: iopf-sim [--platform NAME|FILE.json] [--set key.path=value]... [--set-file FILE.json]... [--seed N]\n"
          "                [--stats FILE.json] [--fault-log FILE.csv] [--vcd FILE.vcd] [--queue-log FILE]\n"
          "                [--trace-filter GLOB] [--mode accurate|fast] [--duration TIME] [--quiet]\n"
          "       iopf-sim --list-platforms | --describe NAME | --version\n"
          "       iopf-sim sweep ...   (parameter sweeps: iopf-sim sweep --help)\n\n"
       << describe_options();
    return os.str();
}

Options parse_options(int argc, char** argv) {
    Options o;
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(describe_options()).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw ConfigError(std::string("command line: ") + e.what());
    }
    o.help = vm.count("help");
    o.version = vm.count("version");
    o.quiet = vm.count("quiet");
    o.list_platforms = vm.count("list-platforms");
    if (vm.count("platform")) o.platform = vm["platform"].as<std::string>();
    if (vm.count("describe")) o.describe = vm["describe"].as<std::string>();
    if (vm.count("stats")) o.stats = vm["stats"].as<std::string>();
    if (vm.count("fault-log")) o.fault_log = vm["fault-log"].as<std::string>();
    if (vm.count("vcd")) o.vcd = vm["vcd"].as<std::string>();
    if (vm.count("trace-filter")) o.trace_filter = vm["trace-filter"].as<std::string>();
    if (vm.count("queue-log")) o.queue_log = vm["queue-log"].as<std::string>();
    if (vm.count("duration")) {
        o.duration = vm["duration"].as<std::string>();
        if (!parse_time_ps(o.duration)) throw ConfigError("--duration: expected a time such as 500us or 2ms, got '" + o.duration + "'");
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
    }
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
