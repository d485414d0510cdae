"""`CarinaDataModule` over `carina ingest --split-folders` output."""

import json

import pytest
import torch

from carina_data import CarinaDataModule, LightningDataModule


def samples(folder):
    return sum(s["samples"] for s in json.load(open(f"{folder}/index.json"))["shards"])


def test_loaders_read_each_split_folder(shards, vocab):
    root = shards["split"]
    module = CarinaDataModule(root, vocab, batch_size=2, text_length=32, image_size=64)
    module.setup("fit")
    for split, loader in (("train", module.train_dataloader()), ("validate", module.val_dataloader())):
        keys = []
        for batch in loader:
            assert batch["image"].shape[1:] == (1, 64, 64)
            assert set(batch["split"]) == {split}
            keys += batch["dicom_id"]
        assert len(keys) == samples(f"{root}/{split}") and len(set(keys)) == len(keys)
    # The sample dump's one test image fails to decode, so ingest wrote no test records: asking for them says so.
    assert samples(f"{root}/test") == 0
    with pytest.raises(ValueError, match="holds no records"):
        module.test_dataloader()


def test_lightning_fits_two_steps(shards, vocab, tmp_path):
    lightning = pytest.importorskip("lightning.pytorch")
    assert issubclass(CarinaDataModule, LightningDataModule) and LightningDataModule is not object

    class Probe(lightning.LightningModule):
        def __init__(self):
            super().__init__()
            self.head = torch.nn.Linear(64 * 64, 14)

        def training_step(self, batch, _):
            logits = self.head(batch["image"].flatten(1))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, batch["labels"], weight=batch["label_mask"])
            return loss

        def validation_step(self, batch, _):
            self.log("val_images", float(batch["image"].shape[0]))

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    module = CarinaDataModule(shards["split"], vocab, batch_size=2, text_length=32, image_size=64)
    trainer = lightning.Trainer(max_steps=2, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                                enable_progress_bar=False, enable_model_summary=False, default_root_dir=str(tmp_path))
    trainer.fit(Probe(), datamodule=module)
    assert trainer.global_step == 2
