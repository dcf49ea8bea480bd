// The output directory of a run, made ready before any work: checked, and cleared of what an
// earlier run left there, so that nothing in it can be mistaken for this run's result.
#pragma once

#include <filesystem>
#include <vector>

#include "core/result.hpp"

namespace fp::run {

// Finishes the commit an earlier run left half done (io::OutputSet::recover), then checks that
// `dir` and the folder of every path in `outputs` (this run's planned outputs) can be
// written, then removes from `dir` what this run or an earlier one could have written there:
// - this run's outputs and their .partial names (a path outside `dir` is only replaced when this
//   run commits);
// - the outputs that the run.json (or run.json.partial) found in `dir` lists, complete or
//   .partial, wherever inside `dir` they are (nothing outside it);
// - every *.partial at the top of `dir`, and the run.json reserve (see RunReportWriter).
Status prepare_output_dir(const std::filesystem::path& dir,
                          const std::vector<std::filesystem::path>& outputs);

}  // namespace fp::run
