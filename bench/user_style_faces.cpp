#include "user_style_faces.hpp"

#include "bench_support.hpp"
#include "faces/quality.hpp"
#include "infer/model_registry.hpp"
#include "vision/face_align.hpp"
#include "vision/letterbox.hpp"
#include "vision/nms.hpp"
#include "vision/yunet_decoder.hpp"

namespace fp::bench {

namespace {

// examples/faces.yaml's detect stage: the registry's 640x640 input (the size YuNet's ONNX fixes,
// which ONNX Runtime needs), conf 0.6, nms 0.3; the registry's preprocessing: top-left letterbox
// padded with 0, BGR 0..255 as is.
const cv::Size kDetectorInput(640, 640);
constexpr double kPadValue = 0;
constexpr float kConf = 0.6f;
constexpr float kNms = 0.3f;

// MobileFaceNet: RGB, (x - 127.5) / 128 on the aligned 112x112 crop, the blobFromImage call of
// MODELS.md. Dividing by 128 is multiplying by 1/128 exactly, so this is bit for bit the
// registry's preprocessing as vision::make_blob applies it.
const cv::Size kFaceSize(112, 112);
const cv::Scalar kFaceMean(127.5, 127.5, 127.5);
constexpr double kFaceScale = 1.0 / 128;

faces::QualityOptions example_quality() {
  faces::QualityOptions quality;
  quality.min_face_size = 20;
  quality.min_score = 0.7f;
  quality.min_sharpness = 15;
  return quality;
}

cv::dnn::Net load_net(const std::string& model) {
  const auto registry = value_or_die(infer::ModelRegistry::load_default());
  cv::dnn::Net net = cv::dnn::readNetFromONNX(value_or_die(registry.resolve(model)).string());
  if (net.empty()) die("OpenCV DNN loaded no layers for " + model);
  return net;
}

}  // namespace

std::string hamilton_clip_path() {
  return (shared_dir() / "media/video/short_hamilton_clip.mp4").string();
}

std::string faces_pipeline_path() {
  return std::string(FRAMEPIPE_SOURCE_DIR) + "/examples/faces.yaml";
}

UserStyleFaceDetector::UserStyleFaceDetector()
    : net_(load_net("yunet_2023mar")), output_names_(vision::YunetDecoder().output_names()) {
  std::vector<cv::Mat> outputs;
  net_.setInput(cv::dnn::blobFromImage(cv::Mat(kDetectorInput, CV_8UC3, cv::Scalar::all(0))));
  net_.forward(outputs, output_names_);
}

std::vector<Detection> UserStyleFaceDetector::detect(const cv::Mat& image) {
  vision::InputTransform transform;
  const cv::Mat input =
      vision::fit_to_input(image, kDetectorInput, vision::ResizeMode::kLetterboxTopLeft,
                           vision::Interpolation::kLinear, kPadValue, &transform);
  net_.setInput(cv::dnn::blobFromImage(input));  // what users write
  std::vector<cv::Mat> outputs;
  net_.forward(outputs, output_names_);
  std::vector<Detection> faces;
  for (Detection& d : value_or_die(vision::YunetDecoder().decode(outputs, kDetectorInput, kConf))) {
    d.box = vision::clip_box(transform.to_source(d.box), image.size());
    if (d.box.area() <= 0) continue;
    d.keypoints = transform.points_to_source(d.keypoints);
    faces.push_back(std::move(d));
  }
  faces = vision::nms_per_class(std::move(faces), kNms);
  for (Detection& d : faces) d.label = "face";
  return faces;
}

UserStyleFaceEmbedder::UserStyleFaceEmbedder() : net_(load_net("mobilefacenet_128d")) {
  net_.setInput(cv::dnn::blobFromImage(cv::Mat(kFaceSize, CV_8UC3, cv::Scalar::all(0)), kFaceScale,
                                       kFaceSize, kFaceMean, true, false));
  net_.forward();
}

faces::Embedding UserStyleFaceEmbedder::embed(const cv::Mat& aligned) {
  net_.setInput(cv::dnn::blobFromImage(aligned, kFaceScale, kFaceSize, kFaceMean, true, false));
  const cv::Mat output = net_.forward();
  ++forward_calls_;
  const cv::Mat flat = output.reshape(1, 1);
  faces::Embedding embedding(flat.begin<float>(), flat.end<float>());
  if (!faces::l2_normalize(embedding)) embedding.clear();
  return embedding;
}

std::optional<std::string> face_skip_reason(const cv::Mat& image, bool bad_frame,
                                            const Detection& face, cv::Mat* aligned) {
  static const faces::QualityOptions quality = example_quality();
  if (bad_frame) return "bad_source_frame";
  if (auto reason = faces::pre_embedding_skip(face.box, image.size(), face.score, quality)) {
    return reason;
  }
  *aligned = vision::align_face(image, face.keypoints, kFaceSize);
  if (aligned->empty()) return "invalid_bbox";
  if (faces::sharpness(*aligned) < quality.min_sharpness) return "blurry";
  return std::nullopt;
}

}  // namespace fp::bench
