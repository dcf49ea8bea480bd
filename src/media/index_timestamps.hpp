// IndexTimestamps: a packet's timestamp as the container's index gives it.
//
// Some demuxers number packets by counting them as they read (AVI gives each video packet
// dts = packets read so far). When bytes in the middle of such a file are damaged, the demuxer
// skips them and resynchronises on the next chunk, and every later packet comes out numbered as if
// the lost ones never existed: frame 515 is called 450. The file's index (AVI idx1, MP4 sample
// tables) still says where each frame is stored, so a packet found at an indexed byte position (or
// just after the chunk header there) gets the index's timestamp back. Packets at positions the
// index does not list keep theirs.
#pragma once

#include <cstdint>

extern "C" {
#include <libavformat/avformat.h>
}

namespace fp::media {

class IndexTimestamps {
 public:
  // Uses `stream`'s index when it has one ordered by byte position (every index entry after the
  // previous one in the file); otherwise repair() never changes a packet.
  explicit IndexTimestamps(AVStream* stream);

  // Shifts the packet's dts and pts by the difference between its indexed timestamp and its dts.
  // Returns true when the packet was changed.
  bool repair(AVPacket& packet) const;
  bool usable() const { return entries_ > 0; }

 private:
  AVStream* stream_;
  int entries_ = 0;  // 0 when the index is missing or not ordered by position
};

}  // namespace fp::media
