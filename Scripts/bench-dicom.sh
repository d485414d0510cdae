#!/usr/bin/env bash
# bench-dicom.sh — Carina's DICOM → training image pipelines side by side with ../shared/bench/ingest_baseline.py
# (pydicom + NumPy + PIL, and the MIMIC-CXR-JPG OpenCV recipe), on the same files, 1 and 2 workers/threads.
#
# Inputs: make_dicoms.py's synthetic chests (3056x2544, 12 of 16 bits, explicit little endian, every 4th MONOCHROME1),
# and copies of the first $COMPRESSED_COUNT in JPEG lossless SV1 (dcmcjpeg), JPEG-LS lossless (dcmcjpls) and
# JPEG 2000 lossless (pydicom + OpenJPEG). Output: JSON lines in $W/results.jsonl and a table on stdout.
#
# Usage: Scripts/bench-dicom.sh            (env: COUNT=48 COMPRESSED_COUNT=12 RUNS=3 CARINA_BENCH_WORK=/tmp/...,
#                                          CARINA_DICOM_BENCH=another carina-dicom-bench binary to time)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${CARINA_BENCH_PYTHON:-/work/.venv-bench/bin/python}
BENCH=${CARINA_BENCH_DIR:-$ROOT/../shared/bench}
W=${CARINA_BENCH_WORK:-${TMPDIR:-/tmp}/carina-dicom-bench}
COUNT=${COUNT:-48}
COMPRESSED_COUNT=${COMPRESSED_COUNT:-12}
RUNS=${RUNS:-3}
RESULTS=$W/results.jsonl
mkdir -p "$W"
: > "$RESULTS"

if [ -n "${CARINA_DICOM_BENCH:-}" ]; then  # another build's carina-dicom-bench, for a side-by-side of two commits
  CARINA=$CARINA_DICOM_BENCH
else
  swift build -c release --product carina-dicom-bench >&2
  CARINA=$ROOT/.build/release/carina-dicom-bench
fi

if [ ! -f "$W/dicom/.done-$COUNT" ]; then
  rm -rf "$W/dicom"
  "$PY" "$BENCH/make_dicoms.py" --count "$COUNT" --seed 0 --out "$W/dicom" >&2
  touch "$W/dicom/.done-$COUNT"
fi
if [ ! -f "$W/jpegll/.done-$COMPRESSED_COUNT" ]; then
  rm -rf "$W/jpegll" "$W/jpegls" "$W/j2k"
  mkdir -p "$W/jpegll" "$W/jpegls"
  for f in $(ls "$W"/dicom/*.dcm | head -n "$COMPRESSED_COUNT"); do
    dcmcjpeg +e1 "$f" "$W/jpegll/$(basename "$f")"
    dcmcjpls +el "$f" "$W/jpegls/$(basename "$f")"
  done
  "$PY" "$ROOT/Scripts/dicom-bench-inputs.py" "$W/dicom" "$W/j2k" --limit "$COMPRESSED_COUNT"
  touch "$W/jpegll/.done-$COMPRESSED_COUNT"
fi

run() {  # label, command...
  local label=$1; shift
  echo "== $label" >&2
  "$@" | tail -n 1 | "$PY" -c 'import json,sys; r=json.loads(sys.stdin.read()); r["label"]=sys.argv[1]; print(json.dumps(r))' "$label" >> "$RESULTS"
}

for input in dicom jpegll jpegls j2k; do
  for n in 1 2; do
    run "$input png16 baseline w$n" "$PY" "$BENCH/ingest_baseline.py" --in "$W/$input" --out "$W/out-base" \
        --transform png16 --workers "$n" --runs "$RUNS"
    run "$input png16 carina t$n" "$CARINA" "$W/$input" --out "$W/out-carina" --pipeline png16 \
        --threads "$n" --runs "$RUNS"
  done
done
for n in 1 2; do
  run "dicom mimic-jpg baseline w$n" "$PY" "$BENCH/ingest_baseline.py" --in "$W/dicom" --out "$W/out-base" \
      --transform mimic-jpg --workers "$n" --runs "$RUNS"
  run "dicom mimic-jpg carina t$n" "$CARINA" "$W/dicom" --out "$W/out-carina" --pipeline mimic-jpg \
      --threads "$n" --runs "$RUNS"
done

"$PY" - "$RESULTS" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{'input / pipeline':34} {'img/s':>8} {'ms/img':>8} {'bytes out':>10}")
for r in rows:
    print(f"{r['label']:34} {r['images_per_s']:8.2f} {r['ms_per_image_median']:8.1f} {r['bytes_out_mean']:10d}")
by = {r["label"]: r["images_per_s"] for r in rows}
for label in by:
    if " carina " in label:
        base = by.get(label.replace(" carina t", " baseline w"))
        if base:
            print(f"speed-up {label.replace(' carina', ''):30} {by[label] / base:5.1f}x")
PYEOF
