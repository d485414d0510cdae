#!/usr/bin/env python3
"""Run the MIT-LCP section parser (create_section_files.py) over a MIMIC-layout dump and digest its output.

The upstream code is not part of Carina: pass the folder holding its `section_parser.py` and
`create_section_files.py` (from github.com/MIT-LCP/mimic-cxr, txt/). The script runs the upstream `main()`
unchanged except for one thing: `os.listdir` returns names sorted, because upstream visits a patient's study files
in the file system's own order; Carina sorts them, and a sorted order is the only reproducible one.

Outputs (in --out):
  mimic_cxr_sectioned.csv, mimic_cxr_sections.csv   the upstream files (--no_split)
  digests.tsv   per study: SHA-256 of its mimic_cxr_sectioned.csv row (or '-' when upstream writes none, the
                54 overridden studies) and of its mimic_cxr_sections.csv row, each row as csv.writer writes it
                (UTF-8, with its \r\n), the first 32 hex digits (128 bits) of each; header lines give the full
                SHA-256 of both whole files.
"""
import argparse
import csv
import hashlib
import io
import os
import sys
import types


def row_bytes(row):
    buf = io.StringIO()
    csv.writer(buf).writerow(row)
    return buf.getvalue().encode("utf-8")


def digest(b):
    return hashlib.sha256(b).hexdigest()[:32]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", required=True, help="folder with section_parser.py and create_section_files.py")
    ap.add_argument("--reports", required=True, help="the dump's files/ folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", default="", help="recorded in the digest header")
    args = ap.parse_args()

    sys.path.insert(0, os.path.abspath(args.upstream))
    if "tqdm" not in sys.modules:
        try:
            import tqdm  # noqa: F401
        except ImportError:  # upstream only uses it for a progress bar
            sys.modules["tqdm"] = types.SimpleNamespace(tqdm=lambda x: x)
    import create_section_files as csf

    real_listdir = os.listdir
    csf.os = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    csf.os.listdir = lambda p: sorted(real_listdir(p))
    stdout = sys.stdout
    sys.stdout = sys.stderr  # upstream prints progress
    try:
        csf.main(["--reports_path", args.reports, "--output_path", args.out, "--no_split"])
    finally:
        sys.stdout = stdout

    sectioned_path = os.path.join(args.out, "mimic_cxr_sectioned.csv")
    sections_path = os.path.join(args.out, "mimic_cxr_sections.csv")
    with open(sectioned_path, newline="") as f:
        sectioned = list(csv.reader(f))[1:]
    with open(sections_path, newline="") as f:
        conclusions = list(csv.reader(f))
    sec = {r[0]: digest(row_bytes(r)) for r in sectioned}
    with open(os.path.join(args.out, "digests.tsv"), "w") as f:
        f.write("# MIT-LCP create_section_files.py output digests (Scripts/sections-oracle.sh)\n")
        if args.seed:
            f.write(f"# seed\t{args.seed}\n")
        for name, path in (("mimic_cxr_sectioned.csv", sectioned_path), ("mimic_cxr_sections.csv", sections_path)):
            with open(path, "rb") as g:
                f.write(f"# file\t{name}\t{hashlib.sha256(g.read()).hexdigest()}\n")
        f.write("# study\tsectioned_row_sha256\tconclusion_row_sha256\n")
        for r in conclusions:
            f.write(f"{r[0]}\t{sec.get(r[0], '-')}\t{digest(row_bytes(r))}\n")
    print(f"{len(conclusions)} studies, {len(sectioned)} sectioned rows -> {args.out}/digests.tsv")


if __name__ == "__main__":
    main()
