// SMMUv3 in-memory formats from arbitrary bytes: commands, STEs, CDs, event and PRI queue
// records, L1 descriptors. Decoding never crashes, the validity checks answer for any
// field values, and decode∘encode is a fixed point (re-encoding a decoded record and
// decoding it again gives the same words).
#include <cstring>

#include "fuzz/fuzz_input.h"
#include "models/smmu/v3/format/cd.h"
#include "models/smmu/v3/format/command.h"
#include "models/smmu/v3/format/event.h"
#include "models/smmu/v3/format/pri.h"
#include "models/smmu/v3/format/ste.h"

using namespace iopf::smmu::v3;

template <size_t N, class Decode, class Encode>
static void fixed_point(const uint64_t (&raw)[N], Decode decode, Encode encode) {
    uint64_t a[N], b[N];
    encode(decode(raw), a);
    encode(decode(a), b);
    FUZZ_CHECK(std::memcmp(a, b, sizeof a) == 0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    iopf::fuzz::Input in(data, size);
    Features f;
    f.stage2 = in.flag();
    f.ats = in.flag();
    f.pri = in.flag();
    f.sid_bits = unsigned(in.below(33));
    f.ssid_bits = unsigned(in.below(21));

    uint64_t cmd[2] = {in.get<uint64_t>(), in.get<uint64_t>()};
    const DecodeResult r = decode_command(cmd, f);
    (void)to_string(r.cmd);
    (void)command_name(r.cmd);
    if (r.ok) {
        (void)check_command(r.cmd, f);   // answers for any field values
        uint64_t w[2];
        encode_command(r.cmd, w);
        const DecodeResult again = decode_command(w, f);
        FUZZ_CHECK(again.ok);
        uint64_t w2[2];
        encode_command(again.cmd, w2);
        FUZZ_CHECK(w[0] == w2[0] && w[1] == w2[1]);
    }

    uint64_t ste[8], cd[8], ev[4], pri[2];
    for (auto& w : ste) w = in.get<uint64_t>();
    for (auto& w : cd) w = in.get<uint64_t>();
    for (auto& w : ev) w = in.get<uint64_t>();
    for (auto& w : pri) w = in.get<uint64_t>();
    const Ste s = decode_ste(ste);
    (void)check_ste(s, f);
    (void)to_string(s);
    fixed_point(ste, [](const uint64_t* w) { return decode_ste(w); }, [](const Ste& x, uint64_t* w) { encode_ste(x, w); });
    const Cd c = decode_cd(cd);
    (void)check_cd(c, f, in.flag());
    (void)cd_effective_ips_bits(c, f);
    fixed_point(cd, [](const uint64_t* w) { return decode_cd(w); }, [](const Cd& x, uint64_t* w) { encode_cd(x, w); });
    fixed_point(ev, [](const uint64_t* w) { return decode_event(w); },
                [](const EventRecord& x, uint64_t* w) { encode_event(x, w); });
    fixed_point(pri, [](const uint64_t* w) { return decode_pri(w); }, [](const PriEntry& x, uint64_t* w) { encode_pri(x, w); });
    const uint64_t l1 = in.get<uint64_t>();
    FUZZ_CHECK(encode_st_l1(decode_st_l1(encode_st_l1(decode_st_l1(l1)))) == encode_st_l1(decode_st_l1(l1)));
    FUZZ_CHECK(encode_cd_l1(decode_cd_l1(encode_cd_l1(decode_cd_l1(l1)))) == encode_cd_l1(decode_cd_l1(l1)));
    return 0;
}
