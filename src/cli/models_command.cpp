#include "cli/models_command.hpp"

#include <algorithm>
#include <array>

#include "core/strings.hpp"
#include "infer/backend.hpp"

namespace fp::cli {

namespace {

using infer::ModelRegistry;
using infer::ModelSpec;
using infer::VerifyResult;
using infer::VerifyState;

// Pads every column but the last to its widest cell.
template <size_t N>
void print_table(const std::vector<std::array<std::string, N>>& rows, std::ostream& out) {
  std::array<size_t, N> widths{};
  for (const auto& row : rows) {
    for (size_t c = 0; c < N; ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    for (size_t c = 0; c + 1 < N; ++c)
      out << row[c] << std::string(widths[c] - row[c].size() + 2, ' ');
    out << row[N - 1] << '\n';
  }
}

const char* state_word(VerifyState state) {
  switch (state) {
    case VerifyState::kOk:
      return "ok";
    case VerifyState::kUnverifiable:
      return "unverifiable";
    case VerifyState::kMismatch:
      return "MISMATCH";
    case VerifyState::kMissing:
      break;
  }
  return "MISSING";
}

bool usable(VerifyState state) {
  return state == VerifyState::kOk || state == VerifyState::kUnverifiable;
}

}  // namespace

int models_list(const ModelRegistry& registry, std::ostream& out) {
  std::vector<std::array<std::string, 4>> rows = {{"NAME", "KIND", "LICENCE", "STATUS"}};
  for (const ModelSpec& spec : registry.models()) {
    const std::filesystem::path found = registry.locate(spec).path;
    rows.push_back(
        {spec.name, spec.kind, spec.licence, found.empty() ? "missing" : found.string()});
  }
  print_table(rows, out);
  return 0;
}

int models_backends(std::ostream& out) {
  std::vector<std::array<std::string, 4>> rows = {{"BACKEND", "AVAILABLE", "DEVICES", "DETAIL"}};
  for (const infer::BackendDescription& backend : infer::describe_backends()) {
    rows.push_back({backend.name + (backend.name == infer::default_backend() ? " (default)" : ""),
                    backend.available ? "yes" : "no", join(backend.devices, ","), backend.detail});
  }
  print_table(rows, out);
  return 0;
}

int models_verify(const ModelRegistry& registry, const std::vector<std::string>& names,
                  std::ostream& out, std::ostream& err) {
  bool all_usable = true;
  std::vector<ModelSpec> specs;
  if (names.empty()) specs = registry.models();
  for (const std::string& name : names) {
    Result<ModelSpec> spec = registry.find(name);
    if (spec.ok()) {
      specs.push_back(*spec);
    } else {
      err << spec.error().message() << '\n';
      all_usable = false;
    }
  }
  std::vector<std::array<std::string, 3>> rows;
  std::vector<std::string> notes;
  for (const ModelSpec& spec : specs) {
    const VerifyResult verified = registry.verify(spec);
    rows.push_back({state_word(verified.state), spec.name,
                    verified.path.empty() ? "-" : verified.path.string()});
    if (verified.state == VerifyState::kUnverifiable) notes.push_back(verified.message);
    if (!usable(verified.state)) {
      err << verified.message << '\n';
      all_usable = false;
    }
  }
  print_table(rows, out);
  for (const std::string& note : notes) out << "note: " << note << '\n';
  return all_usable ? 0 : 1;
}

int models_fetch(const ModelRegistry& registry, const std::string& name, double timeout_seconds,
                 std::ostream& out, std::ostream& err) {
  Result<ModelSpec> spec = registry.find(name);
  if (!spec.ok()) {
    err << spec.error().message() << '\n';
    return 1;
  }
  const VerifyResult before = registry.verify(*spec);
  if (usable(before.state)) {
    out << "'" << name << "' is already present at " << before.path.string()
        << (before.state == VerifyState::kOk ? " and its sha256 matches"
                                             : " (the registry has no sha256 to check it against)")
        << "; nothing to do.\n";
    return 0;
  }
  if (before.state == VerifyState::kMismatch) {
    out << "The copy at " << before.path.string() << " does not match the registry.\n";
  }
  if (!spec->url.empty()) {
    out << "Downloading '" << name << "' from " << spec->url << " into "
        << registry.cache_dir().string() << " ...\n";
  }
  if (Status fetched = registry.fetch(*spec, timeout_seconds); !fetched.ok()) {
    err << fetched.error().message() << '\n';
    return 1;
  }
  // A bad copy earlier in the search path would still shadow the fresh download.
  const VerifyResult after = registry.verify(*spec);
  if (!usable(after.state)) {
    err << "Downloaded into " << registry.cache_dir().string() << ", but " << after.message << '\n';
    return 1;
  }
  out << "'" << name << "' is now at " << after.path.string()
      << (after.state == VerifyState::kOk ? " (sha256 ok).\n" : " (not verifiable).\n");
  return 0;
}

}  // namespace fp::cli
