// Unit tests for the SystemC-free SMMUv3 formats (models/smmu/v3/format).
// Expected words are built by hand from the field tables of the SMMUv3 spec
// (IHI 0070 G.b) and REFERENCE.md, not from the code under test.
#include <catch2/catch.hpp>

#include <cstdint>

#include "models/smmu/v3/format/cd.h"
#include "models/smmu/v3/format/command.h"
#include "models/smmu/v3/format/event.h"
#include "models/smmu/v3/format/features.h"
#include "models/smmu/v3/format/pri.h"
#include "models/smmu/v3/format/queue.h"
#include "models/smmu/v3/format/regs.h"
#include "models/smmu/v3/format/ste.h"

using namespace iopf::smmu;
using namespace iopf::smmu::v3;

namespace {
constexpr uint64_t B(unsigned n) { return uint64_t{1} << n; }
}  // namespace

// ---------------------------------------------------------------------------
// Registers
// ---------------------------------------------------------------------------
TEST_CASE("v3 Field helper extracts and deposits", "[v3]") {
    constexpr Field f{13, 12};
    CHECK(f.mask() == 0x3000u);
    CHECK(f.get(0x2000) == 2u);
    CHECK(f.make(3) == 0x3000u);
    CHECK(f.make(7) == 0x3000u);  // excess bits dropped
    CHECK(f.put(0xffffffffu, 0) == 0xffffcfffu);
    CHECK(f.fits(3));
    CHECK_FALSE(f.fits(4));
    constexpr Field all{63, 0};
    CHECK(all.mask() == ~uint64_t{0});
    CHECK(all.get(0x8000000000000001ull) == 0x8000000000000001ull);
}

TEST_CASE("v3 register offsets and names", "[v3]") {
    CHECK(reg::IDR0 == 0x0);
    CHECK(reg::IDR5 == 0x14);
    CHECK(reg::IIDR == 0x18);
    CHECK(reg::AIDR == 0x1C);
    CHECK(reg::CR0 == 0x20);
    CHECK(reg::CR0ACK == 0x24);
    CHECK(reg::GBPA == 0x44);
    CHECK(reg::IRQ_CTRL == 0x50);
    CHECK(reg::GERROR == 0x60);
    CHECK(reg::GERRORN == 0x64);
    CHECK(reg::STRTAB_BASE == 0x80);
    CHECK(reg::STRTAB_BASE_CFG == 0x88);
    CHECK(reg::CMDQ_BASE == 0x90);
    CHECK(reg::CMDQ_PROD == 0x98);
    CHECK(reg::CMDQ_CONS == 0x9C);
    CHECK(reg::EVENTQ_BASE == 0xA0);
    CHECK(reg::EVENTQ_PROD == 0x100A8);  // page 1
    CHECK(reg::EVENTQ_CONS == 0x100AC);
    CHECK(reg::EVENTQ_IRQ_CFG0 == 0xB0);
    CHECK(reg::PRIQ_BASE == 0xC0);
    CHECK(reg::PRIQ_PROD == 0x100C8);
    CHECK(reg::PRIQ_CONS == 0x100CC);
    CHECK(reg::PRIQ_IRQ_CFG2 == 0xDC);
    CHECK(reg::EVTQ_PROD == reg::EVENTQ_PROD);
    CHECK(std::string(reg_name(0x20)) == "SMMU_CR0");
    CHECK(std::string(reg_name(0x100A8)) == "SMMU_EVENTQ_PROD");
    CHECK(std::string(reg_name(0x100CC)) == "SMMU_PRIQ_CONS");
    CHECK(std::string(reg_name(0x84)) == "SMMU_STRTAB_BASE_HI");
    CHECK(std::string(reg_name(0xA8)) == "SMMU_UNKNOWN");  // page-0 location is not PROD
    CHECK(reg::is_64bit(reg::CMDQ_BASE));
    CHECK_FALSE(reg::is_64bit(reg::CMDQ_PROD));
}

TEST_CASE("v3 register field positions", "[v3]") {
    CHECK(cr0::SMMUEN.mask() == 0x1);
    CHECK(cr0::PRIQEN.mask() == 0x2);
    CHECK(cr0::EVENTQEN.mask() == 0x4);
    CHECK(cr0::CMDQEN.mask() == 0x8);
    CHECK(cr0::ATSCHK.mask() == 0x10);
    CHECK(gbpa::ABORT.mask() == B(20));
    CHECK(gbpa::UPDATE.mask() == B(31));
    CHECK(irq_ctrl::GERROR_IRQEN.mask() == 1);
    CHECK(irq_ctrl::PRIQ_IRQEN.mask() == 2);
    CHECK(irq_ctrl::EVENTQ_IRQEN.mask() == 4);
    CHECK(gerror::CMDQ_ERR == 0x1);
    CHECK(gerror::EVENTQ_ABT_ERR == 0x4);
    CHECK(gerror::PRIQ_ABT_ERR == 0x8);
    CHECK(gerror::MSI_CMDQ_ABT_ERR == 0x10);
    CHECK(gerror::MSI_GERROR_ABT_ERR == 0x80);
    CHECK(gerror::SFM_ERR == 0x100);
    CHECK(strtab_base::RA.mask() == B(62));
    CHECK(strtab_base::ADDR.mask() == 0x00ffffffffffffc0ull);
    CHECK(strtab_base_cfg::FMT.mask() == 0x30000u);
    CHECK(strtab_base_cfg::SPLIT.mask() == 0x7c0u);
    CHECK(strtab_base_cfg::LOG2SIZE.mask() == 0x3fu);
    CHECK(q_base::ADDR.mask() == 0x00ffffffffffffe0ull);
    CHECK(q_base::LOG2SIZE.mask() == 0x1fu);
    CHECK(q_ptr::ERR.mask() == 0x7f000000u);
    CHECK(q_ptr::OVFLG == 0x80000000u);
    CHECK(q_ptr::OVACKFLG == 0x80000000u);
    CHECK(CERROR_NONE == 0);
    CHECK(CERROR_ILL == 1);
    CHECK(CERROR_ABT == 2);
    CHECK(CERROR_ATC_INV_SYNC == 3);
    // CMDQ_CONS with ERR = CERROR_ILL and RD = 5.
    CHECK(q_ptr::ERR.put(5, CERROR_ILL) == 0x01000005u);
}

TEST_CASE("v3 IDR registers built from Features", "[v3]") {
    Features f;  // defaults: S1 only, 4K, ASID16, MSI, SEV, ATS, PRI, COHACC, CD2L, 2-level ST
    // The model's defaults (the one source of truth for SmmuV3's features.* parameters).
    CHECK(make_idr0(f) == 0x0809741Au);  // + SEV bit 14, ATS bit 10, PRI bit 16
    CHECK(make_idr1(f) == 0x01074510u);  // SIDSIZE 16, SSIDSIZE 20, EVENTQS 7, PRIQS 8, CMDQS 8
    CHECK(make_idr5(f) == 0x00200015u);  // OAS 48 (5), GRAN4K, STALL_MAX 32
    // A minimal SMMU: no SEV, ATS or PRI, EVENTQS 8, STALL_MAX 16.
    f.sev = f.ats = f.pri = false;
    f.eventq_log2 = 8;
    f.stall_max = 16;
    CHECK(make_idr0(f) == 0x0808301Au);
    CHECK(make_idr1(f) == 0x01080510u);  // SIDSIZE 16, SSIDSIZE 20, EVENTQS 8, CMDQS 8
    CHECK(make_idr5(f) == 0x00100015u);  // OAS 48 (5), GRAN4K, STALL_MAX 16
    CHECK(make_aidr(f) == 0x01u);

    f.ats = true;
    f.pri = true;
    f.stall_model = idr0::STALL_MODEL_STALL_FORCED;
    const uint32_t idr0v = make_idr0(f);
    CHECK(((idr0v >> 24) & 3u) == 2u);   // STALL_MODEL [25:24]
    CHECK((idr0v & B(16)) != 0);          // PRI bit 16
    CHECK((idr0v & B(10)) != 0);          // ATS bit 10
    CHECK(idr0v == 0x0A09341Au);
    f.priq_log2 = 7;
    CHECK(idr1::PRIQS.get(make_idr1(f)) == 7u);

    f.stall_model = idr0::STALL_MODEL_TERM_ONLY;
    CHECK(((make_idr0(f) >> 24) & 3u) == 1u);
    CHECK(idr5::STALL_MAX.get(make_idr5(f)) == 0u);  // RES0 without stall

    f.pri = true;
    f.ats = false;  // PRI is RES0 without ATS
    CHECK((make_idr0(f) & B(16)) == 0);

    f.oas_bits = 40;
    f.gran_64k = true;
    CHECK(idr5::OAS.get(make_idr5(f)) == 2u);
    CHECK(idr5::GRAN64K.get(make_idr5(f)) == 1u);
    CHECK(oas_bits_from_field(6) == 52u);
    CHECK(oas_field_from_bits(52) == 6u);
    f.ril = true;
    CHECK(make_idr3(f) & B(10));
}

// ---------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------
TEST_CASE("v3 queue wrap arithmetic", "[v3]") {
    const QueuePtr q(2);  // 4 entries: index [1:0], wrap bit 2
    CHECK(q.entries() == 4u);
    CHECK(q.wrap_bit() == 4u);
    CHECK(q.ptr_mask() == 7u);

    uint32_t prod = 0, cons = 0;
    CHECK(q.is_empty(prod, cons));
    CHECK_FALSE(q.is_full(prod, cons));
    CHECK(q.free_slots(prod, cons) == 4u);
    for (int i = 0; i < 3; ++i) prod = q.inc(prod);
    CHECK(prod == 3u);
    CHECK(q.used(prod, cons) == 3u);
    CHECK_FALSE(q.is_full(prod, cons));
    prod = q.inc(prod);  // index wraps to 0, wrap bit toggles
    CHECK(prod == 4u);
    CHECK(q.index(prod) == 0u);
    CHECK(q.wrap(prod));
    CHECK(q.is_full(prod, cons));  // same index, different wrap
    CHECK_FALSE(q.is_empty(prod, cons));
    CHECK(q.used(prod, cons) == 4u);
    CHECK(q.free_slots(prod, cons) == 0u);

    // Consumer catches up across the wrap.
    for (int i = 0; i < 4; ++i) cons = q.inc(cons);
    CHECK(cons == 4u);
    CHECK(q.is_empty(prod, cons));
    // Second lap: wrap bit toggles back to 0.
    CHECK(q.inc(7u) == 0u);
    CHECK(q.advance(6u, 3u) == 1u);

    // Partially filled across the wrap point: cons at idx 3 (wrap 0), prod idx 1 (wrap 1).
    CHECK(q.used(q.make(1, true), q.make(3, false)) == 2u);
    CHECK(queue_contains(q, q.make(1, true), q.make(3, false), q.make(0, true)));
    CHECK_FALSE(queue_contains(q, q.make(1, true), q.make(3, false), q.make(1, true)));
}

TEST_CASE("v3 queue pointers ignore OVFLG and ERR bits", "[v3]") {
    const QueuePtr q(3);  // 8 entries
    const uint32_t prod = q_ptr::OVFLG | 8u;             // idx 0, wrap 1, overflow flagged
    const uint32_t cons = q_ptr::ERR.put(0, CERROR_ILL);  // idx 0, wrap 0, ERR = 1
    CHECK(q.is_full(prod, cons));
    CHECK_FALSE(q.is_empty(prod, cons));
    CHECK(q.used(prod, cons) == 8u);
    const uint32_t cons_ovack = q_ptr::OVACKFLG | 8u;
    CHECK(q.is_empty(prod, cons_ovack));
    // inc keeps the flag bits and wraps only the index+wrap field.
    CHECK(q.inc(q_ptr::OVFLG | 15u) == (q_ptr::OVFLG | 0u));
    CHECK(q.inc(0x01000007u) == 0x01000008u);
    CHECK(q.index(0xffffffffu) == 7u);
    CHECK(q.wrap(0xffffffffu));
    CHECK(q.ptr(0xffffffffu) == 15u);
}

TEST_CASE("v3 queue with one entry (LOG2SIZE 0)", "[v3]") {
    const QueuePtr q(0);
    CHECK(q.entries() == 1u);
    CHECK(q.is_empty(0, 0));
    CHECK(q.inc(0) == 1u);
    CHECK(q.is_full(1, 0));
    CHECK(q.inc(1) == 0u);
}

// ---------------------------------------------------------------------------
// STE
// ---------------------------------------------------------------------------
TEST_CASE("v3 STE decode of hand-built words", "[v3]") {
    uint64_t w[8] = {};
    // V=1, Config=0b101 (S1 translate), S1Fmt=0b01, S1ContextPtr=0x8000_1000, S1CDMax=8
    w[0] = 1 | (0b101 << 1) | (0b01 << 4) | 0x80001000ull | (uint64_t{8} << 59);
    // S1DSS=0b10, S1CIR=1, S1COR=1, S1CSH=3, S1STALLD (bit 91 = w1[27]), EATS=1, STRW=0
    w[1] = 0b10 | (1 << 2) | (1 << 4) | (3 << 6) | B(27) | (uint64_t{1} << 28);
    w[2] = 0x1234;  // S2VMID
    const Ste s = decode_ste(w);
    CHECK(s.v);
    CHECK(s.config == ste_config::S1_TRANS);
    CHECK(s.stage1_enabled());
    CHECK_FALSE(s.stage2_enabled());
    CHECK(s.s1fmt == s1fmt::L2_4K);
    CHECK(s.s1_context_ptr == 0x80001000ull);
    CHECK(s.s1cdmax == 8);
    CHECK(s.s1dss == s1dss::SSID0);
    CHECK(s.s1cir == 1);
    CHECK(s.s1cor == 1);
    CHECK(s.s1csh == 3);
    CHECK(s.s1stalld);
    CHECK(s.eats == eats::FULL);
    CHECK(s.strw == 0);
    CHECK(s.s2vmid == 0x1234);
    CHECK(s.raw[1] == w[1]);

    uint64_t back[8];
    encode_ste(s, back);
    for (int i = 0; i < 8; ++i) CHECK(back[i] == w[i]);
}

TEST_CASE("v3 STE encode places fields at spec positions", "[v3]") {
    Ste s;
    s.v = true;
    s.config = ste_config::BYPASS;
    s.s1stalld = true;
    uint64_t w[8];
    encode_ste(s, w);
    CHECK(w[0] == (1u | (0b100u << 1)));
    CHECK(w[1] == B(27));  // overall bit 91
    s = Ste{};
    s.shcfg = 1;
    s.privcfg = 2;
    s.instcfg = 3;
    s.mev = true;
    s.cont = 0xf;
    encode_ste(s, w);
    CHECK(w[1] == ((uint64_t{1} << 44) | (uint64_t{2} << 48) | (uint64_t{3} << 50) | B(19) |
                   (uint64_t{0xf} << 13)));
    s = Ste{};
    s.s2s = true;
    s.s2r = true;
    s.s2aa64 = true;
    s.s2t0sz = 25;
    s.s2ttb = 0x00f0000012345670ull;
    encode_ste(s, w);
    CHECK(w[2] == (B(57) | B(58) | B(51) | (uint64_t{25} << 32)));
    CHECK(w[3] == 0x00f0000012345670ull);
}

TEST_CASE("v3 STE round trip of all fields", "[v3]") {
    Ste s;
    s.v = true;
    s.config = ste_config::NESTED;
    s.s1fmt = s1fmt::L2_64K;
    s.s1_context_ptr = 0x00abcdef12345640ull;
    s.s1cdmax = 20;
    s.s1dss = 1;
    s.s1cir = 2;
    s.s1cor = 3;
    s.s1csh = 2;
    s.dre = true;
    s.cont = 5;
    s.dcp = true;
    s.ppar = true;
    s.mev = true;
    s.s1stalld = true;
    s.eats = eats::SPLIT;
    s.strw = 2;
    s.memattr = 0xf;
    s.mtcfg = true;
    s.alloccfg = 0x9;
    s.shcfg = 3;
    s.nscfg = 2;
    s.privcfg = 1;
    s.instcfg = 2;
    s.s2vmid = 0xbeef;
    s.s2t0sz = 24;
    s.s2sl0 = 2;
    s.s2ir0 = 1;
    s.s2or0 = 1;
    s.s2sh0 = 3;
    s.s2tg = 2;
    s.s2ps = 5;
    s.s2aa64 = s.s2endi = s.s2affd = s.s2ptw = s.s2hd = s.s2ha = s.s2s = s.s2r = true;
    s.s2ttb = 0x00fedcba98765430ull;
    uint64_t w[8];
    encode_ste(s, w);
    const Ste d = decode_ste(w);
    uint64_t w2[8];
    encode_ste(d, w2);
    for (int i = 0; i < 8; ++i) CHECK(w2[i] == w[i]);
    CHECK(d.s1_context_ptr == s.s1_context_ptr);
    CHECK(d.s2ttb == s.s2ttb);
    CHECK(d.s2vmid == 0xbeef);
    CHECK(d.strw == 2);
    CHECK(d.alloccfg == 0x9);
    CHECK(d.s2ps == 5);
}

namespace {
Ste valid_s1_ste() {
    Ste s;
    s.v = true;
    s.config = ste_config::S1_TRANS;
    s.s1_context_ptr = 0x40000000;
    s.s1cdmax = 8;
    return s;
}
}  // namespace

TEST_CASE("v3 check_ste: valid configurations", "[v3]") {
    const Features f;
    CHECK(check_ste(valid_s1_ste(), f) == EventId::None);
    Ste s;
    s.v = true;
    s.config = ste_config::BYPASS;
    CHECK(check_ste(s, f) == EventId::None);
    // S1STALLD allowed when the stall model is configurable (STALL_MODEL 0b00).
    s = valid_s1_ste();
    s.s1stalld = true;
    CHECK(check_ste(s, f) == EventId::None);
}

TEST_CASE("v3 check_ste: V == 0 is C_BAD_STE", "[v3]") {
    Ste s = valid_s1_ste();
    s.v = false;
    CHECK(check_ste(s, Features{}) == EventId::C_BAD_STE);
    CHECK_FALSE(ste_aborts_silently(s));
}

TEST_CASE("v3 check_ste: Config 0b000 and Reserved 0b0xx abort without event", "[v3]") {
    for (uint8_t cfg : {0b000, 0b001, 0b010, 0b011}) {
        Ste s;
        s.v = true;
        s.config = cfg;
        s.s1stalld = true;       // IGNORED
        s.s1cdmax = 31;          // IGNORED
        CHECK(check_ste(s, Features{}) == EventId::None);
        CHECK(ste_aborts_silently(s));
    }
}

TEST_CASE("v3 check_ste: stage 2 configs without stage 2 are ILLEGAL", "[v3]") {
    Features f;
    Ste s = valid_s1_ste();
    s.config = ste_config::S2_TRANS;
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);
    s.config = ste_config::NESTED;
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);
    f.stage1 = false;
    f.stage2 = true;
    s.config = ste_config::S1_TRANS;
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);  // stage 1 not implemented
}

TEST_CASE("v3 check_ste: S1ContextPtr beyond OAS", "[v3]") {
    Features f;
    f.oas_bits = 40;
    Ste s = valid_s1_ste();
    s.s1_context_ptr = B(40);
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);
    s.s1_context_ptr = B(40) - 64;
    CHECK(check_ste(s, f) == EventId::None);
}

TEST_CASE("v3 check_ste: S1CDMax beyond SSIDSIZE", "[v3]") {
    Features f;
    f.ssid_bits = 8;
    Ste s = valid_s1_ste();
    s.s1cdmax = 8;
    CHECK(check_ste(s, f) == EventId::None);
    s.s1cdmax = 9;
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);
    f.ssid_bits = 0;  // substreams unsupported: S1CDMax IGNORED
    s.s1cdmax = 31;
    CHECK(check_ste(s, f) == EventId::None);
}

TEST_CASE("v3 check_ste: S1STALLD with non-configurable stall model", "[v3]") {
    Features f;
    Ste s = valid_s1_ste();
    s.s1stalld = true;
    f.stall_model = idr0::STALL_MODEL_TERM_ONLY;
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);
    f.stall_model = idr0::STALL_MODEL_STALL_FORCED;
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);
    s.s1stalld = false;
    CHECK(check_ste(s, f) == EventId::None);
    // Bypass: S1STALLD IGNORED.
    s.s1stalld = true;
    s.config = ste_config::BYPASS;
    CHECK(check_ste(s, f) == EventId::None);
}

TEST_CASE("v3 check_ste: 2-level CD table without CD2L", "[v3]") {
    Features f;
    f.cd_2level = false;
    Ste s = valid_s1_ste();
    s.s1fmt = s1fmt::L2_4K;
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);
    s.s1fmt = 0b11;  // Reserved, behaves as 0b00: not ILLEGAL
    CHECK(check_ste(s, f) == EventId::None);
    s.s1fmt = s1fmt::L2_64K;
    s.s1cdmax = 0;  // substreams disabled: S1Fmt IGNORED
    CHECK(check_ste(s, f) == EventId::None);
}

TEST_CASE("v3 check_ste: split-stage ATS without nesting", "[v3]") {
    Features f;
    f.ats = true;
    Ste s = valid_s1_ste();
    s.eats = eats::SPLIT;
    CHECK(check_ste(s, f) == EventId::C_BAD_STE);
    s.eats = eats::FULL;
    CHECK(check_ste(s, f) == EventId::None);
    f.ats = false;  // EATS IGNORED without ATS
    s.eats = eats::SPLIT;
    CHECK(check_ste(s, f) == EventId::None);
}

TEST_CASE("v3 L1STD encode/decode", "[v3]") {
    StL1Desc d{9, 0x0000123456780000ull};
    const uint64_t w = encode_st_l1(d);
    CHECK(w == (0x0000123456780000ull | 9));
    const StL1Desc e = decode_st_l1(0x00ff000000001040ull | 3);
    CHECK(e.span == 3u);
    CHECK(e.l2ptr == 0x00ff000000001040ull);
    CHECK(e.l2_entries() == 4u);
    CHECK(d.valid(8));
    CHECK_FALSE(StL1Desc{10, 0}.valid(8));  // beyond SPLIT + 1
    CHECK_FALSE(StL1Desc{12, 0}.valid(31));  // Reserved
    CHECK_FALSE(StL1Desc{0, 0}.valid(8));
    CHECK(decode_st_l1(0xff00000000000020ull).l2ptr == 0);  // bit 5 and [63:56] RES0
}

// ---------------------------------------------------------------------------
// CD
// ---------------------------------------------------------------------------
namespace {
Cd valid_cd() {
    Cd c;
    c.v = true;
    c.aa64 = true;
    c.t0sz = 16;
    c.tg0 = 0;  // 4K
    c.ips = 5;  // 48 bits
    c.epd1 = true;
    c.r = true;
    c.a = true;
    c.asid = 1;
    c.ttb0 = 0x80000000;
    return c;
}
}  // namespace

TEST_CASE("v3 CD decode of hand-built words", "[v3]") {
    uint64_t w[8] = {};
    w[0] = 16 | (0b00 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | B(30) | B(31) |
           (uint64_t{5} << 32) | B(38) | B(41) | B(44) | B(45) | B(46) | B(47) |
           (uint64_t{0x1234} << 48);
    w[1] = 0x0000000080002000ull;
    w[2] = 0x00ab000000003000ull;
    w[3] = 0x0000ff440004ff04ull;  // MAIR
    const Cd c = decode_cd(w);
    CHECK(c.t0sz == 16);
    CHECK(c.tg0 == 0);
    CHECK(c.ir0 == 1);
    CHECK(c.or0 == 1);
    CHECK(c.sh0 == 3);
    CHECK_FALSE(c.epd0);
    CHECK(c.epd1);
    CHECK(c.v);
    CHECK(c.ips == 5);
    CHECK(c.tbi0);
    CHECK_FALSE(c.tbi1);
    CHECK(c.aa64);
    CHECK(c.s);  // bit 44
    CHECK(c.r);
    CHECK(c.a);
    CHECK(c.aset);
    CHECK(c.asid == 0x1234);
    CHECK(c.ttb0 == 0x80002000ull);
    CHECK(c.ttb1 == 0x00ab000000003000ull);
    CHECK(c.mair == 0x0000ff440004ff04ull);
    uint64_t back[8];
    encode_cd(c, back);
    for (int i = 0; i < 8; ++i) CHECK(back[i] == w[i]);
}

TEST_CASE("v3 CD round trip of all fields", "[v3]") {
    Cd c;
    c.t0sz = 25;
    c.tg0 = 2;
    c.ir0 = 3;
    c.or0 = 2;
    c.sh0 = 2;
    c.epd0 = true;
    c.endi = true;
    c.t1sz = 33;
    c.tg1 = 3;
    c.ir1 = 1;
    c.or1 = 3;
    c.sh1 = 3;
    c.epd1 = true;
    c.v = true;
    c.ips = 7;
    c.affd = c.wxn = c.uwxn = c.tbi0 = c.tbi1 = c.pan = c.aa64 = c.hd = c.ha = true;
    c.s = c.r = c.a = c.aset = true;
    c.asid = 0xfedc;
    c.nscfg0 = c.had0 = c.e0pd0 = c.haft = true;
    c.ttb0 = 0x00fffffffffffff0ull;
    c.nscfg1 = c.had1 = c.e0pd1 = c.aie = c.ds = c.pie = true;
    c.ttb1 = 0x0012345678abcde0ull;
    c.mair = 0x1122334455667788ull;
    c.amair = 0x99aabbccddeeff00ull;
    uint64_t w[8];
    encode_cd(c, w);
    const Cd d = decode_cd(w);
    uint64_t w2[8];
    encode_cd(d, w2);
    for (int i = 0; i < 8; ++i) CHECK(w2[i] == w[i]);
    CHECK(d.t1sz == 33);
    CHECK(d.tg1 == 3);
    CHECK(d.ips == 7);
    CHECK(d.asid == 0xfedc);
    CHECK(d.ttb0 == 0x00fffffffffffff0ull);
    CHECK(d.ttb1 == 0x0012345678abcde0ull);
    CHECK(d.amair == 0x99aabbccddeeff00ull);
    CHECK(w[2] & B(58));  // DS at overall bit 186
}

TEST_CASE("v3 CD granule encodings", "[v3]") {
    CHECK(tg0_granule_shift(0) == 12u);
    CHECK(tg0_granule_shift(1) == 16u);
    CHECK(tg0_granule_shift(2) == 14u);
    CHECK(tg0_granule_shift(3) == 0u);
    CHECK(tg1_granule_shift(0) == 0u);
    CHECK(tg1_granule_shift(1) == 14u);
    CHECK(tg1_granule_shift(2) == 12u);
    CHECK(tg1_granule_shift(3) == 16u);
    CHECK(tg0_from_granule_shift(16) == 1);
    CHECK(tg1_from_granule_shift(12) == 2);
}

TEST_CASE("v3 check_cd: valid CD", "[v3]") {
    CHECK(check_cd(valid_cd(), Features{}) == EventId::None);
}

TEST_CASE("v3 check_cd: V == 0 is C_BAD_CD", "[v3]") {
    Cd c = valid_cd();
    c.v = false;
    CHECK(check_cd(c, Features{}) == EventId::C_BAD_CD);
}

TEST_CASE("v3 check_cd: stall bit vs STALL_MODEL and STE.S1STALLD", "[v3]") {
    Features f;
    Cd c = valid_cd();
    c.s = true;
    CHECK(check_cd(c, f) == EventId::None);
    CHECK(check_cd(c, f, /*ste_s1stalld=*/true) == EventId::C_BAD_CD);
    f.stall_model = idr0::STALL_MODEL_TERM_ONLY;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
    f.stall_model = idr0::STALL_MODEL_STALL_FORCED;
    CHECK(check_cd(c, f) == EventId::None);
    c.s = false;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
}

TEST_CASE("v3 check_cd: A == 0 with TERM_MODEL", "[v3]") {
    Features f;
    Cd c = valid_cd();
    c.a = false;
    CHECK(check_cd(c, f) == EventId::None);
    f.term_model = true;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
}

TEST_CASE("v3 check_cd: AA64 == 0 without VMSAv8-32 support", "[v3]") {
    Cd c = valid_cd();
    c.aa64 = false;
    CHECK(check_cd(c, Features{}) == EventId::C_BAD_CD);
}

TEST_CASE("v3 check_cd: unsupported or Reserved granule", "[v3]") {
    Features f;  // 4K only
    Cd c = valid_cd();
    c.tg0 = 0b01;  // 64K
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
    f.gran_64k = true;
    CHECK(check_cd(c, f) == EventId::None);
    c.tg0 = 0b11;  // Reserved
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
    // EPD0 == 1 makes TG0 IGNORED (TTB1 used instead, TG1 = 4K).
    c.epd0 = true;
    c.epd1 = false;
    c.tg1 = 0b10;
    c.t1sz = 16;
    CHECK(check_cd(c, f) == EventId::None);
    c.tg1 = 0b00;  // Reserved for TG1
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
}

TEST_CASE("v3 check_cd: TxSZ range", "[v3]") {
    Features f;
    Cd c = valid_cd();
    c.t0sz = 15;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);  // below 16 without VAX
    c.t0sz = 39;
    CHECK(check_cd(c, f) == EventId::None);
    c.t0sz = 40;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);  // above 39 without STT
    f.stt = true;
    c.t0sz = 48;
    CHECK(check_cd(c, f) == EventId::None);
    c.t0sz = 49;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
    // T1SZ out of range is IGNORED while EPD1 == 1.
    c = valid_cd();
    c.t1sz = 63;
    CHECK(check_cd(c, Features{}) == EventId::None);
    c.epd1 = false;
    c.tg1 = 0b10;
    CHECK(check_cd(c, Features{}) == EventId::C_BAD_CD);
}

TEST_CASE("v3 check_cd: ENDI vs TTENDIAN", "[v3]") {
    Features f;
    Cd c = valid_cd();
    c.endi = true;
    CHECK(check_cd(c, f) == EventId::None);  // mixed endian
    f.ttendian = idr0::TTENDIAN_LE;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
    c.endi = false;
    CHECK(check_cd(c, f) == EventId::None);
    f.ttendian = idr0::TTENDIAN_BE;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
    c.epd0 = c.epd1 = true;  // both walks disabled: ENDI IGNORED
    CHECK(check_cd(c, f) == EventId::None);
}

TEST_CASE("v3 check_cd: ASID16, HTTU, TTB range", "[v3]") {
    Features f;
    Cd c = valid_cd();
    c.asid = 0x100;
    CHECK(check_cd(c, f) == EventId::None);
    f.asid16 = false;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);

    c = valid_cd();
    f = Features{};
    c.ha = true;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
    f.httu = 1;
    CHECK(check_cd(c, f) == EventId::None);
    c.hd = true;
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);

    c = valid_cd();
    f = Features{};
    c.ips = 0;  // 32-bit IPA
    c.ttb0 = B(32);
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
    c.ttb0 = B(32) - 16;
    CHECK(check_cd(c, f) == EventId::None);
    c.ips = 6;  // 52 bits, capped by OAS 48
    CHECK(cd_effective_ips_bits(c, f) == 48u);
    c.ttb0 = B(48);
    CHECK(check_cd(c, f) == EventId::C_BAD_CD);
}

TEST_CASE("v3 L1CD encode/decode", "[v3]") {
    const CdL1Desc d{true, 0x0000008012345000ull};
    CHECK(encode_cd_l1(d) == 0x0000008012345001ull);
    const CdL1Desc e = decode_cd_l1(0xff00000000abcffeull);
    CHECK_FALSE(e.v);
    CHECK(e.l2ptr == 0x0000000000abc000ull);
    CHECK(decode_cd_l1(0x3001).v);
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------
namespace {
struct Words {
    uint64_t w[2];
};
Words enc(const Command& c) {
    Words r;
    encode_command(c, r.w);
    return r;
}
}  // namespace

TEST_CASE("v3 command encodings match the spec field tables", "[v3]") {
    Words w = enc(cmd_tlbi_nh_va(1, 0x10000000, true));
    CHECK(w.w[0] == (0x12ull | (uint64_t{1} << 48)));
    CHECK(w.w[1] == (0x10000000ull | 1));

    w = enc(cmd_sync(SyncCs::SIG_IRQ, 0x80001234, 0xdead));
    CHECK(w.w[0] == (0x46ull | (1ull << 12) | (uint64_t{0xdead} << 32)));
    CHECK(w.w[1] == 0x80001234ull);

    w = enc(cmd_resume(7, 0x42, ResumeResp::RETRY));
    CHECK(w.w[0] == (0x44ull | (1ull << 12) | (uint64_t{7} << 32)));  // Ac = 1
    CHECK(w.w[1] == 0x42ull);
    w = enc(cmd_resume(7, 0x42, ResumeResp::ABORT));
    CHECK(w.w[0] == (0x44ull | (1ull << 13) | (uint64_t{7} << 32)));  // Ab = 1, Ac = 0
    w = enc(cmd_resume(7, 0x42, ResumeResp::TERM));
    CHECK(w.w[0] == (0x44ull | (uint64_t{7} << 32)));

    w = enc(cmd_pri_resp(5, 3, true, 0x1ff, PriResp::Success));
    CHECK(w.w[0] == (0x41ull | B(11) | (3ull << 12) | (uint64_t{5} << 32)));
    CHECK(w.w[1] == (0x1ffull | (2ull << 12)));

    w = enc(cmd_cfgi_all());
    CHECK(w.w[0] == 0x04ull);
    CHECK(w.w[1] == 31ull);

    w = enc(cmd_cfgi_ste(0x1234, true));
    CHECK(w.w[0] == (0x03ull | (uint64_t{0x1234} << 32)));
    CHECK(w.w[1] == 1ull);

    w = enc(cmd_cfgi_cd(9, 4, true));
    CHECK(w.w[0] == (0x05ull | (4ull << 12) | (uint64_t{9} << 32)));
    CHECK(w.w[1] == 1ull);

    w = enc(cmd_atc_inv(2, 1, true, 0x7000, 3, true));
    CHECK(w.w[0] == (0x40ull | B(9) | B(11) | (1ull << 12) | (uint64_t{2} << 32)));
    CHECK(w.w[1] == (0x7000ull | 3));

    w = enc(cmd_stall_term(3));
    CHECK(w.w[0] == (0x45ull | (uint64_t{3} << 32)));
    CHECK(w.w[1] == 0ull);

    w = enc(cmd_prefetch_config(0x10));
    CHECK(w.w[0] == (0x01ull | (uint64_t{0x10} << 32)));

    w = enc(cmd_tlbi_nh_asid(0xabcd));
    CHECK(w.w[0] == (0x11ull | (uint64_t{0xabcd} << 48)));
    CHECK(w.w[1] == 0ull);

    w = enc(cmd_tlbi_nsnh_all());
    CHECK(w.w[0] == 0x30ull);
    CHECK(w.w[1] == 0ull);

    // Fields that are not in an opcode's layout are not encoded.
    Command c = cmd_tlbi_nsnh_all();
    c.sid = 77;
    c.addr = 0x1000;
    w = enc(c);
    CHECK(w.w[0] == 0x30ull);
    CHECK(w.w[1] == 0ull);
}

TEST_CASE("v3 command decode of hand-built raw words", "[v3]") {
    // CMD_TLBI_NH_VA: ASID [63:48], VMID [47:32], Leaf w1[0], Address w1[63:12].
    uint64_t w[2] = {0x12ull | (uint64_t{0x55} << 48), 0xffff800012345000ull | 1};
    DecodeResult r = decode_command(w);
    REQUIRE(r.ok);
    CHECK(r.cmd.opcode == Opcode::TLBI_NH_VA);
    CHECK(r.cmd.asid == 0x55);
    CHECK(r.cmd.vmid == 0);
    CHECK(r.cmd.addr == 0xffff800012345000ull);
    CHECK(r.cmd.leaf);
    CHECK(r.cerror() == CERROR_NONE);

    // CMD_SYNC: CS [13:12], MSH [23:22], MSIAttr [27:24], MSIData [63:32], MSIAddress w1[55:2].
    uint64_t s[2] = {0x46ull | (2ull << 12) | (3ull << 22) | (0xfull << 24) |
                         (uint64_t{0xcafe} << 32),
                     0x00f0000000000104ull};
    r = decode_command(s);
    REQUIRE(r.ok);
    CHECK(r.cmd.opcode == Opcode::SYNC);
    CHECK(r.cmd.cs == static_cast<uint8_t>(SyncCs::SIG_SEV));
    CHECK(r.cmd.msh == 3);
    CHECK(r.cmd.msiattr == 0xf);
    CHECK(r.cmd.msidata == 0xcafeu);
    CHECK(r.cmd.msiaddr == 0x00f0000000000104ull);

    // CMD_RESUME: Ac word0[12], Ab word0[13], StreamID [63:32], STAG w1[15:0].
    uint64_t rs[2] = {0x44ull | (1ull << 13) | (uint64_t{0x20} << 32), 0xbeef};
    r = decode_command(rs);
    REQUIRE(r.ok);
    CHECK(r.cmd.sid == 0x20u);
    CHECK(r.cmd.stag == 0xbeef);
    CHECK_FALSE(r.cmd.resume_retry());
    CHECK(r.cmd.resume_abort());

    // CMD_CFGI_STE_RANGE: Range w1[4:0].
    uint64_t cr[2] = {0x04ull | (uint64_t{0x100} << 32), 7};
    r = decode_command(cr);
    REQUIRE(r.ok);
    CHECK(r.cmd.range == 7);
    CHECK(r.cmd.sid == 0x100u);
    CHECK_FALSE(r.cmd.is_cfgi_all());

    // CMD_TLBI_S2_IPA: Address w1[55:12].
    uint64_t ipa[2] = {0x2aull | (uint64_t{3} << 32), 0x00ab000000001000ull};
    r = decode_command(ipa);
    REQUIRE(r.ok);
    CHECK(r.cmd.vmid == 3);
    CHECK(r.cmd.addr == 0x00ab000000001000ull);
}

TEST_CASE("v3 command round trip through encode/decode", "[v3]") {
    const Command cmds[] = {
        cmd_prefetch_config(0xfffff),
        cmd_cfgi_ste(0xffffffffu, false),
        cmd_cfgi_ste_range(0x300, 4),
        cmd_cfgi_all(),
        cmd_cfgi_cd(0x42, 0xfffff, false),
        cmd_cfgi_cd_all(0x42),
        cmd_tlbi_nh_all(),
        cmd_tlbi_nh_asid(0xffff),
        cmd_tlbi_nh_va(0x1234, 0xfffffffffffff000ull, false),
        cmd_tlbi_nh_vaa(0x0000ffffff000000ull, true),
        cmd_tlbi_nsnh_all(),
        cmd_sync(SyncCs::SIG_NONE),
        cmd_sync(SyncCs::SIG_IRQ, 0x00fffffffffffffcull, 0xffffffffu),
        cmd_resume(0xffffffffu, 0xffff, ResumeResp::ABORT),
        cmd_stall_term(12),
        cmd_pri_resp(1, 2, false, 0x1ff, PriResp::InvalidRequest),
        cmd_atc_inv(1, 0xfffff, true, 0xfffffffffffff000ull, 52, true),
    };
    for (const Command& c : cmds) {
        INFO(to_string(c));
        uint64_t w[2];
        encode_command(c, w);
        const DecodeResult r = decode_command(w);
        REQUIRE(r.ok);
        uint64_t w2[2];
        encode_command(r.cmd, w2);
        CHECK(w2[0] == w[0]);
        CHECK(w2[1] == w[1]);
        CHECK(r.cmd.opcode == c.opcode);
        CHECK(r.cmd.sid == c.sid);
        CHECK(r.cmd.ssid == c.ssid);
        CHECK(r.cmd.ssv == c.ssv);
        CHECK(r.cmd.asid == c.asid);
        CHECK(r.cmd.addr == c.addr);
        CHECK(r.cmd.leaf == c.leaf);
        CHECK(r.cmd.range == c.range);
        CHECK(r.cmd.size == c.size);
        CHECK(r.cmd.global == c.global);
        CHECK(r.cmd.prgi == c.prgi);
        CHECK(r.cmd.resp == c.resp);
        CHECK(r.cmd.stag == c.stag);
        CHECK(r.cmd.cs == c.cs);
        CHECK(r.cmd.msidata == c.msidata);
        CHECK(r.cmd.msiaddr == c.msiaddr);
    }
}

TEST_CASE("v3 illegal commands: opcode, RES0, SSec, reserved values", "[v3]") {
    auto ill = [](uint64_t w0, uint64_t w1) {
        uint64_t w[2] = {w0, w1};
        const DecodeResult r = decode_command(w);
        return !r.ok && r.cerror() == CERROR_ILL;
    };
    CHECK(ill(0x00, 0));  // Reserved opcode
    CHECK(ill(0x07, 0));  // CMD_CFGI_VMS_PIDM: no MPAM in this model
    CHECK(ill(0x47, 0));
    CHECK(ill(0x50, 0));  // Secure-only CMD_TLBI_S_EL2_ALL
    CHECK(ill(0x70, 0));  // CMD_DPTI_ALL: no DPT
    CHECK(ill(0x8f, 0));  // IMPLEMENTATION DEFINED, none implemented
    CHECK(ill(0x46 | (3ull << 12), 0));  // CMD_SYNC CS == 0b11
    CHECK_FALSE(ill(0x46 | (2ull << 12), 0));
    CHECK(ill(0x41, 3ull << 12));  // CMD_PRI_RESP Resp == 0b11
    CHECK_FALSE(ill(0x41, 2ull << 12));
    CHECK(ill(0x03 | B(10), 0));  // SSec == 1 on the Non-secure queue
    CHECK(ill(0x03, B(1)));       // CMD_CFGI_STE: w1[1] RES0
    CHECK(ill(0x03 | B(11), 0));  // CMD_CFGI_STE has no SSV
    CHECK(ill(0x46, 1));          // CMD_SYNC: MSIAddress[1:0] RES0
    CHECK(ill(0x46, B(56)));      // CMD_SYNC: w1[63:56] RES0
    CHECK(ill(0x30 | B(32), 0));  // CMD_TLBI_NSNH_ALL: all other bits RES0
    CHECK(ill(0x2a, B(60)));      // CMD_TLBI_S2_IPA: Address[63:56] RES0
    // TLBI range fields: TG != 0 with NUM == SCALE == TTL == 0 is Reserved.
    CHECK(ill(0x12, 1ull << 10));
    CHECK_FALSE(ill(0x12, (1ull << 10) | (3ull << 8)));  // TG=4K TTL=3
    // TG == 0 with NUM/TTL non-zero: RES0.
    CHECK(ill(0x12 | (1ull << 12), 0));
    CHECK(ill(0x12, 3ull << 8));
    // CMD_ATC_INV Size > 52.
    CHECK(ill(0x40, 53));
    CHECK_FALSE(ill(0x40, 52));
    // CMD_RESUME with Ac = Ab = 1 (Linux "RESP 3") is legal: Ab ignored on Retry.
    CHECK_FALSE(ill(0x44 | (3ull << 12), 0));
    CHECK(ill(0x44 | B(14), 0));  // RES0 bit next to Ab
}

TEST_CASE("v3 illegal commands: configuration-dependent", "[v3]") {
    Features f;  // stage 1 only, stall supported, no Hyp, no RIL
    f.ats = f.pri = false;   // start without ATS/PRI
    auto ill = [&f](const Command& c) {
        uint64_t w[2];
        encode_command(c, w);
        return !decode_command(w, f).ok;
    };
    CHECK_FALSE(ill(cmd_tlbi_nh_va(1, 0x1000, true)));
    CHECK(ill(cmd_atc_inv(1, 0, false, 0, 0, false)));
    CHECK(ill(cmd_pri_resp(1, 0, false, 1, PriResp::Success)));
    f.ats = true;
    CHECK_FALSE(ill(cmd_atc_inv(1, 0, false, 0, 0, false)));
    CHECK(ill(cmd_pri_resp(1, 0, false, 1, PriResp::Success)));
    f.pri = true;
    CHECK_FALSE(ill(cmd_pri_resp(1, 0, false, 1, PriResp::Success)));

    CHECK_FALSE(ill(cmd_resume(1, 2, ResumeResp::RETRY)));
    CHECK_FALSE(ill(cmd_stall_term(1)));
    f.stall_model = idr0::STALL_MODEL_TERM_ONLY;
    CHECK(ill(cmd_resume(1, 2, ResumeResp::RETRY)));
    CHECK(ill(cmd_stall_term(1)));

    Command c;
    c.opcode = Opcode::TLBI_EL2_ALL;
    CHECK(ill(c));  // Hyp == 0
    c.opcode = Opcode::TLBI_EL3_ALL;
    CHECK(ill(c));  // never on the Non-secure queue
    c.opcode = Opcode::TLBI_S12_VMALL;
    CHECK(ill(c));  // no stage 2
    f.stage2 = true;
    CHECK_FALSE(ill(c));

    Command r = cmd_tlbi_nh_va(1, 0x1000, true);
    r.tg = 1;
    r.ttl = 3;
    CHECK(ill(r));  // RIL == 0: range/TTL fields RES0
    f.ril = true;
    CHECK_FALSE(ill(r));
    r.tg = 2;  // 16K with TTL == 1 needs IDR5.DS
    r.ttl = 1;
    CHECK(ill(r));

    f.stage1 = false;
    CHECK(ill(cmd_cfgi_cd(1, 0, true)));
    CHECK(ill(cmd_tlbi_nh_asid(1)));
    const char* why = check_command(cmd_cfgi_cd_all(1), f);
    REQUIRE(why != nullptr);
    CHECK(std::string(why) == "stage 1 command without stage 1 support");
}

TEST_CASE("v3 command names and log strings", "[v3]") {
    CHECK(std::string(opcode_name(Opcode::SYNC)) == "CMD_SYNC");
    CHECK(std::string(opcode_name(Opcode::TLBI_NH_VA)) == "CMD_TLBI_NH_VA");
    CHECK(std::string(opcode_name(Opcode::PREFETCH_CONFIG)) == "CMD_PREFETCH_CONFIG");
    CHECK(std::string(opcode_name(Opcode::STALL_TERM)) == "CMD_STALL_TERM");
    CHECK(std::string(opcode_name(static_cast<Opcode>(0x99))) == "CMD_RESERVED");
    CHECK(std::string(command_name(cmd_cfgi_all())) == "CMD_CFGI_ALL");
    CHECK(std::string(command_name(cmd_cfgi_ste_range(0, 3))) == "CMD_CFGI_STE_RANGE");
    CHECK(opcode_known(0x45));
    CHECK_FALSE(opcode_known(0x42));

    CHECK(to_string(cmd_tlbi_nh_va(1, 0x10000000, true)) ==
          "CMD_TLBI_NH_VA asid=1 addr=0x10000000 leaf=1");
    CHECK(to_string(cmd_sync(SyncCs::SIG_IRQ, 0x80001234, 0xdead)) ==
          "CMD_SYNC cs=SIG_IRQ msiaddr=0x80001234 msidata=0xdead");
    CHECK(to_string(cmd_sync(SyncCs::SIG_NONE)) == "CMD_SYNC cs=SIG_NONE");
    // As Linux builds it: MSH = Inner Shareable, MSIATTR = Inner+Outer Write-Back.
    uint64_t lw[2];
    encode_command(cmd_sync_linux(SyncCs::SIG_IRQ, 0x80001230, 0), lw);
    CHECK(lw[0] == 0x0fc01046ull);
    CHECK(lw[1] == 0x80001230ull);
    CHECK(to_string(cmd_sync_linux(SyncCs::SIG_IRQ, 0x80001230, 0)) ==
          "CMD_SYNC cs=SIG_IRQ msiaddr=0x80001230 msidata=0x0 msh=ISH msiattr=OIWB");
    CHECK(to_string(cmd_sync_linux(SyncCs::SIG_SEV)) == "CMD_SYNC cs=SIG_SEV msh=ISH msiattr=OIWB");
    uint64_t other[2] = {0x46ull | (2ull << 22) | (0x7ull << 24), 0};
    CHECK(to_string(decode_command(other).cmd) == "CMD_SYNC cs=SIG_NONE msh=OSH msiattr=0x7");
    CHECK(to_string(cmd_resume(7, 66, ResumeResp::RETRY)) == "CMD_RESUME sid=7 stag=66 resp=RETRY");
    CHECK(to_string(cmd_resume(7, 66, ResumeResp::ABORT)) == "CMD_RESUME sid=7 stag=66 resp=ABORT");
    CHECK(to_string(cmd_cfgi_all()) == "CMD_CFGI_ALL");
    CHECK(to_string(cmd_cfgi_ste(5, true)) == "CMD_CFGI_STE sid=5 leaf=1");
    CHECK(to_string(cmd_cfgi_cd(5, 0, true)) == "CMD_CFGI_CD sid=5 ssid=0 leaf=1");
    CHECK(to_string(cmd_pri_resp(5, 3, true, 9, PriResp::Success)) ==
          "CMD_PRI_RESP sid=5 ssid=3 ssv=1 prgi=9 resp=Success");
    CHECK(to_string(cmd_tlbi_nh_asid(3)) == "CMD_TLBI_NH_ASID asid=3");
    CHECK(to_string(cmd_stall_term(4)) == "CMD_STALL_TERM sid=4");
}

// ---------------------------------------------------------------------------
// Event records
// ---------------------------------------------------------------------------
TEST_CASE("v3 event record bit positions (REFERENCE.md layout)", "[v3]") {
    EventRecord e;
    e.id = EventId::F_TRANSLATION;
    e.ssv = true;
    e.ssid = 0x12345;
    e.sid = 0xabcd;
    e.stag = 0x1234;
    e.stall = true;
    e.pnu = true;
    e.ind = false;
    e.rnw = true;
    e.s2 = false;
    e.event_class = EventClass::IN;
    e.input_addr = 0x0000deadbeef0123ull;
    uint64_t w[4];
    encode_event(e, w);
    // word0: ID[7:0], SSV[11], SSID[31:12], SID[63:32]
    CHECK(w[0] == (0x10ull | B(11) | (uint64_t{0x12345} << 12) | (uint64_t{0xabcd} << 32)));
    // word1: STAG[15:0], STALL[31], PnU[33], InD[34], RnW[35], S2[39], CLASS[41:40]
    CHECK(w[1] == (0x1234ull | B(31) | B(33) | B(35) | (uint64_t{2} << 40)));
    CHECK(w[2] == 0x0000deadbeef0123ull);
    CHECK(w[3] == 0ull);

    const EventRecord d = decode_event(w);
    CHECK(d.id == EventId::F_TRANSLATION);
    CHECK(d.ssv);
    CHECK(d.ssid == 0x12345u);
    CHECK(d.sid == 0xabcdu);
    CHECK(d.stag == 0x1234);
    CHECK(d.stall);
    CHECK(d.pnu);
    CHECK_FALSE(d.ind);
    CHECK(d.rnw);
    CHECK_FALSE(d.s2);
    CHECK(d.event_class == EventClass::IN);
    CHECK(d.input_addr == 0x0000deadbeef0123ull);
}

TEST_CASE("v3 event decode of hand-built stage 2 and fetch records", "[v3]") {
    // F_PERMISSION at stage 2 on a table walk: S2=1, CLASS=TT, InD=1, TTRnW=1, IPA[55:12].
    uint64_t w[4] = {0x13ull | (uint64_t{9} << 32),
                     B(34) | B(38) | B(39) | (uint64_t{1} << 40) | B(44), 0x4000,
                     0x00fedcba98765000ull};
    EventRecord e = decode_event(w);
    CHECK(e.id == EventId::F_PERMISSION);
    CHECK(e.sid == 9u);
    CHECK_FALSE(e.ssv);
    CHECK(e.ind);
    CHECK(e.nsipa);
    CHECK(e.s2);
    CHECK(e.event_class == EventClass::TT);
    CHECK(e.ttrnw);
    CHECK_FALSE(e.stall);
    CHECK(e.input_addr == 0x4000u);
    CHECK(e.ipa == 0x00fedcba98765000ull);
    uint64_t back[4];
    encode_event(e, back);
    for (int i = 0; i < 4; ++i) CHECK(back[i] == w[i]);

    // F_STE_FETCH: FetchAddr [55:3] in word3.
    EventRecord f;
    f.id = EventId::F_STE_FETCH;
    f.sid = 3;
    f.fetch_addr = 0x00ab0000123456f8ull;
    encode_event(f, w);
    CHECK(w[0] == (0x03ull | (uint64_t{3} << 32)));
    CHECK(w[1] == 0ull);
    CHECK(w[2] == 0ull);
    CHECK(w[3] == 0x00ab0000123456f8ull);
    CHECK(decode_event(w).fetch_addr == 0x00ab0000123456f8ull);

    // C_BAD_SUBSTREAMID: SubstreamID always valid, no SSV bit.
    EventRecord b;
    b.id = EventId::C_BAD_SUBSTREAMID;
    b.sid = 1;
    b.ssid = 77;
    b.ssv = true;
    encode_event(b, w);
    CHECK(w[0] == (0x08ull | (uint64_t{77} << 12) | (uint64_t{1} << 32)));

    // C_BAD_STE carries only word0; stray fields are not encoded.
    EventRecord c;
    c.id = EventId::C_BAD_STE;
    c.sid = 2;
    c.stall = true;
    c.input_addr = 0x1234;
    encode_event(c, w);
    CHECK(w[0] == (0x04ull | (uint64_t{2} << 32)));
    CHECK(w[1] == 0ull);
    CHECK(w[2] == 0ull);
}

TEST_CASE("v3 event record round trips and log strings", "[v3]") {
    for (EventId id : {EventId::F_UUT, EventId::C_BAD_STREAMID, EventId::F_STE_FETCH,
                       EventId::C_BAD_STE, EventId::F_BAD_ATS_TREQ, EventId::F_STREAM_DISABLED,
                       EventId::F_TRANSL_FORBIDDEN, EventId::C_BAD_SUBSTREAMID,
                       EventId::F_CD_FETCH, EventId::C_BAD_CD, EventId::F_WALK_EABT,
                       EventId::F_TRANSLATION, EventId::F_ADDR_SIZE, EventId::F_ACCESS,
                       EventId::F_PERMISSION, EventId::F_TLB_CONFLICT, EventId::F_CFG_CONFLICT,
                       EventId::E_PAGE_REQUEST, EventId::F_VMS_FETCH}) {
        INFO(event_name(id));
        EventRecord e;
        e.id = id;
        e.sid = 0xffffffffu;
        e.ssid = 0xfffff;
        e.ssv = true;
        e.stag = 0xffff;
        e.stall = e.pnu = e.ind = e.rnw = e.s2 = e.nsipa = e.ttrnw = true;
        e.event_class = EventClass::TT;
        e.input_addr = 0xfffffffffffff000ull;
        e.ipa = 0x00fffffffffff000ull;
        e.fetch_addr = 0x00fffffffffffff8ull;
        uint64_t w[4];
        encode_event(e, w);
        const EventRecord d = decode_event(w);
        uint64_t w2[4];
        encode_event(d, w2);
        for (int i = 0; i < 4; ++i) CHECK(w2[i] == w[i]);
        CHECK(d.id == id);
        CHECK(d.sid == 0xffffffffu);
        CHECK(d.ssid == 0xfffffu);
        CHECK(d.stall == event_has_stall(id));
        CHECK((d.fetch_addr != 0) == event_has_fetch_addr(id));
    }

    EventRecord e;
    e.id = EventId::F_TRANSLATION;
    e.sid = 3;
    e.ssv = true;
    e.ssid = 1;
    e.input_addr = 0x10000000;
    e.rnw = true;
    e.event_class = EventClass::IN;
    e.stall = true;
    e.stag = 5;
    CHECK(to_string(e) ==
          "F_TRANSLATION sid=3 ssid=1 addr=0x10000000 rnw=1 ind=0 pnu=0 s2=0 class=IN "
          "stall=1 stag=5");
    EventRecord f;
    f.id = EventId::C_BAD_CD;
    f.sid = 4;
    CHECK(to_string(f) == "C_BAD_CD sid=4");
}

// ---------------------------------------------------------------------------
// PRI queue entries
// ---------------------------------------------------------------------------
TEST_CASE("v3 PRI entry bit positions", "[v3]") {
    // SID[31:0], SSID[51:32], PRIV[58], EXEC[59], READ[60], WRITE[61], LAST[62], SSV[63];
    // word1 PRG_INDEX[8:0], ADDR[63:12].
    const uint64_t w[2] = {0x00000005ull | (uint64_t{0xfffff} << 32) | B(58) | B(60) | B(62) | B(63),
                           0x1ffull | 0x0000123440000000ull};
    const PriEntry p = decode_pri(w);
    CHECK(p.sid == 5u);
    CHECK(p.ssid == 0xfffffu);
    CHECK(p.priv);
    CHECK_FALSE(p.exec);
    CHECK(p.read);
    CHECK_FALSE(p.write);
    CHECK(p.last);
    CHECK(p.ssv);
    CHECK(p.prgi == 0x1ff);
    CHECK(p.addr == 0x0000123440000000ull);
    CHECK_FALSE(p.is_stop_marker());
    uint64_t back[2];
    encode_pri(p, back);
    CHECK(back[0] == w[0]);
    CHECK(back[1] == w[1]);

    PriEntry q;
    q.sid = 0xffffffffu;
    q.exec = true;
    q.write = true;
    q.prgi = 3;
    q.addr = 0xfffffffffffff000ull;
    encode_pri(q, back);
    CHECK(back[0] == (0xffffffffull | B(59) | B(61)));
    CHECK(back[1] == (0xfffffffffffff000ull | 3));
    CHECK(to_string(p) == "PRI sid=5 ssid=1048575 addr=0x123440000000 prgi=511 R P last");
}

TEST_CASE("v3 PRI Stop Marker", "[v3]") {
    const PriEntry s = make_stop_marker(7, 2, 4);
    CHECK(s.is_stop_marker());
    uint64_t w[2];
    encode_pri(s, w);
    CHECK(w[0] == (7ull | (uint64_t{2} << 32) | B(62) | B(63)));
    CHECK(w[1] == 4ull);
    CHECK(decode_pri(w).is_stop_marker());
    // LWR == 0b100 without a PASID is an ordinary page request.
    PriEntry n = s;
    n.ssv = false;
    CHECK_FALSE(n.is_stop_marker());
    PriEntry r = s;
    r.read = true;
    CHECK_FALSE(r.is_stop_marker());
    CHECK(to_string(s) == "PRI_STOP_MARKER sid=7 ssid=2 prgi=4");
}
