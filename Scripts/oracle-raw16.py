#!/usr/bin/env python3
"""Oracle for Carina's raw transform: pydicom's modality-LUT output of a DICOM file, MONOCHROME1 reflected within
its declared range, as little-endian uint16 — what `carina ingest --transform raw --size 0` stores.

    oracle-raw16.py FILE.dcm OUT.raw   ->  prints "ROWS COLUMNS"
"""
import sys

import numpy as np
import pydicom
from pydicom.pixels import apply_modality_lut

ds = pydicom.dcmread(sys.argv[1])
values = apply_modality_lut(ds.pixel_array, ds).astype(np.float64)
bits = int(ds.BitsStored)
signed = int(getattr(ds, "PixelRepresentation", 0)) == 1
low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
slope, intercept = float(getattr(ds, "RescaleSlope", 1)), float(getattr(ds, "RescaleIntercept", 0))
low, high = sorted((low * slope + intercept, high * slope + intercept))
offset = -low if low < 0 else 0
if ds.PhotometricInterpretation == "MONOCHROME1":
    values = low + high - values
out = np.floor(np.abs(values + offset) + 0.5) * np.sign(values + offset)
out.astype("<u2").tofile(sys.argv[2])
print(ds.Rows, ds.Columns)
