#include "models/smmu/v3/format/command.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>

namespace iopf::smmu::v3 {

namespace {

// word 0
constexpr Field W0_OP{7, 0};
constexpr Field W0_GLOBAL{9, 9};
constexpr Field W0_SSEC{10, 10};
constexpr Field W0_SSV{11, 11};
constexpr Field W0_SSID{31, 12};
constexpr Field W0_SID{63, 32};
constexpr Field W0_VMID{47, 32};
constexpr Field W0_ASID{63, 48};
constexpr Field W0_NUM{16, 12};
constexpr Field W0_SCALE{25, 20};
constexpr Field W0_RESUME_RESP{13, 12};  // {Ab, Ac}
constexpr Field W0_CS{13, 12};
constexpr Field W0_MSH{23, 22};
constexpr Field W0_MSIATTR{27, 24};
constexpr Field W0_MSIDATA{63, 32};
// word 1
constexpr Field W1_LEAF{0, 0};
constexpr Field W1_TTL{9, 8};
constexpr Field W1_TG{11, 10};
constexpr Field W1_VA{63, 12};
constexpr Field W1_IPA{55, 12};
constexpr Field W1_RANGE{4, 0};
constexpr Field W1_ATC_SIZE{5, 0};
constexpr Field W1_PF_SIZE{4, 0};
constexpr Field W1_PF_STRIDE{9, 5};
constexpr Field W1_PRGI{8, 0};
constexpr Field W1_PRI_RESP{13, 12};
constexpr Field W1_STAG{15, 0};
constexpr Field W1_MSIADDR{55, 2};

// Which fields an opcode's layout has.
enum : uint32_t {
    L_SSEC = 1u << 0,
    L_SSV = 1u << 1,
    L_SSID = 1u << 2,
    L_SID = 1u << 3,
    L_VMID = 1u << 4,
    L_ASID = 1u << 5,
    L_RANGEINV = 1u << 6,  // NUM, SCALE (w0) and TTL, TG (w1)
    L_LEAF = 1u << 7,
    L_VA = 1u << 8,
    L_IPA = 1u << 9,
    L_RANGE = 1u << 10,
    L_ATC_SIZE = 1u << 11,
    L_GLOBAL = 1u << 12,
    L_PRGI = 1u << 13,
    L_PRI_RESP = 1u << 14,
    L_RESUME_RESP = 1u << 15,
    L_STAG = 1u << 16,
    L_SYNC = 1u << 17,
    L_PF = 1u << 18,  // PREFETCH_ADDR Size, Stride
    L_VALID = 1u << 31,
};

uint32_t layout(uint8_t op) {
    const uint32_t stream = L_SSEC | L_SID;
    const uint32_t tlbi_va = L_RANGEINV | L_LEAF | L_VA;
    switch (static_cast<Opcode>(op)) {
    case Opcode::PREFETCH_CONFIG: return L_VALID | stream | L_SSV | L_SSID;
    case Opcode::PREFETCH_ADDR: return L_VALID | stream | L_SSV | L_SSID | L_PF | L_VA;
    case Opcode::CFGI_STE: return L_VALID | stream | L_LEAF;
    case Opcode::CFGI_STE_RANGE: return L_VALID | stream | L_RANGE;
    case Opcode::CFGI_CD: return L_VALID | stream | L_SSID | L_LEAF;
    case Opcode::CFGI_CD_ALL: return L_VALID | stream;
    case Opcode::TLBI_NH_ALL: return L_VALID | L_VMID;
    case Opcode::TLBI_NH_ASID: return L_VALID | L_VMID | L_ASID;
    case Opcode::TLBI_NH_VA: return L_VALID | L_VMID | L_ASID | tlbi_va;
    case Opcode::TLBI_NH_VAA: return L_VALID | L_VMID | tlbi_va;
    case Opcode::TLBI_EL3_ALL: return L_VALID;
    case Opcode::TLBI_EL3_VA: return L_VALID | tlbi_va;
    case Opcode::TLBI_EL2_ALL: return L_VALID;
    case Opcode::TLBI_EL2_ASID: return L_VALID | L_ASID;
    case Opcode::TLBI_EL2_VA: return L_VALID | L_ASID | tlbi_va;
    case Opcode::TLBI_EL2_VAA: return L_VALID | tlbi_va;
    case Opcode::TLBI_S12_VMALL: return L_VALID | L_VMID;
    case Opcode::TLBI_S2_IPA: return L_VALID | L_VMID | L_RANGEINV | L_LEAF | L_IPA;
    case Opcode::TLBI_NSNH_ALL: return L_VALID;
    case Opcode::ATC_INV: return L_VALID | L_SID | L_SSV | L_SSID | L_GLOBAL | L_ATC_SIZE | L_VA;
    case Opcode::PRI_RESP: return L_VALID | L_SID | L_SSV | L_SSID | L_PRGI | L_PRI_RESP;
    case Opcode::RESUME: return L_VALID | stream | L_RESUME_RESP | L_STAG;
    case Opcode::STALL_TERM: return L_VALID | stream;
    case Opcode::SYNC: return L_VALID | L_SYNC;
    }
    return 0;
}

void masks(uint32_t l, uint64_t& m0, uint64_t& m1) {
    m0 = W0_OP.mask();
    m1 = 0;
    if (l & L_SSEC) m0 |= W0_SSEC.mask();
    if (l & L_SSV) m0 |= W0_SSV.mask();
    if (l & L_SSID) m0 |= W0_SSID.mask();
    if (l & L_SID) m0 |= W0_SID.mask();
    if (l & L_VMID) m0 |= W0_VMID.mask();
    if (l & L_ASID) m0 |= W0_ASID.mask();
    if (l & L_RANGEINV) {
        m0 |= W0_NUM.mask() | W0_SCALE.mask();
        m1 |= W1_TTL.mask() | W1_TG.mask();
    }
    if (l & L_GLOBAL) m0 |= W0_GLOBAL.mask();
    if (l & L_RESUME_RESP) m0 |= W0_RESUME_RESP.mask();
    if (l & L_SYNC) {
        m0 |= W0_CS.mask() | W0_MSH.mask() | W0_MSIATTR.mask() | W0_MSIDATA.mask();
        m1 |= W1_MSIADDR.mask();
    }
    if (l & L_LEAF) m1 |= W1_LEAF.mask();
    if (l & L_VA) m1 |= W1_VA.mask();
    if (l & L_IPA) m1 |= W1_IPA.mask();
    if (l & L_RANGE) m1 |= W1_RANGE.mask();
    if (l & L_ATC_SIZE) m1 |= W1_ATC_SIZE.mask();
    if (l & L_PF) m1 |= W1_PF_SIZE.mask() | W1_PF_STRIDE.mask();
    if (l & L_PRGI) m1 |= W1_PRGI.mask();
    if (l & L_PRI_RESP) m1 |= W1_PRI_RESP.mask();
    if (l & L_STAG) m1 |= W1_STAG.mask();
}

Command base(Opcode op) {
    Command c;
    c.opcode = op;
    return c;
}

}  // namespace

bool opcode_known(uint8_t op) { return layout(op) != 0; }

// ---------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------
Command cmd_prefetch_config(uint32_t sid) {
    Command c = base(Opcode::PREFETCH_CONFIG);
    c.sid = sid;
    return c;
}
Command cmd_cfgi_ste(uint32_t sid, bool leaf) {
    Command c = base(Opcode::CFGI_STE);
    c.sid = sid;
    c.leaf = leaf;
    return c;
}
Command cmd_cfgi_ste_range(uint32_t sid, uint8_t range) {
    Command c = base(Opcode::CFGI_STE_RANGE);
    c.sid = sid;
    c.range = range;
    return c;
}
Command cmd_cfgi_all() { return cmd_cfgi_ste_range(0, CFGI_ALL_RANGE); }
Command cmd_cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf) {
    Command c = base(Opcode::CFGI_CD);
    c.sid = sid;
    c.ssid = ssid;
    c.leaf = leaf;
    return c;
}
Command cmd_cfgi_cd_all(uint32_t sid) {
    Command c = base(Opcode::CFGI_CD_ALL);
    c.sid = sid;
    return c;
}
Command cmd_tlbi_nh_all(uint16_t vmid) {
    Command c = base(Opcode::TLBI_NH_ALL);
    c.vmid = vmid;
    return c;
}
Command cmd_tlbi_nh_asid(uint16_t asid, uint16_t vmid) {
    Command c = base(Opcode::TLBI_NH_ASID);
    c.asid = asid;
    c.vmid = vmid;
    return c;
}
Command cmd_tlbi_nh_va(uint16_t asid, uint64_t va, bool leaf, uint16_t vmid) {
    Command c = base(Opcode::TLBI_NH_VA);
    c.asid = asid;
    c.vmid = vmid;
    c.addr = va & W1_VA.mask();
    c.leaf = leaf;
    return c;
}
Command cmd_tlbi_nh_vaa(uint64_t va, bool leaf, uint16_t vmid) {
    Command c = base(Opcode::TLBI_NH_VAA);
    c.vmid = vmid;
    c.addr = va & W1_VA.mask();
    c.leaf = leaf;
    return c;
}
Command cmd_tlbi_s12_vmall(uint16_t vmid) {
    Command c = base(Opcode::TLBI_S12_VMALL);
    c.vmid = vmid;
    return c;
}
Command cmd_tlbi_s2_ipa(uint16_t vmid, uint64_t ipa, bool leaf) {
    Command c = base(Opcode::TLBI_S2_IPA);
    c.vmid = vmid;
    c.addr = ipa & W1_IPA.mask();
    c.leaf = leaf;
    return c;
}
Command cmd_tlbi_nsnh_all() { return base(Opcode::TLBI_NSNH_ALL); }
Command cmd_sync(SyncCs cs, uint64_t msi_addr, uint32_t msi_data) {
    Command c = base(Opcode::SYNC);
    c.cs = static_cast<uint8_t>(cs);
    c.msiaddr = msi_addr & W1_MSIADDR.mask();
    c.msidata = msi_data;
    return c;
}
Command cmd_sync_linux(SyncCs cs, uint64_t msi_addr, uint32_t msi_data) {
    Command c = cmd_sync(cs, msi_addr, msi_data);
    c.msh = kSyncMshISH;
    c.msiattr = kMemattrOIWB;
    return c;
}
const char* sync_msh_name(uint8_t msh) {
    switch (msh & 3) {
    case kSyncMshNSH: return "NSH";
    case kSyncMshOSH: return "OSH";
    case kSyncMshISH: return "ISH";
    default: return "reserved";
    }
}
const char* memattr_name(uint8_t attr) {
    switch (attr & 0xf) {
    case 0x0: return "Device-nGnRnE";
    case kMemattrDeviceNGnRE: return "Device-nGnRE";
    case 0x2: return "Device-nGRE";
    case 0x3: return "Device-GRE";
    case kMemattrOINC: return "OINC";
    case kMemattrOIWB: return "OIWB";
    default: return "";
    }
}
Command cmd_resume(uint32_t sid, uint16_t stag, ResumeResp resp) {
    Command c = base(Opcode::RESUME);
    c.sid = sid;
    c.stag = stag;
    c.resp = static_cast<uint8_t>(resp);
    return c;
}
Command cmd_stall_term(uint32_t sid) {
    Command c = base(Opcode::STALL_TERM);
    c.sid = sid;
    return c;
}
Command cmd_pri_resp(uint32_t sid, uint32_t ssid, bool ssv, uint16_t prgi, PriResp resp) {
    Command c = base(Opcode::PRI_RESP);
    c.sid = sid;
    c.ssid = ssid;
    c.ssv = ssv;
    c.prgi = prgi;
    c.resp = static_cast<uint8_t>(resp);
    return c;
}
Command cmd_atc_inv(uint32_t sid, uint32_t ssid, bool ssv, uint64_t addr, uint8_t size,
                    bool global) {
    Command c = base(Opcode::ATC_INV);
    c.sid = sid;
    c.ssid = ssid;
    c.ssv = ssv;
    c.addr = addr & W1_VA.mask();
    c.size = size;
    c.global = global;
    return c;
}

// ---------------------------------------------------------------------------
// Encode / decode
// ---------------------------------------------------------------------------
void encode_command(const Command& c, uint64_t w[2]) {
    const uint32_t l = layout(static_cast<uint8_t>(c.opcode));
    uint64_t w0 = W0_OP.make(static_cast<uint8_t>(c.opcode));
    uint64_t w1 = 0;
    if (l & L_SSEC) w0 |= W0_SSEC.make(c.ssec);
    if (l & L_SSV) w0 |= W0_SSV.make(c.ssv);
    if (l & L_SSID) w0 |= W0_SSID.make(c.ssid);
    if (l & L_SID) w0 |= W0_SID.make(c.sid);
    if (l & L_VMID) w0 |= W0_VMID.make(c.vmid);
    if (l & L_ASID) w0 |= W0_ASID.make(c.asid);
    if (l & L_RANGEINV) {
        w0 |= W0_NUM.make(c.num) | W0_SCALE.make(c.scale);
        w1 |= W1_TTL.make(c.ttl) | W1_TG.make(c.tg);
    }
    if (l & L_GLOBAL) w0 |= W0_GLOBAL.make(c.global);
    if (l & L_RESUME_RESP) w0 |= W0_RESUME_RESP.make(c.resp);
    if (l & L_SYNC) {
        w0 |= W0_CS.make(c.cs) | W0_MSH.make(c.msh) | W0_MSIATTR.make(c.msiattr) |
              W0_MSIDATA.make(c.msidata);
        w1 |= c.msiaddr & W1_MSIADDR.mask();
    }
    if (l & L_LEAF) w1 |= W1_LEAF.make(c.leaf);
    if (l & L_VA) w1 |= c.addr & W1_VA.mask();
    if (l & L_IPA) w1 |= c.addr & W1_IPA.mask();
    if (l & L_RANGE) w1 |= W1_RANGE.make(c.range);
    if (l & L_ATC_SIZE) w1 |= W1_ATC_SIZE.make(c.size);
    if (l & L_PF) w1 |= W1_PF_SIZE.make(c.size) | W1_PF_STRIDE.make(c.stride);
    if (l & L_PRGI) w1 |= W1_PRGI.make(c.prgi);
    if (l & L_PRI_RESP) w1 |= W1_PRI_RESP.make(c.resp);
    if (l & L_STAG) w1 |= W1_STAG.make(c.stag);
    w[0] = w0;
    w[1] = w1;
}

DecodeResult decode_command(const uint64_t w[2]) {
    DecodeResult r;
    const uint8_t op = static_cast<uint8_t>(W0_OP.get(w[0]));
    const uint32_t l = layout(op);
    Command& c = r.cmd;
    c.opcode = static_cast<Opcode>(op);
    if (l == 0) {
        r.reason = "reserved or unimplemented opcode";
        return r;
    }
    if (l & L_SSEC) c.ssec = W0_SSEC.get(w[0]);
    if (l & L_SSV) c.ssv = W0_SSV.get(w[0]);
    if (l & L_SSID) c.ssid = static_cast<uint32_t>(W0_SSID.get(w[0]));
    if (l & L_SID) c.sid = static_cast<uint32_t>(W0_SID.get(w[0]));
    if (l & L_VMID) c.vmid = static_cast<uint16_t>(W0_VMID.get(w[0]));
    if (l & L_ASID) c.asid = static_cast<uint16_t>(W0_ASID.get(w[0]));
    if (l & L_RANGEINV) {
        c.num = static_cast<uint8_t>(W0_NUM.get(w[0]));
        c.scale = static_cast<uint8_t>(W0_SCALE.get(w[0]));
        c.ttl = static_cast<uint8_t>(W1_TTL.get(w[1]));
        c.tg = static_cast<uint8_t>(W1_TG.get(w[1]));
    }
    if (l & L_GLOBAL) c.global = W0_GLOBAL.get(w[0]);
    if (l & L_RESUME_RESP) c.resp = static_cast<uint8_t>(W0_RESUME_RESP.get(w[0]));
    if (l & L_SYNC) {
        c.cs = static_cast<uint8_t>(W0_CS.get(w[0]));
        c.msh = static_cast<uint8_t>(W0_MSH.get(w[0]));
        c.msiattr = static_cast<uint8_t>(W0_MSIATTR.get(w[0]));
        c.msidata = static_cast<uint32_t>(W0_MSIDATA.get(w[0]));
        c.msiaddr = w[1] & W1_MSIADDR.mask();
    }
    if (l & L_LEAF) c.leaf = W1_LEAF.get(w[1]);
    if (l & L_VA) c.addr = w[1] & W1_VA.mask();
    if (l & L_IPA) c.addr = w[1] & W1_IPA.mask();
    if (l & L_RANGE) c.range = static_cast<uint8_t>(W1_RANGE.get(w[1]));
    if (l & L_ATC_SIZE) c.size = static_cast<uint8_t>(W1_ATC_SIZE.get(w[1]));
    if (l & L_PF) {
        c.size = static_cast<uint8_t>(W1_PF_SIZE.get(w[1]));
        c.stride = static_cast<uint8_t>(W1_PF_STRIDE.get(w[1]));
    }
    if (l & L_PRGI) c.prgi = static_cast<uint16_t>(W1_PRGI.get(w[1]));
    if (l & L_PRI_RESP) c.resp = static_cast<uint8_t>(W1_PRI_RESP.get(w[1]));
    if (l & L_STAG) c.stag = static_cast<uint16_t>(W1_STAG.get(w[1]));

    uint64_t m0, m1;
    masks(l, m0, m1);
    if ((w[0] & ~m0) != 0 || (w[1] & ~m1) != 0) {
        r.reason = "non-zero RES0 field";
        return r;
    }
    if (c.ssec) {
        r.reason = "SSec == 1 on the Non-secure Command queue";
        return r;
    }
    if ((l & L_SYNC) && c.cs == 0b11) {
        r.reason = "CMD_SYNC CS == 0b11 (Reserved)";
        return r;
    }
    if ((l & L_PRI_RESP) && c.resp == 0b11) {
        r.reason = "CMD_PRI_RESP Resp == 0b11 (Reserved)";
        return r;
    }
    if (l & L_RANGEINV) {
        if (c.tg == 0 && (c.num || c.scale || c.ttl)) {
            r.reason = "TLBI NUM/SCALE/TTL non-zero with TG == 0 (RES0)";
            return r;
        }
        if (c.tg != 0 && c.num == 0 && c.scale == 0 && c.ttl == 0) {
            r.reason = "TLBI TG != 0 with NUM == SCALE == TTL == 0 (Reserved)";
            return r;
        }
    }
    if ((l & L_ATC_SIZE) && c.size > 52) {
        r.reason = "CMD_ATC_INV Size > 52";
        return r;
    }
    r.ok = true;
    return r;
}

const char* check_command(const Command& c, const Features& f) {
    const uint32_t l = layout(static_cast<uint8_t>(c.opcode));
    switch (c.opcode) {
    case Opcode::TLBI_EL3_ALL:
    case Opcode::TLBI_EL3_VA:
        return "CMD_TLBI_EL3_* is only valid on the Secure Command queue";
    case Opcode::TLBI_EL2_ALL:
    case Opcode::TLBI_EL2_ASID:
    case Opcode::TLBI_EL2_VA:
    case Opcode::TLBI_EL2_VAA:
        if (!f.hyp) return "CMD_TLBI_EL2_* with SMMU_IDR0.Hyp == 0";
        break;
    case Opcode::TLBI_NH_ALL:
    case Opcode::TLBI_NH_ASID:
    case Opcode::TLBI_NH_VA:
    case Opcode::TLBI_NH_VAA:
    case Opcode::CFGI_CD:
    case Opcode::CFGI_CD_ALL:
        if (!f.stage1) return "stage 1 command without stage 1 support";
        break;
    case Opcode::TLBI_S12_VMALL:
    case Opcode::TLBI_S2_IPA:
        if (!f.stage2) return "stage 2 command without stage 2 support";
        break;
    case Opcode::ATC_INV:
        if (!f.ats) return "CMD_ATC_INV with SMMU_IDR0.ATS == 0";
        break;
    case Opcode::PRI_RESP:
        if (!(f.ats && f.pri)) return "CMD_PRI_RESP with SMMU_IDR0.PRI == 0";
        break;
    case Opcode::RESUME:
    case Opcode::STALL_TERM:
        if (f.stall_model == idr0::STALL_MODEL_TERM_ONLY)
            return "CMD_RESUME/CMD_STALL_TERM with STALL_MODEL == 0b01";
        break;
    default:
        break;
    }
    if (l & L_RANGEINV) {
        if (!f.ril && (c.tg || c.ttl || c.num || c.scale))
            return "TLBI range/TTL fields with SMMU_IDR3.RIL == 0 (RES0)";
        if (c.tg == 0b10 && c.ttl == 0b01 && !f.ds)
            return "TLBI TG == 16KB with TTL == 1 and SMMU_IDR5.DS == 0";
    }
    return nullptr;
}

DecodeResult decode_command(const uint64_t w[2], const Features& f) {
    DecodeResult r = decode_command(w);
    if (!r.ok) return r;
    if (const char* why = check_command(r.cmd, f)) {
        r.ok = false;
        r.reason = why;
    }
    return r;
}

// ---------------------------------------------------------------------------
// Names and log strings
// ---------------------------------------------------------------------------
const char* opcode_name(Opcode op) {
    switch (op) {
    case Opcode::PREFETCH_CONFIG: return "CMD_PREFETCH_CONFIG";
    case Opcode::PREFETCH_ADDR: return "CMD_PREFETCH_ADDR";
    case Opcode::CFGI_STE: return "CMD_CFGI_STE";
    case Opcode::CFGI_STE_RANGE: return "CMD_CFGI_STE_RANGE";
    case Opcode::CFGI_CD: return "CMD_CFGI_CD";
    case Opcode::CFGI_CD_ALL: return "CMD_CFGI_CD_ALL";
    case Opcode::TLBI_NH_ALL: return "CMD_TLBI_NH_ALL";
    case Opcode::TLBI_NH_ASID: return "CMD_TLBI_NH_ASID";
    case Opcode::TLBI_NH_VA: return "CMD_TLBI_NH_VA";
    case Opcode::TLBI_NH_VAA: return "CMD_TLBI_NH_VAA";
    case Opcode::TLBI_EL3_ALL: return "CMD_TLBI_EL3_ALL";
    case Opcode::TLBI_EL3_VA: return "CMD_TLBI_EL3_VA";
    case Opcode::TLBI_EL2_ALL: return "CMD_TLBI_EL2_ALL";
    case Opcode::TLBI_EL2_ASID: return "CMD_TLBI_EL2_ASID";
    case Opcode::TLBI_EL2_VA: return "CMD_TLBI_EL2_VA";
    case Opcode::TLBI_EL2_VAA: return "CMD_TLBI_EL2_VAA";
    case Opcode::TLBI_S12_VMALL: return "CMD_TLBI_S12_VMALL";
    case Opcode::TLBI_S2_IPA: return "CMD_TLBI_S2_IPA";
    case Opcode::TLBI_NSNH_ALL: return "CMD_TLBI_NSNH_ALL";
    case Opcode::ATC_INV: return "CMD_ATC_INV";
    case Opcode::PRI_RESP: return "CMD_PRI_RESP";
    case Opcode::RESUME: return "CMD_RESUME";
    case Opcode::STALL_TERM: return "CMD_STALL_TERM";
    case Opcode::SYNC: return "CMD_SYNC";
    }
    return "CMD_RESERVED";
}

const char* command_name(const Command& c) {
    return c.is_cfgi_all() ? "CMD_CFGI_ALL" : opcode_name(c.opcode);
}

namespace {

const char* cs_name(uint8_t cs) {
    switch (cs) {
    case 0: return "SIG_NONE";
    case 1: return "SIG_IRQ";
    case 2: return "SIG_SEV";
    default: return "RESERVED";
    }
}
const char* pri_resp_name(uint8_t r) {
    switch (r) {
    case 0: return "ResponseFailure";
    case 1: return "InvalidRequest";
    case 2: return "Success";
    default: return "RESERVED";
    }
}

struct Out {
    std::string s;
    void add(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        char buf[96];
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        s += ' ';
        s += buf;
    }
};

}  // namespace

std::string to_string(const Command& c) {
    const uint32_t l = layout(static_cast<uint8_t>(c.opcode));
    Out o;
    o.s = command_name(c);
    if (l == 0) {
        o.add("opcode=0x%02x", static_cast<unsigned>(c.opcode));
        return o.s;
    }
    if (c.opcode == Opcode::RESUME) {
        o.add("sid=%" PRIu32 " stag=%u resp=%s", c.sid, static_cast<unsigned>(c.stag),
              c.resume_retry() ? "RETRY" : c.resume_abort() ? "ABORT" : "TERM");
        if (c.ssec) o.add("ssec=1");
        return o.s;
    }
    if (c.opcode == Opcode::SYNC) {
        o.add("cs=%s", cs_name(c.cs));
        if (c.cs == static_cast<uint8_t>(SyncCs::SIG_IRQ) || c.msiaddr || c.msidata)
            o.add("msiaddr=0x%" PRIx64 " msidata=0x%" PRIx32, c.msiaddr, c.msidata);
        if (c.msh || c.msiattr) {
            const char* a = memattr_name(c.msiattr);
            if (*a) o.add("msh=%s msiattr=%s", sync_msh_name(c.msh), a);
            else o.add("msh=%s msiattr=0x%x", sync_msh_name(c.msh), c.msiattr);
        }
        return o.s;
    }
    if (c.is_cfgi_all()) return o.s;
    if (l & L_SID) o.add("sid=%" PRIu32, c.sid);
    if ((l & L_SSID) && (c.opcode == Opcode::CFGI_CD || c.ssv || c.ssid))
        o.add("ssid=%" PRIu32, c.ssid);
    if ((l & L_SSV) && c.ssv) o.add("ssv=1");
    if ((l & L_VMID) && c.vmid) o.add("vmid=%u", static_cast<unsigned>(c.vmid));
    if (l & L_ASID) o.add("asid=%u", static_cast<unsigned>(c.asid));
    if (l & (L_VA | L_IPA)) o.add("addr=0x%" PRIx64, c.addr);
    if (l & L_RANGE) o.add("range=%u", c.range);
    if (l & L_ATC_SIZE) o.add("size=%u", c.size);
    if (l & L_PF) o.add("size=%u stride=%u", c.size, c.stride);
    if (l & L_GLOBAL) o.add("global=%d", c.global ? 1 : 0);
    if (l & L_PRGI) o.add("prgi=%u", static_cast<unsigned>(c.prgi));
    if (l & L_PRI_RESP) o.add("resp=%s", pri_resp_name(c.resp));
    if (l & L_LEAF) o.add("leaf=%d", c.leaf ? 1 : 0);
    if ((l & L_RANGEINV) && (c.tg || c.ttl || c.num || c.scale))
        o.add("tg=%u ttl=%u num=%u scale=%u", c.tg, c.ttl, c.num, c.scale);
    if (c.ssec) o.add("ssec=1");
    return o.s;
}

}  // namespace iopf::smmu::v3
