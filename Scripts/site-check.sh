#!/usr/bin/env bash
# `carina show` checked through headless Chromium (Debian's `chromium`, installed if missing): builds the site of the
# sample dump (ingested with --split-folders) and of a small synthetic dump (paged index), opens every record page
# of the first and some of the second, and checks what they show against `carina shards cat` (Scripts/site-check.py).
# Screenshots land in .build/site-check/screenshots-*. The last line is the check's own 'N passed, M failed'.
#
#   bash Scripts/site-check.sh              the sample dump and 300 synthetic studies
#   bash Scripts/site-check.sh --synth N    N synthetic studies (256×256) instead, timing the site build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
studies=300
[ "${1:-}" = "--synth" ] && studies="$2"
if ! command -v chromium >/dev/null; then
    echo "site-check: installing chromium"
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
carina=$(build_release_carina)
work=.build/site-check
rm -rf "$work"
mkdir -p "$work"
"$carina" ingest samples/mimic-cxr-mini --out "$work/sample" --split-folders >/dev/null 2>&1
"$carina" show "$work/sample" --out "$work/sample-site"
python3 Scripts/site-check.py "$carina" "$work/sample-site" "$work/sample" --screenshots "$work/screenshots-sample" \
    | tee "$work/sample.log"
grep -q " 0 failed$" "$work/sample.log"
"$carina" synth "$work/synth-dump" --studies "$studies" --rows 256 --cols 256 >/dev/null
"$carina" ingest "$work/synth-dump" --out "$work/synth" --size 256 >/dev/null 2>&1
start=$(date +%s%N)
"$carina" show "$work/synth" --out "$work/synth-site" --page-size 100
echo "site-check: $studies synthetic studies: site built in $((($(date +%s%N) - start) / 1000000)) ms," \
    "$(du -sh "$work/synth-site" | cut -f1)"
exec python3 Scripts/site-check.py "$carina" "$work/synth-site" "$work/synth" --records 8 \
    --screenshots "$work/screenshots-synth"
