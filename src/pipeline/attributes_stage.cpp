#include "pipeline/attributes_stage.hpp"

#include <opencv2/imgproc.hpp>

#include "faces/embedding.hpp"
#include "faces/face_attributes.hpp"
#include "pipeline/detect_stage.hpp"
#include "pipeline/face_select_stage.hpp"
#include "vision/face_align.hpp"

namespace fp::pipeline {

Result<std::unique_ptr<Stage>> AttributesStage::create(const StageContext& context) {
  const YamlMap& config = context.config;
  FP_RETURN_IF_ERROR(config.check_keys({"name", "model", "attribute", "classes", "min_size",
                                        "min_score", "per_track", "max_batch", "max_delay_us",
                                        "backend", "device", "fallback"}));
  if (context.detector == nullptr) {
    return config.error_at(nullptr, "stage '" + context.name +
                                        "' runs a model on detected objects, but no detector "
                                        "comes before it");
  }
  std::unique_ptr<AttributesStage> stage(new AttributesStage());
  stage->name_ = context.name;
  std::string model;
  FP_RETURN_IF_ERROR(config.require("model", model));
  auto spec = context.registry.find(model);
  if (!spec.ok()) return config.error_at("model", spec.error().message());
  if (spec->kind != "attribute" && spec->kind != "embedder") {
    return config.error_at("model", "model '" + model + "' is a " + spec->kind +
                                        ", not an attribute model or an embedder");
  }
  stage->attribute_ = spec->kind == "embedder" ? "embedding" : spec->attribute;
  if (config.has("attribute") && spec->decoder == "genderage") {
    return config.error_at("attribute", "model '" + model + "' gives 'age' and 'gender'");
  }
  FP_RETURN_IF_ERROR(config.read("attribute", stage->attribute_));
  if (faces::is_face_attribute(stage->attribute_)) {
    return config.error_at("attribute", "'" + stage->attribute_ +
                                            "' is a name the faces stage writes: choose another");
  }
  FP_ASSIGN_OR_RETURN(stage->filter_, ObjectFilter::read(config));
  if (config.has("per_track")) {
    if (!context.tracked) {
      return config.error_at("per_track", "'per_track' needs a track stage before this one");
    }
    FP_ASSIGN_OR_RETURN(const YamlMap per_track, config.map("per_track", "per_track"));
    FP_RETURN_IF_ERROR(per_track.check_keys({"best", "every", "max"}));
    faces::TrackSelectionOptions options;
    options.best = 0;  // no rank limit unless asked
    FP_RETURN_IF_ERROR(read_track_selection(per_track, options, "objects"));
    stage->per_track_ = options;
  }
  stage->normalization_ = normalization_of(spec->preprocess);

  infer::ModelRequest request;
  request.name = model;
  request.max_delay = std::chrono::microseconds(20'000);
  FP_ASSIGN_OR_RETURN(stage->model_, load_model(config, context, std::move(request), "model"));
  return std::unique_ptr<Stage>(std::move(stage));
}

std::optional<AttributesStage::Job> AttributesStage::prepare(const cv::Mat& image,
                                                             const Detection& object) const {
  const infer::ModelSpec& spec = model_->spec();
  const cv::Size input(spec.input_width, spec.input_height);
  vision::Crop crop;
  if (spec.crop.shape == "aligned_face") {
    crop.image = vision::align_face(image, object.keypoints, input);
  } else if (spec.crop.shape == "square") {
    crop = vision::crop_square(image, object.box, spec.crop.scale);
  } else {
    crop = vision::crop_box(image, object.box, spec.crop.margin_x, spec.crop.margin_y);
  }
  if (crop.image.empty()) return std::nullopt;
  cv::Mat sized = crop.image;
  if (sized.size() != input) cv::resize(crop.image, sized, input, 0, 0, cv::INTER_LINEAR);
  if (spec.preprocess.gray) cv::cvtColor(sized, sized, cv::COLOR_BGR2GRAY);
  return Job{0, crop.region, vision::make_blob(sized, normalization_)};
}

void AttributesStage::count(const std::string& reason, int64_t n) {
  std::lock_guard lock(mutex_);
  objects_ += n;
  if (reason.empty()) {
    inferred_ += n;
  } else {
    skipped_[reason] += n;
  }
}

std::vector<AttributesStage::Job> AttributesStage::select(FrameResult& item) {
  const auto start = SteadyClock::now();
  faces::TrackSelection* selection =
      per_track_ ? &selections_.try_emplace(item.frame.stream, *per_track_).first->second : nullptr;
  std::vector<Job> jobs;
  for (size_t i = 0; i < item.detections.size(); ++i) {
    const Detection& object = item.detections[i];
    std::string reason = filter_.skip_reason(object);
    if (reason.empty() && selection != nullptr && object.track_id != 0 &&
        !selection->offer(object.track_id, item.sequence, object.score)) {
      reason = "not_sampled";
    }
    std::optional<Job> job;
    if (reason.empty()) job = prepare(item.frame.image, object);
    if (reason.empty() && !job) {
      reason = model_->spec().crop.shape == "aligned_face" ? "no_landmarks" : "empty_crop";
    }
    if (!reason.empty()) {
      count(reason);
      continue;
    }
    job->object = i;
    jobs.push_back(std::move(*job));
  }
  if (selection != nullptr) {
    for (int64_t id : item.ended_tracks) selection->end(id);
  }
  item.add_timing(name_ + ".preprocess", start);
  return jobs;
}

void AttributesStage::apply(FrameResult& item, const Job& job,
                            const infer::Outputs& outputs) const {
  const infer::ModelSpec& spec = model_->spec();
  std::vector<Attribute>& attributes = item.detections[job.object].attributes;
  const cv::Mat& output = outputs.front();
  if (spec.decoder == "genderage") {
    for (Attribute& a : vision::decode_gender_age(output)) attributes.push_back(std::move(a));
  } else if (spec.decoder == "classes") {
    attributes.push_back(vision::decode_classes(output, spec.class_names, attribute_));
  } else if (spec.decoder == "landmarks") {
    attributes.push_back(vision::decode_landmarks(output, job.region, attribute_));
  } else {
    faces::Embedding embedding(output.ptr<float>(), output.ptr<float>() + output.total());
    faces::l2_normalize(embedding);
    attributes.push_back({attribute_, std::move(embedding)});
  }
}

Status AttributesStage::process(FrameResult& item) {
  std::vector<Job> jobs = select(item);
  std::vector<cv::Mat> blobs;
  for (const Job& job : jobs) blobs.push_back(job.blob);
  const auto start = SteadyClock::now();
  return apply_all(item, jobs, model_->batcher().run_all(std::move(blobs)), start);
}

Status AttributesStage::apply_all(FrameResult& item, const std::vector<Job>& jobs,
                                  const std::vector<Result<infer::Outputs>>& outputs,
                                  SteadyClock::time_point start) {
  for (size_t k = 0; k < jobs.size(); ++k) {
    if (!outputs[k].ok()) {
      return outputs[k].error().with_context("model '" + model_->spec().name + "'");
    }
    apply(item, jobs[k], *outputs[k]);
  }
  count("", static_cast<int64_t>(jobs.size()));
  item.add_timing(name_ + ".infer", start);
  return ok_status();
}

bool AttributesStage::start(FrameResult& item, std::function<void(Status)> done) {
  if (per_track_) return false;  // in order, through process()
  auto jobs = std::make_shared<std::vector<Job>>(select(item));
  if (jobs->empty()) {
    done(ok_status());
    return true;
  }
  std::vector<cv::Mat> blobs;
  for (const Job& job : *jobs) blobs.push_back(job.blob);
  const auto start = SteadyClock::now();
  model_->batcher().submit_all(std::move(blobs), [this, &item, jobs, start, done = std::move(done)](
                                                     std::vector<Result<infer::Outputs>> outputs) {
    done(apply_all(item, *jobs, outputs, start));
  });
  return true;
}

nlohmann::ordered_json AttributesStage::report() const {
  std::lock_guard lock(mutex_);
  nlohmann::ordered_json r{{"model", model_->spec().name},
                           {"backend", model_->backend_name()},
                           {"objects", objects_},
                           {"inferred", inferred_},
                           {"skipped", skipped_}};
  if (per_track_) {
    r["per_track"] = {
        {"best", per_track_->best}, {"every", per_track_->every}, {"max", per_track_->max}};
  }
  return r;
}

}  // namespace fp::pipeline
