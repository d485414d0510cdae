"""PyTorch tensors from Carina's MDS shards: `CarinaDataset` (a `streaming.StreamingDataset`), `collate` and
`CarinaDataModule` (train / validate / test from `carina ingest --split-folders`)."""

from .collate import collate
from .datamodule import CarinaDataModule, LightningDataModule
from .dataset import (CERTAINTIES, ENTITY_KINDS, LABEL_NAMES, LABEL_POLICIES, RELATION_KINDS, CarinaDataset,
                      label_targets, stored_pixels, white_level)
from .text import EncodedText, TextEncoder

__all__ = [
    "CarinaDataset", "CarinaDataModule", "LightningDataModule", "collate", "label_targets", "stored_pixels",
    "white_level", "TextEncoder", "EncodedText", "LABEL_NAMES", "LABEL_POLICIES", "ENTITY_KINDS", "CERTAINTIES",
    "RELATION_KINDS",
]
