// `framepipe run PIPELINE INPUT... --out DIR`: runs a pipeline YAML over videos, images, folders
// or streams.
#pragma once

#include <CLI/CLI.hpp>

namespace fp::cli {

// Adds the `run` subcommand; when it is chosen, its exit code is written to `exit_code`.
void add_run_command(CLI::App& app, int& exit_code);

}  // namespace fp::cli
