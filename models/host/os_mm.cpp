#include "models/host/os_mm.h"

#include <algorithm>
#include <vector>

#include "models/common/payload.h"
#include "models/common/units.h"

namespace iopf {

namespace {
constexpr uint64_t kPage = 4096;
}

const Vma* MmStruct::find_vma(uint64_t addr) const {
    for (const auto& v : vmas)
        if (addr >= v.start && addr < v.end) return &v;
    return nullptr;
}

OsMm::OsMm(sc_core::sc_module_name name, SimContext& ctx, ParamScope host, Cpu& cpu, HostBus& bus, PhysAlloc& tables)
    : sc_module(name), ctx_(ctx), cpu_(cpu), bus_(bus), tables_(tables) {
    ParamScope p = host.sub("mm");
    ParamScope up = p.sub("user_pool");
    const uint64_t ub = up.get_addr("base", 0xa0000000ull, {"DRAM the OS hands out as process pages", src::config});
    const uint64_t us = up.get_size("size", 1ull << 30, {"size of the user page pool", src::config});
    user_pool_ = std::make_unique<PhysAlloc>(ub, us, "user page pool");
    pgt_format_ = p.get_enum("pgtable_format", "vmsav8_64", {"vmsav8_64", "x86_64"},
                             {"CPU page-table format (the host architecture): vmsav8_64 for an Arm host "
                              "(SMMU SVA), x86_64 for an x86 host (VT-d first-stage SVA)", src::config}) == "x86_64"
                      ? PgtableFormat::x86_64 : PgtableFormat::vmsav8_64;
    zero_page_ = p.get_bool("zero_page", true, {"a read fault on anonymous memory maps the shared zero page (no allocation)", "Linux mm/memory.c do_anonymous_page(): a read fault maps the shared zero page unless mm_forbids_zeropage"});
    ParamScope c = p.sub("cost");
    fault_entry_ps_ = c.get_cost("fault_entry", 400000,
                                    {"handle_mm_fault entry: mmap lock, VMA walk, page-table lock, accounting", "assumed: mmap lock + VMA lookup + PTL a few hundred ns; checked: with page_alloc, the timed 4 KiB clear and the timed page-table accesses a first-touch write fault is ~2.1 us, in REFERENCE.md's ~2 us band (platforms/calib_mm_fault.json)"});
    alloc_ps_ = c.get_cost("page_alloc", 250000, {"allocating a page frame (buddy allocator, memcg charge)", "assumed: a buddy-allocator order-0 allocation plus memcg charge is a few hundred ns (Linux mm/page_alloc.c fast path)"});
    major_ps_ = c.get_cost("major_fault", 50000000, {"extra time of a major fault (file-backed page read from storage)", "assumed: a read from NVMe storage is tens of us (50 us), NP-RDMA arXiv 2310.11062 reports ~60 us for a major fault"});
    pgt_costs_.pte_write = c.get_cost("pte_write", 20000, {"software time per PTE written (beyond the memory write)", "assumed: a few tens of ns of set_pte_at bookkeeping per PTE beyond the memory write"});

    for (const auto& pn : host.children("processes", {"processes whose address spaces devices use through SVA", src::config})) {
        ParamScope ps = host.sub("processes").sub(pn);
        auto mm = std::make_unique<MmStruct>();
        mm->name = pn;
        mm->pasid = ps.get_uint("pasid", 1, "", {"PASID (SubstreamID) of the process's address space", src::config}, 1, 0xfffff);
        mm->asid = ps.get_uint("asid", 0, "", {"ASID of the process's page tables (0 or absent: the SMMU driver allocates one)", "Linux: arm_smmu_alloc_asid / iommu_sva_bind_device allocate the ASID; pinning one is a platform choice"}, 0, 0xffff);
        mm->exit_at_ps = ps.get_time_ps("exit_at", 0, {"time the process exits and its PASID is torn down (0 = never)", src::config});
        for (const auto& vn : ps.children("vmas", {"virtual memory areas of the process", src::config})) {
            ParamScope vs = ps.sub("vmas").sub(vn);
            Vma v;
            v.name = vn;
            v.start = vs.get_addr("start", 0, {"first address of the VMA", src::config});
            const uint64_t size = vs.get_size("size", kPage, {"size of the VMA", src::config});
            v.end = v.start + size;
            const std::string perm = vs.get_enum("perm", "rw", {"r", "rw", "rx", "rwx", "x", "none"}, {"VM_READ/VM_WRITE/VM_EXEC", src::config});
            v.read = perm.find('r') != std::string::npos;
            v.write = perm.find('w') != std::string::npos;
            v.exec = perm.find('x') != std::string::npos;
            v.file = vs.get_enum("backing", "anon", {"anon", "file"}, {"anonymous or file-backed (major fault on first touch)", src::config}) == "file";
            v.unmap_at_ps = vs.get_time_ps("unmap_at", 0, {"time the process munmaps this VMA (0 = never)", src::config});
            if ((v.start | size) & (kPage - 1) || size == 0 || (v.end - 1) >> IoPgtable::kVaBits)
                throw ConfigError("parameter '" + vs.prefix() + "': start and size must be 4 KiB aligned, non-empty, below 2^48");
            for (const auto& o : mm->vmas)
                if (v.start < o.end && o.start < v.end)
                    throw ConfigError("parameter '" + vs.prefix() + "': overlaps VMA '" + o.name + "'");
            mm->vmas.push_back(v);
        }
        for (const auto& o : mms_) {
            if (o->pasid == mm->pasid) throw ConfigError("parameter '" + ps.path("pasid") + "': PASID already used by '" + o->name + "'");
            if (mm->asid && o->asid == mm->asid) throw ConfigError("parameter '" + ps.path("asid") + "': ASID already used by '" + o->name + "'");
        }
        mms_.push_back(std::move(mm));
    }
    if (!mms_.empty()) zero_frame_ = user_pool_->alloc(kPage, kPage);   // fresh memory: reads as zero

    SC_HAS_PROCESS(OsMm);
    SC_THREAD(lifecycle);
    const std::string me = this->name();
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json procs = nlohmann::json::object();
        for (const auto& mm : mms_)
            procs[mm->name] = {{"pasid", mm->pasid}, {"asid", mm->asid}, {"faults", mm->faults},
                               {"spurious", mm->spurious}, {"zero_page_maps", mm->zero_maps}, {"cow", mm->cow},
                               {"pages_allocated", mm->allocs}, {"major", mm->major}, {"errors", mm->errors}};
        root["host"]["mm"] = {{"processes", procs}, {"frames_allocated", frames_}};
    });
}

MmStruct* OsMm::find_pasid(uint32_t pasid) {
    for (auto& mm : mms_)
        if (mm->pasid == pasid && mm->pasid_bound) return mm.get();
    return nullptr;
}

MmStruct* OsMm::find(const std::string& name) {
    for (auto& mm : mms_)
        if (mm->name == name) return mm.get();
    return nullptr;
}

void OsMm::init_tables() {
    for (auto& mm : mms_) {
        mm->pgd = std::make_unique<IoPgtable>(bus_, tables_, cpu_, pgt_costs_, pgt_format_);
        mm->pgd->ensure_root();
    }
    tables_ready_ = true;
    tables_ready_ev_.notify(sc_core::SC_ZERO_TIME);
}

bool OsMm::populate(MmStruct& mm, uint64_t page, bool write, bool cow) {
    if (!write && zero_page_ && !cow) {
        // Read of anonymous memory never written: map the shared zero page read-only.
        mm.pgd->map(page, zero_frame_, kPage, smmu::leaf_attrs_for(false, true, false));
        ++mm.zero_maps;
        return true;
    }
    uint64_t frame;
    try {
        frame = user_pool_->alloc(kPage, kPage);
    } catch (const std::exception&) {
        return false;   // VM_FAULT_OOM
    }
    cpu_.busy(alloc_ps_.sample(), "page_alloc");
    // clear_page() (or copy of the zero page for CoW): a timed 4 KiB write.
    static const std::vector<uint8_t> zeros(kPage, 0);
    bus_.write(frame, zeros.data(), kPage);
    if (cow) {
        // Break before make: clear the read-only zero-page PTE and flush it from every
        // TLB that may hold it (the MMU notifiers reach the SMMU), then map the copy.
        mm.pgd->unmap(page, kPage);
        for (auto& n : mm.notifiers) n(page, page + kPage);
        ++mm.cow;
    }
    const Vma* vma = mm.find_vma(page);
    mm.pgd->map(page, frame, kPage, smmu::leaf_attrs_for(vma && vma->write, true, vma && vma->exec));
    ++mm.allocs;
    ++frames_;
    return true;
}

bool OsMm::handle_mm_fault(MmStruct& mm, const Vma& vma, uint64_t addr, bool write) {
    Hold ptl(mm.ptl);
    ++mm.faults;
    cpu_.busy(fault_entry_ps_.sample(), "handle_mm_fault");
    const uint64_t page = addr & ~(kPage - 1);
    const uint64_t pte = mm.pgd->lookup(page);
    bool ok = true;
    if (pte) {
        const smmu::LeafAttrs a = smmu::decode_leaf_attrs(pte);
        const bool writable = !(a.ap & 0b10);
        if (!write || writable) {
            ++mm.spurious;   // someone else populated it meanwhile
        } else {
            ok = populate(mm, page, true, true);   // write to the zero page: copy on write
        }
    } else {
        if (vma.file) {
            ++mm.major;
            cpu_.busy(major_ps_.sample(), "major_fault");
        }
        ok = populate(mm, page, write || vma.file, false);
    }
    if (!ok) ++mm.errors;
    return ok;
}

void OsMm::munmap(MmStruct& mm, const std::string& vma_name) {
    auto it = std::find_if(mm.vmas.begin(), mm.vmas.end(), [&](const Vma& v) { return v.name == vma_name; });
    if (it == mm.vmas.end()) return;
    const Vma v = *it;
    mm.vmas.erase(it);
    {
        Hold ptl(mm.ptl);
        mm.pgd->unmap(v.start, v.end - v.start);
    }
    for (auto& n : mm.notifiers) n(v.start, v.end);
    ctx_.log.info(std::string(name()) + ": " + mm.name + " munmap " + v.name + " [" + hex(v.start) + ", " + hex(v.end) + ")");
}

void OsMm::lifecycle() {
    if (!tables_ready_) wait(tables_ready_ev_);
    struct Ev { uint64_t t; MmStruct* mm; std::string vma; };   // vma empty = exit
    std::vector<Ev> evs;
    for (auto& mm : mms_) {
        for (const auto& v : mm->vmas)
            if (v.unmap_at_ps) evs.push_back({v.unmap_at_ps, mm.get(), v.name});
        if (mm->exit_at_ps) evs.push_back({mm->exit_at_ps, mm.get(), ""});
    }
    std::stable_sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) { return a.t < b.t; });
    for (const auto& e : evs) {
        if (now_ps() < e.t) wait(ps(e.t - now_ps()));
        OnCore core(cpu_);
        if (!e.vma.empty()) munmap(*e.mm, e.vma);
        else if (on_exit) on_exit(*e.mm);
    }
}

}  // namespace iopf
