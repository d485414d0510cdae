"""train / validate / test loaders over `carina ingest --split-folders` output, as a Lightning `LightningDataModule`."""

from __future__ import annotations

import os
from typing import Any, Optional

from streaming import StreamingDataLoader

from .collate import collate
from .dataset import CarinaDataset, split_samples

try:  # Lightning 2 ships as `lightning`; older installs as `pytorch_lightning`.
    from lightning.pytorch import LightningDataModule
except ImportError:  # pragma: no cover - depends on the environment
    try:
        from pytorch_lightning import LightningDataModule
    except ImportError:
        LightningDataModule = object  # the same methods, usable without Lightning

SPLITS = ("train", "validate", "test")


class CarinaDataModule(LightningDataModule):
    """Loaders for `ROOT/train`, `ROOT/validate` and `ROOT/test` (what `carina ingest --split-folders` writes).

    The train loader shuffles (StreamingDataset's `shuffle_seed`, resumable through `StreamingDataLoader`'s
    `state_dict`); validate and test read in order. Ranks and workers each get their share through StreamingDataset's
    own partitioning (`RANK`, `WORLD_SIZE`, `LOCAL_WORLD_SIZE` as torchrun and Lightning set them).
    `dataset_args` go to every `CarinaDataset` (`text_length`, `image_size`, `label_policy`, …)."""

    def __init__(self, root: str, vocab: str, batch_size: int = 32, num_workers: int = 0,
                 shuffle_seed: int = 9176, drop_last: bool = False, **dataset_args: Any) -> None:
        super().__init__()
        self.root = root
        self.vocab = vocab
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.shuffle_seed = shuffle_seed
        self.drop_last = drop_last
        self.dataset_args = dataset_args
        self.datasets: dict[str, CarinaDataset] = {}

    def split_folder(self, split: str) -> str:
        return os.path.join(self.root, split)

    def setup(self, stage: Optional[str] = None) -> None:
        wanted = {"fit": ("train", "validate"), "validate": ("validate",), "test": ("test",)}.get(stage or "", SPLITS)
        for split in wanted:
            if split in self.datasets or split_samples(self.split_folder(split)) == 0:
                continue
            self.datasets[split] = CarinaDataset(
                local=self.split_folder(split), vocab=self.vocab, batch_size=self.batch_size,
                shuffle=split == "train", shuffle_seed=self.shuffle_seed, **self.dataset_args)

    def loader(self, split: str) -> StreamingDataLoader:
        if split not in self.datasets:
            self.setup(None)
        if split not in self.datasets:
            folder = self.split_folder(split)
            raise ValueError(f"{folder} holds no records (no index.json, or ingest wrote none for this split: see "
                             f"its ingest-report.tsv); train without a {split} loader or re-ingest")
        return StreamingDataLoader(self.datasets[split], batch_size=self.batch_size, num_workers=self.num_workers,
                                   collate_fn=collate, drop_last=self.drop_last,
                                   persistent_workers=self.num_workers > 0)

    def train_dataloader(self) -> StreamingDataLoader:
        return self.loader("train")

    def val_dataloader(self) -> StreamingDataLoader:
        return self.loader("validate")

    def test_dataloader(self) -> StreamingDataLoader:
        return self.loader("test")
