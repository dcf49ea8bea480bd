#include "vision/detection_decoder.hpp"

#include "vision/nanodet_decoder.hpp"
#include "vision/ultraface_decoder.hpp"
#include "vision/yolox_decoder.hpp"
#include "vision/yunet_decoder.hpp"

namespace fp::vision {

Result<std::unique_ptr<DetectionDecoder>> make_detection_decoder(const std::string& name) {
  if (name == "yolox") return std::unique_ptr<DetectionDecoder>(new YoloxDecoder());
  if (name == "nanodet") return std::unique_ptr<DetectionDecoder>(new NanodetDecoder());
  if (name == "yunet") return std::unique_ptr<DetectionDecoder>(new YunetDecoder());
  if (name == "ultraface") return std::unique_ptr<DetectionDecoder>(new UltrafaceDecoder());
  return Error("unknown detection decoder '" + name +
               "' (known: yolox, nanodet, yunet, ultraface)");
}

}  // namespace fp::vision
