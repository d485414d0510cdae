#!/usr/bin/env bash
# Sets up Carina (packages, oracle environment, build) and runs the whole test suite. The last line printed is the
# test runner's own summary (the Python and site checks run before it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash Scripts/setup.sh --oracles
source Scripts/env.sh
export CARINA_ORACLE_PYTHON="$PWD/.venv-oracle/bin/python"
# swift-format's findings, counted (see Scripts/lint.sh); the Python package's tests (carina-data) and the
# `carina show` site seen through headless Chromium.
bash Scripts/lint.sh | tail -n 1
bash Scripts/python-test.sh
bash Scripts/site-check.sh
exec swift test --disable-xctest
