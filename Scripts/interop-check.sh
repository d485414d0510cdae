#!/usr/bin/env bash
# Check that PyTorch users read Carina's shards with the libraries they already have.
#
#   Scripts/interop-check.sh MDS_DIR [--wds WDS_DIR] [--expect N]
#   Scripts/interop-check.sh          # no folder: exports MDS_DIR of the bundled demo (out/demo/shards) if present
#
# Python: $CARINA_VENV if set; else a virtual environment under .build/interop-venv, created on first use with
# mosaicml-streaming, webdataset and torch from PyPI (several GB, once). With no --wds, the folder is also exported with
# `carina shards export-wds` into a temporary folder and the export is read with webdataset.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [[ -n "${CARINA_VENV:-}" ]]; then
    python="$CARINA_VENV/bin/python"
else
    venv="$root/.build/interop-venv"
    if [[ ! -x "$venv/bin/python" ]]; then
        echo "creating $venv (mosaicml-streaming, webdataset, torch)" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet torch
        "$venv/bin/pip" install --quiet 'mosaicml-streaming==0.13.0' webdataset pillow numpy
    fi
    python="$venv/bin/python"
fi
"$python" -c 'import streaming, webdataset, torch' || { echo "error: $python lacks streaming/webdataset/torch" >&2; exit 1; }

mds="${1:-$root/out/demo/shards}"
[[ $# -gt 0 ]] && shift
[[ -f "$mds/index.json" ]] || { echo "error: $mds/index.json not found; give a Carina shard folder" >&2; exit 1; }

args=("$@")
if [[ " ${args[*]:-} " != *" --wds "* ]]; then
    carina="${CARINA:-$root/.build/release/carina}"
    [[ -x "$carina" ]] || carina="$root/.build/debug/carina"
    [[ -x "$carina" ]] || { echo "error: build carina first (swift build)" >&2; exit 1; }
    wds="$(mktemp -d)"
    trap 'rm -rf "$wds"' EXIT
    "$carina" shards verify "$mds"
    "$carina" shards export-wds "$mds" --out "$wds"
    args+=(--wds "$wds")
fi
exec "$python" "$root/Scripts/interop-check.py" "$mds" ${args[@]+"${args[@]}"}
