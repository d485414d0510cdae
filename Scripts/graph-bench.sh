#!/usr/bin/env bash
# Speed of sections + entity graph + CheXpert labels on one core, in release mode.
#
#   Scripts/graph-bench.sh [PASSES]      (default 20 passes over the 3,955 IU reports)
#   CARINA_BIN=/path/to/carina-report-bench Scripts/graph-bench.sh   (time that binary instead of building this
#                                               checkout, e.g. one built from another commit, for a side-by-side)
#
# Inputs: the 3,955 real Indiana University reports (FINDINGS and IMPRESSION of NLMCXR_reports.tgz, written under
# MIMIC-style headers to a temporary folder that is removed afterwards), and the published MIMIC-CXR example report
# (all sections, 555 bytes). The reports are read into memory first; the timed loop splits sections, builds the
# findings+impression graph and derives the labels, on one thread pinned to CPU 0. Prints one JSON line per input
# with wall-clock and thread-CPU reports/s (the CPU figure is the one to quote on a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
PASSES="${1:-20}"
DATA="${CARINA_SHARED_DATA:-$(cd .. && pwd)/shared/data}"
if [[ -n "${CARINA_BIN:-}" ]]; then
  BIN="$CARINA_BIN"
else
  swift build -c release --product carina-report-bench >&2
  BIN=.build/release/carina-report-bench
fi
echo "binary: $BIN; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
TMP="$(mktemp -d -t carina-graph-bench-XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
python3 - "$DATA/reports/iu-openi/NLMCXR_reports.tgz" "$TMP/iu" <<'PY'
import pathlib, sys, tarfile, xml.etree.ElementTree as ET
out = pathlib.Path(sys.argv[2]); out.mkdir()
with tarfile.open(sys.argv[1]) as tar:
    for m in tar.getmembers():
        if m.name.endswith(".xml"):
            root = ET.parse(tar.extractfile(m)).getroot()
            f = {a.get("Label"): (a.text or "") for a in root.iter("AbstractText")}
            text = f"\n FINDINGS: {f.get('FINDINGS', '')}\n IMPRESSION: {f.get('IMPRESSION', '')}\n"
            (out / (pathlib.Path(m.name).stem + ".txt")).write_text(text, encoding="utf-8")
PY
mkdir "$TMP/mimic"
cp "$DATA/reports/mimic-style/mimic_cxr_website_example_report.txt" "$TMP/mimic/s1.txt"
echo "iu-openi (3955 reports, findings+impression):"
taskset -c 0 "$BIN" labels "$TMP/iu" --passes "$PASSES"
echo "mimic example report (all sections):"
taskset -c 0 "$BIN" labels "$TMP/mimic" --passes $((PASSES * 4000))
