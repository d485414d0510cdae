#!/usr/bin/env bash
# trainer-bench.sh - Carina's trainer side by side with the PyTorch reference (../shared/bench/trainer_baseline.py):
# the same model (carina-tiny), random inputs of the same shapes, forward + backward + AdamW per step, two threads,
# batch 32 and 8. Runs are interleaved (PyTorch, Carina, PyTorch, ...) and each waits for the CPUs to be >= 90% idle,
# because a 2-core machine shared with anything else gives meaningless 2-thread numbers.
#
# Usage: Scripts/trainer-bench.sh [REPS (default 3)] [STEPS (default 10)]
# Env:   CARINA_BENCH_VENV (default /work/.venv-bench), OPENBLAS_CORETYPE (default Haswell, as the environment sets),
#        CARINA_BENCH_IDLE_TRIES (2-second idle probes before each run, default 150 = 5 minutes).
# Output: one JSON line per run on stdout, then a summary line per batch size (median ms/step of each side and the
#         ratio Carina / PyTorch; GFLOP/s from the reference's analytic FLOP count, fwd+bwd = 3 x fwd).
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
for batch in 32 8; do
    for _ in $(seq "$REPS"); do
        wait_idle; echo "load before PyTorch run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        "$PY" "$BENCH" --batch "$batch" --threads 2 --steps "$STEPS" | tail -n 1 | tee -a "$OUT"
        wait_idle; echo "load before Carina run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        "$CARINA" --batch "$batch" --threads 2 --steps "$STEPS" | tail -n 1 | tee -a "$OUT"
    done
done
"$PY" - "$OUT" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for b in sorted({r["batch"] for r in rows}, reverse=True):
    t = [r["ms_per_step"] for r in rows if r["batch"] == b and r["script"] == "trainer_baseline"]
    c = [r["ms_per_step"] for r in rows if r["batch"] == b and r["script"] == "carina-trainer-bench"]
    g = [r["train_gflops_per_s_approx"] for r in rows if r["batch"] == b and r["script"] == "carina-trainer-bench"]
    print(json.dumps({"summary": "trainer side by side", "batch": b, "threads": 2,
                      "pytorch_ms_per_step_median": statistics.median(t), "carina_ms_per_step_median": statistics.median(c),
                      "ratio_carina_over_pytorch": round(statistics.median(c) / statistics.median(t), 3),
                      "carina_train_gflops_per_s": statistics.median(g), "runs_each": len(t)}))
PYEOF
rm -f "$OUT"
