#include "models/host/hypervisor.h"

#include "models/common/payload.h"
#include "models/common/units.h"
#include "models/host/smmu_v3_driver.h"
#include "models/smmu/stage2.h"
#include "models/smmu/v3/format/cd.h"
#include "models/smmu/v3/format/command.h"

namespace iopf {

namespace v3 = smmu::v3;

namespace {
constexpr uint64_t kPage = 4096;
inline unsigned shift_of(unsigned level) { return 12 + 9 * (3 - level); }
}  // namespace

Hypervisor::Hypervisor(sc_core::sc_module_name name, SimContext& ctx, ParamScope host, Cpu& cpu, HostBus& bus,
                       PhysAlloc& pool, OsMm& mm)
    : sc_module(name), ctx_(ctx), cpu_(cpu), bus_(bus), pool_(pool), mm_(mm) {
    ParamScope hp = host.sub("hypervisor");
    s2_fault_ps_ = hp.get_time_ps("s2_fault", 500000,
                                  {"host software time for a stage-2 fault beyond handle_mm_fault (memslot lookup, gfn to pfn, mmu lock)",
                                   "assumed: KVM-like stage-2 fault handling costs well under 1 us beyond the mm fault itself"});
    pgt_costs_.pte_write = hp.get_cost("pte_write", 20000, {"software time per stage-2 or guest descriptor written", "assumed: a few tens of ns of bookkeeping per descriptor, as the SMMU driver's pte_write"});
    for (const auto& vn : host.children("vms", {"virtual machines: guest memory backed by a VMM process's VMA", src::config})) {
        ParamScope vs = host.sub("vms").sub(vn);
        auto vm = std::make_unique<Vm>();
        vm->name = vn;
        vm->vmid = uint16_t(vs.get_uint("vmid", 1, "", {"VMID tagging the VM's stage-2 and nested TLB entries", src::config}, 1, 255));
        vm->vmm = vs.get_string("vmm", "", {"VMM process whose VMA backs guest RAM", src::config});
        vm->vma = vs.get_string("vma", "guest_ram", {"name of that VMA", src::config});
        vm->ipa_base = vs.get_addr("ipa_base", 0x40000000ull, {"IPA of the first byte of guest RAM", "assumed: 1 GiB, where QEMU's Arm virt machine puts guest RAM (hw/arm/virt.c VIRT_MEM)"});
        vm->size = vs.get_size("size", 64ull << 20, {"guest RAM size", src::config});
        vm->prefault = vs.get_size("prefault", 0, {"guest RAM backed at boot, from ipa_base (the rest faults at stage 2)", "assumed: none, so every first touch shows a stage-2 fault (a VMM without -mem-prealloc)"});
        vm->back_guest_tables = vs.get_bool("back_guest_tables", true,
                                            {"the guest's CD and stage-1 table pages are backed at stage 2 at attach", "assumed: on, as a VMM that pins or pre-touches the guest's table pages; off shows stage-2 faults on table walks"});
        vm->guest_asid = uint16_t(vs.get_uint("guest_asid", 1, "", {"ASID of the guest's stage-1 context", src::config}, 0, 0xffff));
        for (const auto& mn : vs.children("guest_mappings", {"the guest's stage-1 mappings: device VA -> IPA", src::config})) {
            ParamScope ms = vs.sub("guest_mappings").sub(mn);
            GuestMapping g;
            g.name = mn;
            g.va = ms.get_addr("va", 0, {"device virtual address", src::config});
            g.ipa = ms.get_addr("ipa", 0, {"guest-physical address", src::config});
            g.size = ms.get_size("size", kPage, {"size of the mapping in bytes", src::config});
            const std::string perm = ms.get_enum("perm", "rw", {"r", "rw", "rx", "rwx"}, {"guest stage-1 permission", src::config});
            g.write = perm.find('w') != std::string::npos;
            g.exec = perm.find('x') != std::string::npos;
            if ((g.va | g.ipa | g.size) & (kPage - 1) || g.size == 0 || g.ipa < vm->ipa_base ||
                g.ipa + g.size > vm->ipa_base + vm->size)
                throw ConfigError("parameter '" + ms.prefix() + "': va/ipa/size must be 4 KiB aligned and inside guest RAM");
            vm->guest_mappings.push_back(g);
        }
        ParamScope us = vs.sub("unmap");
        vm->unmap_at_ps = us.get_time_ps("at", 0, {"time the host takes guest memory away (0 = never)", src::config});
        vm->unmap_ipa = us.get_addr("ipa", vm->ipa_base, {"first IPA unmapped", src::config});
        vm->unmap_size = us.get_size("size", 0, {"bytes unmapped at stage 2", src::config});
        if (!mm_.find(vm->vmm))
            throw ConfigError("parameter '" + vs.path("vmm") + "': no process named '" + vm->vmm + "'");
        for (const auto& o : vms_)
            if (o->vmid == vm->vmid) throw ConfigError("parameter '" + vs.path("vmid") + "': VMID already used");
        ctx.faults.name_vm(vm->vmid, vm->name);
        vms_.push_back(std::move(vm));
    }
    ctx.stats.add([this](nlohmann::json& root) {
        for (const auto& vm : vms_)
            root["host"]["hypervisor"][vm->name] = {
                {"vmid", vm->vmid}, {"s2_faults", vm->s2_faults}, {"s2_pages_installed", vm->s2_pages_installed},
                {"backing_faults", vm->backing_faults}, {"s2_pages_unmapped", vm->s2_unmapped},
                {"invalid", vm->invalid}};
    });
    SC_HAS_PROCESS(Hypervisor);
    SC_THREAD(lifecycle);
}

Vm* Hypervisor::find(const std::string& name) const {
    for (const auto& v : vms_)
        if (v->name == name) return v.get();
    return nullptr;
}

Vm* Hypervisor::find_vmid(uint16_t vmid) const {
    for (const auto& v : vms_)
        if (v->vmid == vmid) return v.get();
    return nullptr;
}

uint16_t Hypervisor::vmid_of(const std::string& vm) const {
    const Vm* v = find(vm);
    return v ? v->vmid : 0;
}

uint64_t Hypervisor::back_page(Vm& vm, uint64_t ipa, bool count) {
    MmStruct* vmm = mm_.find(vm.vmm);
    const Vma* area = nullptr;
    for (const auto& a : vmm->vmas)
        if (a.name == vm.vma) area = &a;
    if (!area) return 0;
    const uint64_t hva = area->start + (ipa - vm.ipa_base);
    if (hva >= area->end) return 0;
    const Vma copy = *area;
    uint64_t pte = vmm->pgd->lookup(hva);
    // KVM maps guest memory writable for device access: a missing or read-only (zero page)
    // host PTE is faulted in as a write.
    if (!(pte & 1) || (pte & (uint64_t(1) << 7))) {
        if (count) ++vm.backing_faults;
        if (!mm_.handle_mm_fault(*vmm, copy, hva, copy.write)) return 0;
        pte = vmm->pgd->lookup(hva);
        if (!(pte & 1)) return 0;
    }
    const uint64_t pa = pte & smmu::vmsa::kOaMask;
    if (vm.s2->map_desc(ipa, smmu::make_s2_page_desc(pa, smmu::s2_attrs_for(copy.read, copy.write, copy.exec))))
        ++vm.s2_pages_installed;
    return pa;
}

uint64_t Hypervisor::ipa_to_pa(Vm& vm, uint64_t ipa) {
    const uint64_t d = vm.s2->lookup(ipa & ~(kPage - 1));
    if (!(d & 1)) return 0;
    return (d & smmu::vmsa::kOaMask) | (ipa & (kPage - 1));
}

uint64_t Hypervisor::guest_table(Vm& vm) {
    vm.next_table_ipa -= kPage;
    const uint64_t ipa = vm.next_table_ipa;
    const uint64_t pa = back_page(vm, ipa, false);
    if (!pa) throw ConfigError("hypervisor: guest " + vm.name + ": cannot back guest table page " + hex(ipa));
    std::vector<uint8_t> zero(kPage, 0);
    bus_.write(pa, zero.data(), kPage);
    return ipa;
}

void Hypervisor::guest_write64(Vm& vm, uint64_t ipa, uint64_t v) {
    bus_.write64(ipa_to_pa(vm, ipa), v);
    cpu_.busy(pgt_costs_.pte_write.sample(), "guest_pte_write");
}

uint64_t Hypervisor::guest_read64(Vm& vm, uint64_t ipa) { return bus_.read64(ipa_to_pa(vm, ipa)); }

void Hypervisor::guest_map(Vm& vm, const GuestMapping& m) {
    const smmu::LeafAttrs attrs = smmu::leaf_attrs_for(m.write, true, m.exec);
    for (uint64_t off = 0; off < m.size; off += kPage) {
        const uint64_t va = m.va + off;
        uint64_t table = vm.guest_s1_root;
        for (unsigned l = 0; l < 3; ++l) {
            const uint64_t slot = table + ((va >> shift_of(l)) & 0x1ff) * 8;
            uint64_t d = guest_read64(vm, slot);
            if (!(d & 1)) {
                d = smmu::make_table_desc(guest_table(vm));
                guest_write64(vm, slot, d);
            }
            table = d & smmu::vmsa::kOaMask;
        }
        guest_write64(vm, table + ((va >> 12) & 0x1ff) * 8, smmu::make_page_desc(m.ipa + off, attrs));
    }
}

void Hypervisor::build(Vm& vm) {
    // Stage-2 root, the prefaulted part of guest RAM, then the static guest: its stage-1
    // tables and CD in guest memory (the top pages of guest RAM).
    vm.s2 = std::make_unique<IoPgtable>(bus_, pool_, cpu_, pgt_costs_);
    vm.s2->ensure_root();
    for (uint64_t off = 0; off < vm.prefault && off < vm.size; off += kPage) back_page(vm, vm.ipa_base + off, false);
    vm.next_table_ipa = vm.ipa_base + vm.size;
    std::vector<uint64_t> table_pages;
    vm.guest_cd_ipa = guest_table(vm);
    table_pages.push_back(vm.guest_cd_ipa);
    vm.guest_s1_root = guest_table(vm);
    const uint64_t first_table = vm.next_table_ipa;
    for (const auto& m : vm.guest_mappings) guest_map(vm, m);
    for (uint64_t t = vm.next_table_ipa; t <= first_table; t += kPage) table_pages.push_back(t);
    v3::Cd cd;
    cd.v = true;
    cd.t0sz = IoPgtable::kT0sz;
    cd.tg0 = v3::tg0_from_granule_shift(12);
    cd.epd1 = true;
    cd.t1sz = IoPgtable::kT0sz;
    cd.tg1 = v3::tg1_from_granule_shift(12);
    cd.ips = v3::oas_field_from_bits(48);
    cd.aa64 = true;
    cd.asid = vm.guest_asid;
    cd.ttb0 = vm.guest_s1_root;   // an IPA
    cd.r = true;
    cd.a = true;
    cd.mair = 0x0000000000ff04ull;
    uint64_t w[8];
    v3::encode_cd(cd, w);
    for (int i = 7; i >= 0; --i) guest_write64(vm, vm.guest_cd_ipa + 8 * i, w[i]);
    if (!vm.back_guest_tables) {
        // The pages stay in the VMM; only their stage-2 mappings go (the SMMU has not seen
        // them yet): the first walks fault at stage 2 with CLASS CD and TT.
        for (uint64_t t : table_pages) vm.s2->unmap(t, kPage);
    }
    vm.built = true;
}

void Hypervisor::prepare_stream(const std::string& name, bool nested, v3::Ste& ste, SmmuV3Driver* driver,
                                unsigned oas_bits) {
    Vm* vm = find(name);
    if (!vm) throw ConfigError("hypervisor: no VM named '" + name + "'");
    if (!vm->built) build(*vm);
    vm->driver = driver;
    vm->nested_streams |= nested;
    ste.s2vmid = vm->vmid;
    ste.s2t0sz = IoPgtable::kT0sz;   // 48-bit IPA
    ste.s2sl0 = 2;                   // start at level 0
    ste.s2tg = 0;                    // 4 KiB
    ste.s2ps = uint8_t(v3::oas_field_from_bits(oas_bits));
    ste.s2aa64 = true;
    ste.s2r = true;
    ste.s2ttb = vm->s2->ttb();
    if (nested) {
        ste.s1fmt = v3::s1fmt::LINEAR;
        ste.s1_context_ptr = vm->guest_cd_ipa;   // an IPA: fetched through stage 2
        ste.s1cdmax = 0;
    }
}

PageResponse Hypervisor::handle_s2_fault(const IopfFault& f) {
    Vm* vm = find_vmid(f.vmid);
    cpu_.busy(s2_fault_ps_, "kvm_s2_fault");
    if (!vm || !vm->built) return PageResponse::invalid;
    ++vm->s2_faults;
    const uint64_t ipa = f.addr & ~(kPage - 1);
    if (ipa < vm->ipa_base || ipa >= vm->ipa_base + vm->size) { ++vm->invalid; return PageResponse::invalid; }
    if (ipa_to_pa(*vm, ipa)) return PageResponse::success;   // installed meanwhile
    if (!back_page(*vm, ipa, true)) { ++vm->invalid; return PageResponse::invalid; }
    return PageResponse::success;
}

void Hypervisor::lifecycle() {
    for (auto& vmp : vms_) {
        Vm& vm = *vmp;
        if (!vm.unmap_at_ps || !vm.unmap_size) continue;
        const uint64_t now = now_ps();
        if (vm.unmap_at_ps > now) wait(sc_core::sc_time::from_value(vm.unmap_at_ps - now));
        if (!vm.built || !vm.driver) continue;
        OnCore core(cpu_);
        // Take the pages away at stage 2, then CMD_TLBI_S2_IPA per page (the stage-2-only
        // entries) and, when nested streams use the VMID, CMD_TLBI_S12_VMALL (their combined
        // entries), and CMD_SYNC.
        std::vector<v3::Command> cmds;
        std::vector<uint64_t> frames;   // what the removed entries pointed at (isolation monitor)
        for (uint64_t off = 0; off < vm.unmap_size; off += kPage) {
            const uint64_t ipa = vm.unmap_ipa + off;
            if (vm.s2->unmap(ipa, kPage, &frames)) {
                ++vm.s2_unmapped;
                cmds.push_back(v3::cmd_tlbi_s2_ipa(vm.vmid, ipa, true));
            }
        }
        if (vm.nested_streams) cmds.push_back(v3::cmd_tlbi_s12_vmall(vm.vmid));
        if (!cmds.empty()) vm.driver->submit(cmds, true);
        // Invalidated and synced: the frames are no longer the VM's to reach.
        if (ctx_.isolation)
            for (uint64_t pa : frames) ctx_.isolation->revoke_pa(vm.driver->smmu_name(), uint16_t(vm.vmid), pa, now_ps());
        ctx_.log.info(std::string(name()) + ": " + vm.name + ": " + std::to_string(vm.s2_unmapped) +
                      " guest page(s) unmapped at stage 2");
    }
}

}  // namespace iopf
