#!/usr/bin/env python3
"""dicom-reference.py - expected pixels of every file in ../shared/data/dicom, from pydicom (+ pylibjpeg plugins)
and OpenCV, written as Tests/CarinaDICOMTests/ReferenceValues.swift so the Swift tests need no Python.

For each decodable monochrome file and frame it records:
  raw16  - pydicom's modality-LUT output (apply_modality_lut), rounded half away from zero, plus the constant offset
           that lifts a negative declared range to 0, MONOCHROME1 reflected within the declared range
           (low + high - v); exactly what `carina dicom render --transform raw --bits 16` must write.
  mimic8 - the MIMIC-CXR-JPG recipe on pydicom's stored values: (x - min) / (max - min) * 255 in float64,
           truncated to uint8, 255 - x for MONOCHROME1, cv2.equalizeHist; checked here against an independent
           NumPy implementation of equalizeHist before it is written.
Lossless files get an FNV-1a 64 hash of the little-endian bytes; lossy ones (JPEG baseline/extended, JPEG 2000
lossy) get 4096 sampled pixels, because their decoders (IJG in DCMTK, libjpeg in pylibjpeg) may differ by 1.

Run:  /work/.venv-bench/bin/python Scripts/dicom-reference.py [--data ../shared/data/dicom]
"""
import argparse
import glob
import os

import cv2
import numpy as np
import pydicom
from pydicom.pixels import apply_modality_lut

LOSSY = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.91"}
EXPECTED_ERRORS = {  # file -> DicomError.Code, with why
    "syntax-small/MR_truncated.dcm": "malformed",        # pixel data 62 bytes short of the declared length
    "radiograph-other/RG2_JPLY.dcm": "decodeFailed",     # bad SOS (Se=0 in a sequential JPEG); pydicom fails too
    "syntax-small/SC_rgb_jpeg_dcmtk.dcm": "unsupportedPixels",  # YBR_FULL colour
}


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:  # byte by byte, as the Swift side does
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def fnv1a64_array(arr: np.ndarray) -> int:
    """FNV-1a 64 of the samples as little-endian bytes (uint16 for raw16, uint8 for mimic8)."""
    return fnv1a64(arr.astype("<u2").tobytes() if arr.dtype != np.uint8 else arr.tobytes())


def declared_range(ds) -> tuple:
    bits = int(ds.BitsStored)
    signed = int(ds.PixelRepresentation) == 1
    smin, smax = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if "ModalityLUTSequence" in ds:
        return 0.0, float((1 << int(ds.ModalityLUTSequence[0].LUTDescriptor[2])) - 1)
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    a, b = smin * slope + intercept, smax * slope + intercept
    return min(a, b), max(a, b)


def raw16(ds, stored: np.ndarray) -> tuple:
    m = np.asarray(apply_modality_lut(stored, ds), dtype=np.float64)
    lo, hi = declared_range(ds)
    lift = -np.floor(lo) if lo < 0 else 0.0
    assert np.round(hi + lift) <= 65535, "declared range wider than 16 bits: not in this data set"
    v = np.floor(m + lift + 0.5)  # half away from zero for the non-negative values here
    low, high = int(round(lo + lift)), int(round(hi + lift))
    v = np.clip(v, low, high)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        v = low + high - v
    return v.astype(np.uint16), low, high, lift


def equalize_numpy(x: np.ndarray) -> np.ndarray:
    """OpenCV equalizeHist, independently: first non-empty bin maps to 0, float32 scale, round half to even."""
    hist = np.bincount(x.ravel(), minlength=256)
    first = int(np.flatnonzero(hist)[0])
    total = x.size
    if hist[first] == total:
        return np.full_like(x, first)
    scale = np.float32(255.0) / np.float32(total - hist[first])
    lut = np.zeros(256, dtype=np.uint8)
    csum = np.cumsum(hist[first + 1:]).astype(np.float32)
    lut[first + 1:] = np.clip(np.rint(csum * scale), 0, 255).astype(np.uint8)
    return lut[x]


def mimic8(ds, stored: np.ndarray) -> np.ndarray:
    s = stored.astype(np.int64)
    d = s - s.min()
    x = (d / d.max() * 255.0).astype(np.uint8) if d.max() > 0 else np.zeros_like(s, dtype=np.uint8)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        x = 255 - x
    eq = cv2.equalizeHist(x)
    assert np.array_equal(eq, equalize_numpy(x)), "cv2.equalizeHist and the NumPy version disagree"
    return eq


def swift_array(values) -> str:
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "dicom"))
    ap.add_argument("--out", default=os.path.join(here, "..", "Tests", "CarinaDICOMTests", "ReferenceValues.swift"))
    a = ap.parse_args()
    entries = []
    rng = np.random.default_rng(0)
    for path in sorted(glob.glob(os.path.join(a.data, "**", "*.dcm"), recursive=True)):
        rel = os.path.relpath(path, a.data)
        if rel in EXPECTED_ERRORS:
            entries.append(f'        .init(file: "{rel}", error: .{EXPECTED_ERRORS[rel]}),')
            continue
        ds = pydicom.dcmread(path)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        pixels = ds.pixel_array
        ts = str(ds.file_meta.TransferSyntaxUID)
        lossy = ts in LOSSY
        for frame in sorted({0, frames - 1}):
            stored = pixels[frame] if frames > 1 else pixels
            r, low, high, lift = raw16(ds, stored)
            m = mimic8(ds, stored)
            rows, cols = stored.shape
            if lossy:
                idx = np.sort(rng.choice(rows * cols, size=min(4096, rows * cols), replace=False))
                check = (f"samples: {swift_array(idx)}, rawSamples: {swift_array(r.ravel()[idx])}, "
                         f"mimicSamples: {swift_array(m.ravel()[idx])}")
            else:
                check = f"rawHash: 0x{fnv1a64_array(r):016X}, mimicHash: 0x{fnv1a64_array(m):016X}"
            entries.append(
                f'        .init(file: "{rel}", frame: {frame}, rows: {rows}, columns: {cols}, rawLow: {low}, '
                f'rawHigh: {high}, rawOffset: {lift:g}, rawMean: {float(r.mean()):.4f}, {check}),')
            print(rel, frame, ts, "lossy" if lossy else "exact", low, high, lift)
    with open(a.out, "w") as f:
        f.write("// Generated by Scripts/dicom-reference.py from pydicom "
                f"{pydicom.__version__} (+ pylibjpeg plugins) and OpenCV {cv2.__version__}; do not edit.\n")
        f.write("// Expected raw16 and mimic-jpg pixels of every file in ../shared/data/dicom.\n\n")
        f.write("extension Reference {\n    static let all: [Reference] = [\n")
        f.write("\n".join(entries) + "\n    ]\n}\n")


if __name__ == "__main__":
    main()
