#include "models/smmu/v3/format/pri.h"

#include <cinttypes>
#include <cstdio>

namespace iopf::smmu::v3 {

void encode_pri(const PriEntry& p, uint64_t w[2]) {
    w[0] = priq_f::SID.make(p.sid) | priq_f::SSID.make(p.ssid) | priq_f::PRIV.make(p.priv) |
           priq_f::EXEC.make(p.exec) | priq_f::READ.make(p.read) |
           priq_f::WRITE.make(p.write) | priq_f::LAST.make(p.last) | priq_f::SSV.make(p.ssv);
    w[1] = priq_f::PRG_INDEX.make(p.prgi) | (p.addr & priq_f::ADDR.mask());
}

PriEntry decode_pri(const uint64_t w[2]) {
    PriEntry p;
    p.sid = static_cast<uint32_t>(priq_f::SID.get(w[0]));
    p.ssid = static_cast<uint32_t>(priq_f::SSID.get(w[0]));
    p.priv = priq_f::PRIV.get(w[0]);
    p.exec = priq_f::EXEC.get(w[0]);
    p.read = priq_f::READ.get(w[0]);
    p.write = priq_f::WRITE.get(w[0]);
    p.last = priq_f::LAST.get(w[0]);
    p.ssv = priq_f::SSV.get(w[0]);
    p.prgi = static_cast<uint16_t>(priq_f::PRG_INDEX.get(w[1]));
    p.addr = w[1] & priq_f::ADDR.mask();
    return p;
}

PriEntry make_stop_marker(uint32_t sid, uint32_t ssid, uint16_t prgi) {
    PriEntry p;
    p.sid = sid;
    p.ssid = ssid;
    p.ssv = true;
    p.last = true;
    p.prgi = prgi;
    return p;
}

std::string to_string(const PriEntry& p) {
    char buf[128];
    if (p.is_stop_marker()) {
        std::snprintf(buf, sizeof buf, "PRI_STOP_MARKER sid=%" PRIu32 " ssid=%" PRIu32 " prgi=%u",
                      p.sid, p.ssid, static_cast<unsigned>(p.prgi));
        return buf;
    }
    std::string s;
    std::snprintf(buf, sizeof buf, "PRI sid=%" PRIu32, p.sid);
    s = buf;
    if (p.ssv) {
        std::snprintf(buf, sizeof buf, " ssid=%" PRIu32, p.ssid);
        s += buf;
    }
    std::snprintf(buf, sizeof buf, " addr=0x%" PRIx64 " prgi=%u", p.addr,
                  static_cast<unsigned>(p.prgi));
    s += buf;
    if (p.read) s += " R";
    if (p.write) s += " W";
    if (p.exec) s += " X";
    if (p.priv) s += " P";
    if (p.last) s += " last";
    return s;
}

}  // namespace iopf::smmu::v3
