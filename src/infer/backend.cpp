#include "infer/backend.hpp"

#include "core/strings.hpp"
#include "infer/opencv_dnn_backend.hpp"

namespace fp::infer {

std::vector<std::string> available_backends() { return {"opencv"}; }

Result<std::unique_ptr<Backend>> open_backend(const std::string& backend,
                                              const std::filesystem::path& model_file) {
  if (backend == "opencv") return OpenCvDnnBackend::open(model_file);
  return Error("backend '" + backend +
               "' is not available in this build (available: " + join(available_backends()) +
               "); set `backend: opencv` or add `fallback: cpu` to the stage");
}

}  // namespace fp::infer
