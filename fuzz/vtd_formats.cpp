// Intel VT-d in-memory and register formats from arbitrary bytes (models/vtd/format): root
// and scalable-mode context entries, PASID directory and PASID table entries, fault
// recording registers, page request descriptors, every invalidation-queue descriptor type
// (page group response included), capability registers and the register map.
//
// Properties:
//  * every decoder answers for any bits, and decode∘encode is a fixed point;
//  * the re-encoded words are the input with exactly the bits outside the record's fields
//    cleared (the field bit masks below are written from the layout tables in the headers'
//    comments, not from the Field constants), so a field at the wrong place or width shows;
//  * the validity check is consistent: reserved_set is true exactly when re-encoding loses
//    a bit (the root, context, PASID directory and PASID entries have no ignored bits);
//  * a record built from field values (trimmed to their widths) survives encode then decode;
//  * context_entry_pa, fault reasons, reg_name, make_cap / make_ecap / make_ver and
//    queue_entries agree with the layouts.
#include <cstring>

#include "fuzz/fuzz_input.h"
#include "models/vtd/format/descriptors.h"
#include "models/vtd/format/regs.h"
#include "models/vtd/format/tables.h"

using namespace iopf::vtd;

namespace {

// Bits [hi:lo] set.
constexpr uint64_t bits(unsigned hi, unsigned lo) {
    return (hi >= 63 ? ~0ull : ((1ull << (hi + 1)) - 1)) & ~((1ull << lo) - 1);
}
constexpr uint64_t bit(unsigned b) { return 1ull << b; }
uint64_t field(uint64_t w, unsigned hi, unsigned lo) { return (w & bits(hi, lo)) >> lo; }

// Field bits of each word of a record (everything else is reserved or ignored).
constexpr uint64_t kRoot[2] = {bit(0) | bits(63, 12), bit(0) | bits(63, 12)};
constexpr uint64_t kContext[4] = {bits(4, 0) | bits(11, 9) | bits(63, 12), bits(20, 0), 0, 0};
constexpr uint64_t kPasidDir = bits(1, 0) | bits(63, 12);
constexpr uint64_t kPasidEntry[8] = {bits(9, 0) | bits(63, 12), bits(15, 0) | bits(63, 23),
                                     bits(7, 0) | bits(63, 12), 0, 0, 0, 0, 0};
constexpr uint64_t kFrcd[2] = {bits(63, 12), bits(15, 0) | bits(63, 28)};
constexpr uint64_t kPageReq[4] = {bits(8, 0) | bits(53, 16), ~0ull, 0, 0};

// The field bits of an invalidation descriptor of `type` (the table in descriptors.h).
void inv_mask(uint8_t type, uint64_t m[2]) {
    const uint64_t t = bits(3, 0) | bits(11, 9);
    m[0] = t;
    m[1] = 0;
    switch (type) {
        case 0x1: m[0] |= bits(5, 4) | bits(31, 16) | bits(47, 32) | bits(49, 48); break;
        case 0x2:
            m[0] |= bits(5, 4) | bit(6) | bit(7) | bits(31, 16);
            m[1] = bits(5, 0) | bit(6) | bits(63, 12);
            break;
        case 0x3:
            m[0] |= bits(15, 12) | bits(20, 16) | bits(47, 32) | bits(63, 52);
            m[1] = bit(0) | bits(63, 12);
            break;
        case 0x5:
            m[0] |= bit(4) | bit(5) | bit(6) | bit(7) | bits(63, 32);
            m[1] = bits(63, 2);
            break;
        case 0x6:
            m[0] |= bits(5, 4) | bits(31, 16) | bits(51, 32);
            m[1] = bits(5, 0) | bit(6) | bits(63, 12);
            break;
        case 0x7: m[0] |= bits(5, 4) | bits(31, 16) | bits(51, 32); break;
        case 0x8:
            m[0] |= bits(8, 4) | bits(15, 12) | bits(31, 16) | bits(51, 32) | bits(63, 52);
            m[1] = bit(0) | bit(11) | bits(63, 12);
            break;
        case 0x9:
            m[0] |= bit(4) | bits(15, 12) | bits(31, 16) | bits(51, 32);
            m[1] = bit(2) | bits(11, 3);
            break;
        default: break;   // 0x4 (iec) and unknown types: the type only
    }
}

// Re-encoding keeps exactly the field bits; a second round changes nothing.
template <size_t N, class Decode, class Encode>
void check_record(const uint64_t (&raw)[N], const uint64_t (&mask)[N], Decode decode, Encode encode) {
    uint64_t a[N], b[N];
    encode(decode(raw), a);
    for (size_t i = 0; i < N; ++i) FUZZ_CHECK(a[i] == (raw[i] & mask[i]));
    encode(decode(a), b);
    FUZZ_CHECK(std::memcmp(a, b, sizeof a) == 0);
}

template <size_t N>
bool lossless(const uint64_t (&raw)[N], const uint64_t (&mask)[N]) {
    for (size_t i = 0; i < N; ++i)
        if (raw[i] & ~mask[i]) return false;
    return true;
}

// What decode(encode(d)) must give: the fields of d's type trimmed to their widths, every
// other field at its default.
InvDesc normalized(const InvDesc& d) {
    InvDesc n;
    n.type = d.type & 0x7f;
    switch (n.type) {
        case 0x1: n.g = d.g & 3; n.did = d.did; n.sid = d.sid; n.fm = d.fm & 3; break;
        case 0x2:
            n.g = d.g & 3; n.dw = d.dw; n.dr = d.dr; n.did = d.did;
            n.am = d.am & 0x3f; n.ih = d.ih; n.addr = d.addr & ~0xfffull;
            break;
        case 0x3:
            n.pfsid = d.pfsid; n.mip = d.mip & 0x1f; n.sid = d.sid; n.s = d.s;
            n.addr = d.addr & ~0xfffull;
            break;
        case 0x5:
            n.iflag = d.iflag; n.sw = d.sw; n.fn = d.fn; n.pd = d.pd; n.stdata = d.stdata;
            n.staddr = d.staddr & ~3ull;
            break;
        case 0x6:
            n.g = d.g & 3; n.did = d.did; n.pasid = d.pasid & 0xfffff; n.am = d.am & 0x3f;
            n.ih = d.ih; n.addr = d.addr & ~0xfffull;
            break;
        case 0x7: n.g = d.g & 3; n.did = d.did; n.pasid = d.pasid & 0xfffff; break;
        case 0x8:
            n.mip = d.mip & 0x1f; n.pfsid = d.pfsid; n.sid = d.sid; n.pasid = d.pasid & 0xfffff;
            n.glob = d.glob; n.s = d.s; n.addr = d.addr & ~0xfffull;
            break;
        case 0x9:
            n.pp = d.pp; n.rc = d.rc & 0xf; n.sid = d.sid; n.pasid = d.pasid & 0xfffff;
            n.lpig = d.lpig; n.prgi = d.prgi & 0x1ff;
            break;
        default: break;
    }
    return n;
}

bool same(const InvDesc& a, const InvDesc& b) {
    return a.type == b.type && a.g == b.g && a.did == b.did && a.sid == b.sid && a.fm == b.fm &&
           a.pasid == b.pasid && a.addr == b.addr && a.am == b.am && a.ih == b.ih && a.dw == b.dw &&
           a.dr == b.dr && a.pfsid == b.pfsid && a.mip == b.mip && a.s == b.s && a.glob == b.glob &&
           a.iflag == b.iflag && a.sw == b.sw && a.fn == b.fn && a.pd == b.pd &&
           a.stdata == b.stdata && a.staddr == b.staddr && a.pp == b.pp && a.rc == b.rc &&
           a.lpig == b.lpig && a.prgi == b.prgi;
}

struct NamedReg {
    uint32_t off;
    const char* name;
};
constexpr NamedReg kRegs[] = {
    {0x000, "VER_REG"},    {0x008, "CAP_REG"},    {0x010, "ECAP_REG"},    {0x018, "GCMD_REG"},
    {0x01C, "GSTS_REG"},   {0x020, "RTADDR_REG"}, {0x028, "CCMD_REG"},    {0x034, "FSTS_REG"},
    {0x038, "FECTL_REG"},  {0x03C, "FEDATA_REG"}, {0x040, "FEADDR_REG"},  {0x044, "FEUADDR_REG"},
    {0x080, "IQH_REG"},    {0x088, "IQT_REG"},    {0x090, "IQA_REG"},     {0x09C, "ICS_REG"},
    {0x0B0, "IQERCD_REG"}, {0x0C0, "PQH_REG"},    {0x0C8, "PQT_REG"},     {0x0D0, "PQA_REG"},
    {0x0DC, "PRS_REG"},    {0x0E0, "PECTL_REG"},  {0x0E4, "PEDATA_REG"},  {0x0E8, "PEADDR_REG"},
    {0x0EC, "PEUADDR_REG"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    iopf::fuzz::Input in(data, size);

    // ---- root entry
    uint64_t root[2] = {in.get<uint64_t>(), in.get<uint64_t>()};
    const RootEntry re = decode_root(root);
    check_record(root, kRoot, [](const uint64_t* w) { return decode_root(w); },
                 [](const RootEntry& r, uint64_t* w) { encode_root(r, w); });
    FUZZ_CHECK(re.reserved_set == !lossless(root, kRoot));
    FUZZ_CHECK(re.lp == bool(root[0] & 1) && re.up == bool(root[1] & 1));
    FUZZ_CHECK(re.lctp == (root[0] & bits(63, 12)) && re.uctp == (root[1] & bits(63, 12)));
    const uint8_t devfn = in.get<uint8_t>();
    const uint64_t cpa = context_entry_pa(re, devfn);
    if (devfn & 0x80 ? re.up : re.lp)
        FUZZ_CHECK(cpa == (devfn & 0x80 ? re.uctp : re.lctp) + 32ull * (devfn & 0x7f));
    else
        FUZZ_CHECK(cpa == 0);

    // ---- scalable-mode context entry
    uint64_t ctx[4];
    for (auto& w : ctx) w = in.get<uint64_t>();
    const ContextEntry ce = decode_context(ctx);
    check_record(ctx, kContext, [](const uint64_t* w) { return decode_context(w); },
                 [](const ContextEntry& c, uint64_t* w) { encode_context(c, w); });
    FUZZ_CHECK(ce.reserved_set == !lossless(ctx, kContext));
    FUZZ_CHECK(ce.pdts == field(ctx[0], 11, 9) && ce.rid_pasid == field(ctx[1], 19, 0));
    FUZZ_CHECK(ce.pasid_dir_entries() == (128ull << ce.pdts));

    // ---- PASID directory entry (one word)
    const uint64_t pde = in.get<uint64_t>();
    const PasidDirEntry de = decode_pasid_dir(pde);
    FUZZ_CHECK(encode_pasid_dir(de) == (pde & kPasidDir));
    FUZZ_CHECK(encode_pasid_dir(decode_pasid_dir(encode_pasid_dir(de))) == encode_pasid_dir(de));
    FUZZ_CHECK(de.reserved_set == ((pde & ~kPasidDir) != 0));
    const uint32_t pasid = in.get<uint32_t>() & 0xfffff;
    FUZZ_CHECK((pasid_dir_index(pasid) << 6 | pasid_table_index(pasid)) == pasid);
    FUZZ_CHECK(pasid_table_index(pasid) < 64 && pasid_dir_index(pasid) < (1u << 14));

    // ---- scalable-mode PASID table entry
    uint64_t pte[8];
    for (auto& w : pte) w = in.get<uint64_t>();
    const PasidEntry pe = decode_pasid_entry(pte);
    check_record(pte, kPasidEntry, [](const uint64_t* w) { return decode_pasid_entry(w); },
                 [](const PasidEntry& e, uint64_t* w) { encode_pasid_entry(e, w); });
    FUZZ_CHECK(pe.reserved_set == !lossless(pte, kPasidEntry));
    FUZZ_CHECK(pe.pgtt == field(pte[0], 8, 6) && pe.aw == field(pte[0], 4, 2));
    FUZZ_CHECK(pe.did == field(pte[1], 15, 0) && pe.pat == field(pte[1], 63, 32));
    FUZZ_CHECK(pe.emt == field(pte[1], 29, 27) && pe.fspm == field(pte[2], 3, 2));
    FUZZ_CHECK(pe.ssptptr == (pte[0] & bits(63, 12)) && pe.fsptptr == (pte[2] & bits(63, 12)));

    // ---- fault recording register
    uint64_t frcd[2] = {in.get<uint64_t>(), in.get<uint64_t>()};
    const FaultRecord fr = decode_frcd(frcd);
    check_record(frcd, kFrcd, [](const uint64_t* w) { return decode_frcd(w); },
                 [](const FaultRecord& r, uint64_t* w) { encode_frcd(r, w); });
    FUZZ_CHECK(unsigned(fr.type) == (field(frcd[1], 62, 62) << 1 | field(frcd[1], 28, 28)));
    FUZZ_CHECK(fr.fr == field(frcd[1], 39, 32) && fr.pv == field(frcd[1], 59, 40));
    FUZZ_CHECK(fr.sid == field(frcd[1], 15, 0) && fr.at == field(frcd[1], 61, 60));
    FUZZ_CHECK(!to_string(fr).empty());
    const auto xf = iopf::smmu::X86Fault(in.below(8));
    const uint8_t reason = fault_reason_for(xf);
    FUZZ_CHECK((reason == 0) == (xf == iopf::smmu::X86Fault::None));
    if (reason) FUZZ_CHECK(std::strcmp(fault_reason_name(reason), "UNKNOWN") != 0);
    FUZZ_CHECK(fault_reason_name(in.get<uint8_t>()) != nullptr);

    // ---- page request descriptor
    uint64_t prq[4];
    for (auto& w : prq) w = in.get<uint64_t>();
    const PageReqDesc pr = decode_page_req(prq);
    check_record(prq, kPageReq, [](const uint64_t* w) { return decode_page_req(w); },
                 [](const PageReqDesc& p, uint64_t* w) { encode_page_req(p, w); });
    FUZZ_CHECK(pr.is_stop_marker() == (pr.lpig && !pr.rdr && !pr.wrr));
    FUZZ_CHECK(pr.prgi == field(prq[1], 11, 3) && pr.pasid == field(prq[0], 51, 32));
    FUZZ_CHECK(!to_string(pr).empty());
    PageReqDesc p2;   // from field values
    p2.type = in.get<uint8_t>();
    p2.pp = in.flag(); p2.exr = in.flag(); p2.pmr = in.flag();
    p2.rdr = in.flag(); p2.wrr = in.flag(); p2.lpig = in.flag();
    p2.rid = in.get<uint16_t>();
    p2.pasid = in.get<uint32_t>() & 0xfffff;
    p2.prgi = in.get<uint16_t>() & 0x1ff;
    p2.addr = in.get<uint64_t>() & ~0xfffull;
    uint64_t pw[4];
    encode_page_req(p2, pw);
    const PageReqDesc p3 = decode_page_req(pw);
    FUZZ_CHECK(p3.type == p2.type && p3.pp == p2.pp && p3.exr == p2.exr && p3.pmr == p2.pmr &&
               p3.rdr == p2.rdr && p3.wrr == p2.wrr && p3.lpig == p2.lpig && p3.rid == p2.rid &&
               p3.pasid == p2.pasid && p3.prgi == p2.prgi && p3.addr == p2.addr);

    // ---- invalidation queue descriptors
    uint64_t inv[2] = {in.get<uint64_t>(), in.get<uint64_t>()};
    if (in.flag()) inv[0] = (inv[0] & ~bits(3, 0) & ~bits(11, 9)) | (1 + in.below(9));  // a known type
    const InvDesc d = decode_inv(inv);
    FUZZ_CHECK(d.type == (field(inv[0], 3, 0) | field(inv[0], 11, 9) << 4));
    uint64_t m[2];
    inv_mask(d.type, m);
    check_record(inv, m, [](const uint64_t* w) { return decode_inv(w); },
                 [](const InvDesc& x, uint64_t* w) { encode_inv(x, w); });
    const std::string ds = to_string(d);
    FUZZ_CHECK(ds.rfind(inv_type_name(d.type), 0) == 0);
    FUZZ_CHECK(resp_code_name(d.rc) != nullptr);
    InvDesc f;   // from field values, any widths
    f.type = in.flag() ? uint8_t(1 + in.below(9)) : uint8_t(in.get<uint8_t>() & 0x7f);   // 7-bit types
    f.g = in.get<uint8_t>(); f.did = in.get<uint16_t>(); f.sid = in.get<uint16_t>();
    f.fm = in.get<uint8_t>(); f.pasid = in.get<uint32_t>(); f.addr = in.get<uint64_t>();
    f.am = in.get<uint8_t>(); f.pfsid = in.get<uint16_t>(); f.mip = in.get<uint8_t>();
    f.stdata = in.get<uint32_t>(); f.staddr = in.get<uint64_t>(); f.rc = in.get<uint8_t>();
    f.prgi = in.get<uint16_t>();
    const uint16_t flags = in.get<uint16_t>();
    f.ih = flags & 1; f.dw = flags & 2; f.dr = flags & 4; f.s = flags & 8; f.glob = flags & 16;
    f.iflag = flags & 32; f.sw = flags & 64; f.fn = flags & 128; f.pd = flags & 256;
    f.pp = flags & 512; f.lpig = flags & 1024;
    uint64_t fw[2];
    encode_inv(f, fw);
    FUZZ_CHECK(same(decode_inv(fw), normalized(f)));

    // ---- registers
    const uint32_t fro = uint32_t(in.below(1024)) * 16;   // CAP_REG.FRO * 16
    const unsigned nfr = 1 + unsigned(in.below(256));
    const uint32_t off = in.get<uint16_t>() & 0x1fff;
    const char* name = reg_name(off, fro, nfr);
    const char* want = nullptr;
    for (const auto& r : kRegs)
        if (r.off == off) want = r.name;
    if (!want && off >= fro && off < fro + nfr * 16) want = "FRCD_REG";
    FUZZ_CHECK((name == nullptr) == (want == nullptr));
    if (name) FUZZ_CHECK(std::strcmp(name, want) == 0);

    Caps c;
    c.major = unsigned(in.below(16));
    c.minor = unsigned(in.below(16));
    c.nd = unsigned(in.below(8));
    c.sagaw = unsigned(in.below(32));
    c.mgaw = unsigned(in.below(64));
    c.frcd_offset = uint32_t(in.below(1024)) * 16;
    c.nfr = 1 + unsigned(in.below(256));
    c.iotlb_offset = uint32_t(in.below(1024)) * 16;
    c.pss = unsigned(in.below(32));
    const uint16_t cf = in.get<uint16_t>();
    c.fl1gp = cf & 1; c.fl5lp = cf & 2; c.dt = cf & 4; c.prs = cf & 8; c.ers = cf & 16;
    c.srs = cf & 32; c.pds = cf & 64;
    const uint32_t ver = make_ver(c);
    FUZZ_CHECK(ver == (c.major << 4 | c.minor));
    const uint64_t cap = make_cap(c);
    FUZZ_CHECK(field(cap, 2, 0) == c.nd && field(cap, 12, 8) == c.sagaw && field(cap, 21, 16) == c.mgaw);
    FUZZ_CHECK(field(cap, 33, 24) * 16 == c.frcd_offset && field(cap, 47, 40) + 1 == c.nfr);
    FUZZ_CHECK(field(cap, 56, 56) == c.fl1gp && field(cap, 60, 60) == c.fl5lp);
    FUZZ_CHECK(field(cap, 39, 39) == 1 && field(cap, 53, 48) == 18);   // PSI, MAMV
    FUZZ_CHECK((cap & ~(bits(2, 0) | bits(12, 8) | bits(21, 16) | bits(33, 24) | bit(39) | bits(47, 40) |
                        bits(53, 48) | bit(56) | bit(60))) == 0);
    const uint64_t ecap = make_ecap(c);
    FUZZ_CHECK(field(ecap, 17, 8) * 16 == c.iotlb_offset && field(ecap, 39, 35) == c.pss);
    FUZZ_CHECK(field(ecap, 2, 2) == c.dt && field(ecap, 29, 29) == c.prs && field(ecap, 30, 30) == c.ers &&
               field(ecap, 31, 31) == c.srs && field(ecap, 42, 42) == c.pds);
    const uint64_t always = bit(0) | bit(1) | bit(40) | bit(43) | bit(47) | bit(48);   // C QI PASID SMTS FSTS SMPWCS
    FUZZ_CHECK((ecap & always) == always);
    FUZZ_CHECK((ecap & ~(always | bit(2) | bits(17, 8) | bit(29) | bit(30) | bit(31) | bits(39, 35) | bit(42))) == 0);
    const unsigned qs = unsigned(in.below(8));
    const unsigned eb = in.flag() ? kInvDesc256Bytes : kInvDesc128Bytes;
    FUZZ_CHECK(queue_entries(qs, eb) * eb == (4096ull << qs));
    FUZZ_CHECK(queue_entries(qs, kPageReqDescBytes) * kPageReqDescBytes == (4096ull << qs));
    return 0;
}
