#!/usr/bin/env bash
# Issue 11's targets on whole runs: ONNX Runtime (the default) against OpenCV DNN and against a
# user-style sequential ONNX Runtime loop, on this build's programs.
#   bench/backend_bench.sh [REPEATS=3] [BUILD_DIR=build]
# Within each repeat the runs alternate (the order flips on even repeats) so that slow spells of a
# shared machine hit every side; each figure is the median over the repeats. Printed:
#   1. people.yaml on vtest, --cpus 2: fps onnxruntime / fps opencv              target >= 2.5
#   2. the same fps / user_style_ort_loop --threads 2 fps (ORT's defaults, spinning on, as users
#      leave it; and --no-spinning), detections compared                          target >= 1.3
#   3. fps / limit, limit = 2 / L, L = YOLOX-nano's single-thread ONNX Runtime latency, taken as
#      the p50 of detect.inference in a --cpus 1 run of the same repeat           target >= 0.85
#   4. faces.yaml on the Hamilton clip, --cpus 2: fps onnxruntime / opencv        target >= 2,
#      and the same faces-per-identity on both
#   5. --cpus 1: CPU time / wall time                                             target <= 1.05
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
build=${2:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
video=../shared/media/video/vtest_480x360.avi
clip=../shared/media/video/short_hamilton_clip.mp4

json() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
people() {  # NAME BACKEND CPUS
  "$build/framepipe" run examples/people.yaml "$video" --out "$work/$1" --backend "$2" \
    --cpus "$3" --no-progress > "$work/$1.log" 2>&1
}
faces() {  # NAME BACKEND
  "$build/framepipe" run examples/faces.yaml "$clip" --out "$work/$1" --backend "$2" --cpus 2 \
    --no-progress > "$work/$1.log" 2>&1
}
loop() {  # NAME [FLAGS]
  local name=$1
  shift
  taskset -c 0,1 "$build/bench/user_style_ort_loop" --video "$video" --threads 2 \
    --out "$work/$name.jsonl" --json "$work/$name.json" "$@" > /dev/null 2>&1
}

for r in $(seq 1 "$repeats"); do
  steps=(ort cv loop loopns one fort fcv)
  if [ $((r % 2)) -eq 0 ]; then steps=(fcv fort one loopns loop cv ort); fi
  for step in "${steps[@]}"; do
    case $step in
      ort) people "ort$r" onnxruntime 2 ;;
      cv) people "cv$r" opencv 2 ;;
      loop) loop "loop$r" ;;
      loopns) loop "loopns$r" --no-spinning ;;
      one) people "one$r" onnxruntime 1 ;;
      fort) faces "fort$r" onnxruntime ;;
      fcv) faces "fcv$r" opencv ;;
    esac
  done
  ort=$(json "$work/ort$r/run.json" "r['fps']")
  cv=$(json "$work/cv$r/run.json" "r['fps']")
  lp=$(json "$work/loop$r.json" "r['fps']")
  lpns=$(json "$work/loopns$r.json" "r['fps']")
  latency=$(json "$work/one$r/run.json" "[s for s in r['stage_timings'] if s['stage'] == 'detect.inference'][0]['steady']['p50_ms']")
  cores1=$(json "$work/one$r/run.json" "r['cpu_cores_used']")
  fort=$(json "$work/fort$r/run.json" "r['fps']")
  fcv=$(json "$work/fcv$r/run.json" "r['fps']")
  echo "repeat $r: people ort $ort cv $cv | loop $lp (no spinning $lpns) | L ${latency} ms," \
    "--cpus 1 cores $cores1 | faces ort $fort cv $fcv" | tee -a "$work/repeats.txt"
  echo "$ort $cv $lp $lpns $latency $cores1 $fort $fcv" >> "$work/figures.txt"
done

python3 - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
rows = [list(map(float, line.split())) for line in open(f"{work}/figures.txt")]
med = [statistics.median(col) for col in zip(*rows)]
ort, cv, lp, lpns, latency, cores1, fort, fcv = med
limit = 2 / (latency / 1000)
def persons(path):
    return [[d["box"] for d in json.loads(l).get("detections", [])] for l in open(path)]
same = [len(a) == len(b) for a, b in zip(persons(f"{work}/ort1/detections.jsonl"),
                                         persons(f"{work}/loop1.jsonl"))]
def groups(path):
    ids = json.load(open(path))["identities"]
    return sorted((i["faces"] for i in ids), reverse=True)
g_ort, g_cv = groups(f"{work}/fort1/identities.json"), groups(f"{work}/fcv1/identities.json")
print(f"medians of {len(rows)} repeats")
print(f"1. people fps onnxruntime {ort:.1f} / opencv {cv:.1f} = {ort / cv:.2f} (target >= 2.5)")
print(f"2. / user loop {lp:.1f} = {ort / lp:.2f}; / user loop without spinning {lpns:.1f} = "
      f"{ort / lpns:.2f} (target >= 1.3); same detection count on {sum(same)}/{len(same)} frames")
print(f"3. L {latency:.2f} ms, limit {limit:.1f} fps: fps / limit {ort / limit:.2f} (target >= 0.85)")
print(f"4. faces fps onnxruntime {fort:.1f} / opencv {fcv:.1f} = {fort / fcv:.2f} (target >= 2); "
      f"faces per identity {g_ort} vs {g_cv}: {'same' if g_ort == g_cv else 'DIFFERENT'}")
print(f"5. --cpus 1: CPU time / wall time {cores1:.3f} (target <= 1.05)")
PY
