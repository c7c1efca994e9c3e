// Fully associative LRU cache for decoded configuration structures (STE keyed by SID,
// CD keyed by (SID << 20) | SSID), invalidated by CMD_CFGI_STE / CFGI_CD / CFGI_CD_ALL /
// CFGI_ALL. lookup/insert/erase are O(1) (hash map + recency list); iteration order of
// erase_if is the recency order, so behaviour is deterministic.
// No SystemC here: this is part of the functional core.
#pragma once
#include <cstddef>
#include <cstdint>
#include <list>
#include <unordered_map>
#include <utility>

namespace iopf::smmu {

template <class Key, class Value>
class LruCache {
  public:
    // capacity 0 disables caching: every lookup misses and insert does nothing.
    explicit LruCache(std::size_t capacity = 0) : capacity_(capacity) {
        // Reserve for a typical cache only: the map grows on demand up to capacity.
        if (capacity_) map_.reserve(capacity_ < 4096 ? capacity_ : 4096);
    }

    // Pointer to the cached value (valid until the next insert/erase/clear), nullptr on a
    // miss. A hit makes the entry most recently used.
    const Value* lookup(const Key& key) {
        auto it = map_.find(key);
        if (it == map_.end()) {
            ++misses_;
            return nullptr;
        }
        ++hits_;
        order_.splice(order_.begin(), order_, it->second);
        return &it->second->second;
    }

    // Inserts or replaces; the entry becomes most recently used. When full, the least
    // recently used entry is evicted.
    void insert(const Key& key, Value value) {
        if (capacity_ == 0) return;
        auto it = map_.find(key);
        if (it != map_.end()) {
            it->second->second = std::move(value);
            order_.splice(order_.begin(), order_, it->second);
            return;
        }
        if (map_.size() >= capacity_) {
            map_.erase(order_.back().first);
            order_.pop_back();
            ++evictions_;
        }
        order_.emplace_front(key, std::move(value));
        map_.emplace(key, order_.begin());
    }

    void erase(const Key& key) {
        auto it = map_.find(key);
        if (it == map_.end()) return;
        order_.erase(it->second);
        map_.erase(it);
    }

    // Erases every entry for which pred(key, value) is true; returns how many.
    template <class Pred>
    std::size_t erase_if(Pred pred) {
        std::size_t n = 0;
        for (auto it = order_.begin(); it != order_.end();) {
            if (pred(static_cast<const Key&>(it->first), static_cast<const Value&>(it->second))) {
                map_.erase(it->first);
                it = order_.erase(it);
                ++n;
            } else {
                ++it;
            }
        }
        return n;
    }

    void clear() {
        map_.clear();
        order_.clear();
    }

    // Presence test without touching recency or counters.
    bool contains(const Key& key) const { return map_.count(key) != 0; }

    std::size_t size() const { return map_.size(); }
    std::size_t capacity() const { return capacity_; }
    uint64_t hits() const { return hits_; }
    uint64_t misses() const { return misses_; }
    uint64_t evictions() const { return evictions_; }

  private:
    using Order = std::list<std::pair<Key, Value>>;
    std::size_t capacity_;
    Order order_;  // front = most recently used
    std::unordered_map<Key, typename Order::iterator> map_;
    uint64_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

}  // namespace iopf::smmu
