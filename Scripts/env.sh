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
