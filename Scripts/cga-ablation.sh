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
runs="${3:-global anatomy pathology edge readout cga}"
studies="${4:-600}"
model=carina-small
start_work "${2:-}" carina-cga-ablation
ablation_start "$carina" "$work" "$model" "$studies"
for run in $runs; do
    case "$run" in
        global) spec=global=1 ;;
        anatomy|pathology|edge|readout) spec=$run=1 ;;
        cga) spec=cga ;;
        *) echo "unknown run $run" >&2; exit 2 ;;
    esac
    seconds=$(ablation_train "$carina" "$work" "$model" "$steps" "$run" "$spec")
    cells=$(ablation_eval "$carina" "$work" "$run")
    printf '| %s | %s | %s | %s |\n' "$run" "$spec" "$cells" "$seconds"
done
