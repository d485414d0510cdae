#!/usr/bin/env bash
# The label-fraction table on real images: the 1,000 NIH ChestX-ray14 images of ../shared/data/images/nih1000 (800
# train, 200 test, as their split lists say), carina-tiny's image encoder untrained against the same encoder briefly
# pre-trained on a synthetic MIMIC-shaped dump (300 studies at 256², STEPS steps of batch 16), each scored by the
# linear probe and by fine-tuning (EPOCHS epochs) with 1%, 10% and 100% of the training labels.
#
# The images are 64×64 (upscaled to 224 by the loader), the test split has at most 43 positives per finding and
# three findings none, so the table shows the machinery at work, not a result to compare with the papers'.
#
#   bash Scripts/probe-nih.sh [STEPS=80] [EPOCHS=10] [WORK=/tmp/carina-probe-nih]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
steps="${1:-80}"
epochs="${2:-10}"
start_work "${3:-}" carina-probe-nih
if [ ! -f "$work/nih-shards/index.json" ]; then
    rm -rf "$work/nih-dump" "$work/nih-shards"
    python3 Scripts/make-nih-dump.py --out "$work/nih-dump"
    $carina ingest "$work/nih-dump" --out "$work/nih-shards" --threads 2 > /dev/null
fi
if [ ! -f "$work/synth-shards/index.json" ]; then
    rm -rf "$work/synth-dump" "$work/synth-shards"
    $carina synth "$work/synth-dump" --studies 300 --rows 256 --cols 256 --seed 1
    $carina ingest "$work/synth-dump" --out "$work/synth-shards" --size 256 --threads 2 > /dev/null
fi
rm -rf "$work/checkpoint"
$carina train "$work/synth-shards" --steps "$steps" --batch 16 --lr 3e-4 --warmup 8 --checkpoint "$work/checkpoint" \
    --threads 2 --log-every 20
for encoder in untrained:carina-tiny "$work/checkpoint"; do
    $carina probe "$encoder" "$work/nih-shards" --threads 2
    $carina probe "$encoder" "$work/nih-shards" --threads 2 --fine-tune --epochs "$epochs" --lr 1e-4 2> /dev/null
done
