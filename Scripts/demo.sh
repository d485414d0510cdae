#!/usr/bin/env bash
# Carina's quick start: set up, ingest the bundled MIMIC-CXR-shaped sample dump into MDS shards, stream a batch,
# train carina-tiny for a few steps, and print what happened.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash Scripts/setup.sh
source Scripts/env.sh
carina=.build/release/carina
out="${CARINA_DEMO_OUT:-out/demo}"
rm -rf "$out"
mkdir -p "$out"

echo
echo "== 1. ingest samples/mimic-cxr-mini -> $out/shards"
$carina ingest samples/mimic-cxr-mini --out "$out/shards" --size 512 | tee "$out/ingest.log"
echo
echo "== 2. what was written"
$carina shards stats "$out/shards"
$carina shards verify "$out/shards"
echo
echo "== 3. sections of one report"
$carina sections samples/mimic-cxr-mini/files/p12/p12000018/s56699142.txt --format text
echo
echo "== 4. stream one epoch of batches"
$carina stream "$out/shards" --batch 2 --seed 0
echo "-- the validate split's record as the trainer's batch sees it: tokens, entity spans, relations, labels"
$carina stream "$out/shards" --batch 1 --split validate --show-batch --no-augment
echo
echo "== 5. train carina-tiny for 6 steps"
$carina train "$out/shards" --steps 6 --batch 4 --checkpoint "$out/checkpoint" | tee "$out/train.log"
echo
echo "== summary"
echo "  $(grep -h 'images in' "$out/ingest.log")"
echo "  $(grep -h 'of shards in' "$out/ingest.log")  -> $out/shards"
echo "  $(grep -h '^train: loss' "$out/train.log")"
echo "  checkpoint: $(ls "$out/checkpoint" | grep "\.ckpt$" | tail -n 1) in $out/checkpoint"
