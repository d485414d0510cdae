#!/usr/bin/env bash
# dicom-fuzz.sh — run the DICOM reader's mutation loop (Tests/CarinaDICOMTests/FuzzTests.swift) for longer.
# Usage: Scripts/dicom-fuzz.sh [ITERATIONS] [SEED]    (defaults 20000, 7). Prints the tally line; a crash fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARINA_FUZZ_ITERATIONS="${1:-20000}" CARINA_FUZZ_SEED="${2:-7}"
swift test --disable-xctest --filter FuzzTests 2>&1 | grep -E "fuzz:|✘|✔ Test run|error|Fatal|signal"
