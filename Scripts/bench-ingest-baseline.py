#!/usr/bin/env python3
"""The Python ingest a user writes today, for a side-by-side figure with `carina ingest`: for every DICOM of a
MIMIC-CXR-shaped dump, pydicom decode + modality LUT + MONOCHROME1 fix + min-max + PIL box resize to long side 512 +
16-bit PNG (exactly ../shared/bench/ingest_baseline.py's png16 path, in memory), the report text, then
`streaming.MDSWriter` (image:png, report:str, dicom_id/study_id/subject_id:str). Prints one JSON line.

    bench-ingest-baseline.py DUMP OUT --workers N
"""
import io
import os
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.pixels import apply_modality_lut

import ingest_baseline_common as common


def process(path):
    ds = pydicom.dcmread(path)
    x = apply_modality_lut(ds.pixel_array, ds)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        x = x.max() - x
    lo, hi = x.min(), x.max()
    x = ((x - lo) / max(hi - lo, 1e-12)).astype(np.float32)
    h, w = x.shape
    x = np.asarray(Image.fromarray(x, mode="F").resize(common.target_size(w, h), Image.Resampling.BOX))
    q = np.clip(np.rint(x * 65535.0), 0, 65535).astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(q).save(buf, format="PNG")
    study = os.path.dirname(path)
    with open(study + ".txt", encoding="utf-8") as f:
        report = f.read()
    return {"image": buf.getvalue(), "report": report, **common.path_ids(path)}


def main():
    a = common.arguments(__doc__).parse_args()
    columns = {"image": "png", "report": "str", "dicom_id": "str", "study_id": "str", "subject_id": "str"}
    common.write_shards(a, "dcm", columns, process, lambda files: files, 1, {"script": "bench-ingest-baseline"})


if __name__ == "__main__":
    sys.exit(main())
