#!/usr/bin/env bash
# Loader benchmark, side by side in one run on the same MDS shards and the same two cores:
#   - ../shared/bench/loader_baseline.py (StreamingDataset + torch DataLoader: PNG16 decode, RandomResizedCrop 224,
#     normalize, 128 WordPiece ids of the report), 1 and 2 workers, and its raw read bandwidth of the shard files;
#   - `carina stream --bench` on the same shards (same decode, crop, normalization and tokenisation of the report),
#     1 and 2 workers, and its no-decode path against the raw read of the same files (see below).
# Machine load moves every figure: compare the two sides of one run, and repeat.
#
#   CARINA_VENV=/path/to/bench-venv bash Scripts/bench-loader.sh [SAMPLES=4096] [WORK=/tmp/carina-bench-loader]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
samples="${1:-4096}"
python=$(venv_python "the venv of ../shared/bench/setup.sh")
bench=../shared/bench
start_work "${2:-}" carina-bench-loader
[ -d "$work/dicom" ] || $python $bench/make_dicoms.py --count 48 --seed 0 --out "$work/dicom" > /dev/null
[ -d "$work/png16" ] || $python $bench/ingest_baseline.py --in "$work/dicom" --out "$work/png16" --transform png16 \
    --workers 2 --runs 1 > /dev/null
for w in 1 2; do
    $python $bench/loader_baseline.py --format mds --png-dir "$work/png16" --data "$work/mds" --samples "$samples" \
        --workers $w --runs 3 | tee "$work/baseline-$w.json"
    for run in 1 2 3; do
        $carina stream "$work/mds" --bench --batch 64 --workers $w --no-verify --impression-column report \
            --findings-column none --key-column study_id --vocab "$work/mds/vocab.txt"
    done
done
# The no-decode path against the raw read bandwidth of the same files, back to back, three rounds:
#   - raw read: loader_baseline.py's own raw_read() (every byte of the folder's shard.*.mds files read with readinto
#     into one 8 MiB buffer, one process, warm page cache), imported, not copied, so both sides time the same files;
#   - Carina: `carina stream --bench --no-decode`, every sample's bytes read in place from the mapped shards and their
#     CRC32C computed, one epoch per process (mapping and page-table set-up included), 1 and 2 workers.
# On two folders: the baseline's own shards ($work/mds: no CRC sidecar, so the CRC32C is computed but has nothing to
# be compared with), and Carina's shards of raw16 images (400 × 1024², about 0.8 GB) with sidecars (checked).
# Carina's byte count is the samples' bytes (the few-KB shard heads are not read); the raw read counts whole files.
if [ "$(cat "$work/carina-raw/index.json" 2>/dev/null | grep -o '"samples": [0-9]*' | awk '{s += $2} END {print s}')" != 400 ]; then
    rm -rf "$work/synth" "$work/carina-raw"
    $carina synth "$work/synth" --studies 400 --rows 1024 --cols 1024 --seed 0 > /dev/null
    $carina ingest "$work/synth" --out "$work/carina-raw" --image raw16 --size 0 > /dev/null
fi
raw_read() {
    $python - "$1" <<'PY'
import argparse, statistics, sys
sys.path.insert(0, "../shared/bench")
from loader_baseline import raw_read
runs = [raw_read(argparse.Namespace(data=sys.argv[1], format="mds"), cold=False)[0] for _ in range(3)]
print(f"raw read {sys.argv[1]}: {statistics.median(runs) * 1000:.1f} MB/s (median of {[round(r * 1000, 1) for r in runs]})")
PY
}
for round in 1 2 3; do
    raw_read "$work/mds"
    for w in 1 2; do $carina stream "$work/mds" --bench --no-decode --no-verify --workers $w --impression-column report \
        --findings-column none --key-column study_id; done
    raw_read "$work/carina-raw"
    for w in 1 2; do $carina stream "$work/carina-raw" --bench --no-decode --workers $w; done
done
# What the record contract's fields cost: Carina's own records (carina-record/2, 512-pixel PNG16 from a synthetic
# dump of 1024² films) streamed with and without the word map, entity spans, relations and labels decoded
# (--graph-fields), 2 workers, three rounds. The baseline has no such fields; the ratio to it on the full path with
# the graph is the baseline's samples/s above against the --graph-fields figure here (similar image sizes).
if [ "$(grep -o '"samples": [0-9]*' "$work/carina-records/index.json" 2>/dev/null | awk '{s += $2} END {print s}')" != 1024 ]; then
    rm -rf "$work/synth-records" "$work/carina-records"
    $carina synth "$work/synth-records" --studies 1024 --rows 1024 --cols 1024 --seed 1 > /dev/null
    $carina ingest "$work/synth-records" --out "$work/carina-records" --size 512 > /dev/null
fi
for round in 1 2 3; do
    $carina stream "$work/carina-records" --bench --batch 64 --workers 2
    $carina stream "$work/carina-records" --bench --batch 64 --workers 2 --graph-fields
done
