// BoundedQueue: the only way frames move between threads. A full queue blocks its producer
// (backpressure), so memory never grows with the length of the input; a live input may instead
// replace its own oldest waiting item (push_replacing), so that it never falls behind.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace fp {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Blocks while full. Returns false (and drops nothing the caller still owns) once closed.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    if (items_.size() > high_water_) high_water_ = items_.size();
    not_empty_.notify_one();
    return true;
  }

  // Like push(), but while full it removes the oldest queued item `replaceable` accepts instead
  // of waiting (counted in `replaced`); it waits only while no queued item is replaceable.
  template <class Replaceable>
  bool push_replacing(T item, Replaceable replaceable, int64_t& replaced) {
    std::unique_lock lock(mutex_);
    while (!closed_ && items_.size() >= capacity_) {
      const auto oldest = std::find_if(items_.begin(), items_.end(), replaceable);
      if (oldest != items_.end()) {
        items_.erase(oldest);
        ++replaced;
        break;
      }
      not_full_.wait(lock);
    }
    if (closed_) return false;
    items_.push_back(std::move(item));
    if (items_.size() > high_water_) high_water_ = items_.size();
    not_empty_.notify_one();
    return true;
  }

  // Blocks while empty. Returns std::nullopt once closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // No more pushes; pop() drains what is queued, then returns std::nullopt.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  size_t capacity() const { return capacity_; }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  // Largest depth seen: a telemetry figure for tuning queue capacities.
  size_t high_water() const {
    std::lock_guard lock(mutex_);
    return high_water_;
  }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  size_t high_water_ = 0;
  bool closed_ = false;
};

}  // namespace fp
