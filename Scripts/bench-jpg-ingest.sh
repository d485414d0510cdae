#!/usr/bin/env bash
# MIMIC-CXR-JPG ingest, side by side: `carina ingest` on a synthetic JPG dump (JPEGs as the release stores them,
# reports in mimic-cxr-reports.zip) against the Python pipeline users write (Scripts/bench-jpg-ingest-baseline.py:
# PIL + streaming.MDSWriter), one core each; the JPEGs stored as they are against a plain read of the same files.
#
#   CARINA_VENV=/path/to/bench-venv bash Scripts/bench-jpg-ingest.sh [STUDIES=400] [WORK=/tmp/carina-bench-jpg]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
studies="${1:-400}"
python=$(venv_python "a venv with pillow and mosaicml-streaming")
start_work "${2:-}" carina-bench-jpg
dump="$work/jpg-$studies"
if [ ! -f "$dump/mimic-cxr-reports.zip" ]; then
    $carina synth "$dump" --studies "$studies" --rows 3056 --cols 2544 --jpg --reports-zip --seed 1
fi
bytes=$(find "$dump/files" -name '*.jpg' -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "input: $(find "$dump/files" -name '*.jpg' | wc -l) JPEGs, 3056x2544, $((bytes / 1048576)) MiB, reports in mimic-cxr-reports.zip"
timing="%e s wall, %U s user + %S s sys"
warm() { find "$dump/files" -name '*.jpg' -print0 | xargs -0 cat > /dev/null; }
mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.0f MB/s", b / 1e6 / s}'; }
secs() { sed -E 's/ s wall.*//' "$1"; }
warm
/usr/bin/time -f "$timing" -o "$work/t-read" sh -c "find '$dump/files' -name '*.jpg' -print0 | xargs -0 cat > /dev/null"
echo "plain read (cat, warm cache): $(cat "$work/t-read"); $(mbps "$(secs "$work/t-read")")"
for mode in as-is resize; do
    rm -rf "$work/carina-$mode"
    flags=(); [ "$mode" = resize ] && flags=(--reencode-jpeg --size 512)
    echo "before carina $mode: $(load_average)"
    /usr/bin/time -f "$timing" -o "$work/t-carina-$mode" \
        $carina ingest "$dump" --out "$work/carina-$mode" --threads 1 "${flags[@]}" > "$work/carina-$mode.log"
    echo "carina  $mode, 1 thread: $(grep 'images in' "$work/carina-$mode.log"); $(cat "$work/t-carina-$mode"); $(mbps "$(secs "$work/t-carina-$mode")") of JPEG"
    pyflags=(); [ "$mode" = as-is ] && pyflags=(--as-is)
    echo "before python $mode: $(load_average)"
    /usr/bin/time -f "$timing" -o "$work/t-python-$mode" \
        $python Scripts/bench-jpg-ingest-baseline.py "$dump" "$work/python-$mode" --workers 1 "${pyflags[@]}" > "$work/python-$mode.log"
    echo "python  $mode, 1 worker: $(cat "$work/python-$mode.log"); $(cat "$work/t-python-$mode")"
done
echo "after: $(load_average)"
