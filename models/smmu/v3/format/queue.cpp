#include "models/smmu/v3/format/queue.h"

namespace iopf::smmu::v3 {

bool queue_contains(const QueuePtr& q, uint32_t prod, uint32_t cons, uint32_t p) {
    // Distance from cons to p must be smaller than the number of used entries.
    const uint32_t dist = (q.ptr(p) - q.ptr(cons)) & q.ptr_mask();
    return dist < q.used(prod, cons);
}

}  // namespace iopf::smmu::v3
