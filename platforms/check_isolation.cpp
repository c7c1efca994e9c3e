#include "platforms/check_isolation.h"

#include <algorithm>
#include <map>
#include <string>

#include "models/host/host.h"
#include "models/host/smmu_v2_driver.h"
#include "models/host/smmu_v3_driver.h"
#include "models/smmu/v2/smmu_v2.h"
#include "models/smmu/v3/smmu_v3.h"
#include "platforms/platform.h"

namespace iopf {

void check_isolation(const Platform& p) {
    // (Pools and mapping PAs outside memory: platforms/check_memory_map.)
    Host& host = p.host();

    // SMMUv3: StreamIDs unique and within SIDSIZE; SubstreamIDs within SSIDSIZE.
    for (size_t i = 0; i < host.count_drivers<SmmuV3Driver>(); ++i) {
        const SmmuV3Driver& drv = host.nth_driver<SmmuV3Driver>(i);
        const SmmuV3& smmu = *p.find<SmmuV3>(drv.smmu_name());
        const auto& feat = smmu.features();
        std::map<uint32_t, std::string> by_sid;
        for (const auto& s : drv.streams()) {
            auto [it, fresh] = by_sid.emplace(s.sid, s.device);
            if (!fresh)
                throw ConfigError("platform: devices '" + it->second + "' and '" + s.device + "' both use StreamID " +
                                  std::to_string(s.sid) + " behind SMMU '" + drv.smmu_name() +
                                  "' (they would share translations; give each its own sid)");
            if (feat.sid_bits < 32 && (s.sid >> feat.sid_bits))
                throw ConfigError("parameter '" + s.device + ".sid': StreamID " + std::to_string(s.sid) + " exceeds " +
                                  drv.smmu_name() + ".features.sid_bits=" + std::to_string(feat.sid_bits));
            if (s.config != StreamAttach::Config::translate) continue;
            uint32_t max_ssid = 0;
            bool substreams = !s.sva.empty();
            for (const auto& c : s.contexts)
                if (c.ssv) { substreams = true; max_ssid = std::max(max_ssid, c.ssid); }
            for (const auto& pn : s.sva)
                if (const MmStruct* mm = host.mm().find(pn)) max_ssid = std::max(max_ssid, mm->pasid);
            if (substreams && (feat.ssid_bits == 0 || (max_ssid >> feat.ssid_bits)))
                throw ConfigError("parameter '" + drv.smmu_name() + ".features.ssid_bits': " +
                                  std::to_string(feat.ssid_bits) + " bits cannot hold SubstreamID " +
                                  std::to_string(max_ssid) + " that '" + s.device + "' uses");
        }
    }

    // SMMU-500: one context bank and one stream mapping group per attached device, and
    // StreamIDs unique and within NUMSIDB.
    for (size_t i = 0; i < host.count_drivers<SmmuV2Driver>(); ++i) {
        const SmmuV2Driver& drv = host.nth_driver<SmmuV2Driver>(i);
        const SmmuV2& smmu = *p.find<SmmuV2>(drv.smmu_name());
        const size_t n = drv.streams().size();
        if (n > smmu.context_banks())
            throw ConfigError("parameter '" + drv.smmu_name() + ".features.context_banks': " +
                              std::to_string(smmu.context_banks()) + " context banks for " + std::to_string(n) +
                              " attached devices (one bank each)");
        std::map<uint32_t, std::string> by_sid;
        for (const auto& s : drv.streams()) {
            auto [it, fresh] = by_sid.emplace(s.sid, s.device);
            if (!fresh)
                throw ConfigError("platform: devices '" + it->second + "' and '" + s.device + "' both use StreamID " +
                                  std::to_string(s.sid) + " behind SMMU '" + drv.smmu_name() +
                                  "' (they would share translations; give each its own sid)");
        }
    }
}

}  // namespace iopf
