#include "pipeline/faces_stage.hpp"

#include <algorithm>
#include <future>

#include "faces/gallery_loader.hpp"
#include "pipeline/detect_stage.hpp"
#include "vision/face_align.hpp"

namespace fp::pipeline {

namespace fs = std::filesystem;

namespace {

Status read_unit_interval(const YamlMap& config, const char* key, double& value) {
  FP_RETURN_IF_ERROR(config.read(key, value));
  if (!(value >= -1 && value <= 1)) {
    return config.error_at(key, "'" + std::string(key) + "' must be a cosine from -1 to 1");
  }
  return ok_status();
}

// A face the detector found, as opposed to a tracker's prediction on a frame the detector skipped
// (no landmarks, and nothing the track's detected faces do not already show) or an object of
// another class (the persons a face detector searched within).
bool is_detected(const Detection& d) { return !d.predicted && d.label == faces::kFaceClass; }

}  // namespace

Status read_face_checks(const YamlMap& config, faces::QualityOptions& quality) {
  FP_RETURN_IF_ERROR(config.read("min_face_size", quality.min_face_size));
  if (quality.min_face_size < 1 || quality.min_face_size > 4096) {
    return config.error_at("min_face_size", "'min_face_size' must be from 1 to 4096 pixels");
  }
  FP_RETURN_IF_ERROR(config.read("min_score", quality.min_score));
  if (!(quality.min_score >= 0 && quality.min_score <= 1)) {
    return config.error_at("min_score", "'min_score' must be from 0 to 1");
  }
  FP_RETURN_IF_ERROR(config.read("min_sharpness", quality.min_sharpness));
  if (!(quality.min_sharpness >= 0)) {
    return config.error_at("min_sharpness", "'min_sharpness' must be 0 or more");
  }
  return ok_status();
}

namespace {

// The embedder's output as an L2-normalised embedding; empty when its norm is zero.
faces::Embedding normalised_embedding(const infer::Outputs& outputs) {
  const cv::Mat flat = outputs.at(0).reshape(1, 1);
  faces::Embedding embedding(flat.begin<float>(), flat.end<float>());
  if (!faces::l2_normalize(embedding)) embedding.clear();
  return embedding;
}

// The faces stage embeds whatever boxes it is given: those of a person detector are whole bodies,
// which embed to nonsense identities without any error.
Status check_face_detector(const StageContext& context, const std::string& embedder) {
  const infer::ModelSpec* detector = context.detector;
  const std::string what = "stage '" + context.name + "' (embedder '" + embedder + "')";
  if (detector == nullptr) {
    return context.config.error_at(
        nullptr, what +
                     " has no detect stage before it: add one with a face detector, e.g. "
                     "'- detect: {model: yunet_2023mar}'");
  }
  if (detector->kind != "face_detector") {
    return context.config.error_at(
        nullptr, what + " follows detector '" + detector->name + "' of kind '" + detector->kind +
                     "', not a face detector: its boxes are not faces. Put a "
                     "detect stage with a face detector (e.g. yunet_2023mar) before it");
  }
  return ok_status();
}

}  // namespace

void check_faces(FrameResult& item, const faces::QualityOptions& quality) {
  const auto unchecked = [](const Detection& d) {
    return is_detected(d) && !faces::face_checked(d);
  };
  std::vector<Detection>& detections = item.detections;
  if (std::none_of(detections.begin(), detections.end(), unchecked)) return;
  const cv::Mat& image = item.frame.image;
  const bool bad_frame = faces::is_bad_source_frame(image);
  item.aligned_faces.resize(detections.size());
  for (size_t i = 0; i < detections.size(); ++i) {
    Detection& face = detections[i];
    if (!unchecked(face)) continue;
    if (bad_frame) {
      faces::set_face_skipped(face, "bad_source_frame");
      continue;
    }
    if (auto reason = faces::pre_embedding_skip(face.box, image.size(), face.score, quality)) {
      faces::set_face_skipped(face, *reason);
      continue;
    }
    cv::Mat& aligned = item.aligned_faces[i];
    aligned = vision::face_crop(image, face);
    if (aligned.empty()) {
      faces::set_face_skipped(face, "invalid_bbox");
      continue;
    }
    const double sharpness = faces::sharpness(aligned);
    set_attribute(face.attributes, faces::kFaceSharpness, sharpness);
    set_attribute(face.attributes, faces::kFaceQuality,
                  faces::face_quality(face.score, face.box, sharpness));
    if (sharpness < quality.min_sharpness) faces::set_face_skipped(face, "blurry");
  }
}

Result<std::unique_ptr<Stage>> FacesStage::create(const StageContext& context) {
  const YamlMap& config = context.config;
  FP_RETURN_IF_ERROR(config.check_keys(
      {"name", "embedder", "min_face_size", "min_score", "min_sharpness", "max_batch",
       "max_delay_us", "identity_threshold", "gallery", "gallery_threshold", "gallery_detector",
       "crops", "thumbs", "backend", "device", "fallback"}));
  std::unique_ptr<FacesStage> stage(new FacesStage());
  stage->name_ = context.name;
  if (context.face_checks != nullptr) {
    // The faces come checked: one place sets the checks, so no face meets two different ones.
    for (const char* key : {"min_face_size", "min_score", "min_sharpness"}) {
      if (config.has(key)) {
        return config.error_at(key, "'" + std::string(key) +
                                        "' is for the face_select stage before this one, which "
                                        "checks the faces: set it there");
      }
    }
    stage->quality_ = *context.face_checks;
  } else {
    FP_RETURN_IF_ERROR(read_face_checks(config, stage->quality_));
  }
  FaceOutputOptions& outputs = stage->outputs_;
  FP_RETURN_IF_ERROR(
      read_unit_interval(config, "identity_threshold", outputs.identities.identity_threshold));
  FP_RETURN_IF_ERROR(
      read_unit_interval(config, "gallery_threshold", outputs.identities.gallery_threshold));
  FP_RETURN_IF_ERROR(config.read("crops", outputs.crops));
  FP_RETURN_IF_ERROR(config.read("thumbs", outputs.thumbs));

  std::string embedder = "mobilefacenet_128d";
  FP_RETURN_IF_ERROR(config.read("embedder", embedder));
  FP_RETURN_IF_ERROR(check_face_detector(context, embedder));
  auto spec = context.registry.find(embedder);
  if (!spec.ok()) return config.error_at("embedder", spec.error().message());
  if (spec->kind != "embedder") {
    return config.error_at("embedder",
                           "model '" + embedder + "' is a " + spec->kind + ", not an embedder");
  }
  stage->normalization_ = normalization_of(spec->preprocess);

  infer::ModelRequest request;
  request.name = embedder;
  // A frame has few faces, so batches fill across the frames in flight, which reach the stage
  // a detector run apart: waiting 100 ms gives about 2.7 faces per call on the Hamilton clip
  // (1 to 1.4 at 2 to 10 ms). Faces are harvested, not shown live, so the latency is cheap.
  request.max_delay = std::chrono::microseconds(100'000);
  FP_ASSIGN_OR_RETURN(stage->embedder_,
                      load_model(config, context, std::move(request), "embedder"));

  std::string gallery = context.gallery.string();
  if (gallery.empty()) FP_RETURN_IF_ERROR(config.read("gallery", gallery));
  std::string detector = "yunet_2023mar";
  FP_RETURN_IF_ERROR(config.read("gallery_detector", detector));
  auto detector_spec = context.registry.find(detector);
  if (!detector_spec.ok()) {
    return config.error_at("gallery_detector", detector_spec.error().message());
  }
  if (detector_spec->kind != "face_detector") {
    return config.error_at("gallery_detector", "model '" + detector + "' is a " +
                                                   detector_spec->kind + ", not a face detector");
  }
  if (!gallery.empty()) {
    const Status loaded = stage->load_gallery(context, gallery, *detector_spec);
    if (!loaded.ok()) {
      if (!context.gallery.empty()) return loaded.error().with_context("--gallery");
      return config.error_at("gallery", loaded.error().message());
    }
    stage->outputs_.gallery = stage->gallery_.get();
  }
  return std::unique_ptr<Stage>(std::move(stage));
}

// The gallery's photos go through `detector` as a detect stage with the registry's settings would
// run it, on the run's backend.
Status FacesStage::load_gallery(const StageContext& context, const fs::path& dir,
                                const infer::ModelSpec& detector) {
  infer::ModelRequest request;
  request.name = detector.name;
  if (!context.backend.empty()) request.options.backend = context.backend;
  request.options.input_size_is_preference = true;
  FP_ASSIGN_OR_RETURN(auto detect,
                      DetectStage::open("gallery_detector", detector, std::move(request),
                                        context.registry, context.models));
  faces::GalleryModels models;
  models.detect = [&detect](const cv::Mat& image) -> Result<std::vector<Detection>> {
    FrameResult item;
    item.frame.image = image;
    FP_RETURN_IF_ERROR(detect->process(item));
    return std::move(item.detections);
  };
  models.embed = [this](const cv::Mat& aligned) -> Result<faces::Embedding> {
    FP_ASSIGN_OR_RETURN(infer::Outputs outputs,
                        embedder_->batcher().run(vision::make_blob(aligned, normalization_)));
    return normalised_embedding(outputs);
  };
  FP_ASSIGN_OR_RETURN(faces::LoadedGallery loaded, faces::load_gallery(dir, models));
  gallery_ = std::move(loaded.gallery);
  gallery_report_ = std::move(loaded.report);
  return ok_status();
}

void FacesStage::count(const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++faces_;
  if (reason.empty()) {
    ++embedded_;
  } else {
    ++skipped_[reason];
  }
}

Status FacesStage::process(FrameResult& item) {
  std::promise<Status> finished;
  std::future<Status> status = finished.get_future();
  start(item, [&finished](Status s) { finished.set_value(std::move(s)); });
  return status.get();
}

bool FacesStage::start(FrameResult& item, std::function<void(Status)> done) {
  auto start = SteadyClock::now();
  // A face_select stage before this one has checked the faces and picked those to embed.
  check_faces(item, quality_);
  item.add_timing(name_ + ".align", start);
  std::vector<size_t> embedded;  // the faces whose blob is in `blobs`, in order
  std::vector<cv::Mat> blobs;
  for (size_t i : faces::checked_faces(item.detections)) {
    const Detection& face = item.detections[i];
    if (!faces::face_skip_reason(face).empty() ||
        has_attribute(face.attributes, faces::kFaceEmbedding)) {
      continue;
    }
    embedded.push_back(i);
    blobs.push_back(vision::make_blob(item.aligned_faces[i], normalization_));
  }
  if (embedded.empty()) {
    done(finish(item, ok_status()));
    return true;
  }
  // Every face of the frame is queued at once, so they can share one embedder call.
  const auto submitted = SteadyClock::now();
  embedder_->batcher().submit_all(
      std::move(blobs), [this, &item, embedded = std::move(embedded), submitted,
                         done = std::move(done)](std::vector<Result<infer::Outputs>> outputs) {
        Status failed = ok_status();
        for (size_t k = 0; k < embedded.size(); ++k) {
          if (!outputs[k].ok()) {
            if (failed.ok()) failed = outputs[k].error().with_context("embedder");
            continue;
          }
          Detection& face = item.detections[embedded[k]];
          faces::Embedding embedding = normalised_embedding(*outputs[k]);
          if (embedding.empty()) {
            faces::set_face_skipped(face, "zero_norm_embedding");
          } else {
            set_attribute(face.attributes, faces::kFaceEmbedding, std::move(embedding));
          }
        }
        item.add_timing(name_ + ".embed", submitted);
        done(finish(item, failed));
      });
  return true;
}

Status FacesStage::finish(const FrameResult& item, Status failed) {
  FP_RETURN_IF_ERROR(failed);
  for (size_t i : faces::checked_faces(item.detections)) {
    count(faces::face_skip_reason(item.detections[i]));
  }
  return ok_status();
}

nlohmann::ordered_json FacesStage::report() const {
  std::lock_guard lock(mutex_);
  const nlohmann::ordered_json batcher = embedder_->batcher().report();
  nlohmann::ordered_json r{{"embedder", embedder_->spec().name},
                           {"faces", faces_},
                           {"embedded", embedded_},
                           {"skipped", skipped_},
                           {"embedder_invocations", batcher["batches"]},
                           {"faces_per_invocation",
                            batcher["batches"].get<int64_t>() > 0
                                ? static_cast<double>(embedded_) / batcher["batches"].get<double>()
                                : 0.0}};
  if (gallery_) r["gallery"] = gallery_report_;
  return r;
}

}  // namespace fp::pipeline
