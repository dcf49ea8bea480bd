// Loading a gallery folder: DIR/<person>/<photo>, each photo's largest face detected, aligned and
// embedded as one of that person's references.
//
// The models come in as plain functions, so this needs no pipeline: the faces stage gives a face
// detector's stage and its embedder's Batcher. Unreadable or damaged photos, photos without a
// face (or whose face cannot be aligned or embeds to zero) and people without a usable photo are
// problems: warned about and listed in the report, not errors. A folder that is not one, or where
// no photo gives a face, is an Error; so is a model's Error.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <vector>

#include "core/detection.hpp"
#include "core/result.hpp"
#include "faces/embedding.hpp"
#include "faces/gallery.hpp"

namespace fp::faces {

struct GalleryModels {
  // The faces in a photo: boxes in its pixels, with 5 landmarks when the detector gives them.
  std::function<Result<std::vector<Detection>>(const cv::Mat& image)> detect;
  // An aligned 112x112 face's embedding, L2-normalised; empty when its norm is zero.
  std::function<Result<Embedding>(const cv::Mat& aligned)> embed;
};

struct LoadedGallery {
  std::unique_ptr<Gallery> gallery;
  // {"dir", "photos_by_person": {person: usable photos}, "problems": [{"path", "problem"}]}
  nlohmann::ordered_json report;
};

// Photos are the files with an image extension (.jpg, .jpeg, .png, .bmp, .webp, .tif, .tiff), in
// name order; other files and loose files beside the person folders are ignored. A photo is read
// with media's pixel limit.
Result<LoadedGallery> load_gallery(const std::filesystem::path& dir, const GalleryModels& models);

}  // namespace fp::faces
