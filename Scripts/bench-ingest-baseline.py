#!/usr/bin/env python3
"""The Python ingest a user writes today, for a side-by-side figure with `carina ingest`: for every DICOM of a
MIMIC-CXR-shaped dump, pydicom decode + modality LUT + MONOCHROME1 fix + min-max + PIL box resize to long side 512 +
16-bit PNG (exactly ../shared/bench/ingest_baseline.py's png16 path, in memory), the report text, then
`streaming.MDSWriter` (image:png, report:str, dicom_id/study_id/subject_id:str). Prints one JSON line.

    bench-ingest-baseline.py DUMP OUT --workers N
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

import numpy as np
import pydicom
from PIL import Image
from pydicom.pixels import apply_modality_lut

LONG_SIDE = 512


def target_size(h, w):
    s = LONG_SIDE / max(h, w)
    return max(1, round(w * s)), max(1, round(h * s))


def process(path):
    ds = pydicom.dcmread(path)
    x = apply_modality_lut(ds.pixel_array, ds)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        x = x.max() - x
    lo, hi = x.min(), x.max()
    x = ((x - lo) / max(hi - lo, 1e-12)).astype(np.float32)
    x = np.asarray(Image.fromarray(x, mode="F").resize(target_size(*x.shape), Image.Resampling.BOX))
    q = np.clip(np.rint(x * 65535.0), 0, 65535).astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(q).save(buf, format="PNG")
    study = os.path.dirname(path)
    with open(study + ".txt", encoding="utf-8") as f:
        report = f.read()
    parts = path.split(os.sep)
    return {"image": buf.getvalue(), "report": report, "dicom_id": os.path.basename(path)[:-4],
            "study_id": parts[-2][1:], "subject_id": parts[-3][1:]}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dump")
    ap.add_argument("out")
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    from streaming import MDSWriter

    files = sorted(glob.glob(os.path.join(a.dump, "files", "p*", "p*", "s*", "*.dcm")))
    shutil.rmtree(a.out, ignore_errors=True)
    columns = {"image": "png", "report": "str", "dicom_id": "str", "study_id": "str", "subject_id": "str"}
    t0 = time.perf_counter()
    with MDSWriter(out=a.out, columns=columns, size_limit=1 << 26) as writer, \
            mp.get_context("fork").Pool(a.workers) as pool:
        for sample in pool.imap(process, files, chunksize=1):
            writer.write(sample)
    seconds = time.perf_counter() - t0
    print(json.dumps({"script": "bench-ingest-baseline", "workers": a.workers, "images": len(files),
                      "seconds": round(seconds, 2), "images_per_s": round(len(files) / seconds, 2)}))


if __name__ == "__main__":
    sys.exit(main())
