#!/usr/bin/env python3
"""Read Carina's shards with the libraries PyTorch users already have, and check them.

  interop-check.py MDS_DIR [--wds WDS_DIR] [--expect N]

1. mosaicml-streaming: StreamingDataset(local=MDS_DIR) through a torch DataLoader; prints every record's ids and
   section lengths; checks the record count (index.json, or --expect), the carina-record/1 fields of every record,
   and the pixels of the images (decoded by Pillow; width/height columns; 16-bit PNGs stay 16-bit).
2. webdataset (with --wds): reads the tar export, checks the count, that each record's members are adjacent and
   complete, and that every image member (.png/.jpg as stored, .npy for 16-bit) has the same pixels as the MDS
   record with the same dicom_id; checks the wids index totals.
Exits non-zero on the first failed check, naming it.
"""
import argparse
import io
import json
import math
import os
import sys
import tempfile

import numpy as np
from PIL import Image

RECORD_COLUMNS = {
    'dicom_id': str, 'study_id': str, 'subject_id': str, 'split': str, 'view': str, 'image': object,
    'image_format': str, 'width': int, 'height': int, 'impression': str, 'findings': str, 'sections': list,
    'report': str, 'graph': dict, 'labels': np.ndarray, 'concepts': np.ndarray, 'meta': dict, 'schema': str,
    'entities': list, 'relations': list, 'raw_range': np.ndarray, 'label_source': str, 'source': str,
}


def fail(message):
    print(f'FAIL {message}', file=sys.stderr)
    sys.exit(1)


def pixels(image, fmt, width, height):
    """The image's pixels as a numpy array, decoded independently of Carina."""
    if fmt == 'raw16':
        return np.frombuffer(image, '<u2').reshape(height, width)
    if isinstance(image, (bytes, bytearray)):
        image = Image.open(io.BytesIO(image))
    arr = np.asarray(image)
    if fmt == 'png16' and arr.dtype != np.uint16:
        arr = arr.astype(np.uint16)
    return arr


def check_mds(local, expect):
    import torch
    from streaming import StreamingDataset
    from torch.utils.data import DataLoader

    with open(os.path.join(local, 'index.json')) as f:
        index = json.load(f)
    total = sum(s['samples'] for s in index['shards'])
    expect = total if expect is None else expect
    columns = index['shards'][0]['column_names']
    record_schema = set(RECORD_COLUMNS) <= set(columns)
    print(f'streaming: {len(index["shards"])} shards, {total} samples, columns {columns}')
    dataset = StreamingDataset(local=local, shuffle=False, batch_size=1)
    if len(dataset) != expect:
        fail(f'StreamingDataset sees {len(dataset)} samples, expected {expect}')
    loader = DataLoader(dataset, batch_size=None, num_workers=0)
    seen = 0
    images = {}
    for i, sample in enumerate(loader):
        seen += 1
        if record_schema:
            # The DataLoader's default conversion turns numpy arrays into tensors.
            for name in ('labels', 'concepts', 'raw_range'):
                if isinstance(sample.get(name), torch.Tensor):
                    sample[name] = sample[name].numpy()
            for name, kind in RECORD_COLUMNS.items():
                if name not in sample:
                    fail(f'record {i} lacks column {name}')
                if kind is not object and not isinstance(sample[name], kind):
                    fail(f'record {i} column {name} is {type(sample[name]).__name__}, expected {kind.__name__}')
            if sample['schema'] != 'carina-record/2':
                fail(f'record {i} schema is {sample["schema"]!r}')
            # Entity rows: the section offsets and the text-column offsets name the same text.
            texts = (sample['impression'], sample['findings'])
            for k, (kind, certainty, concept, section, start, end, column, text_start, text_end) in enumerate(sample['entities']):
                if section < 0:
                    continue
                words = sample['sections'][section]['text'][start:end]
                if not words.strip() or (column >= 0 and texts[column][text_start:text_end] != words):
                    fail(f'record {i} entity {k} offsets do not name one text ({words!r})')
            for head, tail, kind in sample['relations']:
                if not (0 <= head < len(sample['entities']) and 0 <= tail < len(sample['entities']) and kind in (0, 1, 2)):
                    fail(f'record {i} relation {(head, tail, kind)} points outside its entities')
            low, high = (int(v) for v in sample['raw_range'])
            if sample['labels'].shape != (14,) or sample['labels'].dtype != np.float32:
                fail(f'record {i} labels have shape {sample["labels"].shape} {sample["labels"].dtype}')
            for value in sample['labels']:
                if not (math.isnan(value) or value in (-1.0, 0.0, 1.0)):
                    fail(f'record {i} has label value {value}')
            arr = pixels(sample['image'], sample['image_format'], sample['width'], sample['height'])
            if arr.shape != (sample['height'], sample['width']):
                fail(f'record {i} image is {arr.shape}, columns say {(sample["height"], sample["width"])}')
            if sample['image_format'] in ('png16', 'raw16') and arr.dtype != np.uint16:
                fail(f'record {i} {sample["image_format"]} image decodes to {arr.dtype}')
            if int(arr.max()) == int(arr.min()):
                fail(f'record {i} image is flat ({int(arr.min())})')
            if int(arr.max()) > high:
                fail(f'record {i} has pixel values above its raw_range {low}..{high}')
            images[sample['dicom_id']] = arr
            sections = [(s['name'], len(s['text'])) for s in sample['sections']]
            print(f'  {i}: dicom {sample["dicom_id"]} study {sample["study_id"]} subject {sample["subject_id"]} '
                  f'{sample["view"]} {sample["split"]} {sample["image_format"]} {arr.shape[1]}x{arr.shape[0]} '
                  f'impression {len(sample["impression"])} findings {len(sample["findings"])} '
                  f'report {len(sample["report"])} sections {sections} entities {len(sample["entities"])} '
                  f'relations {len(sample["relations"])} raw_range {low}..{high}')
        else:
            print(f'  {i}: ' + ', '.join(f'{k}={type(v).__name__}' for k, v in sorted(sample.items())))
    if seen != expect:
        fail(f'the DataLoader yielded {seen} records, expected {expect}')
    print(f'OK streaming: {seen} records through StreamingDataset + DataLoader')
    return images


def check_wds(folder, images):
    import webdataset as wds

    with open(os.path.join(folder, 'index.wids.json')) as f:
        wids = json.load(f)
    if wids.get('__kind__') != 'wids-shard-index-v1':
        fail('index.wids.json is not a wids shard index')
    urls = [os.path.join(folder, s['url']) for s in wids['shardlist']]
    expected = sum(s['nsamples'] for s in wids['shardlist'])
    for s in wids['shardlist']:
        if os.path.getsize(os.path.join(folder, s['url'])) != s['filesize']:
            fail(f'{s["url"]} size differs from the wids index')
    count = 0
    members = None
    for sample in wds.WebDataset(urls, shardshuffle=False):
        count += 1
        keys = sorted(k for k in sample if not k.startswith('__'))
        if members is None:
            members = keys
        elif (set(keys) ^ set(members)) - {'png', 'npy', 'jpg'}:
            fail(f'record {sample["__key__"]} has members {keys}, the first had {members}')
        image_key = next((k for k in ('npy', 'png', 'jpg') if k in sample), None)
        if image_key is None:
            fail(f'record {sample["__key__"]} has no image member')
        if image_key == 'npy':
            arr = np.load(io.BytesIO(sample['npy']))
            if arr.dtype != np.uint16:
                fail(f'record {sample["__key__"]}: .npy holds {arr.dtype}, expected uint16')
        else:
            arr = np.asarray(Image.open(io.BytesIO(sample[image_key])))
        key = sample['__key__']
        if images and key in images and not np.array_equal(images[key], arr):
            fail(f'record {key}: the exported {image_key} pixels differ from the MDS image')
        labels = np.load(io.BytesIO(sample['labels.npy'])) if 'labels.npy' in sample else None
        if labels is not None and labels.shape != (14,):
            fail(f'record {key}: labels.npy has shape {labels.shape}')
    if count != expected:
        fail(f'webdataset read {count} records, the wids index lists {expected}')
    print(f'OK webdataset: {count} records in {len(urls)} tars; members {members}')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('mds')
    parser.add_argument('--wds')
    parser.add_argument('--expect', type=int)
    args = parser.parse_args()
    images = check_mds(args.mds, args.expect)
    if args.wds:
        check_wds(args.wds, images)


if __name__ == '__main__':
    main()
