#!/usr/bin/env bash
# Loader benchmark, side by side in one run on the same MDS shards and the same two cores:
#   - ../shared/bench/loader_baseline.py (StreamingDataset + torch DataLoader: PNG16 decode, RandomResizedCrop 224,
#     normalise, 128 WordPiece ids of the report), 1 and 2 workers, and its raw read bandwidth of the shard files;
#   - `carina stream --bench` on the same shards (same decode, crop, normalisation and tokenisation of the report),
#     1 and 2 workers, and its no-decode path (every sample's bytes, CRC32C checked on Carina's own shards).
#
#   CARINA_VENV=/path/to/bench-venv bash Scripts/bench-loader.sh [SAMPLES=4096] [WORK=/tmp/carina-bench-loader]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
samples="${1:-4096}"
work="${2:-${TMPDIR:-/tmp}/carina-bench-loader}"
python="${CARINA_VENV:?set CARINA_VENV to the venv of ../shared/bench/setup.sh}/bin/python"
bench=../shared/bench
carina=.build/release/carina
swift build -c release --product carina 2>&1 | grep -E "error" || true
mkdir -p "$work"
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
# The no-decode path: Carina's own shards of raw16 images (400 × 1024², about 0.8 GB), each sample's CRC32C
# computed in place over the mapped bytes; the baseline's shards have no sidecar, so there only bounds are read.
if [ ! -f "$work/carina-raw/index.json" ]; then
    $carina synth "$work/synth" --studies 400 --rows 1024 --cols 1024 --seed 0 > /dev/null
    $carina ingest "$work/synth" --out "$work/carina-raw" --image raw16 --size 0 > /dev/null
fi
for w in 1 2; do
    $carina stream "$work/carina-raw" --bench --no-decode --workers $w
done
