#!/usr/bin/env python3
"""The Python ingest users write for MIMIC-CXR-JPG, for a side-by-side figure with `carina ingest` on a JPG dump: for
every JPEG of the dump, PIL open + resize to long side 512 (box filter) + JPEG quality 95 (`--resize`, MGCA-style
preprocessing into shards), or the JPEG bytes stored as they are (`--as-is`), the report text from the folder or
mimic-cxr-reports.zip, then `streaming.MDSWriter` (image:jpeg bytes, report:str, ids:str). Prints one JSON line.

    bench-jpg-ingest-baseline.py DUMP OUT --workers N [--as-is]
"""
import argparse
import glob
import io
import json
import multiprocessing as mp
import os
import shutil
import sys
import time
import zipfile

from PIL import Image

LONG_SIDE = 512
REPORTS = None


def target_size(w, h):
    s = LONG_SIDE / max(h, w)
    return max(1, round(w * s)), max(1, round(h * s))


def report_text(path, dump):
    global REPORTS
    study = os.path.dirname(path)
    if os.path.exists(study + ".txt"):
        with open(study + ".txt", encoding="utf-8") as f:
            return f.read()
    if REPORTS is None:
        REPORTS = zipfile.ZipFile(os.path.join(dump, "mimic-cxr-reports.zip"))
    name = os.path.relpath(study, dump) + ".txt"
    try:
        return REPORTS.read(name).decode("utf-8")
    except KeyError:
        return ""


def process(args):
    path, dump, as_is = args
    if as_is:
        with open(path, "rb") as f:
            data = f.read()
    else:
        im = Image.open(path).convert("L")
        im = im.resize(target_size(*im.size), Image.Resampling.BOX)
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=95)
        data = buf.getvalue()
    parts = path.split(os.sep)
    return {"image": data, "report": report_text(path, dump), "dicom_id": os.path.basename(path)[:-4],
            "study_id": parts[-2][1:], "subject_id": parts[-3][1:]}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dump")
    ap.add_argument("out")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--as-is", action="store_true")
    a = ap.parse_args()
    from streaming import MDSWriter

    files = sorted(glob.glob(os.path.join(a.dump, "files", "p*", "p*", "s*", "*.jpg")))
    shutil.rmtree(a.out, ignore_errors=True)
    columns = {"image": "bytes", "report": "str", "dicom_id": "str", "study_id": "str", "subject_id": "str"}
    t0 = time.perf_counter()
    with MDSWriter(out=a.out, columns=columns, size_limit=1 << 26) as writer, \
            mp.get_context("fork").Pool(a.workers) as pool:
        for sample in pool.imap(process, [(f, a.dump, a.as_is) for f in files], chunksize=4):
            writer.write(sample)
    seconds = time.perf_counter() - t0
    print(json.dumps({"script": "bench-jpg-ingest-baseline", "as_is": a.as_is, "workers": a.workers,
                      "images": len(files), "seconds": round(seconds, 2), "images_per_s": round(len(files) / seconds, 2)}))


if __name__ == "__main__":
    sys.exit(main())
