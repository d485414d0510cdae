"""Carina records (`carina-record/2`, schemas/records/README.md) as ready PyTorch tensors.

`CarinaDataset` is a `streaming.StreamingDataset`: it reads Carina's MDS shards (local or remote), partitions them over
ranks and DataLoader workers, shuffles and resumes exactly as StreamingDataset does, and turns each record into the
tensors Carina's own loader puts in a batch (Sources/CarinaLoader/TrainingBatch.swift), under the same names in
snake case.
"""

from __future__ import annotations

import io
import json
import math
import os
from typing import Any, Iterable, Optional, Sequence

import numpy as np
import torch
from PIL import Image
from streaming import StreamingDataset

from .text import TextEncoder

#: The CheXpert classes, in the `labels` column's order.
LABEL_NAMES = (
    "Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum", "Fracture",
    "Lung Lesion", "Lung Opacity", "No Finding", "Pleural Effusion", "Pleural Other", "Pneumonia", "Pneumothorax",
    "Support Devices",
)
#: How uncertain labels (-1) become targets: CheXpert's U-Ones, U-Zeros, U-Ignore (Carina's `UncertainLabelPolicy`).
LABEL_POLICIES = ("ones", "zeros", "ignore")
ENTITY_KINDS = ("anatomy", "observation", "device")
CERTAINTIES = ("present", "uncertain", "absent")
RELATION_KINDS = ("located_at", "modify", "suggestive_of")
#: Columns passed through as they are (strings) unless `keep_columns` says otherwise.
DEFAULT_KEEP = ("dicom_id", "study_id", "subject_id", "split", "view", "label_source")
#: Item fields built from the record (a kept column must not take one of these names).
COMPUTED = {"image", "raw_range", "labels", "concepts", "relations"}
_BIT_DEPTH = {"png16": 16, "raw16": 16, "png8": 8, "jpeg8": 8}


def label_targets(values: Sequence[float], policy: str = "ones") -> tuple[np.ndarray, np.ndarray]:
    """Targets and mask of stored CheXpert values (1, 0, -1, NaN): blank is always masked out; uncertain becomes 1
    (`ones`), 0 (`zeros`) or is masked out (`ignore`); anything above 0 is 1, the rest 0."""
    if policy not in LABEL_POLICIES:
        raise ValueError(f"label_policy must be one of {', '.join(LABEL_POLICIES)}, got {policy!r}")
    v = np.asarray(values, dtype=np.float32)
    blank = np.isnan(v)
    uncertain = v == -1
    target = (v > 0).astype(np.float32)
    mask = (~blank).astype(np.float32)
    if policy == "ones":
        target[uncertain] = 1
    elif policy == "ignore":
        mask[uncertain] = 0
    return target, mask


def white_level(raw_range: Optional[Sequence[int]], image_format: str, meta: Any = None) -> float:
    """The stored value that maps to 1: the top of the record's `raw_range` when it is a usable scale (1 up to the bit
    depth's maximum), else the bit depth's maximum. `carina-record/1` records (no `raw_range`) take the range from
    `meta.rawValueRange` for 16-bit images, as Carina's loader does."""
    depth = _BIT_DEPTH.get(image_format, 16)
    full = float((1 << depth) - 1)
    high = None
    if raw_range is not None and len(raw_range) == 2:
        high = float(raw_range[1])
    elif depth == 16 and meta:
        if isinstance(meta, (str, bytes)):
            meta = json.loads(meta)
        r = meta.get("rawValueRange") if isinstance(meta, dict) else None
        if isinstance(r, list) and len(r) == 2 and 1 <= r[1] <= full and r[0] < r[1]:
            high = float(r[1])
    return high if high is not None and 1 <= high <= full else full


def stored_pixels(image: Any, image_format: str, width: int, height: int) -> np.ndarray:
    """The stored gray values of a record's image as a `(height, width)` array (uint16 or uint8)."""
    if image_format == "raw16":
        data = image if isinstance(image, (bytes, bytearray, memoryview)) else bytes(image)
        if len(data) != 2 * width * height:
            raise ValueError(f"raw16 image of {len(data)} bytes does not match width {width} × height {height}")
        return np.frombuffer(data, dtype="<u2").reshape(height, width)
    if isinstance(image, (bytes, bytearray, memoryview)):
        image = Image.open(io.BytesIO(bytes(image)))
    if image.mode in ("I;16", "I;16L", "I;16B", "I"):
        a = np.asarray(image)
        return a.astype(np.uint16) if a.dtype != np.uint16 else a
    if image.mode != "L":
        image = image.convert("L")
    return np.asarray(image)


class CarinaDataset(StreamingDataset):
    """A `StreamingDataset` over Carina shards whose items are dictionaries of tensors.

    Each item holds (T = `text_length`, N = `max_entities`, E = `max_relations`, L = 14):

    - `image`: `(1, H, W)` float32, the stored values divided by the record's `raw_range` high (white = 1); with
      `image_size` the whole image (or, with `random_crop`, a random resized crop) resized to `(1, S, S)`; with
      `normalize=(mean, std)` then `(x - mean) / std`.
    - `impression_ids`, `findings_ids` `(T,)` int64 WordPiece ids `[CLS] … [SEP] [PAD]…`; an absent section is all
      `[PAD]`. `…_mask` `(T,)` 1 for real tokens; `…_present` scalar 1 when the record has the section;
      `…_word_index` `(T,)` the word each piece belongs to, -1 for special tokens and padding.
    - `entity_text` (0 impression, 1 findings), `entity_start`, `entity_end` (token positions, end exclusive),
      `entity_kind`, `entity_certainty`, `entity_concept`, each `(N,)` int64, and `entity_mask` `(N,)`: the graph's
      entities that land on tokens, in row order (an entity covers the positions whose pieces overlap its
      `text_start..text_end`); `relations` `(E, 3)` (head, tail, type) over those slots and `relation_mask` `(E,)`.
    - `labels`, `label_mask` `(L,)` under `label_policy` (blank is always masked out); `concepts` `(64,)`.
    - `raw_range` `(2,)` int64, and the `keep_columns` as they are stored (strings by default).

    Every other argument goes to `StreamingDataset` (`local`, `remote`, `split`, `shuffle`, `batch_size`, …).
    """

    def __init__(self, *, vocab: str, text_length: int = 128, image_size: Optional[int] = None,
                 random_crop: bool = False, crop_scale: tuple[float, float] = (0.5, 1.0),
                 crop_ratio: tuple[float, float] = (3 / 4, 4 / 3), normalize: Optional[tuple[float, float]] = None,
                 label_policy: str = "ones", max_entities: int = 64, max_relations: int = 64,
                 keep_columns: Iterable[str] = DEFAULT_KEEP, lowercase: bool = True, **streaming_args: Any) -> None:
        if label_policy not in LABEL_POLICIES:
            raise ValueError(f"label_policy must be one of {', '.join(LABEL_POLICIES)}, got {label_policy!r}")
        if random_crop and not image_size:
            raise ValueError("random_crop needs image_size (the side the crop is resized to)")
        super().__init__(**streaming_args)
        self.text = TextEncoder(vocab, text_length, lowercase=lowercase)
        self.image_size = image_size
        self.random_crop = random_crop
        self.crop_scale = crop_scale
        self.crop_ratio = crop_ratio
        self.normalize = normalize
        self.label_policy = label_policy
        self.max_entities = max_entities
        self.max_relations = max_relations
        self.keep_columns = tuple(keep_columns)
        clash = set(self.keep_columns) & COMPUTED
        if clash:
            raise ValueError(f"keep_columns cannot pass {', '.join(sorted(clash))} through: the item's field of that "
                             "name is the tensor built from it (read the stored value with StreamingDataset.get_item)")

    def get_item(self, sample_id: int, retry: int = 7) -> dict[str, Any]:
        return self.transform(super().get_item(sample_id, retry))

    # The record → tensors step, usable on any record dictionary (e.g. one read with StreamingDataset directly).
    def transform(self, rec: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        fmt = rec.get("image_format", "png16")
        raw_range = rec.get("raw_range")
        pixels = stored_pixels(rec["image"], fmt, int(rec.get("width", 0)), int(rec.get("height", 0)))
        scale = white_level(None if raw_range is None else [int(x) for x in raw_range], fmt, rec.get("meta"))
        image = torch.from_numpy(pixels.astype(np.float32) / np.float32(scale))[None]
        out["image"] = self._resize(image)
        if self.normalize is not None:
            mean, std = self.normalize
            out["image"] = (out["image"] - mean) / std
        out["raw_range"] = torch.tensor([int(x) for x in raw_range] if raw_range is not None else [0, int(scale)])

        encoded = {}
        for name in ("impression", "findings"):
            enc = self.text.encode(rec.get(name) or "")
            encoded[name] = enc
            out[f"{name}_ids"] = torch.from_numpy(enc.ids)
            out[f"{name}_mask"] = torch.from_numpy(enc.mask)
            out[f"{name}_word_index"] = torch.from_numpy(enc.word_index)
            out[f"{name}_present"] = torch.tensor(1.0 if rec.get(name) else 0.0)

        out.update(self.graph(rec.get("entities") or [], rec.get("relations") or [],
                              encoded["impression"], encoded["findings"]))

        labels = rec.get("labels")
        labels = np.full(len(LABEL_NAMES), np.nan, np.float32) if labels is None else labels
        target, mask = label_targets(labels, self.label_policy)
        out["labels"] = torch.from_numpy(target)
        out["label_mask"] = torch.from_numpy(mask)
        concepts = rec.get("concepts")
        out["concepts"] = torch.from_numpy(np.asarray(concepts if concepts is not None else np.zeros(64), np.float32).copy())
        for column in self.keep_columns:
            if column in rec:
                out[column] = rec[column]
        return out

    def graph(self, entities: Sequence[Sequence[int]], relations: Sequence[Sequence[int]], impression: Any,
              findings: Any) -> dict[str, torch.Tensor]:
        """Entity rows → token spans in slots, relations among the placed ones (Carina's loader's rule: in row order,
        an entity of neither text column or one whose range lies on no piece, e.g. cut off by truncation, is left
        out, and relations touching it too)."""
        n, e = self.max_entities, self.max_relations
        cols = {k: np.full(n, -1, np.int64) for k in ("entity_text", "entity_kind", "entity_certainty", "entity_concept")}
        start = np.zeros(n, np.int64)
        end = np.zeros(n, np.int64)
        mask = np.zeros(n, np.float32)
        slot = [-1] * len(entities)
        placed = 0
        for row, ent in enumerate(entities):
            kind, certainty, concept, _section, _s, _e, text, lo, hi = (int(x) for x in ent)
            if placed >= n or text not in (0, 1):
                continue
            span = (impression if text == 0 else findings).positions_overlapping(lo, hi)
            if span is None:
                continue
            slot[row] = placed
            cols["entity_text"][placed] = text
            cols["entity_kind"][placed] = kind
            cols["entity_certainty"][placed] = certainty
            cols["entity_concept"][placed] = concept
            start[placed], end[placed] = span
            mask[placed] = 1
            placed += 1
        rel = np.zeros((e, 3), np.int64)
        rel_mask = np.zeros(e, np.float32)
        count = 0
        for head, tail, kind in ((int(a), int(b), int(c)) for a, b, c in relations):
            if count >= e:
                break
            if head < len(slot) and tail < len(slot) and slot[head] >= 0 and slot[tail] >= 0:
                rel[count] = (slot[head], slot[tail], kind)
                rel_mask[count] = 1
                count += 1
        out = {k: torch.from_numpy(v) for k, v in cols.items()}
        out.update(entity_start=torch.from_numpy(start), entity_end=torch.from_numpy(end),
                   entity_mask=torch.from_numpy(mask), relations=torch.from_numpy(rel),
                   relation_mask=torch.from_numpy(rel_mask))
        return out

    def _resize(self, image: torch.Tensor) -> torch.Tensor:
        if not self.image_size:
            return image
        s = self.image_size
        _, h, w = image.shape
        if self.random_crop:
            top, left, ch, cw = self._crop_box(h, w)
            image = image[:, top:top + ch, left:left + cw]
        return torch.nn.functional.interpolate(image[None], size=(s, s), mode="bilinear", align_corners=False,
                                               antialias=True)[0]

    def _crop_box(self, h: int, w: int) -> tuple[int, int, int, int]:
        """torchvision's RandomResizedCrop rule: an area fraction in `crop_scale`, an aspect ratio (log-uniform) in
        `crop_ratio`; ten tries, then the whole image."""
        area = h * w
        log_ratio = (math.log(self.crop_ratio[0]), math.log(self.crop_ratio[1]))
        for _ in range(10):
            target = area * float(torch.empty(1).uniform_(*self.crop_scale))
            ratio = math.exp(float(torch.empty(1).uniform_(*log_ratio)))
            cw = int(round(math.sqrt(target * ratio)))
            ch = int(round(math.sqrt(target / ratio)))
            if 0 < cw <= w and 0 < ch <= h:
                top = int(torch.randint(0, h - ch + 1, (1,)))
                left = int(torch.randint(0, w - cw + 1, (1,)))
                return top, left, ch, cw
        return 0, 0, h, w


def split_samples(directory: str) -> int:
    """The number of records a shard folder's `index.json` lists (0 when it has no shards or no index)."""
    path = os.path.join(directory, "index.json")
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(int(s.get("samples", 0)) for s in json.load(f).get("shards", []))
