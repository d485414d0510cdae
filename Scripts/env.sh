# Shared environment of Carina's scripts (sourced, not run).
# Debian's OpenBLAS mis-detects this machine's processor and can compute wrong results or crash unless the core type
# is pinned; keep whatever the machine already sets, and pin Haswell where nothing is set.
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
# DCMTK's data dictionary must come from Debian's default path: DCMDICTPATH would replace it.
unset DCMDICTPATH

# Builds `carina` in release mode and prints its path; on a failed build prints the compiler's output and fails, so
# that no script goes on with an older binary.
build_release_carina() {
    local log
    log=$(swift build -c release --product carina 2>&1) || { echo "$log" >&2; return 1; }
    echo .build/release/carina
}

# The start every benchmark and ablation script shares, after `set -euo pipefail`, the cd to the repository root and
# sourcing this file: sets `work` to WORK (default ${TMPDIR:-/tmp}/NAME) and creates it, and sets `carina` to the
# release binary, built first (build_release_carina).
#   start_work WORK NAME     (WORK may be empty: the script's optional argument)
start_work() {
    work="${1:-${TMPDIR:-/tmp}/$2}"
    carina=$(build_release_carina)
    mkdir -p "$work"
}

# The python of the virtual environment CARINA_VENV names; without CARINA_VENV the script stops with a line saying to
# set it to NEEDS.
#   python=$(venv_python NEEDS)     e.g. venv_python "a venv with pillow and mosaicml-streaming"
venv_python() {
    echo "${CARINA_VENV:?set CARINA_VENV to $1}/bin/python"
}

# The machine's load averages over 1, 5 and 15 minutes, as "load average A B C", for benchmark logs.
load_average() {
    echo "load average $(cut -d" " -f1-3 /proc/loadavg)"
}

# Prints the image side length of model configuration MODEL (schemas/models/MODEL.json).
#   model_image_size MODEL
model_image_size() {
    python3 -c "import json,sys; print(json.load(open('schemas/models/$1.json'))['imageSize'])"
}

# Writes two `carina synth` dumps of STUDIES studies each and their shards at image side SIZE, unless already there:
# WORK/train-shards (seed 11) and WORK/heldout-shards (seed 22: different patients and images).
#   synth_train_and_heldout CARINA WORK STUDIES SIZE
synth_train_and_heldout() {
    local carina=$1 work=$2 studies=$3 size=$4 part name seed
    for part in train:11 heldout:22; do
        IFS=: read -r name seed <<< "$part"
        if [ ! -f "$work/$name-shards/index.json" ]; then
            rm -rf "$work/$name-dump" "$work/$name-shards"
            "$carina" synth "$work/$name-dump" --studies "$studies" --rows 512 --cols 512 --seed "$seed" --syntax mixed
            "$carina" ingest "$work/$name-dump" --out "$work/$name-shards" --size "$size" --pad > /dev/null
        fi
    done
}

# The last `N ms/step` of a `carina train` log, in seconds rounded to 2 places (0 when the log has none).
#   train_seconds_per_step LOG
train_seconds_per_step() {
    local ms
    ms=$(echo "$1" | sed -n 's/.* \([0-9]*\) ms\/step.*/\1/p' | tail -n 1)
    python3 -c "print(round(${ms:-0}/1000, 2))"
}

# A `carina eval` report's held-out grouped recall@1 (identical impressions counted as one), image→report/report→image.
#   eval_grouped_r1 REPORT
eval_grouped_r1() {
    echo "$1" | sed -n '/counting identical/,$p' | sed -n 's/.*R@1 \([0-9.]*\) .*/\1/p' | head -n 2 | paste -sd/ -
}

# A `carina eval` report's mean probe AUROC.
#   eval_probe_auroc REPORT
eval_probe_auroc() {
    echo "$1" | sed -n 's/probe mean AUROC //p'
}

# The ablation scripts' shared set-up: the train and held-out dumps of STUDIES studies at MODEL's image size
# (synth_train_and_heldout), then the result table's header: run, objectives, grouped R@1, mean probe AUROC, each
# extra COLUMN, s/step.
#   ablation_start CARINA WORK MODEL STUDIES [COLUMN...]
ablation_start() {
    local carina=$1 work=$2 model=$3 studies=$4 column
    local title='| run | objectives | grouped R@1 (i→r / r→i) | mean probe AUROC |' rule='|---|---|---|---|'
    shift 4
    synth_train_and_heldout "$carina" "$work" "$studies" "$(model_image_size "$model")"
    for column in "$@" s/step; do
        title="$title $column |"
        rule="$rule---|"
    done
    printf '%s\n%s\n' "$title" "$rule"
}

# Trains ablation run RUN into WORK/ablation-RUN (emptied first): MODEL for STEPS steps on WORK/train-shards with
# objectives SPEC and the ablation recipe (batch 32, lr 5e-4, warmup 20, whole images, log every 100), then OPTION...;
# prints its seconds per step (train_seconds_per_step). A failed training fails the function.
#   seconds=$(ablation_train CARINA WORK MODEL STEPS RUN SPEC [OPTION...])
ablation_train() {
    local carina=$1 work=$2 model=$3 steps=$4 run=$5 spec=$6 log
    shift 6
    rm -rf "$work/ablation-$run"
    log=$("$carina" train "$work/train-shards" --model "$model" --steps "$steps" --batch 32 --lr 5e-4 --warmup 20 \
        --crop-scale 1 --checkpoint "$work/ablation-$run" --log-every 100 --objectives "$spec" "$@" 2>&1) || return
    train_seconds_per_step "$log"
}

# Evaluates ablation run RUN (WORK/ablation-RUN) on WORK/heldout-shards (batch 50, then OPTION...) and prints its
# two table cells, "R1 | AUROC": held-out grouped recall@1 (eval_grouped_r1) and mean probe AUROC. A failed
# evaluation fails the function.
#   cells=$(ablation_eval CARINA WORK RUN [OPTION...])
ablation_eval() {
    local carina=$1 work=$2 run=$3 ev
    shift 3
    ev=$("$carina" eval "$work/ablation-$run" "$work/heldout-shards" --batch 50 "$@") || return
    echo "$(eval_grouped_r1 "$ev") | $(eval_probe_auroc "$ev")"
}
