#!/usr/bin/env bash
# Regenerates the committed oracle fixtures for `--mode mimic`:
#   Tests/CarinaReportsTests/Fixtures/mimic-oracle-iu.tsv   digests of the MIT-LCP output on the IU-derived corpus
#   Tests/CarinaReportsTests/Fixtures/mimic-edge/expected/  full MIT-LCP output on the hand-written edge cases
# Usage: Scripts/sections-oracle.sh UPSTREAM_TXT_DIR
#   UPSTREAM_TXT_DIR holds section_parser.py and create_section_files.py from github.com/MIT-LCP/mimic-cxr (txt/).
# Needs: a built carina-report-bench (swift build), python3 (tqdm optional), tar, ../shared/data.
set -euo pipefail
upstream=${1:?usage: $0 UPSTREAM_TXT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
data=${CARINA_SHARED_DATA:-$root/../shared/data}
seed=${SEED:-20240601}
bench=${CARINA_REPORT_BENCH:-$root/.build/debug/carina-report-bench}
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixtures=$root/Tests/CarinaReportsTests/Fixtures

# 1. The IU-derived corpus, made by Carina's generator (the IU licence forbids committing it).
"$bench" emit-mimic-corpus "$data/reports/iu-openi/NLMCXR_reports.tgz" --out "$work/iu" \
    --titles "$data/reports/mimic-style/negbio_section_titles.txt" --seed "$seed"
mkdir -p "$work/iu-out"
"$python" "$root/Scripts/sections-oracle.py" --upstream "$upstream" --reports "$work/iu/files" \
    --out "$work/iu-out" --seed "$seed"
cp "$work/iu-out/digests.tsv" "$fixtures/mimic-oracle-iu.tsv"

# 2. The hand-written edge cases: full expected files.
mkdir -p "$work/edge-out" "$fixtures/mimic-edge/expected"
"$python" "$root/Scripts/sections-oracle.py" --upstream "$upstream" --reports "$fixtures/mimic-edge/files" \
    --out "$work/edge-out"
cp "$work/edge-out/mimic_cxr_sectioned.csv" "$work/edge-out/mimic_cxr_sections.csv" "$fixtures/mimic-edge/expected/"
echo "fixtures updated under $fixtures"
