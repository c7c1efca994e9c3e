// The trace player's CSV parser (parse_access_trace): accepted forms and the error message
// for each kind of malformed line (file:line: expected ..., got '...').
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "models/common/params.h"
#include "models/devices/trace_player.h"

using namespace iopf;

namespace {

std::vector<TraceAccess> parse(const std::string& text) {
    std::istringstream in(text);
    return parse_access_trace(in, "t.csv");
}

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("trace parse: units, optional header, comments, empty substream, hex forms", "[unit][trace_player]") {
    const auto v = parse("# comment\n\n"
                         "TIME, Stream, substream, address, size, op\r\n"
                         "0,5,,0x1000,64,R\n"
                         "  120ns , 5 , 3 , 2000 , 4KiB , w \n"
                         "1.5us,0x10,0xfffff,0xFFFF_F000,4096,write\n"
                         "2000,4294967295,,ffffffff000,1,read\n");
    REQUIRE(v.size() == 4);
    CHECK(v[0].time_ps == 0);
    CHECK(v[0].sid == 5);
    CHECK_FALSE(v[0].ssv);
    CHECK(v[0].address == 0x1000);
    CHECK(v[0].size == 64);
    CHECK_FALSE(v[0].write);

    CHECK(v[1].time_ps == 120'000);
    CHECK(v[1].ssv);
    CHECK(v[1].ssid == 3);
    CHECK(v[1].address == 0x2000);   // hex without 0x
    CHECK(v[1].size == 4096);
    CHECK(v[1].write);

    CHECK(v[2].time_ps == 1'500'000);
    CHECK(v[2].sid == 0x10);
    CHECK(v[2].ssid == 0xfffff);
    CHECK(v[2].address == 0xfffff000);
    CHECK(v[2].write);

    CHECK(v[3].time_ps == 2'000'000);   // a bare number is ns
    CHECK(v[3].sid == 0xffffffffu);
    CHECK(v[3].address == 0xffffffff000ull);
    CHECK(v[3].size == 1);
    CHECK_FALSE(v[3].write);

    CHECK(parse("").empty());
    CHECK(parse("time,stream,substream,address,size,op\n").empty());
}

TEST_CASE("trace parse: each malformed line names file, line and what was expected", "[unit][trace_player]") {
    CHECK(error_of("0,5,,0x1000,64\n") ==
          "t.csv:1: expected 6 comma-separated fields time,stream,substream,address,size,op (found 5), got '0,5,,0x1000,64'");
    CHECK(error_of("# c\n0,5,,0x1000,64,R\n5xs,5,,0x1000,64,R\n") ==
          "t.csv:3: expected a time such as 120ns, 1.5us or 120 (= ns) in column 'time', got '5xs'");
    CHECK(error_of("-1,5,,0x1000,64,R\n").rfind("t.csv:1: expected a time", 0) == 0);
    CHECK(error_of("2us,5,,0x1000,64,R\n1us,5,,0x1000,64,R\n") ==
          "t.csv:2: expected a time not before the previous line's 2us in column 'time', got '1us'");
    CHECK(error_of("0,0x100000000,,0x1000,64,R\n") ==
          "t.csv:1: expected a StreamID (0..0xffffffff) in column 'stream', got '0x100000000'");
    CHECK(error_of("0,5,0x100000,0x1000,64,R\n") ==
          "t.csv:1: expected a SubstreamID (0..0xfffff) or nothing in column 'substream', got '0x100000'");
    CHECK(error_of("0,5,,0xg000,64,R\n") ==
          "t.csv:1: expected a hexadecimal address such as 0x40001000 in column 'address', got '0xg000'");
    CHECK(error_of("0,5,,,64,R\n") ==
          "t.csv:1: expected a hexadecimal address such as 0x40001000 in column 'address', got ''");
    CHECK(error_of("0,5,,0x1000,0,R\n") == "t.csv:1: expected a size of 1..4096 bytes in column 'size', got '0'");
    CHECK(error_of("0,5,,0x1000,8KiB,R\n") == "t.csv:1: expected a size of 1..4096 bytes in column 'size', got '8KiB'");
    CHECK(error_of("0,5,,0x1f00,512,R\n") ==
          "t.csv:1: expected an access that does not cross a 4 KiB boundary (address 0x1f00 + size 512), got '0,5,,0x1f00,512,R'");
    CHECK(error_of("0,5,,0x1000,64,RW\n") == "t.csv:1: expected R or W in column 'op', got 'RW'");
    CHECK(error_of("time,stream,ssid,address,size,op\n") ==
          "t.csv:1: expected the header time,stream,substream,address,size,op, got 'time,stream,ssid,address,size,op'");
    // A header is only allowed before the first access.
    CHECK(error_of("0,5,,0x1000,64,R\ntime,stream,substream,address,size,op\n").rfind("t.csv:2: expected a time", 0) == 0);
}
