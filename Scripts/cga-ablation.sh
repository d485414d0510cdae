#!/usr/bin/env bash
# Ablation of CGA's cascade on synthetic dumps: each stage alone (anatomy, pathology, edge, readout), the instance
# objective alone, and CGA's full combination (`--objectives cga`). Trains carina-small on one `carina synth` dump
# and evaluates on another (different seed: different patients and images), as Scripts/mgca-ablation.sh does, and
# prints one table row per run: held-out grouped recall@1 (identical impressions counted as one, both directions)
# and the mean probe AUROC of the drawn findings. Runs without the global objective leave the global heads
# untrained, so their recall is at chance; their probe AUROC reads the image encoder.
#
#   bash Scripts/cga-ablation.sh [STEPS=600] [WORK=/tmp/carina-cga-ablation] [RUNS="global anatomy pathology edge readout cga"] [STUDIES=600]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
steps="${1:-600}"
work="${2:-${TMPDIR:-/tmp}/carina-cga-ablation}"
runs="${3:-global anatomy pathology edge readout cga}"
studies="${4:-600}"
model=carina-small
carina=$(build_release_carina)
mkdir -p "$work"
synth_train_and_heldout "$carina" "$work" "$studies" "$(model_image_size "$model")"
printf '| run | objectives | grouped R@1 (i→r / r→i) | mean probe AUROC | s/step |\n|---|---|---|---|---|\n'
for run in $runs; do
    case "$run" in
        global) spec=global=1 ;;
        anatomy|pathology|edge|readout) spec=$run=1 ;;
        cga) spec=cga ;;
        *) echo "unknown run $run" >&2; exit 2 ;;
    esac
    dir="$work/ablation-$run"
    rm -rf "$dir"
    log=$($carina train "$work/train-shards" --model "$model" --steps "$steps" --batch 32 --lr 5e-4 --warmup 20 \
        --crop-scale 1 --checkpoint "$dir" --log-every 100 --objectives "$spec" 2>&1)
    seconds=$(train_seconds_per_step "$log")
    ev=$($carina eval "$dir" "$work/heldout-shards" --batch 50)
    r1=$(eval_grouped_r1 "$ev")
    auroc=$(eval_probe_auroc "$ev")
    printf '| %s | %s | %s | %s | %s |\n' "$run" "$spec" "$r1" "$auroc" "$seconds"
done
