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
runs="${3:-today global token prototype mgca mgca-bn mim mrm mrm-hr}"
model=carina-small
start_work "${2:-}" carina-learning-check
ablation_start "$carina" "$work" "$model" 600
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
    seconds=$(ablation_train "$carina" "$work" "$model" "$steps" "$run" "$spec" --instance-text "$text" \
        --prototype-freeze-epochs 1 "${extra[@]}")
    recon=()
    case "$run" in mrm|mrm-hr) recon=(--reconstruction "$work/$run-reconstruction.png") ;; esac
    cells=$(ablation_eval "$carina" "$work" "$run" --instance-text "$text" "${recon[@]}")
    printf '| %s | %s | %s | %s |\n' "$run" "$spec" "$cells" "$seconds"
done
