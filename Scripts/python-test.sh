#!/usr/bin/env bash
# Tests of the carina-data Python package (python/carina-data) against the release `carina`: installs the package
# with its test and Lightning extras into .venv-python (from PyPI: torch, mosaicml-streaming, tokenizers, lightning,
# pytest; the first install downloads about 3 GB, mostly PyPI's CUDA build of torch, used here on the CPU), then runs
# pytest. Prints how long the install took; pytest's summary is the last line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh
venv=.venv-python
start=$(date +%s)
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "./python/carina-data[lightning,test]"
echo "python-test: .venv-python ready in $(($(date +%s) - start)) s"
carina=$(build_release_carina)
# Streaming keeps shared memory per shard folder; leftovers of a killed run would block the next.
"$venv/bin/python" -c "from streaming.base.util import clean_stale_shared_memory as c; c()"
CARINA_BIN="$PWD/$carina" "$venv/bin/python" -m pytest -q -p no:warnings -p no:cacheprovider python/carina-data/tests
