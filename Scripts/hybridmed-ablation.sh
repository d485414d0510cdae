#!/usr/bin/env bash
# Ablation of HybridMED's objectives on synthetic dumps: the global and token-level alignment alone, captioning and
# summarisation alone and together, with distillation, and the full preset (`--objectives hybridmed`). Trains
# carina-small (impression decoder 128,2,4,512) on one `carina synth` dump and evaluates on another (different seed:
# different patients and images), as Scripts/cga-ablation.sh does, and prints one table row per run: held-out
# grouped recall@1 (identical impressions counted as one, both directions), the mean probe AUROC of the drawn
# findings, and greedy captioning's corpus BLEU-4 and ROUGE-L against the held-out impressions (`carina generate`).
# Runs without the global objective leave the global heads untrained, so their recall is at chance; runs without
# captioning (or distillation) leave the captioner untrained, so their BLEU/ROUGE read an untrained decoder (summary
# alone trains the decoder on findings memories only). The last run's first samples are printed after the table.
#
#   bash Scripts/hybridmed-ablation.sh [STEPS=600] [WORK=/tmp/carina-hybridmed-ablation] [RUNS="global token caption summary caption+summary caption+summary+distill hybridmed"] [STUDIES=600]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
steps="${1:-600}"
runs="${3:-global token caption summary caption+summary caption+summary+distill hybridmed}"
studies="${4:-600}"
model=carina-small
start_work "${2:-}" carina-hybridmed-ablation
ablation_start "$carina" "$work" "$model" "$studies" BLEU-4 ROUGE-L
last=""
for run in $runs; do
    case "$run" in
        global) spec=global=1 ;;
        token) spec=token=1 ;;
        caption) spec=caption=1 ;;
        summary) spec=summary=1 ;;
        caption+summary) spec=caption=1,summary=1 ;;
        caption+summary+distill) spec=caption=1,summary=1,distill=1 ;;
        hybridmed) spec=hybridmed ;;
        *) echo "unknown run $run" >&2; exit 2 ;;
    esac
    seconds=$(ablation_train "$carina" "$work" "$model" "$steps" "$run" "$spec" --impression-decoder 128,2,4,512)
    cells=$(ablation_eval "$carina" "$work" "$run")
    dir="$work/ablation-$run"
    if ! $carina generate "$dir" "$work/heldout-shards" --batch 50 --samples 5 > "$dir/generate.txt" 2>&1; then
        bleu4=-; rouge=-
    else
        bleu4=$(sed -n 's/.*BLEU-4 \([0-9.]*\) .*/\1/p' "$dir/generate.txt")
        rouge=$(sed -n 's/.*ROUGE-L \([0-9.]*\).*/\1/p' "$dir/generate.txt")
        last="$dir/generate.txt"
    fi
    printf '| %s | %s | %s | %s | %s | %s |\n' "$run" "$spec" "$cells" "$bleu4" "$rouge" "$seconds"
done
if [ -n "$last" ]; then echo; cat "$last"; fi
