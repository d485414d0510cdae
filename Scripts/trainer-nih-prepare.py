#!/usr/bin/env python3
"""trainer-nih-prepare.py - decode ../shared/data/images/nih1000 into one raw file for the NIH learning check.

Writes OUT.bin: for every row of labels.csv (in file order) the image as 64x64 float32 little-endian, grayscale
intensities scaled to mean 0 / std 1 over the train split; and OUT.json: split, path and a 15-column multi-hot target
per image (column 0: abnormal = folder 1_abnormal; columns 1..14: the NIH finding labels, "No Finding" excluded).

Run: /work/.venv-bench/bin/python Scripts/trainer-nih-prepare.py --out /tmp/carina-nih/nih64
Then: .build/release/carina-trainer-bench --nih /tmp/carina-nih/nih64 (see Benchmarks/TrainerBench/main.swift).
"""
import argparse
import csv
import json
import os

import numpy as np
from PIL import Image

FINDINGS = ["Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Effusion", "Emphysema", "Fibrosis", "Hernia",
            "Infiltration", "Mass", "Nodule", "Pleural_Thickening", "Pneumonia", "Pneumothorax"]


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(root, "..", "shared", "data", "images", "nih1000"))
    ap.add_argument("--out", required=True, help="output path without extension")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(os.path.join(a.data, "labels.csv"))))
    images = np.stack([np.asarray(Image.open(os.path.join(a.data, r["path"])).convert("L"), dtype=np.float32)
                       for r in rows])
    train = images[[r["split"] == "train" for r in rows]]
    images = (images - train.mean()) / train.std()
    targets = []
    for r in rows:
        present = set(r["nih_finding_labels"].split("|"))
        targets.append([1.0 if r["folder_label"] == "1_abnormal" else 0.0] + [1.0 if f in present else 0.0 for f in FINDINGS])
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    images.astype("<f4").tofile(a.out + ".bin")
    json.dump({"size": int(images.shape[1]), "labels": ["abnormal"] + FINDINGS,
               "split": [r["split"] for r in rows], "path": [r["path"] for r in rows], "targets": targets},
              open(a.out + ".json", "w"))
    print(json.dumps({"images": len(rows), "size": int(images.shape[1]), "out": a.out}))


if __name__ == "__main__":
    main()
