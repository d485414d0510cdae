"""Shards written by the real `carina ingest` from the sample dump (samples/mimic-cxr-mini), read back by the tests.

`CARINA_BIN` names the `carina` to use; without it the tests build one with `swift build -c release --product carina`.
"""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
VOCAB = REPO / "schemas" / "vocab" / "carina-cxr-vocab.txt"
CONCEPTS = REPO / "schemas" / "lexicon" / "training-concepts.txt"
SAMPLE_DUMP = REPO / "samples" / "mimic-cxr-mini"


@pytest.fixture(scope="session")
def carina() -> str:
    binary = os.environ.get("CARINA_BIN")
    if binary:
        return binary
    subprocess.run(["swift", "build", "-c", "release", "--product", "carina"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return str(REPO / ".build" / "release" / "carina")


def run(carina: str, *args: str) -> str:
    done = subprocess.run([carina, *args], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"carina {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def shards(carina, tmp_path_factory) -> dict:
    """`plain`: one folder holding every split; `split`: OUT/train, OUT/validate, OUT/test."""
    root = tmp_path_factory.mktemp("shards")
    run(carina, "ingest", str(SAMPLE_DUMP), "--out", str(root / "plain"))
    run(carina, "ingest", str(SAMPLE_DUMP), "--out", str(root / "split"), "--split-folders")
    return {"plain": str(root / "plain"), "split": str(root / "split")}


@pytest.fixture(scope="session")
def vocab() -> str:
    return str(VOCAB)


@pytest.fixture(scope="session")
def vocab_tokens() -> dict:
    return {line.rstrip("\n"): i for i, line in reversed(list(enumerate(VOCAB.read_text().split("\n"))))}


@pytest.fixture(scope="session")
def concept_names() -> list:
    return [line.strip() for line in CONCEPTS.read_text().splitlines() if line.strip() and not line.startswith("#")]
