// Pre-run checks of a built platform: configurations that would break DMA isolation (two
// devices on one StreamID, which then share translations) or that the host driver would
// only discover while attaching (a StreamID or SubstreamID wider than the SMMU implements,
// more devices than SMMU-500 context banks). Each
// throws ConfigError with one line, before sc_start, so the CLI exits 2.
#pragma once

namespace iopf {

class Platform;

void check_isolation(const Platform& platform);

}  // namespace iopf
