#!/usr/bin/env bash
# Whole-run fps of two builds of framepipe, alternated: a change's "no regression" check.
#   bench/compare_builds.sh BASE_BUILD_DIR NEW_BUILD_DIR [REPEATS=3] [CASES="people faces batch8"]
# For each repeat (the order flips on even repeats) it runs, with each build:
#   people   examples/people.yaml on vtest, --cpus 2
#   annotated  people with --annotate people.mp4 (H.264 encoding of every frame)
#   faces    examples/faces.yaml on the Hamilton clip, --cpus 2 (each build's own examples/)
#   batch8   people.yaml with the detector's max_batch: 8, --cpus 2, sampling the process's
#            thread count (/proc/PID/status) every 0.2 s
#   faces8   faces.yaml with the embedder's max_batch: 8, --cpus 2, sampling threads the same way
#            (not in the default cases)
# and prints the medians, new / base. The pipelines come from each build's source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?base build dir}
new=${2:?new build dir}
repeats=${3:-3}
cases=${4:-people faces batch8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
video=../shared/media/video/vtest_480x360.avi
clip=../shared/media/video/short_hamilton_clip.mp4

source_of() { sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$1/CMakeCache.txt"; }
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$@"; }

# Runs PIPELINE on INPUT into OUT, writing the most threads the process had to OUT.threads.
run_counting_threads() {  # BUILD PIPELINE INPUT OUT
  "$1/framepipe" run "$2" "$3" --out "$4" --cpus 2 --no-progress > "$4.log" 2>&1 &
  local pid=$! most=0
  while kill -0 "$pid" 2> /dev/null; do
    local n
    n=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2> /dev/null || echo 0)
    [ "${n:-0}" -gt "$most" ] && most=$n
    sleep 0.2
  done
  wait "$pid"
  echo "$most" > "$4.threads"
}

run() {  # SIDE CASE REPEAT
  local build=$base
  [ "$1" = new ] && build=$new
  local src
  src=$(source_of "$build")
  local out=$work/$1-$2-$3
  case $2 in
    people) "$build/framepipe" run "$src/examples/people.yaml" "$video" --out "$out" --cpus 2 \
      --no-progress > "$out.log" 2>&1 ;;
    annotated) "$build/framepipe" run "$src/examples/people.yaml" "$video" --out "$out" \
      --cpus 2 --annotate people.mp4 --no-progress > "$out.log" 2>&1 ;;
    faces) "$build/framepipe" run "$src/examples/faces.yaml" "$clip" --out "$out" --cpus 2 \
      --no-progress > "$out.log" 2>&1 ;;
    batch8)
      sed 's/^      # max_batch: 4 .*/      max_batch: 8/' "$src/examples/people.yaml" > "$work/b8.yaml"
      grep -q "^      max_batch: 8" "$work/b8.yaml"
      run_counting_threads "$build" "$work/b8.yaml" "$video" "$out"
      ;;
    faces8)
      sed 's/^      max_batch: 4 .*/      max_batch: 8/' "$src/examples/faces.yaml" > "$work/f8.yaml"
      grep -q "^      max_batch: 8" "$work/f8.yaml"
      run_counting_threads "$build" "$work/f8.yaml" "$clip" "$out"
      ;;
  esac
  echo "$1 $2 $(json "$out/run.json" fps) $(cat "$out.threads" 2> /dev/null || echo -)" \
    >> "$work/figures.txt"
}

for r in $(seq 1 "$repeats"); do
  sides=(base new)
  [ $((r % 2)) -eq 0 ] && sides=(new base)
  for c in $cases; do
    for side in "${sides[@]}"; do run "$side" "$c" "$r"; done
  done
  echo "repeat $r done"
done

python3 - "$work/figures.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for case in dict.fromkeys(r[1] for r in rows):
    fps = {s: statistics.median(float(r[2]) for r in rows if r[0] == s and r[1] == case)
           for s in ("base", "new")}
    line = f"{case:9s} fps base {fps['base']:.1f}  new {fps['new']:.1f}  new/base {fps['new'] / fps['base']:.3f}"
    threads = {s: [r[3] for r in rows if r[0] == s and r[1] == case and r[3] != "-"]
               for s in ("base", "new")}
    if threads["base"]:
        line += f"  most threads base {max(map(int, threads['base']))} new {max(map(int, threads['new']))}"
    print(line)
PY
