// `framepipe models ...`: list, verify and download the models named in the registry.
//
// Each function is one subcommand: it writes what it did to `out`, problems to `err`, and returns
// the process exit code (0 success, 1 failure). CLI parsing stays in main.cpp.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "infer/model_registry.hpp"

namespace fp::cli {

// `framepipe models list`: a table of name, kind, licence, status (found path / missing), one row
// per model. Files are only located, not hashed, so it stays fast.
int models_list(const infer::ModelRegistry& registry, std::ostream& out);

// `framepipe models verify [NAME...]`: sha256 of each (all when names empty); exit 0 only if all
// requested ones are ok (unverifiable counts ok with a note; missing/mismatch/unknown name -> 1).
int models_verify(const infer::ModelRegistry& registry, const std::vector<std::string>& names,
                  std::ostream& out, std::ostream& err);

// `framepipe models fetch NAME [--timeout S]`: exit 0 when the file is present and verified after
// it, 1 with a clear message otherwise. A file already present and verified is left alone.
// `timeout_seconds` bounds the whole download, connection included.
int models_fetch(const infer::ModelRegistry& registry, const std::string& name,
                 double timeout_seconds, std::ostream& out, std::ostream& err);

// `framepipe models backends`: a table of the inference backends this build knows, whether each
// can run here, its devices (cpu, cuda) and detail (library version, execution providers).
int models_backends(std::ostream& out);

}  // namespace fp::cli
