// Sequencer: puts items back in order within each stream, whatever order they arrive in. An item
// is released as soon as it is the next one of its own stream, so one stream never waits on
// another. It holds only items that arrived ahead of an earlier item of their own stream still in
// flight, so it stays bounded by the items in flight. Not thread-safe: its owner locks.
//
// `Order` gives an item's stream and its position among that stream's items (0, 1, ...):
//   static int stream(const T&);  static int64_t sequence(const T&);
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <utility>

namespace fp::graph {

template <class T, class Order>
class Sequencer {
 public:
  void add(T item) {
    Stream& stream = streams_[Order::stream(item)];
    const int64_t sequence = Order::sequence(item);
    stream.pending.emplace(sequence, std::move(item));
    for (auto it = stream.pending.begin(); it != stream.pending.end() && it->first == stream.next;
         it = stream.pending.erase(it)) {
      ready_.push_back(std::move(it->second));
      ++stream.next;
    }
  }

  // The next released item, in the order streams became ready; std::nullopt when none is.
  std::optional<T> next() {
    if (ready_.empty()) return std::nullopt;
    T item = std::move(ready_.front());
    ready_.pop_front();
    return item;
  }

 private:
  struct Stream {
    std::map<int64_t, T> pending;  // arrived ahead of an earlier item of the stream
    int64_t next = 0;              // sequence the stream releases next
  };
  std::map<int, Stream> streams_;
  std::deque<T> ready_;
};

}  // namespace fp::graph
