// A counted resource with FIFO hand-off (translation slots, walker slots, CPU cores, locks).
// Unlike sc_semaphore, waiters are served in a defined order: by priority (higher first),
// then in arrival order, so contention shows up as queueing delay deterministically. A unit
// is never taken away from its holder (no preemption). Acquire/release only from SC_THREAD
// context. Acquire and release cost O(log P) for P distinct priorities waiting (a FIFO per
// priority), whatever the number of waiters.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>

#include <systemc>

namespace iopf {

class FifoResource {
public:
    explicit FifoResource(unsigned capacity = 1) : capacity_(capacity) {}
    void set_capacity(unsigned c) { capacity_ = c; }
    unsigned capacity() const { return capacity_; }
    unsigned busy() const { return busy_; }
    size_t waiting() const { return waiting_; }
    uint64_t waits() const { return waits_; }

    void acquire(int priority = 0) {
        if (busy_ < capacity_ && waiting_ == 0) { ++busy_; return; }
        ++waits_;
        sc_core::sc_event granted;
        waiters_[priority].push_back(&granted);   // FIFO within a priority
        ++waiting_;
        sc_core::wait(granted);   // busy_ was handed over by release()
    }
    bool try_acquire() {
        if (busy_ < capacity_ && waiting_ == 0) { ++busy_; return true; }
        return false;
    }
    void release() {
        if (waiting_ != 0) {
            auto first = waiters_.begin();   // highest priority
            sc_core::sc_event* next = first->second.front();
            first->second.pop_front();
            if (first->second.empty()) waiters_.erase(first);
            --waiting_;
            next->notify(sc_core::SC_ZERO_TIME);   // hand the unit over; busy_ unchanged
        } else {
            --busy_;
        }
    }

private:
    unsigned capacity_;
    unsigned busy_ = 0;
    uint64_t waits_ = 0;
    size_t waiting_ = 0;
    std::map<int, std::deque<sc_core::sc_event*>, std::greater<int>> waiters_;
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
