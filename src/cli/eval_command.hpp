// `framepipe eval --gt GT --result RESULT [--json]`: scores a tracker's MOTChallenge output
// against ground truth with CLEAR-MOT and IDF1 (see track/mot_metrics.hpp).
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>

namespace fp::cli {

// Adds the `eval` subcommand; when it is chosen, its exit code is written to `exit_code`.
void add_eval_command(CLI::App& app, int& exit_code);

// The subcommand itself: the metrics as a table (or JSON) on `out`, notes on what reading skipped
// as warnings on `err`. Returns 0, or 2 with `error: ...` on `err` and nothing on `out` when
// either file cannot be read or is not valid MOTChallenge data.
int eval_mot_files(const std::filesystem::path& gt_path, const std::filesystem::path& result_path,
                   bool json, std::ostream& out, std::ostream& err);

}  // namespace fp::cli
