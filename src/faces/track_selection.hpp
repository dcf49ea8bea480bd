// TrackSelection: which faces of a track are worth embedding, decided face by face in frame order.
//
// A track's embedding averages its best faces (by quality), so most faces of a long track add
// nothing to it. Each good face (one that passed the quality checks) is offered in frame order and
// taken when every rule set allows it:
//   best  K: its quality beats the K-th best quality taken so far from its track (or fewer than K
//            were taken). With K at least the number of faces a track's embedding averages, the
//            faces taken always include the track's final K best, so the track embedding is the one
//            embedding every face would give; a face ties with the K-th best is not taken (an
//            earlier face of equal quality ranks first). 0: no such rule.
//   every N: it comes at least N positions (sampled frames) after the last face taken from its
//            track; 1: no such rule.
//   max   M: fewer than M faces were taken from its track; 0: no such rule.
// The first good face of a track is always taken (unless max is reached, which needs max >= 1).
// Not thread-safe: one per stream, driven in that stream's frame order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace fp::faces {

struct TrackSelectionOptions {
  int best = 5;       // 0: no limit by rank
  int64_t every = 1;  // least positions between two faces taken from a track
  int64_t max = 0;    // most faces taken from a track; 0: no limit
};

class TrackSelection {
 public:
  explicit TrackSelection(TrackSelectionOptions options) : options_(options) {}

  // Whether to take the good face of `track_id` at `position` (increasing within the stream) with
  // `quality`; a face taken is remembered.
  bool offer(int64_t track_id, int64_t position, double quality);
  // Forgets a track that has ended (its id is not given again), so memory follows live tracks.
  void end(int64_t track_id) { tracks_.erase(track_id); }
  size_t live_tracks() const { return tracks_.size(); }

 private:
  struct Track {
    std::vector<double> best;  // qualities of the faces taken, highest first, at most options.best
    int64_t taken = 0;
    int64_t last_position = 0;
  };
  TrackSelectionOptions options_;
  std::map<int64_t, Track> tracks_;
};

}  // namespace fp::faces
