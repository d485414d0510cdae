"""Two steps of a tiny PyTorch model under DistributedDataParallel (gloo) on two processes of this machine, each rank
reading its own share of the shards through StreamingDataset's rank handling."""

import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from carina_data import CarinaDataset, collate


class TinyModel(torch.nn.Module):
    """An image branch and a text branch, pooled and summed into the 14 label logits."""

    def __init__(self, vocab_size: int):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, stride=2)
        self.embed = torch.nn.Embedding(vocab_size, 4)
        self.head = torch.nn.Linear(8, 14)

    def forward(self, batch):
        image = self.conv(batch["image"]).mean(dim=(2, 3))
        mask = batch["findings_mask"].unsqueeze(-1)
        text = (self.embed(batch["findings_ids"]) * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.head(torch.cat([image, text], dim=1))


def worker(rank, world, port, local, vocab, out):
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(0)
    dataset = CarinaDataset(local=local, vocab=vocab, text_length=32, image_size=64, batch_size=1, shuffle=True,
                            shuffle_seed=7)
    loader = torch.utils.data.DataLoader(dataset, batch_size=1, collate_fn=collate)
    model = torch.nn.parallel.DistributedDataParallel(TinyModel(4096))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    seen, losses = [], []
    for step, batch in enumerate(loader):
        seen += batch["dicom_id"]
        if step >= 2:
            continue  # the rest of the epoch only tells which records this rank reads
        logits = model(batch)
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(logits, batch["labels"], reduction="none")
                * batch["label_mask"]).sum() / batch["label_mask"].sum().clamp(min=1)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    gathered = [torch.zeros_like(flat) for _ in range(world)]
    dist.all_gather(gathered, flat)
    keys = [None] * world
    dist.all_gather_object(keys, seen)
    if rank == 0:
        torch.save({"params": gathered, "keys": keys, "losses": losses}, out)
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_ddp_steps_on_two_ranks(shards, vocab, tmp_path):
    from streaming.base.util import clean_stale_shared_memory

    clean_stale_shared_memory()
    out = tmp_path / "ddp.pt"
    mp.spawn(worker, args=(2, free_port(), shards["plain"], vocab, str(out)), nprocs=2, join=True)
    result = torch.load(out)
    rank0, rank1 = result["keys"]
    # Each rank reads its own share of the epoch: five records over two ranks are three each (StreamingDataset
    # repeats one to even them out), together all five.
    assert len(rank0) == 3 and len(rank1) == 3
    assert len(set(rank0) | set(rank1)) == 5
    assert len(result["losses"]) == 2
    # DDP averaged the gradients: both ranks hold the same weights after the steps, and training moved them.
    assert torch.equal(result["params"][0], result["params"][1])
    assert all(torch.isfinite(torch.tensor(result["losses"])))
    initial = torch.cat([p.detach().flatten() for p in (torch.manual_seed(0), TinyModel(4096))[1].parameters()])
    assert not torch.equal(initial, result["params"][0])
