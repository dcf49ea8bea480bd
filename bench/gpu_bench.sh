#!/usr/bin/env bash
# Issue 11's GPU check: examples/people.yaml with `device: cuda` against `device: cpu` on a 1080p
# clip, at several --cpus budgets; prints fps, cores used and the p50 of each stage, and fails when
# a run exits non-zero (a crash at exit counts: CUDA teardown is where ONNX Runtime breaks).
#   bench/gpu_bench.sh [BUILD_DIR=build] [CLIP] [CPUS...=2 8 16]
# BUILD_DIR must be built against ONNX Runtime's GPU package (ONNXRUNTIME_ROOT pointing at
# Microsoft.ML.OnnxRuntime.Gpu.Linux, README "ONNX Runtime") with its CUDA libraries on the library
# path. Without CLIP, vtest is scaled to 1920x1080 with ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
clip=${2:-}
shift $(($# < 2 ? $# : 2))
budgets=("${@:-2 8 16}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$clip" ]; then
  clip=$work/vtest_1080p.mp4
  ffmpeg -loglevel error -i ../shared/media/video/vtest_480x360.avi -vf scale=1920:1080 \
    -c:v libx264 -crf 26 -preset veryfast -pix_fmt yuv420p "$clip"
fi
"$build/framepipe" models backends
sed 's/device: cpu /device: cuda/' examples/people.yaml > "$work/people_cuda.yaml"

failed=0
for cpus in ${budgets[*]}; do
  for device in cuda cpu; do
    pipeline=examples/people.yaml
    [ "$device" = cuda ] && pipeline=$work/people_cuda.yaml
    out=$work/$device$cpus
    status=0
    "$build/framepipe" run "$pipeline" "$clip" --out "$out" --cpus "$cpus" --no-progress \
      > "$out.log" 2>&1 || status=$?
    if [ "$status" != 0 ]; then
      echo "$device --cpus $cpus: exit $status"
      tail -5 "$out.log"
      failed=1
      continue
    fi
    python3 - "$out/run.json" "$device --cpus $cpus" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
stages = ", ".join(f"{s['stage']} {s['steady']['p50_ms']:.2f}" for s in r["stage_timings"])
print(f"{sys.argv[2]}: {r['fps']:.1f} fps, {r['cpu_cores_used']:.2f} cores; p50 ms: {stages}")
PY
  done
done
exit $failed
