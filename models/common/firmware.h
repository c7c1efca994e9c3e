// What firmware (ACPI IORT / device tree) tells the OS about the platform: the units a host
// driver binds to (IOMMUs, GPUs), each with its "compatible" string, register block and
// interrupt lines with their numbers, and the DMA-capable devices with the IOMMU and StreamID
// they sit behind. The platform builder fills it from the JSON; the host reads only this.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <systemc>

namespace iopf {

// One interrupt of a unit: its name in the binding ("evtq", "gerror", "context3"), the wired
// line (null when the unit only signals by MSI) and the interrupt number the platform gave it.
struct FirmwareIrq {
    std::string name;
    const sc_core::sc_signal_in_if<bool>* line = nullptr;
    unsigned number = 0;
};

// A unit a host driver binds to by its "compatible" ("arm,smmu-v3", "arm,mmu-500", ...).
struct FirmwareUnit {
    std::string name;
    std::string compatible;
    uint64_t mmio_base = 0, mmio_size = 0;
    std::vector<FirmwareIrq> irqs;
    std::map<std::string, uint64_t> props;   // binding-specific properties (e.g. "state-size")
    std::string iommu;                       // the IOMMU in front of this unit's DMA ("" = none)

    const FirmwareIrq* irq(const std::string& n) const {
        for (const auto& i : irqs)
            if (i.name == n) return &i;
        return nullptr;
    }
    uint64_t prop(const std::string& n, uint64_t def = 0) const {
        auto it = props.find(n);
        return it == props.end() ? def : it->second;
    }
};

// A DMA master: where it sits and its StreamID (IORT named component / iommu-map).
struct FirmwareDevice {
    std::string device;
    std::string smmu;          // the IOMMU it sits behind ("" = none)
    uint32_t sid = 0;
    bool can_stall = false;    // "dma-can-stall"
    bool pcie = false;         // a PCIe function with ATS/PRI, config space at ecam_base
    uint64_t ecam_base = 0;
    // Non-PCIe: address of the 32-bit register whose bit 0 is EN, the bus-master enable
    // (0 = none). A PCIe function's is Command.BME in its config space at ecam_base.
    uint64_t ctrl_addr = 0;
};

struct Firmware {
    std::vector<FirmwareUnit> units;
    std::vector<FirmwareDevice> devices;

    const FirmwareUnit* unit(const std::string& n) const {
        for (const auto& u : units)
            if (u.name == n) return &u;
        return nullptr;
    }
    std::vector<const FirmwareUnit*> units_compatible(const std::string& c) const {
        std::vector<const FirmwareUnit*> out;
        for (const auto& u : units)
            if (u.compatible == c) out.push_back(&u);
        return out;
    }
};

}  // namespace iopf
