// The parameter layer (models/common/params.h) on arbitrary JSON: the fuzz bytes after a
// few control bytes are parsed as a platform document (nlohmann, comments allowed; text that
// is not JSON is skipped), loaded into Params, and every typed getter is asked for every key
// present (top level and one level down) and for absent ones, through the JSON and as a
// `--set` override. The document is also loaded as a --set-file object of overrides.
//
// Properties:
//  * a getter returns a value or throws ConfigError, never another exception (nor UB: the
//    target runs under UBSan); the message is non-empty, names the parameter
//    ("parameter '<path>': ...") and is one line (unless the document itself holds a
//    newline, which the message quotes);
//  * a value is in the documented range: get_uint within [min, max], get_double within
//    [min, max] and not NaN, a time below 2^63 ps, an enum one of its choices, an absent key
//    its default; a JSON unsigned integer reads as itself (uint / size / addr), a JSON
//    string as parse_uint / parse_size of it, a JSON bool and string as themselves; a JSON
//    type a getter does not take is an error (a negative or fractional number for a uint,
//    a negative time, null / arrays / objects for every scalar getter);
//  * a JSON string value and the same text given as `--set path=text` read the same (the
//    same value or the same error); so does a JSON unsigned integer for the numeric getters;
//  * get_cost answers like the other getters, describes its distribution and samples it
//    below 2^63 ps without UB (a constant samples as itself); no empirical (file)
//    distributions.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "models/common/params.h"
#include "models/common/units.h"

using namespace iopf;
using nlohmann::json;

namespace {

const Doc kDoc{"fuzzed", "assumed: fuzz"};

bool g_one_line = true;   // the document holds no escaped character (so no newline)

void check_message(const char* what, const std::string& path) {
    const std::string m = what;
    FUZZ_CHECK(!m.empty());
    if (g_one_line) FUZZ_CHECK(m.find('\n') == std::string::npos && m.find('\r') == std::string::npos);
    if (!path.empty()) FUZZ_CHECK(m.rfind("parameter '" + path + "'", 0) == 0);
}

// Runs a getter: true with the value, or false with the ConfigError message.
template <class F>
bool ask(F f, const std::string& path, std::string& err) {
    try {
        f();
        return true;
    } catch (const ConfigError& e) {
        check_message(e.what(), path);
        err = e.what();
        return false;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "not a ConfigError for '%s': %s\n", path.c_str(), e.what());
        FUZZ_CHECK(false);
    }
    return false;
}

struct Limits {
    uint64_t umin = 0, umax = UINT64_MAX, udef = 0;
    double dmin = 0, dmax = 1e300, ddef = 0;
    uint64_t def = 0;   // size / addr / time default
    bool bdef = false;
    std::vector<std::string> choices{"enable", "zero", "4KiB", "1"};
    bool cost = true;
};

// The answers of every getter for one parameter (value text or error message).
struct Answers {
    std::vector<std::string> a;
};

// `v`: the JSON value at the path (nullptr: absent); `text`: set when the value was given
// as that text in a --set override instead (v then says what the text was made from).
Answers query(ParamScope s, const std::string& name, const json* v, const Limits& L,
              const std::string* text = nullptr) {
    Answers out;
    const std::string path = s.path(name);
    std::string err;
    auto note = [&](bool ok, const std::string& value) { out.a.push_back(ok ? "=" + value : "!" + err); };

    uint64_t u = 0;
    bool ok = ask([&] { u = s.get_uint(name, L.udef, "", kDoc, L.umin, L.umax); }, path, err);
    if (ok) {
        FUZZ_CHECK(u >= L.umin && u <= L.umax);
        FUZZ_CHECK(!v || v->is_string() || v->is_number_unsigned() ||          // not -1, 1.5, true,
                   (v->is_number_integer() && v->get<int64_t>() >= 0));       // null, [], {} (-0 is 0)
        if (!v) FUZZ_CHECK(u == L.udef);
        else if (v->is_number_unsigned()) FUZZ_CHECK(u == v->get<uint64_t>());
        else if (v->is_string()) FUZZ_CHECK(parse_uint(v->get<std::string>()) == u);
    }
    note(ok, std::to_string(u));

    for (int addr = 0; addr < 2; ++addr) {
        uint64_t b = 0;
        ok = ask([&] { b = addr ? s.get_addr(name, L.def, kDoc) : s.get_size(name, L.def, kDoc); }, path, err);
        if (ok) {
            if (!v) FUZZ_CHECK(b == L.def);
            else if (v->is_number_unsigned()) FUZZ_CHECK(b == v->get<uint64_t>());
            else if (v->is_string()) FUZZ_CHECK(parse_size(v->get<std::string>()) == b);
            else FUZZ_CHECK(false);   // other JSON types are an error
        }
        note(ok, std::to_string(b));
    }

    uint64_t t = 0;
    ok = ask([&] { t = s.get_time_ps(name, L.def, kDoc); }, path, err);
    if (ok) {
        FUZZ_CHECK(!v || v->is_number() || v->is_string());
        if (!v) FUZZ_CHECK(t == L.def);
        else FUZZ_CHECK(t < (1ull << 63));
        if (v && v->is_number()) FUZZ_CHECK(v->get<double>() >= 0);
        if (v && v->is_string()) FUZZ_CHECK(parse_time_ps(v->get<std::string>()) == t);
    }
    note(ok, std::to_string(t));

    double d = 0;
    ok = ask([&] { d = s.get_double(name, L.ddef, "", kDoc, L.dmin, L.dmax); }, path, err);
    if (ok) {
        FUZZ_CHECK(!v || v->is_number() || v->is_string());
        FUZZ_CHECK(!std::isnan(d) && d >= L.dmin && d <= L.dmax);
        if (!v) FUZZ_CHECK(d == L.ddef);
    }
    note(ok, std::to_string(d));

    bool bl = false;
    ok = ask([&] { bl = s.get_bool(name, L.bdef, kDoc); }, path, err);
    if (ok) {
        if (!v) FUZZ_CHECK(bl == L.bdef);
        else if (v->is_boolean()) FUZZ_CHECK(bl == v->get<bool>());
        else FUZZ_CHECK(v->is_string() || v->is_number());   // "on", "0", 1 ...; not null, [], {}
    }
    note(ok, bl ? "true" : "false");

    std::string e;
    ok = ask([&] { e = s.get_enum(name, L.choices[0], L.choices, kDoc); }, path, err);
    if (ok) {
        bool in = false;
        for (const auto& c : L.choices) in |= c == e;
        FUZZ_CHECK(in);
        if (!v) FUZZ_CHECK(e == L.choices[0]);
        else if (text) FUZZ_CHECK(e == *text);
        else FUZZ_CHECK(v->is_string() && v->get<std::string>() == e);
    }
    note(ok, e);

    std::string str;
    ok = ask([&] { str = s.get_string(name, "default", kDoc); }, path, err);
    if (ok) {
        if (!v) FUZZ_CHECK(str == "default");
        else if (text) FUZZ_CHECK(str == *text);
        else FUZZ_CHECK(v->is_string() && v->get<std::string>() == str);
    }
    note(ok, str);

    if (L.cost) {
        Cost c;
        ok = ask([&] { c = s.get_cost(name, L.def, kDoc); }, path, err);
        if (ok) {
            const TimeDist& td = c.dist();
            if (!v) FUZZ_CHECK(td.is_constant() && c.sample() == L.def);
            (void)td.describe();
            const uint64_t nominal = c.nominal_ps();
            for (int i = 0; i < 4; ++i) {
                const uint64_t x = c.sample();
                FUZZ_CHECK(x < (1ull << 63));
                if (td.is_constant()) FUZZ_CHECK(x == nominal);
            }
        }
        note(ok, ok ? c.dist().describe() : "");
    }
    return out;
}

// An empirical distribution reads a histogram file: no get_cost on anything that could
// name one (override text is JSON-parsed, so an escape could spell "empirical" too).
bool may_name_a_file(const std::string& text) {
    return text.find("empirical") != std::string::npos || text.find('\\') != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 4096) return 0;
    iopf::fuzz::Input in(data, size);
    Limits L;
    L.umin = in.get<uint8_t>();
    L.umax = in.flag() ? UINT64_MAX : L.umin + in.get<uint16_t>();
    L.udef = L.umin + (L.umax - L.umin) / 2;
    L.dmin = in.get<uint8_t>() / 4.0;
    L.dmax = in.flag() ? 1e300 : L.dmin + in.get<uint16_t>();
    L.ddef = L.dmin;
    L.def = in.get<uint32_t>();
    L.bdef = in.flag();
    const size_t skip = size - in.left();
    const std::string text(reinterpret_cast<const char*>(data) + skip, size - skip);

    json doc;
    try {
        doc = json::parse(text, nullptr, true, /*ignore_comments=*/true);
    } catch (const json::exception&) {
        return 0;   // not JSON: the loader's own error, not the parameter layer's
    }
    const std::string dumped = doc.dump();
    g_one_line = dumped.find('\\') == std::string::npos;
    L.cost = dumped.find("empirical") == std::string::npos;   // strings are decoded in the document

    std::string err;
    std::unique_ptr<Params> pp;
    if (!ask([&] { pp = std::make_unique<Params>(doc); }, "", err)) {
        FUZZ_CHECK(!doc.is_object());
        return 0;
    }
    Params& p = *pp;

    // Every key present (one level down for objects) and a few absent ones.
    std::vector<std::pair<std::string, std::string>> keys;   // (scope prefix, name)
    for (auto it = doc.begin(); it != doc.end() && keys.size() < 24; ++it) {
        keys.emplace_back("", it.key());
        if (it->is_object())
            for (auto jt = it->begin(); jt != it->end() && keys.size() < 24; ++jt) keys.emplace_back(it.key(), jt.key());
    }
    keys.emplace_back("", "absent.key");
    keys.emplace_back("no", "such");

    for (const auto& [prefix, name] : keys) {
        ParamScope s = p.scope(prefix);
        const std::string path = s.path(name);
        const bool has = s.has(name);
        // The value the JSON holds at the path (dots in keys are path separators, so a key
        // "a.b" is looked up as a -> b).
        const json* v = &p.root();
        for (size_t pos = 0; v;) {
            const size_t dot = path.find('.', pos);
            const std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
            const auto it = v->is_object() ? v->find(part) : v->end();
            v = v->is_object() && it != v->end() ? &*it : nullptr;
            if (dot == std::string::npos) break;
            pos = dot + 1;
        }
        FUZZ_CHECK(has == (v != nullptr));
        const Answers from_json = query(s, name, v, L);

        // The same value as a --set override on an empty platform: a JSON string reads as
        // its text in every getter but get_cost (which parses override text starting with
        // '{' as a distribution); a JSON unsigned integer reads as its digits in get_uint,
        // get_size, get_addr, get_time_ps, get_double and get_bool.
        if (v && !path.empty() && (v->is_string() || v->is_number_unsigned())) {
            const std::string txt = v->is_string() ? v->get<std::string>() : v->dump();
            Limits L2 = L;
            L2.cost = L.cost && !may_name_a_file(txt);
            Params q;
            q.set_override(path, txt);
            const Answers from_set = query(q.scope(prefix), name, v, L2, &txt);
            const size_t n = v->is_string() ? 8 : 6;
            for (size_t i = 0; i < n; ++i) FUZZ_CHECK(from_set.a[i] == from_json.a[i]);
        }
    }
    std::string e;
    ask([&] { p.check_unknown(); }, "", e);

    // The document as a --set-file object of overrides, then read back as text.
    Params o;
    if (ask([&] { o.set_overrides_from_json(doc, "fuzz"); }, "", e)) {
        for (const auto& k : keys) {
            ParamScope s = o.scope(k.first);
            std::string text;
            if (s.has(k.second)) ask([&] { text = s.get_string(k.second, "", kDoc); }, s.path(k.second), e);
        }
    } else {
        FUZZ_CHECK(e.rfind("fuzz: ", 0) == 0 || e.rfind("--set: ", 0) == 0);
    }
    return 0;
}
