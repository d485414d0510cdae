#!/usr/bin/env python3
"""dicom-bench-inputs.py - compress DICOM files to JPEG 2000 lossless with pydicom + pylibjpeg-openjpeg, for
Scripts/bench-dicom.sh (DCMTK's command-line tools cover JPEG lossless and JPEG-LS, not JPEG 2000).

Usage: python dicom-bench-inputs.py IN_DIR OUT_DIR [--limit N]
"""
import argparse
import glob
import os

import pydicom
from pydicom.uid import JPEG2000Lossless

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("inp")
ap.add_argument("out")
ap.add_argument("--limit", type=int, default=0)
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
files = sorted(glob.glob(os.path.join(a.inp, "*.dcm")))
for path in files[: a.limit or None]:
    ds = pydicom.dcmread(path)
    ds.compress(JPEG2000Lossless)
    ds.save_as(os.path.join(a.out, os.path.basename(path)))
