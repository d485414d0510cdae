#!/usr/bin/env bash
# Lint with the toolchain's swift-format and the committed .swift-format (4-space indentation, 120 columns). Prints a
# count per finding kind and the total. The tree is not reformatted wholesale yet, so this reports and does not fail;
# `bash Scripts/lint.sh --strict` fails on any finding (for files being cleaned up), and `--list` prints each one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="${1:-}"
findings=$(swift format lint --recursive --parallel Sources Tests Benchmarks 2>&1 || true)
if [ "$mode" = "--list" ]; then echo "$findings"; fi
count=$(printf '%s\n' "$findings" | grep -c 'warning:' || true)
printf '%s\n' "$findings" | grep 'warning:' | sed -E 's/.*\[([A-Za-z]+)\].*/\1/' | sort | uniq -c | sort -rn \
    | awk '{printf "lint: %6d %s\n", $1, $2}' || true
echo "lint: $count swift-format finding(s) in Sources, Tests and Benchmarks"
if [ "$mode" = "--strict" ] && [ "$count" -gt 0 ]; then exit 1; fi
