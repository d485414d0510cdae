#!/usr/bin/env python3
"""samples/s of the carina-data Python loader (CarinaDataset + torch DataLoader) over a shard folder, for comparison
with `carina stream DIR --bench --graph-fields` on the same folder, same batch, image size and text length.

    .venv-python/bin/python Scripts/bench-carina-data.py DIR [--batch 32] [--size 224] [--text-length 128]
        [--workers 2] [--batches 100] [--augment]

Every field is built (image resized, both texts tokenised with offsets, entity spans, relations, labels); the first
batch is not timed (worker start-up)."""

import argparse
import os
import sys
import time

import torch

from carina_data import CarinaDataset, collate

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--size", type=int, default=224)
ap.add_argument("--text-length", type=int, default=128)
ap.add_argument("--workers", type=int, default=2)
ap.add_argument("--batches", type=int, default=100)
ap.add_argument("--augment", action="store_true", help="random resized crop")
ap.add_argument("--vocab", default=os.path.join(os.path.dirname(__file__), "..", "schemas", "vocab", "carina-cxr-vocab.txt"))
args = ap.parse_args()
torch.set_num_threads(1)
ds = CarinaDataset(local=args.dir, vocab=args.vocab, text_length=args.text_length, image_size=args.size,
                   random_crop=args.augment, batch_size=args.batch, shuffle=True)
loader = torch.utils.data.DataLoader(ds, batch_size=args.batch, num_workers=args.workers, collate_fn=collate,
                                     drop_last=True)
it = iter(loader)
next(it)
start, samples = time.perf_counter(), 0
for k, batch in enumerate(it):
    samples += batch["image"].shape[0]
    if k + 1 >= args.batches:
        break
elapsed = time.perf_counter() - start
print(f"carina-data: {samples} samples in {elapsed:.2f} s: {samples / elapsed:.0f} samples/s "
      f"(batch {args.batch}, {args.size}px, text {args.text_length}, {args.workers} workers)")
sys.exit(0)
