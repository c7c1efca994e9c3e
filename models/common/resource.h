// A counted resource with FIFO hand-off (translation slots, walker slots, CPU cores, locks).
// Unlike sc_semaphore, waiters are served strictly in arrival order, so contention shows up
// as queueing delay deterministically. Acquire/release only from SC_THREAD context.
#pragma once
#include <cstdint>
#include <deque>

#include <systemc>

namespace iopf {

class FifoResource {
public:
    explicit FifoResource(unsigned capacity = 1) : capacity_(capacity) {}
    void set_capacity(unsigned c) { capacity_ = c; }
    unsigned capacity() const { return capacity_; }
    unsigned busy() const { return busy_; }
    size_t waiting() const { return waiters_.size(); }
    uint64_t waits() const { return waits_; }

    void acquire() {
        if (busy_ < capacity_ && waiters_.empty()) { ++busy_; return; }
        ++waits_;
        sc_core::sc_event granted;
        waiters_.push_back(&granted);
        sc_core::wait(granted);   // busy_ was handed over by release()
    }
    bool try_acquire() {
        if (busy_ < capacity_ && waiters_.empty()) { ++busy_; return true; }
        return false;
    }
    void release() {
        if (!waiters_.empty()) {
            sc_core::sc_event* next = waiters_.front();
            waiters_.pop_front();
            next->notify(sc_core::SC_ZERO_TIME);   // hand the unit over; busy_ unchanged
        } else {
            --busy_;
        }
    }

private:
    unsigned capacity_;
    unsigned busy_ = 0;
    uint64_t waits_ = 0;
    std::deque<sc_core::sc_event*> waiters_;
};

// RAII guard for FifoResource.
class Hold {
public:
    explicit Hold(FifoResource& r) : r_(r) { r_.acquire(); }
    ~Hold() { r_.release(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

private:
    FifoResource& r_;
};

}  // namespace iopf
