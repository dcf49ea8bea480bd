// `framepipe serve --data DIR --media-root PATH...`: the job service (README "Job service").
#pragma once

#include <CLI/CLI.hpp>

namespace fp::cli {

// Adds the `serve` subcommand; when it is chosen, its exit code is written to `exit_code`.
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace fp::cli
