#!/usr/bin/env python3
"""Oracle for a Modality LUT Sequence over signed stored pixels: writes a small uncompressed MONOCHROME2 image whose
stored values are signed 12-bit (Pixel Representation 1, -2048...2047) and whose Modality LUT Sequence starts at a
negative first mapped value (LUT Descriptor with VR SS, as PS3.3 C.11.1.1 allows for signed pixels), then writes
pydicom's modality-LUT output of it as little-endian uint16 — what `carina dicom render --transform raw --bits 16`
must produce.

    oracle-lut-signed.py OUT.dcm OUT.raw   ->  prints "ROWS COLUMNS"
"""
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_modality_lut
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

rows, columns = 48, 64
y, x = np.mgrid[0:rows, 0:columns]
stored = ((x * 61 + y * 37) % 4096 - 2048).astype("<i2")  # every value of -2048...2047 band

first = -1024  # values below clamp to the first entry, above the last to the last
entries = 3072
table = (np.linspace(0, 1, entries) ** 2 * 40000 + 100).astype("<u2")

meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset()
ds.file_meta = meta
ds.SOPClassUID = meta.MediaStorageSOPClassUID
ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
ds.Modality = "DX"
ds.PatientID = "lut-signed"
ds.Rows, ds.Columns = rows, columns
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
ds.PixelRepresentation = 1
item = Dataset()
item.add_new(0x00283002, "SS", [entries, first, 16])  # LUT Descriptor: signed first mapped value
item.add_new(0x00283006, "OW", table.tobytes())  # LUT Data
item.ModalityLUTType = "US"
ds.ModalityLUTSequence = Sequence([item])
ds.PixelData = stored.tobytes()
ds.save_as(sys.argv[1], enforce_file_format=True)

read = pydicom.dcmread(sys.argv[1])
values = apply_modality_lut(read.pixel_array, read)
np.asarray(values).astype("<u2").tofile(sys.argv[2])
print(rows, columns)
