#!/usr/bin/env bash
# Carina set-up on Debian 12: installs every Debian package Carina needs (only those missing), then builds the
# `carina` command in release mode. Idempotent: a second run installs nothing and rebuilds only what changed.
#
#   bash Scripts/setup.sh             packages + release build
#   bash Scripts/setup.sh --oracles   also the Python oracle environment the tests compare against
#                                     (.venv-oracle: numpy, pydicom and its JPEG / JPEG-LS / JPEG 2000 plugins)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Scripts/env.sh

packages=(
    libdcmtk-dev dcmtk           # DICOM decoding (+ dcm2pnm, dcmj2pnm, dcml2pnm for reference tests)
    libopenjp2-7-dev             # JPEG 2000, which open-source DCMTK cannot decode
    libopenblas-dev              # sgemm for the trainer
    libpng-dev libjpeg62-turbo-dev zlib1g-dev libxml2-dev pkg-config
    libdeflate-dev               # one-call inflate for the loader's PNG decoding
    libssl-dev libxxhash-dev     # MD5 / SHA-1 / SHA-256 (libcrypto) and xxHash of MDS shard hashes
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--oracles" ]; then
    if [ ! -x .venv-oracle/bin/python ]; then
        echo "setup: creating .venv-oracle (Python oracles for the tests)"
        python3 -m venv .venv-oracle
    fi
    .venv-oracle/bin/python -m pip install --quiet --disable-pip-version-check -r Scripts/oracle-requirements.txt
fi

echo "setup: building carina (release)"
carina=$(build_release_carina) || { echo "setup: the release build failed" >&2; exit 1; }
echo "setup: ok  $($carina --version)"
