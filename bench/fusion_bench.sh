#!/usr/bin/env bash
# Issue 14's fusion policies and live latency on this build's framepipe.
#   bench/fusion_bench.sh [REPEATS=3] [BUILD_DIR=build]
# 1. Fusion: an 8x8 mosaic of vtest (3840x2880, 90 frames, made here with ffmpeg) through a global
#    YOLOX-nano branch on every frame and a tiled branch (640x640 tiles, overlap 0.2) joined by
#    each policy in turn (alternated within a repeat), --cpus 2. Printed per policy, medians over
#    the repeats of run.json's "fusion" steady-state figures: fps, end-to-end latency p50/p90/p99,
#    STRICT_SYNC's wait, ASYNC_OVERLAY's lag, RAW_STREAM's metadata latency (and its samples).
# 2. Live: vtest served at its own pace (10 fps) over HTTP by ffmpeg, read for 25 s by a pipeline
#    slower than the stream (4x4 tiles), with source.live block and drop_oldest: capture-to-result
#    latency (live_latency) p50/p99 and frames dropped.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
build=${2:-build}
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
vtest=../shared/media/video/vtest_480x360.avi

mosaic() {  # N FRAMES OUT
  local n=$1 split="[0:v]split=$1" row="" graph
  for i in $(seq 1 "$n"); do split+="[c$i]"; row+="[c$i]"; done
  graph="$split;${row}hstack=$n,split=$n"
  for i in $(seq 1 "$n"); do graph+="[r$i]"; done
  graph+=";"
  for i in $(seq 1 "$n"); do graph+="[r$i]"; done
  ffmpeg -nostdin -v error -y -i "$vtest" -frames:v "$2" -filter_complex "${graph}vstack=$n" \
    -c:v libx264 -preset ultrafast -qp 10 "$3"
}

pipeline() {  # POLICY TILE_SIZE [SOURCE_LIVE]
  cat <<EOF
name: fusion_$1
source: {live: ${3:-false}}
nodes:
  - name: global
    detect: {model: yolox_nano_416, classes: [person]}
  - name: tiles
    input: frames
    detect:
      model: yolox_nano_416
      classes: [person]
      tiles: {size: [$2, $2], overlap: 0.2, global: false}
  - name: fused
    join: $1
    inputs: [global, tiles]
telemetry: {warmup_frames: 3}
EOF
}

json() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
median() { python3 -c "import statistics,sys; print(round(statistics.median(map(float,sys.argv[1:])),1))" "$@"; }

mosaic 8 90 "$work/mosaic8.mp4"
policies=(strict_sync async_overlay raw_stream_with_metadata)
declare -A fps p50 p90 p99 cost samples
for r in $(seq 1 "$repeats"); do
  order=("${policies[@]}")
  [ $((r % 2)) -eq 0 ] && order=("${policies[2]}" "${policies[1]}" "${policies[0]}")
  for policy in "${order[@]}"; do
    pipeline "$policy" 640 > "$work/$policy.yaml"
    "$build/framepipe" run "$work/$policy.yaml" "$work/mosaic8.mp4" --out "$work/$policy" \
      --cpus 2 --no-progress > "$work/$policy.log" 2>&1
    report="$work/$policy/run.json"
    fps[$policy]+=" $(json "$report" "r['fps']")"
    for p in 50 90 99; do
      declare -n into="p$p"
      into[$policy]+=" $(json "$report" "r['fusion'][0]['latency']['p${p}_ms']")"
    done
    cost[$policy]+=" $(json "$report" "[v for k,v in r['fusion'][0].items() if k not in ('join','policy','inputs','latency')][0]['p50_ms']")"
    samples[$policy]+=" $(json "$report" "[v for k,v in r['fusion'][0].items() if k not in ('join','policy','inputs','latency')][0]['count']")"
  done
done
echo "8x8 vtest mosaic (3840x2880), 90 frames, --cpus 2, medians of $repeats"
printf '%-26s %7s %12s %12s %12s %s\n' policy fps "latency p50" p90 p99 "policy cost p50 (ms)"
for policy in "${policies[@]}"; do
  # shellcheck disable=SC2086
  printf '%-26s %7s %12s %12s %12s %s\n' "$policy" "$(median ${fps[$policy]})" \
    "$(median ${p50[$policy]})" "$(median ${p90[$policy]})" "$(median ${p99[$policy]})" \
    "$(median ${cost[$policy]}) (wait | lag | metadata latency; $(median ${samples[$policy]}) samples)"
done

port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
mosaic 4 300 "$work/mosaic4.ts"
for live in block drop_oldest; do
  url="http://127.0.0.1:$port/live.ts"
  ffmpeg -nostdin -v quiet -re -i "$work/mosaic4.ts" -c copy -f mpegts -listen 1 "$url" &
  server=$!
  sleep 1.5
  pipeline strict_sync 480 "$live" > "$work/live_$live.yaml"
  # One Ctrl-C after 25 s (not `timeout`, which also signals its process group: a second
  # Ctrl-C kills a run outright).
  "$build/framepipe" run "$work/live_$live.yaml" "$url" --out "$work/live_$live" --cpus 2 \
    --no-progress > "$work/live_$live.log" 2>&1 &
  run=$!
  sleep 25
  kill -INT "$run"
  wait "$run" || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=
  report="$work/live_$live/run.json"
  echo "live 4x4 vtest mosaic at 10 fps, source.live: $live: $(json "$report" \
    "'status %s, frames read %d, processed %d, dropped %d, live_latency p50 %.0f ms p99 %.0f ms' % (r['status'], r['inputs'][0]['frames_read'], r['inputs'][0]['frames_processed'], r['inputs'][0]['frames_dropped'], *[ (t['steady']['p50_ms'], t['steady']['p99_ms']) for t in r['stage_timings'] if t['stage']=='live_latency'][0])")"
done
