// Reorder: puts processed frames back in read order within each stream, whatever order the graph
// finished them in (graph/sequencer.hpp). Used on one thread (the runner's main thread).
#pragma once

#include "graph/sequencer.hpp"
#include "pipeline/frame_traits.hpp"

namespace fp::run {

using Reorder = graph::Sequencer<pipeline::FrameResult, pipeline::FrameTraits>;

}  // namespace fp::run
