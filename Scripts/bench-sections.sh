#!/usr/bin/env bash
# Section splitting speed: Carina (release) against the MIT-LCP parser, one core, same corpus.
# Usage: Scripts/bench-sections.sh UPSTREAM_TXT_DIR [COPIES]
#   UPSTREAM_TXT_DIR holds section_parser.py and create_section_files.py (github.com/MIT-LCP/mimic-cxr, txt/).
#   COPIES: how many renderings of the 3,955 IU reports make the dump (default 10, about 40k report files).
# Prints: in-memory reports/s for both (parser alone), end-to-end seconds over the dump (read every report file,
# split, write mimic_cxr_sectioned.csv and mimic_cxr_sections.csv) for both, and checks the outputs are identical.
set -euo pipefail
upstream=${1:?usage: $0 UPSTREAM_TXT_DIR [COPIES]}
copies=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
data=${CARINA_SHARED_DATA:-$root/../shared/data}
python=${PYTHON:-python3}
core=${CORE:-0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
one() { taskset -c "$core" "$@"; }

(cd "$root" && swift build -c release --product carina >/dev/null)
(cd "$root" && swift build -c release --product carina-report-bench >/dev/null)
carina=$root/.build/release/carina
bench=$root/.build/release/carina-report-bench
"$bench" emit-mimic-corpus "$data/reports/iu-openi/NLMCXR_reports.tgz" --out "$work/dump" \
    --titles "$data/reports/mimic-style/negbio_section_titles.txt" --copies "$copies"
n=$(find "$work/dump/files" -name 's*.txt' | wc -l)
echo "corpus: $n report files, $(du -sh "$work/dump/files" | cut -f1)"

echo "== in memory, one core (CPU time): upstream section_text; carina mimic scan alone, full mimic split, clean split =="
one "$python" "$root/Scripts/sections-bench-python.py" --upstream "$upstream" --reports "$work/dump/files" --seconds 5
one "$bench" sections "$work/dump" --mode mimic --seconds 5 --parser-only
one "$bench" sections "$work/dump" --mode mimic --seconds 5
one "$bench" sections "$work/dump" --mode clean --seconds 5

echo "== end to end over the dump (read, split, write both CSVs), one core, best of 3 =="
best() { sort -n | head -1; }
for i in 1 2 3; do
    rm -rf "$work/py"; mkdir "$work/py"
    s=$(date +%s.%N)
    one "$python" "$upstream/create_section_files.py" --reports_path "$work/dump/files" --output_path "$work/py" \
        --no_split >/dev/null 2>&1
    e=$(date +%s.%N); echo "$e - $s" | bc
done | best | sed 's/^/MIT-LCP create_section_files.py --no_split seconds: /'
for i in 1 2 3; do
    rm -rf "$work/sw"
    s=$(date +%s.%N)
    one "$carina" sections "$work/dump" --mode mimic --out "$work/sw" --no-split
    e=$(date +%s.%N); echo "$e - $s" | bc
done | best | sed 's/^/carina sections --mode mimic --out --no-split seconds: /'
# Upstream takes a patient's study files in file-system order; the oracle runner sorts them, as Carina does.
rm -rf "$work/py"; mkdir "$work/py"
"$python" "$root/Scripts/sections-oracle.py" --upstream "$upstream" --reports "$work/dump/files" --out "$work/py" \
    >/dev/null 2>&1
cmp "$work/py/mimic_cxr_sectioned.csv" "$work/sw/mimic_cxr_sectioned.csv"
cmp "$work/py/mimic_cxr_sections.csv" "$work/sw/mimic_cxr_sections.csv"
echo "outputs identical ($n studies)"
