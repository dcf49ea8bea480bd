#!/usr/bin/env bash
# How many of N mutated JPEGs framepipe flags (damaged row or skip row) against how many FFmpeg's
# decoder complains about (`ffmpeg -v error`): issue 10's census. Mutations are seeded, so every
# run makes the same files: each copies a shared photo and then either overwrites 16..4096 bytes
# past its headers with random bytes, flips 1..32 random bytes, or cuts the file at 20..95 %.
# Usage: bench/damaged_jpeg_census.sh [N] [BUILD_DIR]   (needs python3 and ffmpeg)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
build=${2:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/photos"
python3 - "$count" "$work/photos" ../shared/media/images/*.jpg <<'PY'
import random, sys
count, out, sources = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
rng = random.Random(10)
for i in range(count):
    data = bytearray(open(sources[i % len(sources)], 'rb').read())
    start = min(len(data) - 1, 2048)  # past the headers: the damage is in the picture data
    kind = i % 3
    if kind == 0:
        at, n = rng.randrange(start, len(data)), rng.randint(16, 4096)
        data[at:at + n] = bytes(rng.getrandbits(8) for _ in range(len(data[at:at + n])))
    elif kind == 1:
        for _ in range(rng.randint(1, 32)):
            data[rng.randrange(start, len(data))] ^= 1 << rng.randrange(8)
    else:
        data = data[:int(len(data) * rng.uniform(0.2, 0.95))]
    open(f'{out}/m{i:04d}.jpg', 'wb').write(data)
PY
ffmpeg_flagged=0
for f in "$work"/photos/*.jpg; do
  if [ -n "$(ffmpeg -nostdin -v error -i "$f" -f null - 2>&1)" ]; then
    ffmpeg_flagged=$((ffmpeg_flagged + 1))
  fi
done
status=0
"$build/framepipe" run examples/people.yaml "$work/photos" --out "$work/out" --no-progress \
  > "$work/log" 2>&1 || status=$?
flagged=$(grep -c '"damaged"\|"skipped"' "$work/out/detections.jsonl" || true)
echo "mutated JPEGs: $count; FFmpeg flags $ffmpeg_flagged; framepipe flags $flagged" \
  "(exit $status)"
