#!/usr/bin/env bash
# trainer-bench.sh - Carina's trainer side by side with the PyTorch reference (../shared/bench/trainer_baseline.py):
# the same model (carina-tiny), random inputs of the same shapes, forward + backward + AdamW per step, two threads,
# batch 32 and 8. Runs are interleaved (PyTorch, Carina, PyTorch, ...) and each waits for the CPUs to be >= 90% idle,
# because a 2-core machine shared with anything else gives meaningless 2-thread numbers.
#
# OBJECTIVES=mrm times MRM's (masked image modelling with a 128-wide, 2-block decoder, and masked report modelling),
# OBJECTIVES=mgca times MGCA's combination (global=2 on the joined text at temperature 0.07, token=0.7,
# prototype=0.5 with 500 prototypes) against Scripts/trainer-mgca-reference.py --bench-steps, the same model and
# objectives written in PyTorch and vectorised over the batch.
#
# OBJECTIVES=cga times CGA's (global plus the four cascade stages on a random graph of 8 findings entities and 4
# edges a sample) against Scripts/trainer-cga-reference.py --bench-steps on the same shapes.
#
# OBJECTIVES=hybridmed times HybridMED's preset (global, token, caption, summary, distill; impression decoder
# 128,2,4,512) against Scripts/trainer-hybridmed-reference.py --bench-steps on the same shapes.
#
# Usage: [OBJECTIVES=default|mgca|mrm|cga|hybridmed] [BATCHES="32 8"] Scripts/trainer-bench.sh [REPS (default 3)] [STEPS (default 10)]
# Env:   CARINA_BENCH_VENV (default /work/.venv-bench), OPENBLAS_CORETYPE (default Haswell, as the environment sets),
#        CARINA_BENCH_IDLE_TRIES (2-second idle probes before each run, default 150 = 5 minutes).
# Output: one JSON line per run on stdout, then a summary line per batch size (median ms/step of each side and the
#         ratio Carina / PyTorch; GFLOP/s from the reference's analytic FLOP count, fwd+bwd = 3 x fwd; the 1-minute
#         load average before the runs). Carina runs twice per repetition: as it trains (text encoders on each
#         batch's longest text) and with --trim 0 (all 128 positions, the reference's exact work).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${CARINA_BENCH_VENV:-/work/.venv-bench}/bin/python"
BENCH="$ROOT/../shared/bench/trainer_baseline.py"
REPS="${1:-3}" STEPS="${2:-10}"
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"

idle_pct() {  # % of CPU time idle over 2 s
    local c u1 n1 s1 i1 w1 q1 r1 t1 u2 n2 s2 i2 w2 q2 r2 t2
    read -r c u1 n1 s1 i1 w1 q1 r1 t1 _ < /proc/stat; sleep 2
    read -r c u2 n2 s2 i2 w2 q2 r2 t2 _ < /proc/stat
    local idle=$(( i2 + w2 - i1 - w1 )) busy=$(( u2 + n2 + s2 + q2 + r2 + t2 - u1 - n1 - s1 - q1 - r1 - t1 ))
    echo $(( 100 * idle / (idle + busy + 1) ))
}
wait_idle() {
    for _ in $(seq "${CARINA_BENCH_IDLE_TRIES:-150}"); do [ "$(idle_pct)" -ge 90 ] && return 0; done
    echo "trainer-bench.sh: warning: machine still busy; the next figure may be low" >&2
}

(cd "$ROOT" && swift build -c release --product carina-trainer-bench >&2)
CARINA="$ROOT/.build/release/carina-trainer-bench"
OUT="$(mktemp)"
load() { cut -d' ' -f1 /proc/loadavg; }
OBJECTIVES="${OBJECTIVES:-default}"
reference() {
    if [ "$OBJECTIVES" = cga ]; then
        "$PY" "$ROOT/Scripts/trainer-cga-reference.py" --bench "$(dirname "$BENCH")" --batch "$1" --threads 2 \
            --bench-steps "$STEPS" --config "$ROOT/schemas/models/carina-tiny.json"
    elif [ "$OBJECTIVES" = hybridmed ]; then
        "$PY" "$ROOT/Scripts/trainer-hybridmed-reference.py" --bench "$(dirname "$BENCH")" --batch "$1" --threads 2 \
            --bench-steps "$STEPS" --config "$ROOT/schemas/models/carina-tiny.json" --decoder 128,2,4,512
    elif [ "$OBJECTIVES" != default ]; then
        "$PY" "$ROOT/Scripts/trainer-mgca-reference.py" --bench "$(dirname "$BENCH")" --batch "$1" --threads 2 \
            --bench-steps "$STEPS" --bench-objectives "$OBJECTIVES"
    else
        "$PY" "$BENCH" --batch "$1" --threads 2 --steps "$STEPS"
    fi
}
for batch in ${BATCHES:-32 8}; do
    for _ in $(seq "$REPS"); do
        wait_idle; l=$(load)
        reference "$batch" | tail -n 1 | sed "s/}\$/, \"load1\": $l}/" | tee -a "$OUT"
        wait_idle; l=$(load)
        "$CARINA" --batch "$batch" --threads 2 --steps "$STEPS" --objectives "$OBJECTIVES" | tail -n 1 | sed "s/}\$/, \"load1\": $l}/" | tee -a "$OUT"
        wait_idle; l=$(load)
        "$CARINA" --batch "$batch" --threads 2 --steps "$STEPS" --objectives "$OBJECTIVES" --trim 0 | tail -n 1 | sed "s/}\$/, \"load1\": $l}/" | tee -a "$OUT"
    done
done
"$PY" - "$OUT" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for b in sorted({r["batch"] for r in rows}, reverse=True):
    def pick(script, trim=None):
        return [r for r in rows if r["batch"] == b and r["script"] == script
                and (trim is None or r.get("trim_padding") == trim)]
    t = [r for r in rows if r["batch"] == b and r["script"] != "carina-trainer-bench"]
    c, f = pick("carina-trainer-bench", True), pick("carina-trainer-bench", False)
    def med(rs, k="ms_per_step"):  # None where a side does not report the figure (the hybridmed reference: no FLOP count)
        values = [r[k] for r in rs if k in r]
        return statistics.median(values) if values else None
    print(json.dumps({"summary": "trainer side by side", "objectives": c[0].get("objectives", "default"), "batch": b, "threads": 2,
                      "pytorch_ms_per_step_median": med(t), "carina_ms_per_step_median": med(c),
                      "carina_full_length_ms_per_step_median": med(f),
                      "ratio_carina_over_pytorch": round(med(c) / med(t), 3),
                      "ratio_carina_full_length_over_pytorch": round(med(f) / med(t), 3),
                      "carina_train_gflops_per_s": med(c, "train_gflops_per_s_approx"),
                      "carina_full_length_train_gflops_per_s": med(f, "train_gflops_per_s_approx"),
                      "pytorch_train_gflops_per_s": med(t, "train_gflops_per_s_approx"),
                      "load1_range": [min(r["load1"] for r in rows if r["batch"] == b),
                                      max(r["load1"] for r in rows if r["batch"] == b)],
                      "runs_each": len(t)}))
PYEOF
rm -f "$OUT"
