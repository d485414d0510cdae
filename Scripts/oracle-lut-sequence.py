#!/usr/bin/env python3
"""Oracle for Carina's Modality LUT Sequence path (no file of ../shared/data has one): copies a real DICOM, replaces
its rescale slope/intercept with a Modality LUT Sequence (a square-root curve over the stored range, 16-bit entries,
first mapped value above zero), writes the copy, and writes pydicom's modality-LUT output of it as little-endian
uint16 — what `carina dicom render --transform raw --bits 16` must produce for a MONOCHROME2 file.

    oracle-lut-sequence.py IN.dcm OUT.dcm OUT.raw   ->  prints "ROWS COLUMNS"
"""
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.pixels import apply_modality_lut
from pydicom.sequence import Sequence

ds = pydicom.dcmread(sys.argv[1])
if ds.PhotometricInterpretation != "MONOCHROME2":
    sys.exit(f"{sys.argv[1]}: expected MONOCHROME2, found {ds.PhotometricInterpretation}")
if ds.file_meta.TransferSyntaxUID.is_compressed:
    ds.decompress()
entries = 1 << int(ds.BitsStored)
first = 16  # entries below the first mapped value clamp to the first entry
table = (np.sqrt(np.arange(entries - first) / (entries - first - 1)) * 60000 + 7).astype("<u2")
item = Dataset()
item.LUTDescriptor = [len(table), first, 16]
item.add_new(0x00283006, "OW", table.tobytes())  # LUT Data
item.ModalityLUTType = "US"
ds.ModalityLUTSequence = Sequence([item])
for keyword in ("RescaleSlope", "RescaleIntercept", "RescaleType"):
    if keyword in ds:
        delattr(ds, keyword)
ds.save_as(sys.argv[2])
values = apply_modality_lut(pydicom.dcmread(sys.argv[2]).pixel_array, ds)
np.asarray(values).astype("<u2").tofile(sys.argv[3])
print(ds.Rows, ds.Columns)
