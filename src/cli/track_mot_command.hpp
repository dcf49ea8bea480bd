// `framepipe track-mot --det det.txt --out result.txt`: runs a tracker over a MOTChallenge
// detection file and writes a MOTChallenge result (the public-detection protocol).
#pragma once

#include <CLI/CLI.hpp>

namespace fp::cli {

// Adds the `track-mot` subcommand; when it is chosen, its exit code is written to `exit_code`.
void add_track_mot_command(CLI::App& app, int& exit_code);

}  // namespace fp::cli
