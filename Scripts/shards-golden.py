#!/usr/bin/env python3
"""Write the golden MDS folders that prove Carina's shard writer is byte-identical to `streaming.MDSWriter`.

For each case this writes, under Tests/CarinaShardsTests/Fixtures/mds/<case>/:
  inputs.json   the exact sample values (typed, lossless: floats as bit patterns, bytes as base64)
  expected/     what streaming.MDSWriter (mosaicml-streaming 0.13.0) wrote for them: index.json + shard.*.mds

Images are 32x32 crops of real NIH ChestX-ray14 images from ../shared/data/images/nih1000, encoded by Pillow
(8-bit PNG, 16-bit PNG, JPEG); the PNG/JPEG columns receive the encoded bytes, as Carina's ingest passes them.

Run: /work/.venv-bench/bin/python Scripts/shards-golden.py
"""
import base64
import io
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
from PIL import Image
from streaming import MDSWriter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get('CARINA_SHARED_DATA', os.path.join(os.path.dirname(ROOT), 'shared', 'data'))
OUT = os.path.join(ROOT, 'Tests', 'CarinaShardsTests', 'Fixtures', 'mds')



def nih_images():
    """32x32 crops of real NIH images, as (uint8 array) — deterministic."""
    paths = []
    with open(os.path.join(DATA, 'images', 'nih1000', 'labels.csv')) as f:
        next(f)
        for line in f:
            paths.append(line.split(',')[0])
    out = []
    for p in sorted(paths)[:8]:
        im = Image.open(os.path.join(DATA, 'images', 'nih1000', p)).convert('L')
        out.append(np.asarray(im)[16:48, 16:48].copy())
    return out


def png_bytes(arr):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format='PNG')
    return buf.getvalue()


def jpeg_bytes(arr):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format='JPEG', quality=90)
    return buf.getvalue()


def png16_bytes(arr):
    wide = (arr.astype(np.uint16) * 257).astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(wide).save(buf, format='PNG')
    return buf.getvalue()


def typed(encoding, value):
    """The lossless JSON form of one value, as the Swift test reads it."""
    base = encoding.split(':')[0]
    if base == 'str':
        return {'str': value}
    if base in ('bytes', 'png', 'jpeg'):
        return {'b64': base64.b64encode(value).decode()}
    if base in ('int', 'str_int', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'):
        return {'int': str(int(value))}
    if base == 'float32':
        return {'f32bits': struct.pack('<f', float(value)).hex()}
    if base == 'float64':
        return {'f64bits': struct.pack('<d', float(value)).hex()}
    if base == 'json':
        return {'json': json.dumps(value)}
    if base == 'ndarray':
        return {'ndarray': {'dtype': value.dtype.name, 'shape': list(value.shape),
                            'b64': base64.b64encode(value.tobytes()).decode()}}
    raise ValueError(encoding)


RECORD_COLUMNS = {
    'dicom_id': 'str', 'study_id': 'str', 'subject_id': 'str', 'split': 'str', 'view': 'str',
    'image': 'png', 'image_format': 'str', 'width': 'int', 'height': 'int',
    'impression': 'str', 'findings': 'str', 'sections': 'json', 'report': 'str', 'graph': 'json',
    'labels': 'ndarray:float32:14', 'concepts': 'ndarray:float32:64', 'meta': 'json', 'schema': 'str',
}


def record_samples(images):
    out = []
    rng = np.random.default_rng(7)
    for i, arr in enumerate(images[:6]):
        findings = f'Heart size is normal. No focal consolidation {i}.' if i != 2 else ''
        impression = 'No acute cardiopulmonary process — ø.' if i % 2 == 0 else 'Small left pleural effusion.'
        labels = np.full(14, np.nan, np.float32)
        labels[i % 14] = 1.0
        labels[(i + 5) % 14] = 0.0
        labels[(i + 9) % 14] = -1.0
        out.append({
            'dicom_id': f'{i:08x}-0000-4000-8000-{i:012d}',
            'study_id': str(50000000 + i), 'subject_id': str(10000000 + i // 2),
            'split': ['train', 'validate', 'test'][i % 3], 'view': ['PA', 'AP', 'LATERAL'][i % 3],
            'image': png16_bytes(arr) if i % 2 else png_bytes(arr),
            'image_format': 'png16' if i % 2 else 'png8', 'width': 32, 'height': 32,
            'impression': impression, 'findings': findings,
            'sections': [{'name': 'findings', 'text': findings, 'rule': 'header'},
                         {'name': 'impression', 'text': impression, 'rule': 'header'}],
            'report': f'FINDINGS: {findings}\n\nIMPRESSION: {impression}\n',
            'graph': {'text': impression, 'entities': {'1': {'tokens': 'effusion', 'label': 'OBS-DP',
                                                             'start_ix': 3, 'end_ix': 3, 'relations': []}},
                      'data_split': 'inference', 'data_source': None},
            'labels': labels, 'concepts': rng.random(64, dtype=np.float32),
            'meta': {'Rows': 32, 'Columns': 32, 'PixelSpacing': [0.139, 0.139], 'Manufacturer': 'Ünïcode',
                     'WindowCenter': 2047.5, 'Flag': True, 'Missing': None},
            'schema': 'carina-record/1',
        })
    return out


ENCODING_COLUMNS = {
    'a_bytes': 'bytes', 'b_int': 'int', 'c_int64': 'int64', 'd_f32': 'float32', 'e_f64': 'float64',
    'f_json': 'json', 'g_jpeg': 'jpeg', 'h_png': 'png', 'i_nd_var': 'ndarray', 'j_nd_dtype': 'ndarray:uint8',
    'k_nd_fixed2d': 'ndarray:uint16:2,3', 'l_str': 'str', 'm_uint8': 'uint8', 'n_int32': 'int32',
    'o_uint64': 'uint64', 'p_int16': 'int16', 'q_uint32': 'uint32', 'r_int8': 'int8', 's_uint16': 'uint16',
    't_str_int': 'str_int',
}


def encoding_samples(images):
    out = []
    specials = [0.0, -0.0, float('nan'), float('inf'), 1.0e-30, 3.14159265358979]
    nd_dtypes = ['uint8', 'int16', 'float32', 'float64', 'uint8', 'int64']
    for i, arr in enumerate(images[:6]):
        shape = [(5,), (2, 3), (300, 2), (1, 1, 4), (70000,), (3, 2)][i]
        var = (np.arange(int(np.prod(shape))) * (i + 1) - 7).astype(nd_dtypes[i]).reshape(shape)
        out.append({
            'a_bytes': bytes(range(i * 7 % 256)) + b'\x00\xff',
            'b_int': [-(1 << 63), (1 << 63) - 1, 0, -1, 123456789, 42][i],
            'c_int64': -i * 1000003,
            'd_f32': np.float32(specials[i]), 'e_f64': specials[(i + 1) % 6],
            'f_json': [{'k': i, 'v': [1.5, None, True, 'é\n"q"'], 'e': {}}, [], 'text', 12, 2.5e-08,
                       {'b': 1, 'a': [1e+16, 1e16 + 2, -0.0, 100.0]}][i],
            'g_jpeg': jpeg_bytes(arr), 'h_png': png_bytes(arr),
            'i_nd_var': var, 'j_nd_dtype': arr[: i + 1, :3].copy(),
            'k_nd_fixed2d': np.arange(6, dtype=np.uint16).reshape(2, 3) * (i + 1),
            'l_str': ['', 'plain', 'ünï©ødé ✓', 'x' * 1000, 'tab\tnew\nline', '\u0000nul'][i],
            'm_uint8': 255 - i, 'n_int32': -(1 << 31) + i, 'o_uint64': (1 << 64) - 1 - i,
            'p_int16': -300 * i, 'q_uint32': (1 << 32) - 1 - i, 'r_int8': -128 + i, 's_uint16': 65535 - i,
            't_str_int': -12345 * i,
        })
    return out


CASES = [
    # (name, columns, samples builder, size_limit, hashes)
    ('record-3shards', RECORD_COLUMNS, record_samples, 6000, None),
    ('record-nolimit', RECORD_COLUMNS, record_samples, None, None),
    ('encodings-hashed', ENCODING_COLUMNS, encoding_samples, 60000, ['sha1', 'xxh64']),
    ('encodings-default', ENCODING_COLUMNS, encoding_samples, 1 << 26, None),
    ('oversize-first', {'a': 'str', 'b': 'bytes'}, None, 64, ['md5', 'sha256', 'xxh32']),
]


def main():
    images = nih_images()
    for name, columns, builder, size_limit, hashes in CASES:
        if builder is None:
            samples = [{'a': 'x' * (10 * (k + 1)), 'b': bytes([k]) * (50 if k == 1 else 3)} for k in range(4)]
        else:
            samples = builder(images)
        case = os.path.join(OUT, name)
        shutil.rmtree(case, ignore_errors=True)
        os.makedirs(case)
        expected = os.path.join(case, 'expected')
        kwargs = {'columns': columns, 'out': expected, 'size_limit': size_limit}
        if hashes:
            kwargs['hashes'] = hashes
        with MDSWriter(**kwargs) as writer:
            for s in samples:
                writer.write(s)
        inputs = {
            'columns': columns, 'size_limit': size_limit, 'hashes': hashes or [],
            'samples': [{k: typed(columns[k], v) for k, v in s.items()} for s in samples],
        }
        with open(os.path.join(case, 'inputs.json'), 'w') as f:
            json.dump(inputs, f, indent=1, sort_keys=True)
            f.write('\n')
        shards = sorted(x for x in os.listdir(expected) if x.endswith('.mds'))
        print(f'{name}: {len(samples)} samples, {len(shards)} shards', file=sys.stderr)


if __name__ == '__main__':
    main()


def png16_fixtures():
    """16-bit grayscale PNGs (Pillow, zlib levels 0, 6 and 9) of a real NIH image and their pixels, for the
    WebDataset export's PNG reader (Tests/CarinaShardsTests/Fixtures/png16/)."""
    out = os.path.join(os.path.dirname(OUT), 'png16')
    os.makedirs(out, exist_ok=True)
    path = os.path.join(DATA, 'images', 'nih-512', sorted(os.listdir(os.path.join(DATA, 'images', 'nih-512')))[0])
    im = np.asarray(Image.open(path).convert('L'))[200:296, 180:300].astype(np.uint16)
    wide = (im * 257 + np.arange(im.size, dtype=np.uint16).reshape(im.shape) % 251).astype(np.uint16)
    for level in (0, 6, 9):
        Image.fromarray(wide).save(os.path.join(out, f'level{level}.png'), format='PNG', compress_level=level)
    with open(os.path.join(out, 'pixels.u16le'), 'wb') as f:
        f.write(wide.astype('<u2').tobytes())
    print(f'png16: {wide.shape}', file=sys.stderr)


if __name__ == '__main__' and os.environ.get('CARINA_PNG16', '1') == '1':
    png16_fixtures()
