// SmmuV3 construction: parameters, features (reflected in SMMU_IDR0-5), processes, stats
// and traces. Translation, registers and queues are in smmu_v3_{xlate,regs,queues}.cpp.
#include "models/smmu/v3/smmu_v3.h"
#include "platforms/registry.h"

#include "models/smmu/v3/format/regs.h"

namespace iopf {

namespace v3 = smmu::v3;

SmmuV3::SmmuV3(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    // try: a TLB geometry the core rejects (entries not a multiple of ways) is bad input.
    try : sc_module(name), upstream("upstream"), downstream("downstream"), walk_port("walk_port"), mmio("mmio"),
      pcie_msg("pcie_msg"),
      ctx_(ctx),
      clk_(p.get_double("clock_mhz", 1000.0, "MHz", {"SMMU clock; every *_cycles parameter counts this clock", "assumed: a 1 GHz SMMU clock (MMU-600/700 TRMs give no frequency; SoCs run them at 0.5-1.5 GHz)"}, 1.0)),
      tlb_(p.sub("tlb").get_uint("entries", 128, "entries", {"main TLB entries", "assumed: 128 main TLB entries, a small TBU (gem5 uses 2048, MMU-600 TBU TLBs are configurable)"}, 1, 1 << 20),
           p.sub("tlb").get_uint("ways", 4, "ways", {"main TLB associativity (entries must be a multiple)", src::gem5}, 1, 1 << 20),
           smmu::parse_replacement(p.sub("tlb").get_enum("replacement", "lru", {"lru", "fifo", "random"},
                                                         {"main TLB replacement policy", "assumed: LRU (gem5 uses round robin)"})),
           ctx.seed),
      ste_cache_(p.sub("config_cache").get_uint("ste_entries", 64, "entries", {"STE cache entries (0 = no caching)", src::gem5}, 0, 1 << 20)),
      cd_cache_(p.sub("config_cache").get_uint("cd_entries", 64, "entries", {"CD cache entries (0 = no caching)", "assumed: as many CD as STE cache entries (gem5 has one config cache of 64)"}, 0, 1 << 20)),
      shell_({ctx, this->name(), clk_, tlb_, walk_slots_, walk_port,
              {&c_.tlb_hits, &c_.tlb_misses, &c_.tlb_miss_coalesced, &c_.walks, &c_.walk_reads, &c_.aborted, &c_.raz_wi,
               &c_.s2_walks, &c_.nested_walks, &c_.nested_walk_reads},
              walks_active_, faults_in_flight_, tlb_cycles_}) {
    mmio_base_ = p.get_addr("mmio_base", 0x09000000ull, {"physical base of the register file (128 KiB: pages 0 and 1)", src::config});

    ParamScope f = p.sub("features");
    const v3::Features def;   // the one source of the feature defaults (format/features.h)
    feat_.stage1 = true;
    feat_.stage2 = f.get_bool("stage2", true, {"SMMU_IDR0.S2P: stage-2 translation (STE.Config S2-only and nested)", "assumed: stage 2 supported, as on MMU-600/700 and the Agilex 5 MMU-600 (SMMU_IDR0.S2P = 1)"});
    feat_.sid_bits = f.get_uint("sid_bits", def.sid_bits, "bits", {"SMMU_IDR1.SIDSIZE: StreamID width", "assumed: 16-bit StreamIDs (a PCIe RID); IHI 0070 allows up to 32"}, 1, 32);
    feat_.ssid_bits = f.get_uint("ssid_bits", def.ssid_bits, "bits", {"SMMU_IDR1.SSIDSIZE: SubstreamID width (0 = none)", "IHI 0070 SMMU_IDR1.SSIDSIZE maximum, 20 bits = the PCIe PASID width"}, 0, 20);
    feat_.oas_bits = f.get_uint("oas_bits", def.oas_bits, "bits", {"SMMU_IDR5.OAS: output address size (32/36/40/42/44/48)", "assumed: 48-bit physical addresses (gem5 SMMU_IDR5.OAS = 48-bit too)"}, 32, 48);
    feat_.msi = f.get_bool("msi", def.msi, {"SMMU_IDR0.MSI: MSIs for queues, GERROR and CMD_SYNC", "Intel Agilex 5 HPS MMU-600 SMMU_IDR0 reset value: MSI supported"});
    feat_.sev = f.get_bool("sev", def.sev, {"SMMU_IDR0.SEV: CMD_SYNC can signal SEV", "assumed: SEV supported (Linux does not use it for CMD_SYNC when MSIs are available)"});
    feat_.st_2level = f.get_bool("st_2level", def.st_2level, {"SMMU_IDR0.ST_LEVEL: 2-level stream tables supported", "Intel Agilex 5 HPS MMU-600 SMMU_IDR0: 2-level stream tables (ST_LEVEL = 0b01)"});
    feat_.asid16 = f.get_bool("asid16", def.asid16, {"SMMU_IDR0.ASID16: 16-bit ASIDs", "Intel Agilex 5 HPS MMU-600 SMMU_IDR0: 16-bit ASIDs"});
    feat_.ats = f.get_bool("ats", def.ats, {"SMMU_IDR0.ATS: PCIe ATS (translation requests, translated traffic)", "Intel Agilex 5 HPS MMU-600 SMMU_IDR0 reset value: ATS supported"});
    feat_.pri = f.get_bool("pri", def.pri, {"SMMU_IDR0.PRI: PCIe PRI queue (needs ATS)", "Intel Agilex 5 HPS MMU-600 SMMU_IDR0 reset value: PRI supported"}) && feat_.ats;
    const std::string sm = f.get_enum("stall_model", def.stall_model == v3::idr0::STALL_MODEL_TERM_ONLY ? "term_only" : def.stall_model == v3::idr0::STALL_MODEL_STALL_FORCED ? "stall_forced" : "stall_term", {"stall_term", "term_only", "stall_forced"},
                                      {"SMMU_IDR0.STALL_MODEL: 0b00 stall and terminate, 0b01 terminate only, 0b10 stall forced", "Intel Agilex 5 HPS MMU-600 SMMU_IDR0 reset value: STALL_MODEL 0b00 (stall and terminate)"});
    feat_.arch_minor = 0;                          // SMMUv3.0: no IDR3.HAD (CD.HAD is not modelled)
    feat_.ttendian = v3::idr0::TTENDIAN_LE;        // tables are read little-endian only
    feat_.gran_16k = feat_.gran_64k = false;       // the walker handles them; not advertised yet
    feat_.stall_model = sm == "stall_term" ? v3::idr0::STALL_MODEL_STALL_TERM
                      : sm == "term_only" ? v3::idr0::STALL_MODEL_TERM_ONLY : v3::idr0::STALL_MODEL_STALL_FORCED;
    feat_.stall_max = f.get_uint("stall_max", def.stall_max, "transactions",
                                 {"SMMU_IDR5.STALL_MAX: stalled transactions held at once (more back-pressure)", "assumed: 32 stalls held at once (IHI 0070 leaves SMMU_IDR5.STALL_MAX implementation defined)"}, 1, 65535);
    stall_table_.resize(feat_.stall_max);
    feat_.cmdq_log2 = f.get_uint("cmdq_log2size", def.cmdq_log2, "log2 entries", {"SMMU_IDR1.CMDQS: largest command queue", "assumed: 256-entry command queue advertised (IHI 0070 allows up to 2^19; gem5 advertises 128)"}, 0, 19);
    feat_.eventq_log2 = f.get_uint("evtq_log2size", def.eventq_log2, "log2 entries", {"SMMU_IDR1.EVENTQS: largest event queue", "assumed: 128-entry event queue advertised, as Linux v4.x allocates (EVTQ_MAX_SZ_SHIFT 7)"}, 0, 19);
    feat_.priq_log2 = f.get_uint("priq_log2size", def.priq_log2, "log2 entries", {"SMMU_IDR1.PRIQS: largest PRI queue", "assumed: 256-entry PRI queue advertised, as Linux v4.x's PRIQ_MAX_SZ_SHIFT 8"}, 0, 19);

    ParamScope t = p.sub("timing");
    ifc_cycles_ = t.get_uint("ifc_cycles", 8, "cycles", {"device interface to SMMU, each way", src::gem5});
    tlb_cycles_ = p.sub("tlb").get_uint("lookup_cycles", 3, "cycles", {"main TLB lookup", src::gem5});
    cfg_cycles_ = p.sub("config_cache").get_uint("lookup_cycles", 4, "cycles", {"STE or CD cache lookup", "assumed: gem5's walk-cache lookup latency (4 cycles); gem5's own config cache takes 3"});
    cmd_cycles_ = t.get_uint("cmd_cycles", 10, "cycles", {"executing one command (after its fetch)", "assumed: ten cycles to execute a decoded command"});
    ack_cycles_ = t.get_uint("ack_cycles", 16, "cycles", {"CR0 / IRQ_CTRL write until CR0ACK / IRQ_CTRLACK follow", "assumed: CR0ACK follows CR0 within tens of cycles (IHI 0070 only says 'eventually')"});
    xlate_slots_.set_capacity(t.get_uint("xlate_slots", 64, "slots", {"translations in progress at once", src::gem5}, 1, 4096));
    walk_slots_.set_capacity(t.get_uint("walker_slots", 16, "slots", {"table walks in progress at once", src::gem5}, 1, 4096));
    evtq_writer_.set_capacity(1);
    const std::string me_ = this->name();
    inj_.cmdq_fetch = &ctx.inject.declare(me_, "cmdq_fetch", "a command fetch aborts: CMDQ_CONS.ERR = CERROR_ABT, GERROR.CMDQ_ERR");
    inj_.evtq_write = &ctx.inject.declare(me_, "evtq_write", "an event record write aborts: GERROR.EVENTQ_ABT_ERR, the queue unwritable until GERRORN");
    inj_.priq_write = &ctx.inject.declare(me_, "priq_write", "a PRI queue entry write aborts: GERROR.PRIQ_ABT_ERR, automatic Response Failure");
    inj_.msi_write = &ctx.inject.declare(me_, "msi_write", "an MSI write (queue, GERROR or CMD_SYNC) aborts: GERROR.MSI_*_ABT_ERR, the interrupt is lost");
    inj_.ste_fetch = &ctx.inject.declare(me_, "ste_fetch", "an STE (or L1 descriptor) fetch aborts: F_STE_FETCH, the transaction aborts");
    inj_.cd_fetch = &ctx.inject.declare(me_, "cd_fetch", "a CD (or L1 descriptor) fetch aborts: F_CD_FETCH, the transaction aborts");
    priq_writer_.set_capacity(1);

    upstream.register_b_transport(this, &SmmuV3::b_transport);
    mmio.register_b_transport(this, &SmmuV3::mmio_b_transport);

    SC_HAS_PROCESS(SmmuV3);
    SC_THREAD(cmdq_thread);
    SC_THREAD(msg_thread);
    SC_METHOD(ack_process);
    sensitive << ack_ev_;
    dont_initialize();
    SC_METHOD(lower_lines);
    sensitive << lower_ev_;
    dont_initialize();

    const std::string me = this->name();
    ctx.traces.add(me + ".evtq_irq", evtq_irq);
    ctx.traces.add(me + ".gerror_irq", gerror_irq);
    ctx.traces.add(me + ".priq_irq", priq_irq);
    ctx.traces.add(me + ".priq.occupancy", priq_occupancy_);
    ctx.traces.add(me + ".evtq.occupancy", evtq_occupancy_);
    ctx.traces.add(me + ".cmdq.occupancy", cmdq_occupancy_);
    ctx.traces.add(me + ".translations_active", xlate_active_);
    ctx.traces.add(me + ".walks_active", walks_active_);
    ctx.traces.add(me + ".faults_in_flight", faults_in_flight_);
    ctx.traces.add(me + ".stalled", stalled_now_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json s = {
            {"translations", c_.translations}, {"tlb_hits", c_.tlb_hits}, {"tlb_misses", c_.tlb_misses},
            {"tlb_miss_coalesced", c_.tlb_miss_coalesced}, {"tlb_evictions", tlb_.evictions()},
            {"walks", c_.walks}, {"walk_reads", c_.walk_reads}, {"events", c_.events},
            {"events_lost", c_.events_lost}, {"events_dropped_disabled", c_.events_dropped_disabled},
            {"stalls", c_.stalls}, {"pri_requests", c_.pri_requests}, {"config_cache_hits", c_.cfg_hits},
            {"config_cache_misses", c_.cfg_misses}, {"config_fetches", c_.cfg_fetches},
            {"bypassed", c_.bypassed}, {"aborted", c_.aborted}, {"raz_wi", c_.raz_wi},
            {"cmdq_errors", c_.cmdq_errors}, {"evtq_aborts", c_.evtq_aborts}, {"priq_aborts", c_.priq_aborts},
            {"msi_aborts", c_.msi_aborts}, {"events_dropped_abort", c_.events_dropped_abort},
            {"pri_dropped_abort", c_.pri_dropped_abort}, {"mmio_reads", c_.mmio_reads}, {"mmio_writes", c_.mmio_writes},
            {"mmio_unknown", c_.mmio_unknown}, {"translation_slot_waits", xlate_slots_.waits()},
            {"walker_slot_waits", walk_slots_.waits()}, {"stall_table_waits", c_.stall_table_waits},
            {"stall_record_waits", c_.stall_record_waits}, {"resumes", c_.resumes},
            {"resume_unknown_stag", c_.resume_unknown}, {"stall_terms", c_.stall_terms},
            {"stalled_now", stalled_now_}, {"ats_requests", c_.ats_requests}, {"ats_negative", c_.ats_negative},
            {"ats_translated", c_.ats_translated}, {"pri_overflow", c_.pri_overflow},
            {"pri_auto_responses", c_.pri_auto_responses}, {"prg_responses_sent", c_.prg_responses},
            {"atc_invalidations_sent", c_.atc_invalidations}, {"atc_inv_completions", c_.atc_inv_completions},
            {"stop_markers", c_.stop_markers}, {"msgs_unroutable", c_.msgs_unroutable},
            {"s2_walks", c_.s2_walks}, {"nested_walks", c_.nested_walks},
            {"nested_walk_reads", c_.nested_walk_reads}, {"s2_faults", c_.s2_faults},
            {"reads_per_nested_walk", c_.nested_walks ? double(c_.nested_walk_reads) / double(c_.nested_walks) : 0.0}};
        s["commands"] = nlohmann::json::object();
        for (const auto& [k, v] : cmd_counts_) s["commands"][k] = v;
        s["events_by_type"] = nlohmann::json::object();
        for (const auto& [k, v] : event_counts_) s["events_by_type"][k] = v;
        root["smmus"][me] = s;
    });
} catch (const std::invalid_argument& e) {
    throw ConfigError("parameter '" + p.path("tlb") + "': " + e.what());
}

IOPF_REGISTER_MODEL(
    "smmu_v3", build_order::iommu,
    "Arm SMMUv3: stream table, CDs, command/event/PRI queues, stall, ATS and PRI (compatible \"arm,smmu-v3\")",
    [](PlatformBuilder& b, const std::string& n) {
        auto s = std::make_unique<SmmuV3>(n.c_str(), b.ctx, b.params(n));
        b.map(s->mmio, s->mmio_base(), SmmuV3::kMmioSize, n);
        s->downstream.bind(b.bus_port());
        s->walk_port.bind(b.bus_port());
        // Interrupt numbers: <name>.irq.{evtq,gerror,priq}; defaults 32 + 4 * (index among
        // the SMMUv3s) + {0, 1, 2}.
        const unsigned base = 32 + 4 * unsigned(b.firmware().units_compatible("arm,smmu-v3").size());
        FirmwareUnit u;
        u.name = n;
        u.compatible = "arm,smmu-v3";
        u.mmio_base = s->mmio_base();
        u.mmio_size = SmmuV3::kMmioSize;
        u.irqs = {{"evtq", &s->evtq_irq, b.irq_number(n, "evtq", base)},
                  {"gerror", &s->gerror_irq, b.irq_number(n, "gerror", base + 1)},
                  {"priq", &s->priq_irq, b.irq_number(n, "priq", base + 2)},
                  {"sev", &s->sev, 0}};   // the SEV wake-up line, not an interrupt
        b.firmware().units.push_back(u);
        b.add_iommu(n, *s);
        return s;
    });

}  // namespace iopf
