#include "media/index_timestamps.hpp"

namespace fp::media {

namespace {

// Bytes between where an index entry points and where its packet's data starts (AVI: "00dc" and
// the chunk size).
constexpr int64_t kMaxChunkHeader = 16;

}  // namespace

IndexTimestamps::IndexTimestamps(AVStream* stream) : stream_(stream) {
  const int count = avformat_index_get_entries_count(stream);
  int64_t previous = -1;
  for (int i = 0; i < count; ++i) {
    const AVIndexEntry* entry = avformat_index_get_entry(stream, i);
    if (!entry || entry->pos <= previous) return;  // not ordered by position: binary search fails
    previous = entry->pos;
  }
  entries_ = count;
}

bool IndexTimestamps::repair(AVPacket& packet) const {
  if (entries_ == 0 || packet.pos < 0 || packet.dts == AV_NOPTS_VALUE) return false;
  // The last entry at or before the packet: index positions may point at the chunk header in
  // front of the data (AVI's 8 bytes) rather than at the data itself (MP4).
  int low = 0;
  int high = entries_ - 1;
  int found = -1;
  while (low <= high) {
    const int middle = low + (high - low) / 2;
    if (avformat_index_get_entry(stream_, middle)->pos <= packet.pos) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  if (found < 0) return false;
  const AVIndexEntry* entry = avformat_index_get_entry(stream_, found);
  if (packet.pos - entry->pos > kMaxChunkHeader) return false;
  const int64_t shift = entry->timestamp - packet.dts;
  if (shift == 0) return false;
  packet.dts += shift;
  if (packet.pts != AV_NOPTS_VALUE) packet.pts += shift;
  return true;
}

}  // namespace fp::media
