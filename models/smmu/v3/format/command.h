// SMMUv3 Command queue entries (16 bytes = 2 little-endian u64 words).
// Spec chapter 4 "Commands" (IHI 0070 G.b).
//
// Common layout: word0 [7:0] opcode, [10] SSec, [11] SSV, [31:12] SubstreamID,
// [63:32] StreamID (or [47:32] VMID, [63:48] ASID for TLBI commands).
//
// Spec-vs-Linux notes (the spec is followed):
//  * CMD_RESUME has two 1-bit parameters, Action (Ac, word0[12]: 1 Retry,
//    0 Terminate) and Abort (Ab, word0[13]). Linux packs them as a 2-bit RESP
//    (TERM 0, RETRY 1, ABORT 2); this model keeps that packing in
//    Command::resp for convenience, but RESP == 3 (Retry with Ab set) is legal:
//    Ab is ignored on Retry, it is not a reserved encoding.
//  * TLBI SCALE is [25:20] (6 bits); Linux defines [24:20].
//  * IPA / PA address fields are [55:12] and CMD_SYNC MSIAddress is [55:2];
//    Linux masks at bit 51.
//  * CMD_STALL_TERM (0x45) is not defined by Linux.
//  * Linux names PRI_RESP codes DENY/FAIL/SUCC = 0/1/2; the spec names are
//    ResponseFailure 0b00, InvalidRequest 0b01, Success 0b10 (0b11 ILLEGAL).
//  * Linux calls 0x01 CMD_PREFETCH_CFG; the spec name is CMD_PREFETCH_CONFIG.
//
// Field positions not visible in the text of the spec (drawn as figures) and
// taken from Linux/QEMU: PRI_RESP word1 PRGIndex [8:0] / Resp [13:12];
// ATC_INV Global word0[9], Size word1[5:0]; PREFETCH_ADDR Size word1[4:0],
// Stride word1[9:5]; TLBI Leaf word1[0], TTL [9:8], TG [11:10].
#pragma once
#include <cstdint>
#include <string>

#include "models/smmu/v3/format/features.h"
#include "models/smmu/v3/format/regs.h"

namespace iopf::smmu::v3 {

enum class Opcode : uint8_t {
    PREFETCH_CONFIG = 0x01,
    PREFETCH_ADDR = 0x02,
    CFGI_STE = 0x03,
    CFGI_STE_RANGE = 0x04,  // CMD_CFGI_ALL is CFGI_STE_RANGE with Range == 31
    CFGI_CD = 0x05,
    CFGI_CD_ALL = 0x06,
    TLBI_NH_ALL = 0x10,
    TLBI_NH_ASID = 0x11,
    TLBI_NH_VA = 0x12,
    TLBI_NH_VAA = 0x13,
    TLBI_EL3_ALL = 0x18,
    TLBI_EL3_VA = 0x1a,
    TLBI_EL2_ALL = 0x20,
    TLBI_EL2_ASID = 0x21,
    TLBI_EL2_VA = 0x22,
    TLBI_EL2_VAA = 0x23,
    TLBI_S12_VMALL = 0x28,
    TLBI_S2_IPA = 0x2a,
    TLBI_NSNH_ALL = 0x30,
    ATC_INV = 0x40,
    PRI_RESP = 0x41,
    RESUME = 0x44,
    STALL_TERM = 0x45,
    SYNC = 0x46,
};

constexpr uint8_t CFGI_ALL_RANGE = 31;

// CMD_SYNC ComplSignal.
enum class SyncCs : uint8_t { SIG_NONE = 0, SIG_IRQ = 1, SIG_SEV = 2 };  // 3 ILLEGAL
// CMD_SYNC MSH (shareability of the MSI write) and MSIATTR (its memory type), with the
// values Linux's arm_smmu_cmdq_build_cmd() puts in every CMD_SYNC: MSH = Inner
// Shareable (ARM_SMMU_SH_ISH), MSIATTR = Inner+Outer Write-Back (ARM_SMMU_MEMATTR_OIWB).
// An MSI-completion SYNC built so has word0 = 0x0fc01046.
constexpr uint8_t kSyncMshNSH = 0, kSyncMshOSH = 2, kSyncMshISH = 3;
constexpr uint8_t kMemattrDeviceNGnRE = 0x1, kMemattrOINC = 0x5, kMemattrOIWB = 0xf;
const char* sync_msh_name(uint8_t msh);          // "NSH", "OSH", "ISH", or "reserved"
const char* memattr_name(uint8_t attr);          // "OIWB", "OINC", "Device-nGnRE", ... or "" if not named

// CMD_RESUME {Ab, Ac} packed as Linux does: bit 0 = Ac (Retry), bit 1 = Ab.
enum class ResumeResp : uint8_t { TERM = 0, RETRY = 1, ABORT = 2 };

// CMD_PRI_RESP Resp (spec encoding).
enum class PriResp : uint8_t { Failure = 0, InvalidRequest = 1, Success = 2 };  // 3 ILLEGAL

// Union of the fields of all commands; a field is meaningful only for the
// opcodes whose layout has it (see encode_command()).
struct Command {
    Opcode opcode = Opcode::SYNC;
    bool ssec = false;      // word0[10] (must be 0 on the Non-secure queue)
    bool ssv = false;       // word0[11]
    uint32_t ssid = 0;      // word0[31:12]
    uint32_t sid = 0;       // word0[63:32]
    uint16_t vmid = 0;      // TLBI: word0[47:32]
    uint16_t asid = 0;      // TLBI: word0[63:48]
    uint8_t num = 0;        // TLBI range: word0[16:12]
    uint8_t scale = 0;      // TLBI range: word0[25:20]
    bool leaf = false;      // CFGI_STE/CFGI_CD/TLBI: word1[0]
    uint8_t ttl = 0;        // TLBI: word1[9:8]
    uint8_t tg = 0;         // TLBI: word1[11:10]
    uint64_t addr = 0;      // byte address: VA [63:12] or PA/IPA [55:12]
    uint8_t range = 0;      // CFGI_STE_RANGE: word1[4:0]
    uint8_t size = 0;       // ATC_INV: word1[5:0]; PREFETCH_ADDR: word1[4:0]
    uint8_t stride = 0;     // PREFETCH_ADDR: word1[9:5]
    bool global = false;    // ATC_INV: word0[9]
    uint16_t prgi = 0;      // PRI_RESP: word1[8:0]
    uint8_t resp = 0;       // PRI_RESP: word1[13:12]; RESUME: word0[13:12] = {Ab, Ac}
    uint16_t stag = 0;      // RESUME: word1[15:0]
    uint8_t cs = 0;         // SYNC: word0[13:12]
    uint8_t msh = 0;        // SYNC: word0[23:22]
    uint8_t msiattr = 0;    // SYNC: word0[27:24]
    uint32_t msidata = 0;   // SYNC: word0[63:32]
    uint64_t msiaddr = 0;   // SYNC: word1[55:2] (byte address)

    // CMD_RESUME parameters.
    bool resume_retry() const { return resp & 1; }  // Ac
    bool resume_abort() const { return resp & 2; }  // Ab (ignored on Retry)
    bool is_cfgi_all() const {
        return opcode == Opcode::CFGI_STE_RANGE && range == CFGI_ALL_RANGE;
    }
};

// Builders (SSec = 0, Non-secure queue).
Command cmd_prefetch_config(uint32_t sid);
Command cmd_cfgi_ste(uint32_t sid, bool leaf);
Command cmd_cfgi_ste_range(uint32_t sid, uint8_t range);
Command cmd_cfgi_all();
Command cmd_cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf);
Command cmd_cfgi_cd_all(uint32_t sid);
// The NH commands carry the VMID their entries are tagged with (0 without stage 2).
Command cmd_tlbi_nh_all(uint16_t vmid = 0);
Command cmd_tlbi_nh_asid(uint16_t asid, uint16_t vmid = 0);
Command cmd_tlbi_nh_va(uint16_t asid, uint64_t va, bool leaf, uint16_t vmid = 0);
Command cmd_tlbi_nh_vaa(uint64_t va, bool leaf, uint16_t vmid = 0);
Command cmd_tlbi_s12_vmall(uint16_t vmid);
Command cmd_tlbi_s2_ipa(uint16_t vmid, uint64_t ipa, bool leaf);
Command cmd_tlbi_nsnh_all();
Command cmd_sync(SyncCs cs, uint64_t msi_addr = 0, uint32_t msi_data = 0);
// CMD_SYNC as Linux builds it: `cmd_sync` plus MSH = ISH and MSIATTR = OIWB.
Command cmd_sync_linux(SyncCs cs, uint64_t msi_addr = 0, uint32_t msi_data = 0);
Command cmd_resume(uint32_t sid, uint16_t stag, ResumeResp resp);
Command cmd_stall_term(uint32_t sid);
Command cmd_pri_resp(uint32_t sid, uint32_t ssid, bool ssv, uint16_t prgi, PriResp resp);
Command cmd_atc_inv(uint32_t sid, uint32_t ssid, bool ssv, uint64_t addr, uint8_t size,
                    bool global);

// Encode only the fields that belong to cmd.opcode's layout; all other bits 0.
void encode_command(const Command& cmd, uint64_t w[2]);

struct DecodeResult {
    bool ok = false;              // false: CMDQ_CONS.ERR = CERROR_ILL
    Command cmd;                  // fields decoded (also when !ok, where possible)
    const char* reason = "";      // why it is ILLEGAL, for logs
    uint8_t cerror() const { return ok ? CERROR_NONE : CERROR_ILL; }
};

// Decode a command and apply the configuration-independent ILLEGAL rules:
// Reserved/unimplemented opcode (includes the Secure-only, VMS and DPT
// commands, which this Non-secure, no-MPAM, no-DPT model does not implement);
// any non-zero RES0 bit (the spec lets an implementation either ignore RES0
// fields or flag CERROR_ILL; this model flags them); SSec == 1 (ILLEGAL on
// the Non-secure queue); CMD_SYNC CS == 0b11; CMD_PRI_RESP Resp == 0b11;
// TLBI with TG != 0 and NUM == SCALE == TTL == 0, or TG == 0 with any of
// NUM/SCALE/TTL non-zero; CMD_ATC_INV Size > 52 (permitted to be ILLEGAL).
DecodeResult decode_command(const uint64_t w[2]);

// Configuration-dependent ILLEGAL rules for a decoded command: TLBI_EL3_*
// (never valid on the Non-secure queue); TLBI_EL2_* without Hyp; TLBI_NH_*,
// CFGI_CD, CFGI_CD_ALL without stage 1; TLBI_S12_VMALL, TLBI_S2_IPA without
// stage 2; ATC_INV without ATS; PRI_RESP without PRI; RESUME and STALL_TERM
// with STALL_MODEL == 0b01; range/TTL fields without IDR3.RIL; TG == 16K with
// TTL == 1 without IDR5.DS. Returns nullptr if legal, else the reason.
const char* check_command(const Command& cmd, const Features& f);

// decode_command() followed by check_command().
DecodeResult decode_command(const uint64_t w[2], const Features& f);

// Spec name of an opcode ("CMD_TLBI_NH_VA"); "CMD_RESERVED" for others.
const char* opcode_name(Opcode op);
// Like opcode_name(), but "CMD_CFGI_ALL" for CFGI_STE_RANGE with Range 31.
const char* command_name(const Command& cmd);
// True if op is one of the opcodes in the enum above.
bool opcode_known(uint8_t op);

// One-line decoded form for the queue log, e.g.
// "CMD_TLBI_NH_VA asid=1 addr=0x10000000 leaf=1".
std::string to_string(const Command& cmd);

}  // namespace iopf::smmu::v3
