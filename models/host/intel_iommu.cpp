#include "models/host/intel_iommu.h"

#include <algorithm>
#include <vector>

#include "models/common/payload.h"
#include "models/common/units.h"
#include "models/devices/format/pcie_config.h"
#include "models/host/stream_attach.h"   // pcie_cfg: the function's config-space layout
#include "models/vtd/format/regs.h"
#include "models/vtd/format/tables.h"

namespace iopf {

using namespace vtd;

IntelIommuDriver::IntelIommuDriver(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, Cpu& cpu,
                                   HostBus& bus, IrqController& irqc, PhysAlloc& pool, VtdFirmware fw,
                                   std::vector<StreamAttach> streams, OsMm* mm, IopfQueue* iopf)
    : sc_module(name), ctx_(ctx), cpu_(cpu), bus_(bus), irqc_(irqc), pool_(pool), fw_(std::move(fw)),
      streams_(std::move(streams)), mm_(mm), iopf_(iopf) {
    prq_order_ = unsigned(p.get_uint("prq_order", 0, "log2 pages",
                                     {"page request queue size: 2^order 4 KiB pages of 32-byte descriptors (0 = 128 entries)",
                                      "assumed: one page (128 descriptors), small enough that overflow scenarios stay short; Linux intel/prq.c uses PRQ_ORDER 4 (16 pages)"}, 0, 7));
    iq_order_ = unsigned(p.get_uint("iq_order", 0, "log2 pages", {"invalidation queue size (2^order 4 KiB pages)", "assumed: one 4 KiB page, as Linux intel/dmar.c allocates the invalidation queue (order 0 in older kernels)"}, 0, 7));
    unbind_dev_tlb_inv_ = p.get_bool("unbind_dev_tlb_inv", true,
                                     {"process exit: invalidate the device TLB of the torn-down PASID (false reproduces a stale-ATC isolation escape, for testing the monitor)",
                                      "Linux drivers/iommu/intel/pasid.c intel_pasid_tear_down_entry(): devtlb_invalidation_with_pasid()"});
    ParamScope c = p.sub("cost");
    cost_mmio_setup_ps_ = c.get_time_ps("mmio_setup", 200000, {"software around each register programming step at init", "assumed: a few hundred ns of driver code around each uncached register write, as the SMMU drivers"});
    cost_desc_ps_ = c.get_time_ps("descriptor", 60000, {"building and queueing one invalidation descriptor (qi_submit_sync)", "assumed: tens of ns to build a descriptor and advance IQT, as the SMMUv3 driver's command build"});
    cost_prq_ps_ = c.get_time_ps("prq_entry", 120000, {"prq_event_thread: decoding one page request, device lookup", "assumed: ~100 ns to decode a descriptor and look up the device (intel/prq.c), as the SMMUv3 event decode"});
    cost_poll_ps_ = c.get_time_ps("poll", 50000, {"one poll iteration (GSTS, wait-descriptor status)", "assumed: one uncached register or status-word read, tens of ns"});
    cost_attach_ps_ = c.get_time_ps("attach", 2000000, {"attaching a device (context / PASID entries, domain setup)", "assumed: a few us of domain and PASID-table setup at attach; only moves the start of the run"});
    cost_fault_ps_ = c.get_time_ps("fault_record", 300000, {"dmar_fault(): reading and clearing one fault record", "assumed: a few uncached register reads and writes plus a log line, a few hundred ns"});
    poll_limit_ = p.get_uint("poll_limit", 100000, "polls", {"give up waiting for the hardware after this many polls", "assumed: Linux intel/dmar.c waits up to DMAR_OPERATION_TIMEOUT (several seconds); 100000 polls is enough to flag a hang"});
    pgt_costs_.pte_write = c.get_cost("pte_write", 20000, {"software time per PTE written (IOVA tables)", "assumed: a few tens of ns of bookkeeping per descriptor, as the SMMU driver's pte_write"});

    bool sva = false;
    for (const auto& s : streams_) sva |= !s.sva.empty();
    if (sva && mm_ && mm_->pgtable_format() != PgtableFormat::x86_64)
        throw ConfigError("parameter 'host.mm.pgtable_format': SVA behind VT-d (" + fw_.name +
                          ") walks x86-64 CPU page tables; set it to \"x86_64\"");

    SC_HAS_PROCESS(IntelIommuDriver);
    SC_THREAD(probe);

    const std::string me = this->name();
    ctx.stats.add([this, me](nlohmann::json& root) {
        root["host"]["iommu_drivers"][me] = {
            {"compatible", "intel,vtd"}, {"ready", ready_}, {"descriptors_submitted", descs_submitted_},
            {"waits", waits_}, {"page_requests_handled", prq_handled_}, {"stop_markers_discarded", stop_markers_},
            {"prq_overflows", prq_overflows_}, {"bad_page_requests", bad_requests_},
            {"page_responses_sent", page_responses_}, {"failure_responses", failure_responses_},
            {"faults_handled", faults_handled_}, {"fault_irqs", fault_irqs_}, {"prq_irqs", prq_irqs_},
            {"dev_tlb_invalidations", dev_tlb_invs_}};
    });
}

void IntelIommuDriver::poll_until(uint32_t off, uint32_t mask, uint32_t value, const char* what) {
    for (uint64_t i = 0; i < poll_limit_; ++i) {
        if ((rd(off) & mask) == value) return;
        cost(cost_poll_ps_, "poll");
    }
    ctx_.log.warn(std::string(name()) + ": timed out waiting for " + what);
}

void IntelIommuDriver::set_gcmd(uint32_t bit, bool on, uint32_t status_bit, const char* what) {
    // GCMD_REG is written with the shadow of the persistent bits plus the change; GSTS_REG
    // reports completion (IOMMU_WAIT_OP).
    if (on) gcmd_ |= bit;
    else gcmd_ &= ~bit;
    wr(reg::GCMD, gcmd_);
    poll_until(reg::GSTS, status_bit, on ? status_bit : 0, what);
}

void IntelIommuDriver::submit(const std::vector<InvDesc>& descs) {
    // qi_submit_sync(): the descriptors, then an inv_wait_dsc whose status write tells
    // software they have all completed; software polls the status word.
    Hold lock(qi_lock_);
    auto put = [&](const InvDesc& d) {
        while ((iq_tail_ + kInvDesc256Bytes) % iq_size_ == (rd64(reg::IQH) & iq_f::QHT.mask())) {
            wr64(reg::IQT, iq_tail_);   // queue full: let the hardware drain what is queued
            cost(cost_poll_ps_, "qi_full");
        }
        uint64_t w[4] = {0, 0, 0, 0};
        encode_inv(d, w);
        bus_.write(iq_ + iq_tail_, reinterpret_cast<const uint8_t*>(w), kInvDesc256Bytes);
        iq_tail_ = (iq_tail_ + kInvDesc256Bytes) % iq_size_;
        cost(cost_desc_ps_, "qi_desc");
        ++descs_submitted_;
    };
    for (const auto& d : descs) put(d);
    InvDesc w;
    w.type = uint8_t(InvType::WAIT);
    w.sw = true;
    w.fn = true;
    w.stdata = ++wait_seq_;
    w.staddr = status_;
    put(w);
    ++waits_;
    wr64(reg::IQT, iq_tail_);
    for (uint64_t i = 0; i < poll_limit_; ++i) {
        if (bus_.read32(status_) == wait_seq_) return;
        cost(cost_poll_ps_, "qi_wait");
    }
    ctx_.log.warn(std::string(name()) + ": invalidation wait descriptor timed out");
}

uint64_t IntelIommuDriver::context_table(uint8_t bus, bool upper) {
    const uint32_t key = (uint32_t(bus) << 1) | upper;
    auto it = context_tables_.find(key);
    if (it != context_tables_.end()) return it->second;
    const uint64_t t = pool_.alloc(4096, 4096);
    std::vector<uint8_t> zero(4096, 0);
    bus_.write(t, zero.data(), 4096);
    context_tables_[key] = t;
    // The scalable-mode root entry: LCTP (devfn 0-127) and UCTP (devfn 128-255).
    uint64_t rw[2];
    bus_.read(root_ + uint64_t(bus) * kRootEntryBytes, reinterpret_cast<uint8_t*>(rw), 16);
    RootEntry re = decode_root(rw);
    if (upper) { re.up = true; re.uctp = t; }
    else { re.lp = true; re.lctp = t; }
    encode_root(re, rw);
    bus_.write(root_ + uint64_t(bus) * kRootEntryBytes, reinterpret_cast<const uint8_t*>(rw), 16);
    return t;
}

void IntelIommuDriver::probe() {
    if (mm_ && !mm_->tables_ready()) wait(mm_->tables_ready_event());
    OnCore core(cpu_);
    cost(cost_mmio_setup_ps_, "vtd_init");
    const uint32_t ver = rd(reg::VER);
    cap_ = rd64(reg::CAP);
    ecap_ = rd64(reg::ECAP);
    frcd_offset_ = uint32_t(cap_f::FRO.get(cap_) * 16);
    nfr_ = unsigned(cap_f::NFR.get(cap_) + 1);
    if (!ecap_f::SMTS.get(ecap_) || !ecap_f::QI.get(ecap_) || !ecap_f::FSTS.get(ecap_))
        throw ConfigError(std::string(name()) + ": the remapping unit lacks scalable mode, queued invalidation or "
                                                "first-stage translation (ECAP_REG.SMTS/QI/FSTS)");

    // Queued invalidation with 256-bit descriptors (__dmar_enable_qi).
    iq_size_ = uint64_t(4096) << iq_order_;
    iq_ = pool_.alloc(iq_size_, 4096);
    {
        std::vector<uint8_t> zero(iq_size_, 0);
        bus_.write(iq_, zero.data(), unsigned(iq_size_));
    }
    status_ = pool_.alloc(64, 64);
    bus_.write64(status_, 0);
    iq_tail_ = 0;
    wr64(reg::IQT, 0);
    wr64(reg::IQA, iq_ | iqa_f::DW.make(1) | iqa_f::QS.make(iq_order_));
    set_gcmd(gcmd::QIE, true, gsts::QIES, "GSTS.QIES");

    // Scalable-mode root table (iommu_set_root_entry): RTADDR with TTM = 01b, then SRTP.
    root_ = pool_.alloc(4096, 4096);
    {
        std::vector<uint8_t> zero(4096, 0);
        bus_.write(root_, zero.data(), 4096);
    }
    wr64(reg::RTADDR, root_ | rtaddr_f::TTM.make(uint64_t(Ttm::Scalable)));
    wr(reg::GCMD, gcmd_ | gcmd::SRTP);
    poll_until(reg::GSTS, gsts::RTPS, gsts::RTPS, "GSTS.RTPS");
    {
        // iommu_flush_all(): context cache, PASID cache and IOTLB, globally.
        InvDesc cc, pc, io;
        cc.type = uint8_t(InvType::CC);
        cc.g = gran::CC_GLOBAL;
        pc.type = uint8_t(InvType::PC);
        pc.g = gran::PC_GLOBAL;
        io.type = uint8_t(InvType::IOTLB);
        io.g = gran::IOTLB_GLOBAL;
        io.dr = io.dw = true;
        submit({cc, pc, io});
    }

    // Fault event interrupt (dmar_set_interrupt): an MSI to the interrupt controller.
    const unsigned fault_irq = fw_.fault_irq, prq_irq = fw_.prq_irq;
    irqc_.request_threaded_irq(fault_irq, std::string(basename()) + ".fault", [this](uint64_t t) { fault_handler(t); });
    wr(reg::FEDATA, fault_irq);
    wr(reg::FEADDR, uint32_t(irqc_.doorbell_address()));
    wr(reg::FEUADDR, uint32_t(irqc_.doorbell_address() >> 32));
    wr(reg::FECTL, 0);   // unmask
    cost(cost_mmio_setup_ps_, "vtd_init");

    // Page request queue (intel_iommu_enable_prq) and its threaded interrupt.
    if (ecap_f::PRS.get(ecap_)) {
        prq_size_ = uint64_t(4096) << prq_order_;
        prq_ = pool_.alloc(prq_size_, 4096);
        std::vector<uint8_t> zero(prq_size_, 0);
        bus_.write(prq_, zero.data(), unsigned(prq_size_));
        irqc_.request_threaded_irq(prq_irq, std::string(basename()) + ".prq", [this](uint64_t t) { prq_handler(t); });
        wr64(reg::PQH, 0);
        wr64(reg::PQT, 0);
        wr64(reg::PQA, prq_ | pqa_f::PQS.make(prq_order_));
        wr(reg::PEDATA, prq_irq);
        wr(reg::PEADDR, uint32_t(irqc_.doorbell_address()));
        wr(reg::PEUADDR, uint32_t(irqc_.doorbell_address() >> 32));
        wr(reg::PECTL, 0);
    }

    for (const auto& s : streams_) attach(s);
    set_gcmd(gcmd::TE, true, gsts::TES, "GSTS.TES");
    ready_ = true;
    ready_ev_.notify(sc_core::SC_ZERO_TIME);
    ctx_.log.info(std::string(name()) + ": VT-d " + std::to_string(ver_f::MAX.get(ver)) + "." +
                  std::to_string(ver_f::MIN.get(ver)) + " ready (scalable mode), " + std::to_string(streams_.size()) +
                  " device(s) attached");
    for (const auto& s : streams_)
        if (s.bus_master.present()) s.bus_master.enable(bus_);
}

void IntelIommuDriver::attach(const StreamAttach& s) {
    if (s.config == StreamAttach::Config::detached) return;   // context entry left not present
    cost(cost_attach_ps_, "attach");
    const uint16_t rid = uint16_t(s.sid);
    Bound& b = bound_[rid];
    b.attach = &s;

    // PASID directory: 512 entries (PDTS = 2) cover PASIDs below 32768.
    constexpr uint8_t kPdts = 2;
    b.pasid_dir = pool_.alloc(4096, 4096);
    {
        std::vector<uint8_t> zero(4096, 0);
        bus_.write(b.pasid_dir, zero.data(), 4096);
    }
    auto pasid_entry_pa = [&](uint32_t pasid) {
        const uint32_t di = pasid_dir_index(pasid);
        if (di >= (1u << (kPdts + 7)))
            throw ConfigError(s.device + ": PASID " + std::to_string(pasid) + " beyond the PASID directory");
        auto it = b.pasid_tables.find(di);
        if (it == b.pasid_tables.end()) {
            const uint64_t t = pool_.alloc(4096, 4096);
            std::vector<uint8_t> zero(4096, 0);
            bus_.write(t, zero.data(), 4096);
            PasidDirEntry de;
            de.p = true;
            de.table = t;
            bus_.write64(b.pasid_dir + uint64_t(di) * kPasidDirEntryBytes, encode_pasid_dir(de));
            it = b.pasid_tables.emplace(di, t).first;
        }
        return it->second + uint64_t(pasid_table_index(pasid)) * kPasidEntryBytes;
    };
    auto write_pasid_entry = [&](uint32_t pasid, const PasidEntry& e) {
        // intel_pasid_setup_first_level(): upper words first, word 0 (with P) last.
        uint64_t w[8];
        encode_pasid_entry(e, w);
        const uint64_t a = pasid_entry_pa(pasid);
        for (int i = 7; i >= 0; --i) bus_.write64(a + 8 * i, w[i]);
    };
    std::vector<uint32_t> pasids;
    auto first_stage = [&](uint32_t pasid, uint16_t did, uint64_t root) {
        PasidEntry e;
        e.p = true;
        e.pgtt = uint8_t(Pgtt::FirstStage);
        e.fsptptr = root;
        e.fspm = uint8_t(Fspm::Level4);
        e.did = did;
        e.aw = 2;          // 48-bit (4-level)
        e.nxe = true;      // the x86 host runs with EFER.NXE
        e.wpe = true;      // supervisor writes honour R/W (CR0.WP)
        e.pgsnp = true;
        write_pasid_entry(pasid, e);
        pasids.push_back(pasid);
    };
    if (s.config == StreamAttach::Config::bypass) {
        PasidEntry e;
        e.p = true;
        e.pgtt = uint8_t(Pgtt::PassThrough);
        e.did = next_did_++;
        write_pasid_entry(0, e);
        pasids.push_back(0);
    } else if (s.config == StreamAttach::Config::translate) {
        for (const auto& c : s.contexts) {
            auto pgt = std::make_unique<IoPgtable>(bus_, pool_, cpu_, pgt_costs_, PgtableFormat::x86_64);
            for (const auto& m : c.mappings) pgt->map(m.va, m.pa, m.size, smmu::leaf_attrs_for(m.write, m.user, m.exec));
            pgt->ensure_root();
            first_stage(c.ssv ? c.ssid : 0, next_did_++, pgt->ttb());
            pgtables_.push_back(std::move(pgt));
        }
        for (const auto& pn : s.sva) {
            MmStruct* mm = mm_ ? mm_->find(pn) : nullptr;
            if (!mm) throw ConfigError(s.device + ": SVA binding to unknown process '" + pn + "'");
            // intel_svm_set_dev_pasid(): a first-stage PASID entry over the mm's page table,
            // its own domain id; the mm's notifier flushes IOTLB and device-TLB.
            const uint16_t did = next_did_++;
            first_stage(mm->pasid, did, mm->pgd->ttb());
            const uint32_t pasid = mm->pasid;
            b.sva_dids[pasid] = did;
            mm->notifiers.push_back(
                [this, did, pasid](uint64_t start, uint64_t end) { invalidate_range(did, pasid, start, end); });
        }
    }
    // abort (blocking domain): no PASID entry is present; requests fault.

    // The scalable-mode context entry (context_entry_set_pasid_table / domain_context_mapping).
    b.pri = s.pcie && s.ats && s.pri_credits > 0 && ecap_f::PRS.get(ecap_) && ecap_f::DT.get(ecap_);
    ContextEntry ce;
    ce.p = true;
    ce.paside = true;
    ce.dte = s.pcie && s.ats && ecap_f::DT.get(ecap_);
    ce.pre = b.pri;
    ce.pdts = kPdts;
    ce.pasid_dir = b.pasid_dir;
    ce.rid_pasid = 0;   // IOMMU_NO_PASID
    uint64_t cw[4];
    encode_context(ce, cw);
    const uint64_t table = context_table(uint8_t(rid >> 8), rid & 0x80);
    const uint64_t ca = table + uint64_t(rid & 0x7f) * kContextEntryBytes;
    for (int i = 3; i >= 0; --i) bus_.write64(ca + 8 * i, cw[i]);

    std::vector<InvDesc> inv;
    InvDesc cc;
    cc.type = uint8_t(InvType::CC);
    cc.g = gran::CC_DEVICE;
    cc.sid = rid;
    inv.push_back(cc);
    for (uint32_t pasid : pasids) {
        InvDesc pc;
        pc.type = uint8_t(InvType::PC);
        pc.g = gran::PC_PASID;
        pc.pasid = pasid;
        inv.push_back(pc);
    }
    submit(inv);

    if (s.iopf && iopf_ && b.pri && !s.sva.empty())
        b.iopf_dev = iopf_->add_device(s.device, [this, rid](const IopfGroup& g, PageResponse r) { page_response(rid, g, r); });
    if (s.pcie) enable_pcie(s);
}

void IntelIommuDriver::enable_pcie(const StreamAttach& s) {
    // pci_enable_pasid / pci_enable_ats / pci_enable_pri through the function's config space.
    if (!s.ats || !ecap_f::DT.get(ecap_)) return;
    bus_.write32(s.ecam_base + pcie_cfg::PASID_CTRL, 1);
    bus_.write32(s.ecam_base + pcie_cfg::ATS_CTRL, pcie_cfg::ATS_ENABLE);
    if (!ecap_f::PRS.get(ecap_)) return;
    const uint32_t capacity = bus_.read32(s.ecam_base + pcie_cfg::PRI_CAPACITY);
    if (capacity == 0) return;
    bus_.write32(s.ecam_base + pcie_cfg::PRI_CTRL, pcie_cfg::PRI_RESET);
    bus_.write32(s.ecam_base + pcie_cfg::PRI_ALLOCATION, std::min(capacity, s.pri_credits));
    bus_.write32(s.ecam_base + pcie_cfg::PRI_CTRL, pcie_cfg::PRI_ENABLE);
}

void IntelIommuDriver::invalidate_range(uint16_t did, uint32_t pasid, uint64_t start, uint64_t end) {
    // The mm notifier (cache_tag_flush_range for an SVA domain): a PASID-based IOTLB
    // invalidation (page-selective for an aligned power-of-two span up to 2^9 pages, else
    // the whole PASID), then the PASID-based device-TLB invalidation of every function
    // bound to the mm; qi_submit_sync waits for both.
    const uint64_t first = start >> 12, last = (end - 1) >> 12;
    unsigned order = 0;
    while (order < 52 && (first >> order) != (last >> order)) ++order;
    const uint64_t base = (first >> order) << (order + 12);
    std::vector<InvDesc> d;
    InvDesc io;
    io.type = uint8_t(InvType::P_IOTLB);
    io.did = did;
    io.pasid = pasid;
    if (order <= 9) {
        io.g = gran::PIOTLB_PAGE;
        io.addr = base;
        io.am = uint8_t(order);
    } else {
        io.g = gran::PIOTLB_PASID;
    }
    d.push_back(io);
    for (const auto& [rid, b] : bound_) {
        const StreamAttach& s = *b.attach;
        if (!s.pcie || !s.ats || !ecap_f::DT.get(ecap_)) continue;
        bool uses = false;
        for (const auto& pn : s.sva) {
            MmStruct* mm = mm_ ? mm_->find(pn) : nullptr;
            uses |= mm && mm->pasid == pasid;
        }
        if (!uses) continue;
        d.push_back(dev_tlb_inv(rid, pasid, base, order));
        ++dev_tlb_invs_;
    }
    submit(d);
    // Invalidated and waited for: the pages may be freed from here on.
    if (ctx_.isolation) ctx_.isolation->revoke(fw_.name, 0x80000000u | pasid, start, end, now_ps());
}

vtd::InvDesc IntelIommuDriver::dev_tlb_inv(uint16_t rid, uint32_t pasid, uint64_t base, unsigned order) {
    InvDesc dt;
    dt.type = uint8_t(InvType::P_DEV_TLB);
    dt.sid = rid;
    dt.pasid = pasid;
    dt.pfsid = rid;
    dt.addr = base;
    if (order > 0) {
        dt.s = true;   // size: ADDR bits [12 + order - 2 : 12] set, bit 12 + order - 1 clear
        dt.addr |= ((1ull << (order - 1)) - 1) << 12;
    }
    return dt;
}

void IntelIommuDriver::sva_unbind(MmStruct& mm) {
    // intel_pasid_tear_down_entry(): clear the PASID entry's P, then a PASID-cache
    // invalidation, a PASID-based IOTLB invalidation of the whole PASID and the device-TLB
    // invalidation of its whole address space, waited for (qi_submit_sync); pending page
    // requests of the device are answered first (intel_iommu_drain_pasid_prq).
    const uint32_t pasid = mm.pasid;
    bool any = false;
    for (auto& [rid, b] : bound_) {
        const auto it = b.sva_dids.find(pasid);
        if (it == b.sva_dids.end()) continue;
        const auto t = b.pasid_tables.find(pasid_dir_index(pasid));
        if (t == b.pasid_tables.end()) continue;
        any = true;
        bus_.write64(t->second + uint64_t(pasid_table_index(pasid)) * kPasidEntryBytes, 0);   // word 0: P = 0
        if (b.iopf_dev && iopf_) {
            cpu_.leave();
            iopf_->flush_dev(b.iopf_dev);
            cpu_.enter();
        }
        std::vector<InvDesc> d;
        InvDesc pc;
        pc.type = uint8_t(InvType::PC);
        pc.g = gran::PC_PASID;
        pc.did = it->second;
        pc.pasid = pasid;
        d.push_back(pc);
        InvDesc io;
        io.type = uint8_t(InvType::P_IOTLB);
        io.g = gran::PIOTLB_PASID;
        io.did = it->second;
        io.pasid = pasid;
        d.push_back(io);
        if (unbind_dev_tlb_inv_ && b.attach->pcie && b.attach->ats && ecap_f::DT.get(ecap_)) {
            d.push_back(dev_tlb_inv(rid, pasid, 0, 52));
            ++dev_tlb_invs_;
        }
        submit(d);
        b.sva_dids.erase(it);
    }
    if (!any) return;
    if (ctx_.isolation) ctx_.isolation->revoke(fw_.name, 0x80000000u | pasid, 0, UINT64_MAX, now_ps());
    ctx_.log.info(std::string(name()) + ": PASID " + std::to_string(pasid) + " (" + mm.name + ") torn down");
}

void IntelIommuDriver::page_response(uint16_t rid, const IopfGroup& g, PageResponse r) {
    // intel_iommu_page_response(): one page group response descriptor for the group's last
    // request, Response Code as the IOPF queue decided.
    for (const auto& f : g.faults) {
        if (!f.last) continue;
        InvDesc d;
        d.type = uint8_t(InvType::PGRP_RESP);
        d.pp = f.pasid_valid;
        d.pasid = f.pasid;
        d.sid = rid;
        d.rc = r == PageResponse::success ? resp::SUCCESS : r == PageResponse::invalid ? resp::INVALID : resp::FAILURE;
        d.lpig = true;
        d.prgi = uint16_t(f.grpid);
        submit({d});
        ++page_responses_;
    }
}

void IntelIommuDriver::report(const IopfFault& f, uint16_t rid) {
    // iommu_report_device_fault(); a group nobody can take is answered FAILURE at once
    // (iopf_error_response: no fault handler for the PASID).
    auto it = bound_.find(rid);
    IopfDevice* dev = it == bound_.end() ? nullptr : it->second.iopf_dev;
    if ((iopf_ ? iopf_->report_fault(dev, f) : -1) == 0 || !f.last) return;
    ctx_.faults.mark(f.fault_id, Stage::dispatch, now_ps());
    ctx_.faults.resolve(f.fault_id, Resolution::failure);
    ++failure_responses_;
    IopfGroup g;
    g.faults.push_back(f);
    page_response(rid, g, PageResponse::failure);
}

void IntelIommuDriver::prq_handler(uint64_t) {
    // prq_event_thread(), on the IRQ thread's core.
    ++prq_irqs_;
    const uint64_t mask = (prq_size_ - 1) & ~uint64_t(kPageReqDescBytes - 1);
    // Clear PPR before reading head and tail, so a request written meanwhile interrupts again.
    wr(reg::PRS, prs::PPR);
    const uint64_t tail = rd64(reg::PQT) & mask;
    uint64_t head = rd64(reg::PQH) & mask;
    const uint64_t t_batch = now_ps();
    while (head != tail) {
        uint64_t w[4];
        bus_.read(prq_ + head, reinterpret_cast<uint8_t*>(w), kPageReqDescBytes);
        const PageReqDesc req = decode_page_req(w);
        cost(cost_prq_ps_, "prq_entry");
        head = (head + kPageReqDescBytes) & mask;
        // Requests Linux refuses (handle_bad_prq_event: INVALID for a last request):
        // non-canonical address, privileged-mode page request, execute with read.
        const bool canonical = smmu::x86_canonical(req.addr, false);
        const bool bad = !canonical || (req.pmr && (req.rdr || req.wrr)) || (req.exr && req.rdr);
        if (!bad && req.is_stop_marker()) { ++stop_markers_; continue; }   // no response needed
        const uint64_t fault_id = ctx_.faults.find_key(fw_.name, prg_fault_key(req.rid, req.pasid, req.prgi));
        ctx_.faults.mark(fault_id, Stage::irq, t_batch);
        ++prq_handled_;
        auto it = bound_.find(req.rid);
        if (bad || it == bound_.end()) {
            ++bad_requests_;
            if (req.lpig) {
                ctx_.faults.mark(fault_id, Stage::dispatch, now_ps());
                ctx_.faults.resolve(fault_id, Resolution::invalid);
                IopfFault f;
                f.pasid = req.pasid;
                f.pasid_valid = req.pp;
                f.grpid = req.prgi;
                f.last = true;
                IopfGroup g;
                g.faults.push_back(f);
                page_response(req.rid, g, PageResponse::invalid);
            }
            continue;
        }
        IopfFault f;
        f.sid = req.rid;
        f.pasid = req.pasid;
        f.pasid_valid = req.pp;
        f.addr = req.addr;
        f.read = req.rdr;
        f.write = req.wrr;
        f.exec = req.exr;
        f.priv = req.pmr;
        f.grpid = req.prgi;
        f.last = req.lpig;
        f.pri = true;
        f.fault_id = fault_id;
        report(f, req.rid);
    }
    wr64(reg::PQH, tail);
    // Overflow: once the queue is empty, discard partial groups (their lost requests will
    // never complete them) and clear PRO.
    if (rd(reg::PRS) & prs::PRO) {
        ++prq_overflows_;
        ctx_.log.warn_ratelimited("prq_overflow", std::string(name()) + ": PRQ overflow detected");
        const uint64_t h = rd64(reg::PQH) & mask, t = rd64(reg::PQT) & mask;
        if (h == t) {
            if (iopf_)
                for (auto& [rid, b] : bound_)
                    if (b.iopf_dev) iopf_->discard_partial(b.iopf_dev);
            wr(reg::PRS, prs::PRO);
        }
    }
}

void IntelIommuDriver::fault_handler(uint64_t) {
    // dmar_fault(): from FSTS.FRI, read and clear each pending fault record.
    ++fault_irqs_;
    const uint32_t fsts = rd(reg::FSTS);
    if (fsts & fsts::PPF) {
        unsigned idx = unsigned(fsts::FRI.get(fsts));
        for (unsigned n = 0; n < nfr_; ++n) {
            const uint32_t off = frcd_offset_ + idx * reg::FRCD_LEN;
            const uint32_t hi = rd(off + 12);
            if (!(hi & (1u << 31))) break;
            uint64_t w[2] = {rd64(off), rd64(off + 8)};
            const vtd::FaultRecord r = decode_frcd(w);
            cost(cost_fault_ps_, "dmar_fault");
            ++faults_handled_;
            ctx_.log.warn_ratelimited("dmar_fault", std::string(name()) + ": DMAR fault " + to_string(r));
            wr(off + 12, 1u << 31);   // clear F
            idx = (idx + 1) % nfr_;
        }
    }
    wr(reg::FSTS, fsts::PFO | fsts::PPF);
}

namespace {

// Probe: the firmware unit (DRHD) -> VtdFirmware and the streams behind it, then the driver.
std::unique_ptr<sc_core::sc_module> probe_vtd(HostEnv& env, const FirmwareUnit& u) {
    VtdFirmware f;
    f.name = u.name;
    f.mmio_base = u.mmio_base;
    f.fault_irq = u.irq("fault")->number;
    f.prq_irq = u.irq("prq")->number;
    return std::make_unique<IntelIommuDriver>((f.name + "_driver").c_str(), env.ctx, env.params.sub("vtd_driver"),
                                              env.cpu, env.bus, env.irqc, env.pool, f,
                                              parse_stream_attaches(env, f.name), &env.mm, &env.iopf);
}

}  // namespace

IOPF_REGISTER_DRIVER("intel,vtd", probe_vtd);

}  // namespace iopf
