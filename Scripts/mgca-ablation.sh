#!/usr/bin/env bash
# Ablation of the seed objectives on synthetic dumps, as the papers tabulate one: each objective alone, MGCA's and
# MRM's full combinations, against today's objectives. Trains carina-small on one `carina synth` dump and evaluates on another (different
# seed: different patients and images), exactly as Scripts/learning-check.sh does (its shards are reused when
# present), then prints one table row per run: held-out grouped recall@1 (identical impressions counted as one,
# mean of both directions) and the mean probe AUROC of the drawn findings. Runs without a global objective (token,
# mim, mrm) leave the global heads untrained, so their recall is at chance; their probe AUROC reads the image
# encoder. mgca-bn is MGCA's recipe with its 2-layer BatchNorm heads (--projection-hidden 2048 --projection-norm
# batch), mrm-hr MRM's with its higher-resolution target (--mim-target-scale 2). The mrm and mrm-hr runs also write
# their reconstructions of held-out images to WORK/mrm-reconstruction.png and WORK/mrm-hr-reconstruction.png.
#
#   bash Scripts/mgca-ablation.sh [STEPS=1200] [WORK=/tmp/carina-learning-check] [RUNS="today global token prototype mgca mgca-bn mim mrm mrm-hr"]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
steps="${1:-1200}"
work="${2:-${TMPDIR:-/tmp}/carina-learning-check}"
runs="${3:-today global token prototype mgca mgca-bn mim mrm mrm-hr}"
model=carina-small
carina=$(build_release_carina)
mkdir -p "$work"
synth_train_and_heldout "$carina" "$work" 600 "$(model_image_size "$model")"
printf '| run | objectives | grouped R@1 (i→r / r→i) | mean probe AUROC | s/step |\n|---|---|---|---|---|\n'
for run in $runs; do
    text=impression extra=()
    case "$run" in
        today) spec=default ;;
        global) spec=global=1 ;;
        token) spec=token=1 ;;
        prototype) spec=prototype=1 ;;
        mgca) spec=mgca text=both extra=(--instance-temperature 0.07) ;;
        mgca-bn) spec=mgca text=both extra=(--instance-temperature 0.07 --projection-hidden 2048 --projection-norm batch) ;;
        mim) spec=mim=1 ;;
        mrm) spec=mrm ;;
        mrm-hr) spec=mrm extra=(--mim-target-scale 2) ;;
        *) echo "unknown run $run" >&2; exit 2 ;;
    esac
    dir="$work/ablation-$run"
    rm -rf "$dir"
    log=$($carina train "$work/train-shards" --model "$model" --steps "$steps" --batch 32 --lr 5e-4 --warmup 20 \
        --crop-scale 1 --checkpoint "$dir" --log-every 100 --objectives "$spec" --instance-text "$text" \
        --prototype-freeze-epochs 1 "${extra[@]}" 2>&1)
    seconds=$(train_seconds_per_step "$log")
    recon=()
    case "$run" in mrm|mrm-hr) recon=(--reconstruction "$work/$run-reconstruction.png") ;; esac
    ev=$($carina eval "$dir" "$work/heldout-shards" --batch 50 --instance-text "$text" "${recon[@]}")
    r1=$(eval_grouped_r1 "$ev")
    auroc=$(eval_probe_auroc "$ev")
    printf '| %s | %s | %s | %s | %s |\n' "$run" "$spec" "$r1" "$auroc" "$seconds"
done
