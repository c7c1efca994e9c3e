#include "models/common/build_info.h"

namespace iopf {
const char* source_dir() { return IOPF_SOURCE_DIR; }
const char* sim_version() { return IOPF_SIM_VERSION; }
const char* git_commit() { return IOPF_GIT_COMMIT; }
}  // namespace iopf
