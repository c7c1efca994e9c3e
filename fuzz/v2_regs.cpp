// SMMU-500 (SMMUv2) register formats from arbitrary words: every decoder answers, and
// decode∘encode is a fixed point for SMR, S2CR, CBAR, CBA2R, SCTLR, FSYNR0, TCR, TCR2, TTBR.
#include "fuzz/fuzz_input.h"
#include "models/smmu/v2/format/regs.h"

using namespace iopf::smmu::v2;

template <class W, class Decode, class Encode>
static void fixed_point(W raw, Decode decode, Encode encode) {
    const W a = encode(decode(raw));
    FUZZ_CHECK(encode(decode(a)) == a);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    iopf::fuzz::Input in(data, size);
    (void)decode_id(in.get<uint32_t>(), in.get<uint32_t>(), in.get<uint32_t>());
    fixed_point(in.get<uint32_t>(), decode_smr, encode_smr);
    fixed_point(in.get<uint32_t>(), decode_s2cr, encode_s2cr);
    fixed_point(in.get<uint32_t>(), decode_cbar, encode_cbar);
    fixed_point(in.get<uint32_t>(), decode_cba2r, encode_cba2r);
    fixed_point(in.get<uint32_t>(), decode_sctlr, encode_sctlr);
    fixed_point(in.get<uint32_t>(), decode_fsynr0, encode_fsynr0);
    fixed_point(in.get<uint32_t>(), decode_tcr, encode_tcr);
    fixed_point(in.get<uint32_t>(), decode_tcr2, encode_tcr2);
    fixed_point(in.get<uint64_t>(), decode_ttbr, encode_ttbr);
    (void)encode_tlbiva(in.get<uint16_t>(), in.get<uint64_t>());
    return 0;
}
