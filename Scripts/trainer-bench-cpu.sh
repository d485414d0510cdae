#!/usr/bin/env bash
# trainer-bench-cpu.sh - CPU time per training step of Carina and its PyTorch reference, side by side, for today's
# objectives, MGCA's and MRM's combinations: the figure to use when the machine is shared. Wall time on a loaded
# 2-core machine says more about the neighbours than about either trainer; process CPU time does not grow with other
# people's load (at THREADS=1 neither side spin-waits for its own threads, so it is the work done). Both sides run
# carina-tiny on the same random inputs (Scripts/trainer-mgca-reference.py --bench-steps: trainer_baseline's model
# and objectives, or MGCA's / MRM's written in PyTorch and vectorised over the batch).
#
# Usage: [THREADS=1] [BATCHES="32 8"] [SETS="default mgca mrm"] Scripts/trainer-bench-cpu.sh [STEPS (default 3)]
# Env:   CARINA_BENCH_VENV (a Python with torch; default /work/.venv-bench).
# Output: one JSON line per run, then per set and batch: median CPU ms/step of each side, their ratio, the wall
#         ms/step and the 1-minute load average.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${CARINA_BENCH_VENV:-/work/.venv-bench}/bin/python"
STEPS="${1:-3}" THREADS="${THREADS:-1}"
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
(cd "$ROOT" && swift build -c release --product carina-trainer-bench >&2)
CARINA="$ROOT/.build/release/carina-trainer-bench"
OUT="$(mktemp)"
for set in ${SETS:-default mgca mrm}; do
    for batch in ${BATCHES:-32 8}; do
        l=$(cut -d' ' -f1 /proc/loadavg)
        "$PY" "$ROOT/Scripts/trainer-mgca-reference.py" --batch "$batch" --threads "$THREADS" --bench-steps "$STEPS" \
            --warmup 1 --bench-objectives "$set" | tail -n 1 | sed "s/}\$/, \"load1\": $l}/" | tee -a "$OUT"
        l=$(cut -d' ' -f1 /proc/loadavg)
        "$CARINA" --batch "$batch" --threads "$THREADS" --steps "$STEPS" --warmup 1 --objectives "$set" | tail -n 1 \
            | sed "s/}\$/, \"load1\": $l}/" | tee -a "$OUT"
    done
done
"$PY" - "$OUT" <<'PYEOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in rows:
    r["side"] = "carina" if r["script"] == "carina-trainer-bench" else "pytorch"
for (s, b) in sorted({(r["objectives"], r["batch"]) for r in rows}, key=lambda k: (k[0], -k[1])):
    pick = {r["side"]: r for r in rows if r["objectives"] == s and r["batch"] == b}
    c, t = pick["carina"], pick["pytorch"]
    print(json.dumps({"summary": "trainer CPU time side by side", "objectives": s, "batch": b, "threads": c["threads"],
                      "carina_cpu_ms_per_step": c["cpu_ms_per_step"], "pytorch_cpu_ms_per_step": t["cpu_ms_per_step"],
                      "ratio_carina_over_pytorch": round(c["cpu_ms_per_step"] / t["cpu_ms_per_step"], 3),
                      "carina_wall_ms": c["ms_per_step"], "pytorch_wall_ms": t["ms_per_step"],
                      "carina_gflop_per_cpu_s": round(c["train_gflops_per_s_approx"] * c["ms_per_step"] / c["cpu_ms_per_step"], 1),
                      "pytorch_gflop_per_cpu_s": round(t["train_gflops_per_s_approx"] * t["ms_per_step"] / t["cpu_ms_per_step"], 1),
                      "load1": [c["load1"], t["load1"]]}))
PYEOF
rm -f "$OUT"
