// An IOVA -> PA mapping the platform asks the OS to install in a device's page tables
// (the DMA-API side of the host; SVA address spaces come from the OS mm instead).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/common/params.h"

namespace iopf {

struct Mapping {
    std::string name;
    uint64_t va = 0, pa = 0, size = 0;
    bool read = true, write = true, exec = false, user = true;
};

// Reads host.streams.<dev>.contexts.<ctx>.mappings.<name>; throws ConfigError when va, pa
// or size is not 4 KiB aligned.
Mapping parse_mapping(ParamScope m, const std::string& name);

// Throws ConfigError (naming `key`) when m's IOVA range overlaps one of `existing` (the
// same page tables cannot map one IOVA twice).
void check_no_overlap(const std::vector<Mapping>& existing, const Mapping& m, const std::string& key);

}  // namespace iopf
