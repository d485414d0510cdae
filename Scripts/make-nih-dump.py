#!/usr/bin/env python3
"""make-nih-dump.py - lay ../shared/data/images/nih1000 out as the NIH ChestX-ray14 release, for `carina ingest`.

Writes OUT/images/*.png (copies of the 1,000 real 64x64 images), OUT/Data_Entry_2017_v2020.csv (the release's own rows
for those images, taken from ../shared/data/images/Data_Entry_2017_v2020.csv.gz), OUT/train_val_list.txt (the
nih1000 train and valid images) and OUT/test_list.txt (its test images). Standard library only.

Run: python3 Scripts/make-nih-dump.py --out /tmp/nih-dump && carina ingest /tmp/nih-dump --out /tmp/nih-shards
"""
import argparse
import csv
import gzip
import os
import shutil


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    data = os.path.join(root, "..", "shared", "data", "images")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(data, "nih1000"))
    ap.add_argument("--entries", default=os.path.join(data, "Data_Entry_2017_v2020.csv.gz"))
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = list(csv.DictReader(open(os.path.join(a.data, "labels.csv"))))
    names = {os.path.basename(r["path"]): r for r in rows}
    os.makedirs(os.path.join(a.out, "images"), exist_ok=True)
    for name, r in names.items():
        shutil.copyfile(os.path.join(a.data, r["path"]), os.path.join(a.out, "images", name))
    with gzip.open(a.entries, "rt", newline="") as f, open(os.path.join(a.out, "Data_Entry_2017_v2020.csv"), "w", newline="") as out:
        reader = csv.reader(f)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader))
        kept = 0
        for row in reader:
            if row[0] in names:
                writer.writerow(row)
                kept += 1
    for listed, splits in (("train_val_list.txt", {"train", "valid"}), ("test_list.txt", {"test"})):
        with open(os.path.join(a.out, listed), "w") as f:
            f.writelines(n + "\n" for n in sorted(names) if names[n]["split"] in splits)
    print(f"{len(names)} images, {kept} Data_Entry rows -> {a.out}")


if __name__ == "__main__":
    main()
