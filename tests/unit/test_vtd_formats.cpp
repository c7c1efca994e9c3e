// Unit tests for the Intel VT-d formats (models/vtd/format): registers, root / context /
// PASID structures, fault recording register, invalidation and page request / response
// descriptors. Expected words are built by hand from the spec's field tables (bit numbers
// in the comments are the spec's overall bit positions).
#include <catch2/catch.hpp>

#include "models/vtd/format/descriptors.h"
#include "models/vtd/format/regs.h"
#include "models/vtd/format/tables.h"

using namespace iopf::vtd;

TEST_CASE("vtd register offsets and names follow the spec", "[vtd]") {
    CHECK(reg::VER == 0x000);
    CHECK(reg::CAP == 0x008);
    CHECK(reg::ECAP == 0x010);
    CHECK(reg::GCMD == 0x018);
    CHECK(reg::GSTS == 0x01C);
    CHECK(reg::RTADDR == 0x020);
    CHECK(reg::FSTS == 0x034);
    CHECK(reg::FECTL == 0x038);
    CHECK(reg::FEDATA == 0x03C);
    CHECK(reg::FEADDR == 0x040);
    CHECK(reg::IQH == 0x080);
    CHECK(reg::IQT == 0x088);
    CHECK(reg::IQA == 0x090);
    CHECK(reg::ICS == 0x09C);
    CHECK(reg::PQH == 0x0C0);
    CHECK(reg::PQT == 0x0C8);
    CHECK(reg::PQA == 0x0D0);
    CHECK(reg::PRS == 0x0DC);
    CHECK(reg::PECTL == 0x0E0);
    CHECK(reg::PEDATA == 0x0E4);
    CHECK(reg::PEADDR == 0x0E8);
    CHECK(std::string(reg_name(reg::PQH)) == "PQH_REG");
    CHECK(std::string(reg_name(reg::PRS)) == "PRS_REG");
    CHECK(std::string(reg_name(0x410, 0x400, 2)) == "FRCD_REG");
    CHECK(reg_name(0x420, 0x400, 2) == nullptr);
    CHECK(reg_name(0x0F8) == nullptr);
}

TEST_CASE("vtd register bit positions", "[vtd]") {
    CHECK(gcmd::TE == 0x80000000u);
    CHECK(gcmd::SRTP == 0x40000000u);
    CHECK(gcmd::QIE == 0x04000000u);
    CHECK(gsts::TES == 0x80000000u);
    CHECK(gsts::RTPS == 0x40000000u);
    CHECK(gsts::QIES == 0x04000000u);
    CHECK(fsts::PFO == 1u);
    CHECK(fsts::PPF == 2u);
    CHECK(fsts::IQE == 0x10u);
    CHECK(fsts::FRI.get(0x0000'0502u) == 5);
    CHECK(ectl::IM == 0x80000000u);
    CHECK(ectl::IP == 0x40000000u);
    CHECK(prs::PPR == 1u);
    CHECK(prs::PRO == 2u);
    CHECK(ics::IWC == 1u);
    // RTADDR_REG: TTM [11:10] = 01b scalable mode (Linux DMA_RTADDR_SMT = bit 10).
    CHECK(rtaddr_f::TTM.make(uint64_t(Ttm::Scalable)) == 0x400);
    CHECK(rtaddr_f::RTA.get(0x12345400) == 0x12345);
    // IQA_REG: QS [2:0], DW [11], IQA [63:12]; PQA_REG: PQS [2:0], PQA [63:12].
    CHECK(iqa_f::DW.make(1) == 0x800);
    CHECK(iqa_f::QS.get(0x7000'0803) == 3);
    CHECK(pqa_f::PQS.get(0x8000'0004) == 4);
    // PQH/PQT [18:5] hold byte offsets of 32-byte descriptors; IQH/IQT [18:4].
    CHECK(pq_f::PQHT.mask() == 0x7ffe0);
    CHECK(iq_f::QHT.mask() == 0x7fff0);
    CHECK(queue_entries(0, kPageReqDescBytes) == 128);
    CHECK(queue_entries(0, kInvDesc256Bytes) == 128);
    CHECK(queue_entries(1, kInvDesc128Bytes) == 512);
}

TEST_CASE("vtd VER/CAP/ECAP built from Caps", "[vtd]") {
    Caps c;
    CHECK(make_ver(c) == 0x40);  // Max [7:4] = 4, Min [3:0] = 0
    const uint64_t cap = make_cap(c);
    CHECK(cap_f::FRO.get(cap) * 16 == 0x400);       // FRO [33:24] in 16-byte units
    CHECK(cap_f::NFR.get(cap) + 1 == 8);            // NFR [47:40] = count - 1
    CHECK(cap_f::MGAW.get(cap) == 47);              // [21:16]
    CHECK(((cap >> 56) & 1) == 1);                  // FL1GP
    CHECK(((cap >> 60) & 1) == 1);                  // FL5LP
    CHECK(cap_f::ND.get(cap) == 2);
    const uint64_t ecap = make_ecap(c);
    CHECK(((ecap >> 1) & 1) == 1);     // QI
    CHECK(((ecap >> 2) & 1) == 1);     // DT
    CHECK(((ecap >> 29) & 1) == 1);    // PRS
    CHECK(((ecap >> 30) & 1) == 0);    // ERS
    CHECK(((ecap >> 31) & 1) == 1);    // SRS
    CHECK(((ecap >> 35) & 0x1f) == 19);  // PSS
    CHECK(((ecap >> 40) & 1) == 1);    // PASID
    CHECK(((ecap >> 42) & 1) == 1);    // PDS
    CHECK(((ecap >> 43) & 1) == 1);    // SMTS
    CHECK(((ecap >> 47) & 1) == 1);    // FSTS (first-stage translation)
    CHECK(ecap_f::IRO.get(ecap) * 16 == 0x500);
}

TEST_CASE("vtd scalable-mode root entry", "[vtd]") {
    // LP [0], LCTP [63:12]; UP [64], UCTP [127:76]
    const uint64_t w[2] = {0x0000'0000'0012'3001ull, 0x0000'0000'0045'6001ull};
    RootEntry r = decode_root(w);
    CHECK(r.lp);
    CHECK(r.lctp == 0x123000);
    CHECK(r.up);
    CHECK(r.uctp == 0x456000);
    CHECK_FALSE(r.reserved_set);
    uint64_t out[2];
    encode_root(r, out);
    CHECK(out[0] == w[0]);
    CHECK(out[1] == w[1]);
    // devfn 0x08 -> lower table entry 8 (32 bytes each); 0x81 -> upper table entry 1.
    CHECK(context_entry_pa(r, 0x08) == 0x123000 + 8 * 32);
    CHECK(context_entry_pa(r, 0x81) == 0x456000 + 32);
    r.up = false;
    CHECK(context_entry_pa(r, 0x81) == 0);
    const uint64_t bad[2] = {0x123003ull, 0};
    CHECK(decode_root(bad).reserved_set);
}

TEST_CASE("vtd scalable-mode context entry", "[vtd]") {
    // P[0] FPD[1] DTE[2] PASIDE[3] PRE[4] PDTS[11:9] PASIDDIRPTR[63:12]; RID_PASID[83:64]
    // RID_PRIV[84]
    const uint64_t w[4] = {0x0000'0000'0080'0000ull | (2u << 9) | 0x1d, (1ull << 20) | 0x12345,
                           0, 0};
    ContextEntry c = decode_context(w);
    CHECK(c.p);
    CHECK_FALSE(c.fpd);
    CHECK(c.dte);
    CHECK(c.paside);
    CHECK(c.pre);
    CHECK(c.pdts == 2);
    CHECK(c.pasid_dir_entries() == 512);  // 2^(PDTS+7)
    CHECK(c.pasid_dir == 0x800000);
    CHECK(c.rid_pasid == 0x12345);
    CHECK(c.rid_priv);
    CHECK_FALSE(c.reserved_set);
    uint64_t out[4];
    encode_context(c, out);
    for (int i = 0; i < 4; ++i) CHECK(out[i] == w[i]);
    uint64_t bad[4] = {w[0] | 0x20, w[1], 0, 0};  // bit 5 reserved
    CHECK(decode_context(bad).reserved_set);
    uint64_t bad2[4] = {w[0], w[1], 1, 0};
    CHECK(decode_context(bad2).reserved_set);
}

TEST_CASE("vtd PASID directory entry and PASID indexing", "[vtd]") {
    // P[0] FPD[1] SMPTBLPTR[63:12]
    PasidDirEntry d = decode_pasid_dir(0x0000'0000'0abc'd003ull);
    CHECK(d.p);
    CHECK(d.fpd);
    CHECK(d.table == 0xabcd000);
    CHECK_FALSE(d.reserved_set);
    CHECK(encode_pasid_dir(d) == 0xabcd003ull);
    CHECK(decode_pasid_dir(0xabcd005ull).reserved_set);
    CHECK(pasid_dir_index(0x12345) == 0x48d);    // PASID[19:6]
    CHECK(pasid_table_index(0x12345) == 0x05);   // PASID[5:0]
}

TEST_CASE("vtd scalable-mode PASID table entry", "[vtd]") {
    uint64_t w[8] = {};
    // word 0: P=1, FPD=0, AW=2 [4:2], PGTT=001b first stage [8:6]
    w[0] = 1 | (2u << 2) | (1u << 6);
    // word 1: DID=0x42 [79:64], PGSNP [88]
    w[1] = 0x42 | (1ull << 24);
    // word 2: SRE [128], FSPM=01b 5-level [131:130], WPE [132], NXE [133], FSPTPTR [191:140]
    w[2] = 1 | (1u << 2) | (1u << 4) | (1u << 5) | 0x0000'0001'2345'6000ull;
    PasidEntry e = decode_pasid_entry(w);
    CHECK(e.p);
    CHECK(e.aw == 2);
    CHECK(e.pgtt == uint8_t(Pgtt::FirstStage));
    CHECK(e.did == 0x42);
    CHECK(e.pgsnp);
    CHECK(e.sre);
    CHECK_FALSE(e.ere);
    CHECK(e.fspm == uint8_t(Fspm::Level5));
    CHECK(e.wpe);
    CHECK(e.nxe);
    CHECK_FALSE(e.smep);
    CHECK(e.fsptptr == 0x1'2345'6000ull);
    CHECK_FALSE(e.reserved_set);
    uint64_t out[8];
    encode_pasid_entry(e, out);
    for (int i = 0; i < 8; ++i) CHECK(out[i] == w[i]);
    w[4] = 1;
    CHECK(decode_pasid_entry(w).reserved_set);
    // PGTT values (Linux PASID_ENTRY_PGTT_*)
    CHECK(unsigned(Pgtt::SecondStage) == 2);
    CHECK(unsigned(Pgtt::Nested) == 3);
    CHECK(unsigned(Pgtt::PassThrough) == 4);
}

TEST_CASE("vtd fault recording register", "[vtd]") {
    FaultRecord r;
    r.fi = 0x7fff'1234'5000ull;
    r.sid = 0x0108;
    r.type = FaultReqType::Read;
    r.priv = true;
    r.pp = true;
    r.pv = 0x12345;
    r.fr = fr::SFL_2;
    r.f = true;
    uint64_t w[2];
    encode_frcd(r, w);
    CHECK(w[0] == 0x7fff'1234'5000ull);
    // SID [79:64], PRIV [93], PP [95], FR [103:96], PV [123:104], T1 [126] (read), F [127]
    CHECK((w[1] & 0xffff) == 0x0108);
    CHECK(((w[1] >> 29) & 1) == 1);
    CHECK(((w[1] >> 31) & 1) == 1);
    CHECK(((w[1] >> 32) & 0xff) == 0x71);
    CHECK(((w[1] >> 40) & 0xfffff) == 0x12345);
    CHECK(((w[1] >> 62) & 1) == 1);
    CHECK(((w[1] >> 28) & 1) == 0);
    CHECK((w[1] >> 63) == 1);
    // Linux dmar_fault(): dword 3 bit 31 is F, [7:0] FR, [27:8] PV; dword 2 bit 31 PP.
    const uint32_t dw3 = uint32_t(w[1] >> 32), dw2 = uint32_t(w[1]);
    CHECK((dw3 & (1u << 31)) != 0);
    CHECK((dw3 & 0xff) == 0x71);
    CHECK(((dw3 >> 8) & 0xfffff) == 0x12345);
    CHECK(((dw2 >> 31) & 1) == 1);
    FaultRecord d = decode_frcd(w);
    CHECK(d.fi == r.fi);
    CHECK(d.sid == r.sid);
    CHECK(d.type == FaultReqType::Read);
    CHECK(d.pv == r.pv);
    CHECK(d.fr == r.fr);
    CHECK(d.f);
    r.type = FaultReqType::Page;  // T2=1, T1=0
    encode_frcd(r, w);
    CHECK(((w[1] >> 28) & 1) == 1);
    CHECK(((w[1] >> 62) & 1) == 0);
    CHECK(to_string(decode_frcd(w)).find("SFL.2") != std::string::npos);
}

TEST_CASE("vtd fault reasons for first-stage walk faults", "[vtd]") {
    using iopf::smmu::X86Fault;
    CHECK(fault_reason_for(X86Fault::Abort) == 0x70);
    CHECK(fault_reason_for(X86Fault::NotPresent) == 0x71);
    CHECK(fault_reason_for(X86Fault::Reserved) == 0x72);
    CHECK(fault_reason_for(X86Fault::NonCanonical) == 0x80);
    CHECK(fault_reason_for(X86Fault::User) == 0x81);
    CHECK(fault_reason_for(X86Fault::Exec) == 0x82);
    CHECK(fault_reason_for(X86Fault::Write) == 0x85);
    CHECK(std::string(fault_reason_name(0x47)).rfind("SCT.8", 0) == 0);
}

TEST_CASE("vtd invalidation descriptor type field is split [3:0] and [11:9]", "[vtd]") {
    InvDesc d;
    d.type = 0x9;
    uint64_t w[2];
    encode_inv(d, w);
    CHECK((w[0] & 0xf) == 0x9);
    CHECK(((w[0] >> 9) & 7) == 0);
    const uint64_t hi[2] = {0x200 | 0x1, 0};  // Type[6:4] = 1, Type[3:0] = 1 -> 0x11
    CHECK(decode_inv(hi).type == 0x11);
    CHECK(std::string(inv_type_name(0x11)) == "UNKNOWN");
    CHECK(std::string(inv_type_name(0x7)) == "pc_inv_dsc");
}

TEST_CASE("vtd context-cache, PASID-cache and IOTLB invalidation descriptors", "[vtd]") {
    // cc_inv_dsc: Type 1, G [5:4], DID [31:16], SID [47:32], FM [49:48]
    const uint64_t cc[2] = {0x1 | (3u << 4) | (7ull << 16) | (0x0108ull << 32) | (1ull << 48), 0};
    InvDesc d = decode_inv(cc);
    CHECK(d.type == 0x1);
    CHECK(d.g == gran::CC_DEVICE);
    CHECK(d.did == 7);
    CHECK(d.sid == 0x0108);
    CHECK(d.fm == 1);
    uint64_t w[2];
    encode_inv(d, w);
    CHECK(w[0] == cc[0]);
    // pc_inv_dsc: Type 7, G [5:4], DID [31:16], PASID [51:32]
    const uint64_t pc[2] = {0x7 | (1u << 4) | (5ull << 16) | (0x12345ull << 32), 0};
    d = decode_inv(pc);
    CHECK(d.type == 0x7);
    CHECK(d.g == gran::PC_PASID);
    CHECK(d.did == 5);
    CHECK(d.pasid == 0x12345);
    encode_inv(d, w);
    CHECK(w[0] == pc[0]);
    // iotlb_inv_dsc: Type 2, G [5:4], DW [6], DR [7], DID [31:16]; AM [69:64], IH [70],
    // ADDR [127:76]
    const uint64_t io[2] = {0x2 | (3u << 4) | 0xc0 | (9ull << 16), 0x40'0000ull | 0x40 | 2};
    d = decode_inv(io);
    CHECK(d.type == 0x2);
    CHECK(d.g == gran::IOTLB_PAGE);
    CHECK(d.dw);
    CHECK(d.dr);
    CHECK(d.did == 9);
    CHECK(d.am == 2);
    CHECK(d.ih);
    CHECK(d.addr == 0x400000);
    encode_inv(d, w);
    CHECK(w[0] == io[0]);
    CHECK(w[1] == io[1]);
    // p_iotlb_inv_dsc: Type 6, G [5:4], DID [31:16], PASID [51:32]; AM, IH, ADDR as IOTLB
    const uint64_t pio[2] = {0x6 | (3u << 4) | (9ull << 16) | (1ull << 32), 0x7000'1000ull | 0};
    d = decode_inv(pio);
    CHECK(d.type == 0x6);
    CHECK(d.g == gran::PIOTLB_PAGE);
    CHECK(d.pasid == 1);
    CHECK(d.addr == 0x7000'1000ull);
    CHECK(d.am == 0);
    encode_inv(d, w);
    CHECK(w[0] == pio[0]);
    CHECK(w[1] == pio[1]);
}

TEST_CASE("vtd device-TLB invalidation descriptors", "[vtd]") {
    // dev_tlb_inv_dsc: Type 3, PFSID[15:12] lo, MIP [20:16], SID [47:32], PFSID [63:52] hi;
    // qw1: S [64], ADDR [127:76]  (Linux QI_DEV_IOTLB_*)
    InvDesc d;
    d.type = 0x3;
    d.pfsid = 0x0123;
    d.mip = 5;
    d.sid = 0x0108;
    d.s = true;
    d.addr = 0x7fff'f000ull;
    uint64_t w[2];
    encode_inv(d, w);
    CHECK(w[0] == (0x3 | (0x3ull << 12) | (5ull << 16) | (0x0108ull << 32) | (0x12ull << 52)));
    CHECK(w[1] == (0x7fff'f000ull | 1));
    InvDesc r = decode_inv(w);
    CHECK(r.pfsid == 0x0123);
    CHECK(r.sid == 0x0108);
    CHECK(r.s);
    // p_dev_tlb_inv_dsc: Type 8, MIP [8:4], PFSID lo [15:12], SID [31:16], PASID [51:32],
    // PFSID hi [63:52]; qw1: G [64], S [75], ADDR [127:76] (Linux QI_DEV_EIOTLB_*)
    d = InvDesc{};
    d.type = 0x8;
    d.mip = 3;
    d.sid = 0x0108;
    d.pasid = 7;
    d.glob = true;
    d.s = true;
    d.addr = 0x4000'0000ull;
    encode_inv(d, w);
    CHECK(w[0] == (0x8 | (3u << 4) | (0x0108ull << 16) | (7ull << 32)));
    CHECK(w[1] == (0x4000'0000ull | (1u << 11) | 1));
    r = decode_inv(w);
    CHECK(r.type == 0x8);
    CHECK(r.sid == 0x0108);
    CHECK(r.pasid == 7);
    CHECK(r.glob);
    CHECK(r.s);
}

TEST_CASE("vtd invalidation wait descriptor", "[vtd]") {
    // inv_wait_dsc: Type 5, IF [4], SW [5], FN [6], PD [7], STDATA [63:32]; STADDR [127:66]
    const uint64_t w[2] = {0x5 | 0x20 | 0x40 | 0x80 | (0x1ull << 32), 0x0000'0000'00ab'cd04ull};
    InvDesc d = decode_inv(w);
    CHECK(d.type == 0x5);
    CHECK_FALSE(d.iflag);
    CHECK(d.sw);
    CHECK(d.fn);
    CHECK(d.pd);
    CHECK(d.stdata == 1);
    CHECK(d.staddr == 0xabcd04);
    uint64_t out[2];
    encode_inv(d, out);
    CHECK(out[0] == w[0]);
    CHECK(out[1] == w[1]);
    CHECK(to_string(d) == "inv_wait_dsc sw fn pd stdata=0x1 staddr=0xabcd04");
}

TEST_CASE("vtd page group response descriptor", "[vtd]") {
    // Type 9, PP [4], RC [15:12], RID [31:16], PASID [51:32]; LPIG [66], PRGI [75:67]
    // (Linux QI_PGRP_*)
    InvDesc d;
    d.type = 0x9;
    d.pp = true;
    d.rc = resp::FAILURE;
    d.sid = 0x0108;
    d.pasid = 2;
    d.lpig = true;
    d.prgi = 0x1ff;
    uint64_t w[2];
    encode_inv(d, w);
    CHECK(w[0] == (0x9 | 0x10 | (0xfull << 12) | (0x0108ull << 16) | (2ull << 32)));
    CHECK(w[1] == ((0x1ffull << 3) | 4));
    InvDesc r = decode_inv(w);
    CHECK(r.type == 0x9);
    CHECK(r.pp);
    CHECK(r.rc == resp::FAILURE);
    CHECK(r.sid == 0x0108);
    CHECK(r.pasid == 2);
    CHECK(r.lpig);
    CHECK(r.prgi == 0x1ff);
    CHECK(to_string(r) == "page_grp_resp_dsc rid=0x0108 pasid=2 prgi=511 lpig rc=FAILURE");
    CHECK(resp::INVALID == 1);
}

TEST_CASE("vtd page request descriptor", "[vtd]") {
    // Type [7:0] = 1, PP [8], RID [31:16], PASID [51:32], EXR [52], PMR [53];
    // RDR [64], WRR [65], LPIG [66], PRGI [75:67], ADDR [127:76] (Linux page_req_dsc)
    PageReqDesc p;
    p.pp = true;
    p.rid = 0x0108;
    p.pasid = 0x54321;
    p.pmr = true;
    p.rdr = true;
    p.wrr = true;
    p.lpig = true;
    p.prgi = 0x101;
    p.addr = 0x7f12'3456'7000ull;
    uint64_t w[4];
    encode_page_req(p, w);
    CHECK(w[0] == (0x1 | 0x100 | (0x0108ull << 16) | (0x54321ull << 32) | (1ull << 53)));
    CHECK(w[1] == (0x7f12'3456'7000ull | (0x101ull << 3) | 0x7));
    CHECK(w[2] == 0);
    CHECK(w[3] == 0);
    PageReqDesc r = decode_page_req(w);
    CHECK(r.type == 1);
    CHECK(r.pp);
    CHECK(r.rid == 0x0108);
    CHECK(r.pasid == 0x54321);
    CHECK_FALSE(r.exr);
    CHECK(r.pmr);
    CHECK(r.rdr);
    CHECK(r.wrr);
    CHECK(r.lpig);
    CHECK(r.prgi == 0x101);
    CHECK(r.addr == p.addr);
    CHECK_FALSE(r.is_stop_marker());
    r.rdr = r.wrr = false;
    CHECK(r.is_stop_marker());
    CHECK(to_string(p) == "page_req_dsc rid=0x0108 pasid=344865 addr=0x7f1234567000 prgi=257 R W "
                         "Priv lpig");
}
