// Unit tests for the SystemC-free SMMUv2 register formats (models/smmu/v2/format). Expected
// values are built by hand from the bit positions of the SMMUv2 spec (IHI 0062B) as given
// by the MMU-500 register reference and Linux arm-smmu.h, not from the code under test.
#include <catch2/catch.hpp>

#include <cstdint>

#include "models/smmu/v2/format/regs.h"

using namespace iopf::smmu;
using namespace iopf::smmu::v2;

namespace {
constexpr uint64_t B(unsigned n) { return uint64_t{1} << n; }
}  // namespace

TEST_CASE("v2 register offsets match arm-smmu.h", "[v2]") {
    CHECK(reg::sCR0 == 0x0);
    CHECK(reg::ID0 == 0x20);
    CHECK(reg::sGFSR == 0x48);
    CHECK(reg::TLBIALLNSNH == 0x68);
    CHECK(reg::sTLBGSYNC == 0x70);
    CHECK(reg::sTLBGSTATUS == 0x74);
    CHECK(reg::SMR(3) == 0x80c);
    CHECK(reg::S2CR(3) == 0xc0c);
    CHECK(reg::CBAR(2) == 0x008);
    CHECK(reg::CBFRSYNRA(2) == 0x408);
    CHECK(reg::CBA2R(2) == 0x808);
    CHECK(reg::CB_SCTLR == 0x0);
    CHECK(reg::CB_RESUME == 0x8);
    CHECK(reg::CB_TTBR0 == 0x20);
    CHECK(reg::CB_TCR == 0x30);
    CHECK(reg::CB_FSR == 0x58);
    CHECK(reg::CB_FAR == 0x60);
    CHECK(reg::CB_FSYNR0 == 0x68);
    CHECK(reg::CB_TLBIVA == 0x600);
    CHECK(reg::CB_TLBIASID == 0x610);
    CHECK(reg::CB_TLBIALL == 0x618);
    CHECK(reg::CB_TLBSYNC == 0x7f0);
    CHECK(reg::CB_TLBSTATUS == 0x7f4);
    CHECK(cb_reg_name(reg::CB_FSR) == "FSR");
    CHECK(cb_reg_name(reg::CB_RESUME) == "RESUME");
    CHECK(cb_reg_name(0x123) == "CB+0x123");
}

TEST_CASE("v2 SCTLR bits: M0 TRE1 AFE2 AFFD3 E4 CFRE5 CFIE6 CFCFG7 HUPCF8 WXN9 UWXN10 ASIDPNE12", "[v2]") {
    Sctlr s;
    s.m = s.cfre = s.cfie = s.cfcfg = s.hupcf = true;
    CHECK(encode_sctlr(s) == (B(0) | B(5) | B(6) | B(7) | B(8)));
    CHECK(encode_sctlr(s) == (sctlr::M | sctlr::CFRE | sctlr::CFIE | sctlr::CFCFG | sctlr::HUPCF));
    Sctlr t = decode_sctlr(uint32_t(B(1) | B(2) | B(3) | B(4) | B(9) | B(10) | B(12)));
    CHECK(t.tre);
    CHECK(t.afe);
    CHECK(t.affd);
    CHECK(t.e);
    CHECK(t.wxn);
    CHECK(t.uwxn);
    CHECK(t.asidpne);
    CHECK_FALSE(t.m);
    CHECK_FALSE(t.cfcfg);
    CHECK_FALSE(t.hupcf);
    // Round trip of every modelled bit.
    for (uint32_t v : {0x0u, 0x1e7u, 0x167u, 0x17ffu}) CHECK(encode_sctlr(decode_sctlr(v)) == (v & 0x17ffu));
}

TEST_CASE("v2 FSR bits and write-1-to-clear", "[v2]") {
    CHECK(fsr::TF == B(1));
    CHECK(fsr::AFF == B(2));
    CHECK(fsr::PF == B(3));
    CHECK(fsr::EF == B(4));
    CHECK(fsr::TLBMCF == B(5));
    CHECK(fsr::TLBLKF == B(6));
    CHECK(fsr::ASF == B(7));
    CHECK(fsr::UUT == B(8));
    CHECK(fsr::SS == B(30));
    CHECK(fsr::MULTI == B(31));
    const uint32_t v = fsr::TF | fsr::SS | fsr::MULTI;   // 0xc0000002
    CHECK(v == 0xc0000002u);
    CHECK(fsr_w1c(v, fsr::TF) == (fsr::SS | fsr::MULTI));   // ones clear
    CHECK(fsr_w1c(v, 0) == v);                              // zeros leave bits alone
    CHECK(fsr_w1c(v, v) == fsr::SS);                        // Linux writes back what it read: SS stays
    CHECK(fsr_w1c(fsr::SS, fsr::SS) == fsr::SS);            // MMU-500: only CB_RESUME clears SS
    CHECK(fsr_w1c(fsr::PF, fsr::TF) == fsr::PF);            // a different bit stays set
    CHECK(fsr_to_string(v) == "TF|SS|MULTI");
    CHECK(fsr_to_string(0) == "0");
    CHECK(fsr_bit_for(EventId::F_TRANSLATION) == fsr::TF);
    CHECK(fsr_bit_for(EventId::F_PERMISSION) == fsr::PF);
    CHECK(fsr_bit_for(EventId::F_ACCESS) == fsr::AFF);
    CHECK(fsr_bit_for(EventId::F_ADDR_SIZE) == fsr::ASF);
    CHECK(fsr_bit_for(EventId::F_WALK_EABT) == fsr::EF);
    CHECK(fsr_bit_for(EventId::C_BAD_STE) == 0);
}

TEST_CASE("v2 FSYNR0: PLVL[1:0] WNR4 PNU5 IND6 NSATTR8 ATOF9 PTWF10 AFR11 S1CBNDX[23:16]", "[v2]") {
    Fsynr0 f;
    f.plvl = 3;
    f.wnr = true;
    f.pnu = true;
    CHECK(encode_fsynr0(f) == (3u | B(4) | B(5)));
    Fsynr0 g;
    g.ind = g.ptwf = true;
    g.plvl = 1;
    g.s1cbndx = 0x5a;
    CHECK(encode_fsynr0(g) == (1u | B(6) | B(10) | (0x5au << 16)));
    const Fsynr0 d = decode_fsynr0(uint32_t(2u | B(4) | B(8) | B(9) | B(11)));
    CHECK(d.plvl == 2);
    CHECK(d.wnr);
    CHECK(d.nsattr);
    CHECK(d.atof);
    CHECK(d.afr);
    CHECK_FALSE(d.pnu);
    CHECK_FALSE(d.ind);
    CHECK_FALSE(d.ptwf);
}

TEST_CASE("v2 SMR/S2CR/CBAR/CBA2R/CBFRSYNRA encodings and stream matching", "[v2]") {
    CHECK(encode_smr({true, 0x10, 0}) == (B(31) | 0x10u));
    CHECK(encode_smr({true, 0x10, 0x3}) == (B(31) | (0x3u << 16) | 0x10u));
    const Smr s = decode_smr(uint32_t(B(31) | (0xfu << 16) | 0x120u));
    CHECK(s.valid);
    CHECK(s.id == 0x120);
    CHECK(s.mask == 0xf);
    CHECK(smr_matches(s, 0x12f));       // low 4 bits masked
    CHECK(smr_matches(s, 0x120));
    CHECK_FALSE(smr_matches(s, 0x130));
    CHECK_FALSE(smr_matches(decode_smr(0x120), 0x120));   // not valid
    CHECK(encode_s2cr({S2crType::translate, 5, 0}) == 5u);
    CHECK(encode_s2cr({S2crType::bypass, 0, 0}) == (1u << 16));
    CHECK(encode_s2cr({S2crType::fault, 0, 0}) == (2u << 16));
    CHECK(decode_s2cr(uint32_t((2u << 16) | 7u)).type == S2crType::fault);
    CHECK(decode_s2cr(uint32_t((3u << 24) | 7u)).cbndx == 7);
    CHECK(decode_s2cr(uint32_t((3u << 24) | 7u)).privcfg == 3);
    CHECK(encode_cbar({CbarType::s1_trans_s2_bypass, 0x12, 3}) == ((3u << 24) | (1u << 16) | 0x12u));
    const Cbar c = decode_cbar((6u << 24) | (1u << 16));
    CHECK(c.type == CbarType::s1_trans_s2_bypass);
    CHECK(c.irptndx == 6);
    CHECK(encode_cba2r({true, 0x1234}) == ((0x1234u << 16) | 1u));
    CHECK(decode_cba2r(1).va64);
    CHECK(cbfrsynra_sid(encode_cbfrsynra(0x12345)) == 0x2345);
}

TEST_CASE("v2 TCR/TCR2/TTBR (AArch64 format)", "[v2]") {
    Tcr t;
    t.t0sz = 16;
    t.tg0 = 0;
    t.sh0 = 3;
    t.irgn0 = t.orgn0 = 1;
    t.epd1 = true;
    t.tg1 = 2;
    CHECK(encode_tcr(t) == (16u | (1u << 8) | (1u << 10) | (3u << 12) | (0u << 14) | (16u << 16) | B(23) | (2u << 30)));
    const Tcr d = decode_tcr(uint32_t(25u | B(7) | (2u << 14) | (39u << 16) | B(22) | (3u << 30)));
    CHECK(d.t0sz == 25);
    CHECK(d.epd0);
    CHECK(d.tg0 == 2);
    CHECK(d.t1sz == 39);
    CHECK(d.a1);
    CHECK_FALSE(d.epd1);
    CHECK(d.tg1 == 3);
    Granule g;
    REQUIRE(tg0_granule(0, g));
    CHECK(g == Granule::K4);
    REQUIRE(tg0_granule(1, g));
    CHECK(g == Granule::K64);
    REQUIRE(tg0_granule(2, g));
    CHECK(g == Granule::K16);
    CHECK_FALSE(tg0_granule(3, g));
    REQUIRE(tg1_granule(2, g));
    CHECK(g == Granule::K4);
    CHECK_FALSE(tg1_granule(0, g));
    CHECK(encode_tcr2({5, false, 7}) == (5u | (7u << 15)));
    CHECK(decode_tcr2(uint32_t(2u | B(4))).pasize == 2);
    CHECK(decode_tcr2(uint32_t(2u | B(4))).as);
    CHECK(size_field_bits(0) == 32);
    CHECK(size_field_bits(2) == 40);
    CHECK(size_field_bits(5) == 48);
    CHECK(size_bits_field(48) == 5);
    CHECK(size_bits_field(41) == 3);
    CHECK(encode_ttbr({0x80001000, 0x42}) == ((uint64_t(0x42) << 48) | 0x80001000ull));
    const Ttbr r = decode_ttbr((uint64_t(0xbeef) << 48) | 0x0000123456789000ull);
    CHECK(r.asid == 0xbeef);
    CHECK(r.baddr == 0x123456789000ull);
}

TEST_CASE("v2 TLBIVA: VA[55:12] in [43:0], ASID in [63:48], RESUME TnR", "[v2]") {
    const uint64_t v = encode_tlbiva(7, 0x100002345ull);
    CHECK(v == ((uint64_t(7) << 48) | 0x100002ull));
    CHECK(tlbiva_asid(v) == 7);
    CHECK(tlbiva_va(v) == 0x100002000ull);
    CHECK(tlbiva_va(encode_tlbiva(0, 0xffff800000001000ull)) == 0xffff800000001000ull);
    CHECK(resume::TNR == 1u);
    CHECK(resume::RETRY == 0u);
    CHECK(resume::TERMINATE == 1u);
    CHECK(TLBSTATUS_SACTIVE == 1u);
}

TEST_CASE("v2 ID registers round-trip and NUMPAGE", "[v2]") {
    Id i;
    i.numcb = 8;
    i.numsmrg = 16;
    i.numirpt = 8;
    i.numsidb = 15;
    i.numpagendxb = 2;
    i.oas = 5;
    i.ias = 5;
    const uint32_t id0 = make_id0(i), id1 = make_id1(i), id2 = make_id2(i);
    CHECK(id0 == (16u | (15u << 9) | (8u << 16) | B(27) | B(30)));
    CHECK(id1 == (8u | (2u << 28)));
    CHECK((id2 & 0xffu) == 0x55u);
    CHECK((id2 & B(12)) != 0);
    const Id d = decode_id(id0, id1, id2);
    CHECK(d.numcb == 8);
    CHECK(d.numsmrg == 16);
    CHECK(d.numsidb == 15);
    CHECK(d.numirpt == 8);
    CHECK(d.s1ts);
    CHECK(d.sms);
    CHECK(d.ptfs_4k);
    CHECK(d.oas == 5);
    CHECK(numpage(2) == 8);
    CHECK(numpage(0) == 2);
    CHECK(make_id7(i) == 0x20u);
}
