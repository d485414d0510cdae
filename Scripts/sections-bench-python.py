#!/usr/bin/env python3
"""Time the MIT-LCP section parser (not part of Carina; pass its folder) on reports already in memory.

Reads every files/pXX/pSUBJECT/sSTUDY.txt under --reports into memory (as create_section_files.py reads them),
then calls section_parser.section_text on each, pass after pass, for at least --seconds. Prints one JSON line.
"""
import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--reports", required=True, help="the dump's files/ folder")
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.upstream))
    import section_parser as sp

    texts = []
    for grp in sorted(os.listdir(args.reports)):
        for p in sorted(os.listdir(os.path.join(args.reports, grp))):
            d = os.path.join(args.reports, grp, p)
            for s in sorted(os.listdir(d)):
                if s.endswith(".txt") and s.startswith("s"):
                    with open(os.path.join(d, s)) as f:
                        texts.append(f.read())
    passes = 0
    sink = 0
    # CPU time of this thread: the figure per core, whatever else the machine runs.
    start = time.thread_time()
    wall = time.perf_counter()
    while True:
        for t in texts:
            sink += len(sp.section_text(t)[0])
        passes += 1
        elapsed = time.thread_time() - start
        if elapsed >= args.seconds:
            break
    wall = time.perf_counter() - wall
    n = passes * len(texts)
    print(json.dumps({"tool": "MIT-LCP section_text", "reports": len(texts), "passes": passes,
                      "cpu_seconds": elapsed, "wall_seconds": wall, "reports_per_cpu_s": n / elapsed,
                      "sections": sink,
                      "mean_bytes": sum(len(t) for t in texts) / len(texts)}))


if __name__ == "__main__":
    main()
