#include "faces/gallery_loader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "media/image_decode.hpp"
#include "media/source.hpp"
#include "vision/face_align.hpp"

namespace fp::faces {

namespace fs = std::filesystem;

namespace {

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" ||
         ext == ".tif" || ext == ".tiff";
}

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

// The photo's reference embedding, or the problem that keeps it from giving one (an empty
// embedding with a message); an Error when a model fails.
struct Reference {
  Embedding embedding;
  std::string problem;
};

Result<Reference> reference_of(const fs::path& photo, const GalleryModels& models) {
  auto decoded = media::read_image(photo, media::SourceOptions().max_pixels);
  if (!decoded.ok()) return Reference{{}, "unreadable image (" + decoded.error().message() + ")"};
  if (!decoded->damage.empty()) {  // concealed damage would give a wrong reference embedding
    return Reference{{}, "damaged image (" + decoded->damage + ")"};
  }
  FP_ASSIGN_OR_RETURN(std::vector<Detection> faces, models.detect(decoded->image));
  if (faces.empty()) return Reference{{}, "no face found"};
  const auto largest = std::max_element(
      faces.begin(), faces.end(),
      [](const Detection& a, const Detection& b) { return a.box.area() < b.box.area(); });
  const cv::Mat aligned = vision::face_crop(decoded->image, *largest);
  if (aligned.empty()) return Reference{{}, "face could not be aligned"};
  FP_ASSIGN_OR_RETURN(Embedding embedding, models.embed(aligned));
  if (embedding.empty()) return Reference{{}, "zero-norm embedding"};
  return Reference{std::move(embedding), ""};
}

}  // namespace

Result<LoadedGallery> load_gallery(const fs::path& dir, const GalleryModels& models) {
  if (!fs::is_directory(dir)) {
    return Error("gallery " + dir.string() +
                 " is not a folder (expected one sub-folder per person)");
  }
  LoadedGallery loaded{std::make_unique<Gallery>(), {}};
  nlohmann::ordered_json problems = nlohmann::ordered_json::array();
  nlohmann::ordered_json people = nlohmann::ordered_json::object();
  auto problem = [&](const fs::path& path, const std::string& what) {
    spdlog::warn("gallery: {}: {}", path.string(), what);
    problems.push_back({{"path", path.string()}, {"problem", what}});
  };
  for (const fs::path& person_dir : sorted_entries(dir)) {
    if (!fs::is_directory(person_dir)) continue;
    const std::string person = person_dir.filename().string();
    int photos = 0;
    for (const fs::path& photo : sorted_entries(person_dir)) {
      if (!is_image_file(photo)) continue;
      FP_ASSIGN_OR_RETURN(Reference reference, reference_of(photo, models));
      if (!reference.problem.empty()) {
        problem(photo, reference.problem);
        continue;
      }
      const Status added = loaded.gallery->add(person, std::move(reference.embedding));
      if (!added.ok()) {
        problem(photo, added.error().message());
        continue;
      }
      ++photos;
    }
    if (photos == 0) problem(person_dir, "no usable photo: this person cannot be matched");
    people[person] = photos;
  }
  if (loaded.gallery->size() == 0) {
    return Error("gallery " + dir.string() +
                 ": no face found in any photo (expected DIR/<person>/<photo>.jpg)");
  }
  loaded.report = {{"dir", dir.string()}, {"photos_by_person", people}, {"problems", problems}};
  return loaded;
}

}  // namespace fp::faces
