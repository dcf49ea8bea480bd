#include "pipeline/reorder.hpp"

#include <utility>

namespace fp::pipeline {

void Reorder::add(FrameResult item) {
  StreamState& stream = streams_[item.frame.stream];
  stream.pending.emplace(item.sequence, std::move(item));
  for (auto it = stream.pending.begin(); it != stream.pending.end() && it->first == stream.next;
       it = stream.pending.erase(it)) {
    ready_.push_back(std::move(it->second));
    ++stream.next;
  }
}

std::optional<FrameResult> Reorder::next() {
  if (ready_.empty()) return std::nullopt;
  FrameResult item = std::move(ready_.front());
  ready_.pop_front();
  return item;
}

}  // namespace fp::pipeline
