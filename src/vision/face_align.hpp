// Face alignment for face embedders: warps a face so that its 5 landmarks land on the ArcFace
// template, the crop that ArcFace-style embedders (MobileFaceNet, SFace) were trained on.
#pragma once

#include <array>
#include <opencv2/core/mat.hpp>
#include <opencv2/core/matx.hpp>
#include <optional>
#include <vector>

#include "core/detection.hpp"

namespace fp::vision {

// The 5 ArcFace landmarks in a 112x112 crop, in YuNet's order: right eye, left eye, nose, right
// and left mouth corner (the subject's right, on the image's left).
const std::array<cv::Point2d, 5>& arcface_template();

// The similarity transform (rotation, uniform scale, shift: x' = A x + t with
// A = [a -b; b a]) that maps `keypoints` (10 floats: 5 x, y pairs, as Detection::keypoints) onto
// the template scaled to `size` (112x112 unscaled), as a 2x3 matrix for cv::warpAffine.
//
// It is the least-squares fit over all five points, in closed form (centre both sets, then a, b
// from their dot and cross products), as ArcFace's own alignment does. This is the model that
// cv::estimateAffinePartial2D fits, and its result with cv::LMEDS on most faces; its default,
// RANSAC with a 3 px threshold, refits on a subset of the points instead, which moved the crop
// by up to ~25 px on the shared sample faces and gave lower same-person cosines with
// mobilefacenet_128d (worst Biden pair 0.52 against 0.66 here). Computing it here also keeps
// OpenCV's calib3d out of the link.
//
// std::nullopt when the keypoints are not 10 finite numbers or are all (nearly) at one point, so
// that no rotation or scale can be estimated.
std::optional<cv::Matx23d> face_alignment_transform(const std::vector<float>& keypoints,
                                                    cv::Size size = {112, 112});

// `image` warped by face_alignment_transform() into a `size` crop (bilinear, black outside the
// image): the input a face embedder expects. An empty Mat when the transform cannot be estimated
// (see above) or `image` is empty.
cv::Mat align_face(const cv::Mat& image, const std::vector<float>& keypoints,
                   cv::Size size = {112, 112});

// The 112x112 face image an embedder gets for a detected face: aligned from its 5 landmarks, or,
// for a boxes-only detector, its box cropped and resized; empty when neither works.
cv::Mat face_crop(const cv::Mat& image, const Detection& face);

}  // namespace fp::vision
