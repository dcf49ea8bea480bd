#include "pipeline/detect_stage.hpp"

#include <algorithm>

#include "faces/face_attributes.hpp"
#include "vision/attribute_decoders.hpp"
#include "vision/nms.hpp"

namespace fp::pipeline {

namespace {

// The registry accepts only the names below (it checks them when it loads), so these are total.
vision::ResizeMode resize_mode(const std::string& name) {
  if (name == "letterbox_center") return vision::ResizeMode::kLetterboxCenter;
  if (name == "stretch") return vision::ResizeMode::kStretch;
  return vision::ResizeMode::kLetterboxTopLeft;
}

vision::Interpolation interpolation_mode(const std::string& name) {
  return name == "area" ? vision::Interpolation::kArea : vision::Interpolation::kLinear;
}

// A model without a label list names its classes "class<N>" (see postprocess).
Result<std::vector<std::string>> class_names(const infer::ModelRegistry& registry,
                                             const infer::ModelSpec& spec) {
  if (spec.labels.empty()) return std::vector<std::string>{};
  return infer::load_labels(registry, spec.labels);
}

Status read_input_size(const YamlMap& config, cv::Size& size) {
  std::vector<int> wh;
  FP_RETURN_IF_ERROR(config.read("input_size", wh));
  if (wh.empty()) return ok_status();
  constexpr int kMaxSide = 4096;
  if (wh.size() != 2 || wh[0] < 32 || wh[1] < 32 || wh[0] > kMaxSide || wh[1] > kMaxSide ||
      wh[0] % 32 != 0 || wh[1] % 32 != 0) {
    return config.error_at("input_size",
                           "'input_size' must be [width, height], each a multiple of 32 from 32 "
                           "to 4096");
  }
  size = cv::Size(wh[0], wh[1]);
  return ok_status();
}

}  // namespace

Status read_model_options(const YamlMap& config, const StageContext& context,
                          infer::ModelOptions& options) {
  FP_RETURN_IF_ERROR(config.read_one_of("backend", options.backend, {"onnxruntime", "opencv"}));
  if (!context.backend.empty()) options.backend = context.backend;
  FP_RETURN_IF_ERROR(config.read_one_of("device", options.device, {"cpu", "cuda"}));
  std::string fallback;
  FP_RETURN_IF_ERROR(config.read_one_of("fallback", fallback, {"cpu"}));
  options.fallback_to_cpu = fallback == "cpu";
  return ok_status();
}

Result<infer::PooledModel*> load_model(const YamlMap& config, const StageContext& context,
                                       infer::ModelRequest request, const char* key) {
  FP_RETURN_IF_ERROR(read_batching(config, request));
  FP_RETURN_IF_ERROR(read_model_options(config, context, request.options));
  auto model = context.models.get(request);
  if (!model.ok()) return config.error_at(key, model.error().message());
  return *model;
}

Status read_batching(const YamlMap& config, infer::ModelRequest& request) {
  FP_RETURN_IF_ERROR(config.read("max_batch", request.max_batch));
  if (config.has("max_batch") && (request.max_batch < 1 || request.max_batch > 64)) {
    return config.error_at("max_batch", "'max_batch' must be from 1 to 64");
  }
  int64_t delay = request.max_delay.count();
  FP_RETURN_IF_ERROR(config.read("max_delay_us", delay));
  if (delay < 0 || delay > 10'000'000) {
    return config.error_at("max_delay_us", "'max_delay_us' must be from 0 to 10000000");
  }
  request.max_delay = std::chrono::microseconds(delay);
  return ok_status();
}

vision::Normalization normalization_of(const infer::Preprocess& preprocess) {
  vision::Normalization norm;
  norm.swap_rb = preprocess.swap_rb;
  std::copy(std::begin(preprocess.mean), std::end(preprocess.mean), norm.mean.begin());
  std::copy(std::begin(preprocess.std), std::end(preprocess.std), norm.std.begin());
  return norm;
}

Result<std::unique_ptr<Stage>> DetectStage::create(const StageContext& context) {
  const YamlMap& config = context.config;
  FP_RETURN_IF_ERROR(config.check_keys({"name", "model", "conf", "nms", "classes", "input_size",
                                        "backend", "device", "fallback", "max_batch",
                                        "max_delay_us", "detect_every", "within", "tiles"}));
  std::optional<Within> within;
  if (config.has("within")) {
    FP_ASSIGN_OR_RETURN(within, read_within(context));
  }
  std::optional<TileOptions> tiles;
  if (config.has("tiles")) {
    if (within) return config.error_at("tiles", "'tiles' and 'within' cannot go together");
    FP_ASSIGN_OR_RETURN(const YamlMap map, config.map("tiles", "tiles"));
    FP_ASSIGN_OR_RETURN(tiles, TileOptions::read(map));
  }
  std::string model_name;
  FP_RETURN_IF_ERROR(config.require("model", model_name));
  auto spec = context.registry.find(model_name);
  if (!spec.ok()) return config.error_at("model", spec.error().message());
  if (spec->kind != "detector" && spec->kind != "face_detector") {
    return config.error_at("model", "model '" + model_name + "' has kind '" + spec->kind +
                                        "', not a detector: a detect stage needs a model of "
                                        "kind detector or face_detector (see `framepipe models "
                                        "list`)");
  }

  float conf = spec->default_conf;
  float nms = spec->default_nms;
  FP_RETURN_IF_ERROR(config.read("conf", conf));
  FP_RETURN_IF_ERROR(config.read("nms", nms));
  if (conf <= 0 || conf >= 1) return config.error_at("conf", "'conf' must be in (0, 1)");
  if (nms <= 0 || nms > 1) return config.error_at("nms", "'nms' must be in (0, 1]");
  FP_ASSIGN_OR_RETURN(const std::vector<std::string> keep, read_classes(config, "keep"));
  int detect_every = 1;
  FP_RETURN_IF_ERROR(config.read("detect_every", detect_every));
  if (detect_every < 1 || detect_every > 1000) {
    return config.error_at("detect_every", "'detect_every' must be from 1 to 1000");
  }

  infer::ModelRequest request;
  request.name = model_name;
  infer::ModelOptions& options = request.options;
  FP_RETURN_IF_ERROR(read_model_options(config, context, options));
  options.input_size = context.detector_input_size;
  options.input_size_is_preference = !config.has("input_size");
  FP_RETURN_IF_ERROR(read_input_size(config, options.input_size));
  FP_RETURN_IF_ERROR(read_batching(config, request));

  auto opened = open(context.name, *spec, std::move(request), context.registry, context.models);
  if (!opened.ok()) return config.error_at("model", opened.error().message());
  std::unique_ptr<DetectStage> stage = std::move(opened).value();
  stage->conf_ = conf;
  stage->nms_ = nms;
  stage->detect_every_ = detect_every;
  stage->within_ = std::move(within);
  stage->tiles_ = std::move(tiles);
  if (!keep.empty()) {
    stage->keep_class_.assign(stage->labels_.size(), false);
    for (const std::string& name : keep) {
      const auto it = std::find(stage->labels_.begin(), stage->labels_.end(), name);
      if (it == stage->labels_.end()) {
        return config.error_at("classes", "class '" + name + "' is not a label of model '" +
                                              model_name + "' (labels: " + spec->labels + ")");
      }
      stage->keep_class_[it - stage->labels_.begin()] = true;
    }
  }
  return std::unique_ptr<Stage>(std::move(stage));
}

Result<std::unique_ptr<DetectStage>> DetectStage::open(std::string name,
                                                       const infer::ModelSpec& spec,
                                                       infer::ModelRequest request,
                                                       const infer::ModelRegistry& registry,
                                                       infer::ModelPool& models) {
  std::unique_ptr<DetectStage> stage(new DetectStage());
  stage->name_ = std::move(name);
  stage->conf_ = spec.default_conf;
  stage->nms_ = spec.default_nms;
  FP_ASSIGN_OR_RETURN(stage->decoder_, vision::make_detection_decoder(spec.decoder));
  stage->resize_ = resize_mode(spec.preprocess.resize);
  stage->interpolation_ = interpolation_mode(spec.preprocess.interpolation);
  stage->pad_value_ = spec.preprocess.pad_value;
  stage->normalization_ = normalization_of(spec.preprocess);

  request.output_names = stage->decoder_->output_names();
  FP_ASSIGN_OR_RETURN(stage->model_, models.get(request));
  FP_ASSIGN_OR_RETURN(stage->labels_, class_names(registry, spec));
  // A face detector without a label list has one class.
  if (spec.kind == "face_detector" && stage->labels_.empty()) stage->labels_ = {faces::kFaceClass};
  return stage;
}

cv::Mat DetectStage::preprocess(const cv::Mat& image, vision::InputTransform* transform) const {
  const cv::Mat input = vision::fit_to_input(image, model_->input_size(), resize_, interpolation_,
                                             pad_value_, transform);
  return vision::make_blob(input, normalization_);
}

Result<std::vector<Detection>> DetectStage::postprocess(const std::vector<cv::Mat>& outputs,
                                                        const vision::InputTransform& transform,
                                                        cv::Size image_size) const {
  FP_ASSIGN_OR_RETURN(std::vector<Detection> candidates,
                      decoder_->decode(outputs, model_->input_size(), conf_));
  std::vector<Detection> kept;
  kept.reserve(candidates.size());
  for (Detection& d : candidates) {
    if (!keep_class_.empty() &&
        (d.class_id >= static_cast<int>(keep_class_.size()) || !keep_class_[d.class_id])) {
      continue;
    }
    d.box = vision::clip_box(transform.to_source(d.box), image_size);
    if (d.box.area() <= 0) continue;
    if (!d.keypoints.empty()) d.keypoints = transform.points_to_source(d.keypoints);
    kept.push_back(std::move(d));
  }
  kept = vision::nms_per_class(std::move(kept), nms_);
  for (Detection& d : kept) {
    d.label = d.class_id < static_cast<int>(labels_.size()) ? labels_[d.class_id]
                                                            : "class" + std::to_string(d.class_id);
  }
  return kept;
}

bool DetectStage::skipped_by_rate(FrameResult& item) const {
  if (item.sequence % detect_every_ == 0) return false;
  item.detector_skipped = true;
  return true;
}

Result<DetectStage::Within> DetectStage::read_within(const StageContext& context) {
  const YamlMap& config = context.config;
  if (context.detector == nullptr) {
    return config.error_at("within", "stage '" + context.name +
                                         "' searches within objects, but no detector comes "
                                         "before it");
  }
  FP_ASSIGN_OR_RETURN(const YamlMap map, config.map("within", "within"));
  FP_RETURN_IF_ERROR(map.check_keys({"classes", "min_size", "min_score", "margin"}));
  if (!map.has("classes")) {
    return map.error_at(nullptr, "'within' needs 'classes': the objects to search in");
  }
  Within within;
  FP_ASSIGN_OR_RETURN(within.objects, ObjectFilter::read(map));
  FP_RETURN_IF_ERROR(map.read("margin", within.margin));
  if (!(within.margin >= 0 && within.margin <= 1)) {
    return map.error_at("margin", "'margin' must be from 0 to 1 (a share of the box's size)");
  }
  return within;
}

std::vector<DetectStage::Region> DetectStage::prepare_regions(FrameResult& item,
                                                              std::vector<cv::Mat>& blobs) {
  const auto start = SteadyClock::now();
  const cv::Mat& image = item.frame.image;
  std::vector<Region> regions;
  const auto add = [&](int64_t parent, const cv::Rect& rect) {
    Region region{parent, rect.tl(), rect.size(), {}};
    blobs.push_back(preprocess(image(rect), &region.transform));
    regions.push_back(region);
  };
  if (tiles_) {
    for (const cv::Rect& rect : tiles_->regions(image.size())) add(0, rect);
    last_regions_ = static_cast<int64_t>(regions.size());
  } else {
    for (const Detection& object : item.detections) {
      if (!within_->objects.skip_reason(object).empty()) continue;
      const float mx = static_cast<float>(within_->margin) * object.box.width();
      const float my = static_cast<float>(within_->margin) * object.box.height();
      const vision::Crop crop = vision::crop_box(image, object.box, mx, my);
      if (!crop.image.empty()) add(object.id, cv::Rect(crop.region));
    }
  }
  regions_searched_ += static_cast<int64_t>(regions.size());
  item.add_timing(name_ + ".preprocess", start);
  return regions;
}

Status DetectStage::finish_regions(FrameResult& item, const std::vector<Region>& regions,
                                   const std::vector<Result<infer::Outputs>>& outputs,
                                   SteadyClock::time_point submitted) {
  item.add_timing(name_ + ".inference", submitted);
  auto start = SteadyClock::now();
  std::vector<Detection> found;
  for (size_t k = 0; k < regions.size(); ++k) {
    if (!outputs[k].ok()) return outputs[k].error();
    const Region& region = regions[k];
    FP_ASSIGN_OR_RETURN(std::vector<Detection> inside,
                        postprocess(*outputs[k], region.transform, region.size));
    const float dx = static_cast<float>(region.origin.x), dy = static_cast<float>(region.origin.y);
    for (Detection& d : inside) {
      d.box = Box{d.box.x1 + dx, d.box.y1 + dy, d.box.x2 + dx, d.box.y2 + dy};
      for (size_t p = 0; p + 1 < d.keypoints.size(); p += 2) {
        d.keypoints[p] += dx;
        d.keypoints[p + 1] += dy;
      }
      d.parent = region.parent;
      found.push_back(std::move(d));
    }
  }
  item.add_timing(name_ + ".postprocess", start);
  if (tiles_) {
    // A box cut by a tile border joins the whole box another tile or the global view saw.
    start = SteadyClock::now();
    item.detections = tiles_->merge.apply(std::move(found));
    item.add_timing(name_ + ".merge", start);
    return ok_status();
  }
  // Overlapping crops see the same thing: it is kept once, with the parent of its best view.
  for (Detection& d : vision::nms_per_class(std::move(found), nms_)) {
    item.detections.push_back(std::move(d));
  }
  return ok_status();
}

Status DetectStage::process(FrameResult& item) {
  if (skipped_by_rate(item)) return ok_status();
  if (within_ || tiles_) {
    std::vector<cv::Mat> blobs;
    const std::vector<Region> regions = prepare_regions(item, blobs);
    const auto submitted = SteadyClock::now();
    return finish_regions(item, regions, model_->batcher().run_all(std::move(blobs)), submitted);
  }
  vision::InputTransform transform;
  const cv::Mat blob = prepare(item, &transform);
  infer::RequestTimings model_timings;
  return finish(item, model_->batcher().run(blob, &model_timings), model_timings, transform);
}

bool DetectStage::start(FrameResult& item, std::function<void(Status)> done) {
  if (skipped_by_rate(item)) {
    done(ok_status());
    return true;
  }
  if (within_ || tiles_) {
    std::vector<cv::Mat> blobs;
    auto regions = std::make_shared<std::vector<Region>>(prepare_regions(item, blobs));
    const auto submitted = SteadyClock::now();
    model_->batcher().submit_all(
        std::move(blobs), [this, &item, regions, submitted,
                           done = std::move(done)](std::vector<Result<infer::Outputs>> outputs) {
          done(finish_regions(item, *regions, outputs, submitted));
        });
    return true;
  }
  vision::InputTransform transform;
  const cv::Mat blob = prepare(item, &transform);
  model_->batcher().submit(
      blob, [this, &item, transform, done = std::move(done)](Result<infer::Outputs> outputs,
                                                             infer::RequestTimings timings) {
        done(finish(item, std::move(outputs), timings, transform));
      });
  return true;
}

cv::Mat DetectStage::prepare(FrameResult& item, vision::InputTransform* transform) const {
  const auto start = SteadyClock::now();
  cv::Mat blob = preprocess(item.frame.image, transform);
  item.add_timing(name_ + ".preprocess", start);
  return blob;
}

Status DetectStage::finish(FrameResult& item, Result<infer::Outputs> outputs,
                           const infer::RequestTimings& timings,
                           const vision::InputTransform& transform) const {
  if (!outputs.ok()) return outputs.error();
  item.timings.emplace_back(name_ + ".queue_wait", timings.queue_ms);
  item.timings.emplace_back(name_ + ".inference", timings.run_ms);
  const auto start = SteadyClock::now();
  FP_ASSIGN_OR_RETURN(item.detections, postprocess(*outputs, transform, item.frame.image.size()));
  item.add_timing(name_ + ".postprocess", start);
  return ok_status();
}

nlohmann::ordered_json DetectStage::report() const {
  nlohmann::ordered_json r{
      {"model", model_->spec().name},
      {"backend", model_->backend_name()},
      {"input_size", {model_->input_size().width, model_->input_size().height}},
      {"conf", conf_},
      {"nms", nms_},
      {"detect_every", detect_every_}};
  if (within_) r["regions_searched"] = regions_searched_.load();
  if (tiles_) {
    r["tiles"] = {{"regions_run", regions_searched_.load()},
                  {"regions_per_frame", last_regions_.load()},
                  {"global", tiles_->global}};
    r["tiles"].update(tiles_->merge.to_json());
  }
  r["requests"] = model_->batcher().report()["requests"];
  return r;
}

}  // namespace fp::pipeline
