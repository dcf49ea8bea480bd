#include "cli/eval_command.hpp"

#include <iostream>
#include <memory>
#include <string>

#include "io/mot_file.hpp"
#include "track/mot_metrics.hpp"

namespace fp::cli {

namespace {

struct EvalArgs {
  std::string gt;
  std::string result;
  bool json = false;
};

// Ground truth must have rows; MOT16 and later mark boxes to ignore with conf 0. A tracker may
// rightly output nothing, and its conf column is a score (often -1), never an ignore mark.
constexpr io::MotReadOptions kGtOptions{
    .allow_empty = false, .skip_zero_conf = true, .unique_ids = true};
constexpr io::MotReadOptions kResultOptions{
    .allow_empty = true, .skip_zero_conf = false, .unique_ids = true};

Result<io::MotFile> read_with_notes(const std::filesystem::path& path,
                                    const io::MotReadOptions& options, std::ostream& err) {
  FP_ASSIGN_OR_RETURN(io::MotFile file, io::read_mot_file(path, options));
  for (const std::string& note : io::mot_read_notes(path, file)) err << "warning: " << note << '\n';
  return file;
}

}  // namespace

int eval_mot_files(const std::filesystem::path& gt_path, const std::filesystem::path& result_path,
                   bool json, std::ostream& out, std::ostream& err) {
  const Result<io::MotFile> gt = read_with_notes(gt_path, kGtOptions, err);
  if (!gt.ok()) {
    err << "error: ground truth: " << gt.error().message() << '\n';
    return 2;
  }
  const Result<io::MotFile> result = read_with_notes(result_path, kResultOptions, err);
  if (!result.ok()) {
    err << "error: result: " << result.error().message() << '\n';
    return 2;
  }
  const track::MotMetrics metrics = track::evaluate_mot(gt->rows, result->rows);
  if (json) {
    out << track::to_json(metrics).dump(2) << '\n';
  } else {
    out << track::format_table(metrics);
  }
  return 0;
}

void add_eval_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Score a tracker's MOTChallenge result against ground truth (CLEAR-MOT, IDF1)");
  cmd->add_option("--gt", args->gt, "Ground truth file (frame,id,x,y,w,h,conf,...)")->required();
  cmd->add_option("--result", args->result, "Tracker result file in the same format")->required();
  cmd->add_flag("--json", args->json, "Print the metrics as JSON instead of a table");
  cmd->footer(
      "Boxes match when their IoU is at least 0.5, as in py-motmetrics. Exit codes: 0 scored; 2 "
      "an input could not be read or is not valid MOTChallenge data.");
  cmd->callback([args, &exit_code] {
    exit_code = eval_mot_files(args->gt, args->result, args->json, std::cout, std::cerr);
  });
}

}  // namespace fp::cli
