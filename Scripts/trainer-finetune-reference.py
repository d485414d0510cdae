#!/usr/bin/env python3
"""trainer-finetune-reference.py - export the PyTorch reference of `carina probe --fine-tune`'s objective.

Builds `CarinaTiny` from ../shared/bench/trainer_baseline.py with the shape constants of schemas/models/carina-test.json,
puts a linear classifier (`nn.Linear(WIDTH, L)`) on the image encoder's CLS output, and scores a fixed batch with
binary cross-entropy with logits over the labelled entries: `(bce(x, y) * m).sum() / m.sum().clamp(min=1)`. Writes
the parameters, the batch, the loss, the gradients of the image encoder and of the head, and the losses of a few
AdamW updates of the image encoder and the head alone (lr 1e-3, weight decay 0.05, the text tower untouched).

Output (in --out, default Tests/CarinaTrainTests/Fixtures):
  reference-finetune.json  configuration, names/offsets, targets, mask, losses per update
  reference-finetune.bin   float32 little-endian: images (B,1,S,S), model parameters, head weight (L,C) and bias (L),
                           model gradients (zero outside image.*), head gradients

Run:  OPENBLAS_CORETYPE=Haswell /work/.venv-bench/bin/python Scripts/trainer-finetune-reference.py
"""
import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(ROOT, "..", "shared", "bench"), help="folder of trainer_baseline.py")
    ap.add_argument("--config", default=os.path.join(ROOT, "schemas", "models", "carina-test.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "CarinaTrainTests", "Fixtures"))
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--labels", type=int, default=3)
    ap.add_argument("--updates", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.bench))
    import trainer_baseline as tb

    cfg = json.load(open(a.config))
    tb.VOCAB, tb.TEXT_LEN, tb.WIDTH, tb.HEADS = cfg["vocabSize"], cfg["textLength"], cfg["width"], cfg["heads"]
    tb.MLP, tb.PROJ, tb.ENTITIES, tb.PATCH = cfg["mlp"], cfg["projection"], cfg["concepts"], cfg["patchSize"]
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    model = tb.CarinaTiny(cfg["depth"], cfg["imageSize"])
    head = torch.nn.Linear(cfg["width"], a.labels)

    g = torch.Generator().manual_seed(a.seed + 1)
    b, s, n_labels = a.batch, cfg["imageSize"], a.labels
    img = torch.randn(b, 1, s, s, generator=g)
    y = (torch.rand(b, n_labels, generator=g) < 0.4).float()
    m = (torch.rand(b, n_labels, generator=g) < 0.75).float()

    def loss_fn():
        logits = head(model.image(img)[:, 0])
        bce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
        return (bce * m).sum() / m.sum().clamp(min=1)

    names, offsets, off = [], [], 0
    for n, p in model.named_parameters():
        names.append(n), offsets.append(off)
        off += p.numel()
    flat = lambda ts: torch.cat([x.detach().reshape(-1) for x in ts]).numpy().astype("<f4")  # noqa: E731
    params0, head0 = flat(model.parameters()), flat(head.parameters())

    opt = torch.optim.AdamW(list(model.image.parameters()) + list(head.parameters()), lr=1e-3, weight_decay=0.05)
    losses, grads, head_grads = [], None, None
    for step in range(a.updates + 1):
        opt.zero_grad(set_to_none=False)
        for p in model.parameters():
            p.grad = torch.zeros_like(p)
        loss = loss_fn()
        losses.append(loss.item())
        if step == a.updates:
            break
        loss.backward()
        if step == 0:
            grads, head_grads = flat(p.grad for p in model.parameters()), flat(p.grad for p in head.parameters())
        opt.step()

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "reference-finetune.bin"), "wb") as f:
        for arr in (img.numpy().astype("<f4").reshape(-1), params0, head0, grads, head_grads):
            f.write(arr.tobytes())
    meta = {
        "source": "Scripts/trainer-finetune-reference.py over ../shared/bench/trainer_baseline.py",
        "torch": torch.__version__, "config": cfg, "batch": b, "labels": n_labels, "parameterCount": int(off),
        "names": names, "offsets": offsets,
        "targets": y.reshape(-1).tolist(), "mask": m.reshape(-1).tolist(), "lossesPerUpdate": losses,
        "binLayout": ["images", "parameters", "headParameters", "gradients", "headGradients"],
        "adamw": {"lr": 1e-3, "weightDecay": 0.05, "betas": [0.9, 0.999], "eps": 1e-8},
    }
    with open(os.path.join(a.out, "reference-finetune.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps({"parameters": int(off), "losses": losses}))


if __name__ == "__main__":
    main()
