"""ingest_baseline_common.py - what the Python ingest baselines (Scripts/bench-ingest-baseline.py for DICOM,
Scripts/bench-jpg-ingest-baseline.py for MIMIC-CXR-JPG) share: their command line (DUMP OUT --workers N), the long
side they resize to, the ids a sample takes from its path, and the timed run that feeds every image of the dump
through a process pool into `streaming.MDSWriter` and prints one JSON line.

Not run on its own: the scripts import it from their own folder (Python puts a script's folder first on sys.path).
"""
import argparse
import glob
import json
import multiprocessing as mp
import os
import shutil
import time

LONG_SIDE = 512


def arguments(doc):
    """DUMP, OUT and --workers N (default 1); the script adds its own options to the returned parser."""
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("dump")
    ap.add_argument("out")
    ap.add_argument("--workers", type=int, default=1)
    return ap


def target_size(w, h):
    """(width, height) of a w x h image resized to LONG_SIDE on its long side, each at least 1."""
    s = LONG_SIDE / max(h, w)
    return max(1, round(w * s)), max(1, round(h * s))


def path_ids(path):
    """The ids of the image at DUMP/files/pXX/pSUBJECT/sSTUDY/ID.ext: dicom_id, study_id, subject_id."""
    parts = path.split(os.sep)
    return {"dicom_id": os.path.basename(path)[:-4], "study_id": parts[-2][1:], "subject_id": parts[-3][1:]}


def write_shards(a, ext, columns, process, tasks, chunksize, head):
    """Every DUMP/files/p*/p*/s*/*.EXT (sorted) through `process` in a pool of --workers forked processes (the tasks
    `tasks(files)`, `chunksize` at a time, in order) into an MDSWriter at OUT (emptied first, 64 MiB shards), timed;
    prints `head`'s fields, the workers, images, seconds and images per second as one JSON line."""
    from streaming import MDSWriter

    files = sorted(glob.glob(os.path.join(a.dump, "files", "p*", "p*", "s*", "*." + ext)))
    shutil.rmtree(a.out, ignore_errors=True)
    t0 = time.perf_counter()
    with MDSWriter(out=a.out, columns=columns, size_limit=1 << 26) as writer, \
            mp.get_context("fork").Pool(a.workers) as pool:
        for sample in pool.imap(process, tasks(files), chunksize=chunksize):
            writer.write(sample)
    seconds = time.perf_counter() - t0
    print(json.dumps({**head, "workers": a.workers, "images": len(files), "seconds": round(seconds, 2),
                      "images_per_s": round(len(files) / seconds, 2)}))
