#!/usr/bin/env python3
"""The Python ingest users write for MIMIC-CXR-JPG, for a side-by-side figure with `carina ingest` on a JPG dump: for
every JPEG of the dump, PIL open + resize to long side 512 (box filter) + JPEG quality 95 (`--resize`, MGCA-style
preprocessing into shards), or the JPEG bytes stored as they are (`--as-is`), the report text from the folder or
mimic-cxr-reports.zip, then `streaming.MDSWriter` (image:jpeg bytes, report:str, ids:str). Prints one JSON line.

    bench-jpg-ingest-baseline.py DUMP OUT --workers N [--as-is]
"""
import io
import os
import sys
import zipfile

from PIL import Image

import ingest_baseline_common as common

REPORTS = None


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
        im = im.resize(common.target_size(*im.size), Image.Resampling.BOX)
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=95)
        data = buf.getvalue()
    return {"image": data, "report": report_text(path, dump), **common.path_ids(path)}


def main():
    ap = common.arguments(__doc__)
    ap.add_argument("--as-is", action="store_true")
    a = ap.parse_args()
    columns = {"image": "bytes", "report": "str", "dicom_id": "str", "study_id": "str", "subject_id": "str"}
    common.write_shards(a, "jpg", columns, process, lambda files: [(f, a.dump, a.as_is) for f in files], 4,
                        {"script": "bench-jpg-ingest-baseline", "as_is": a.as_is})


if __name__ == "__main__":
    sys.exit(main())
