#!/usr/bin/env python3
"""trainer-export-reference.py - export the PyTorch reference's numbers for a small carina configuration.

Builds `CarinaTiny` from ../shared/bench/trainer_baseline.py with the shape constants replaced by those of
schemas/models/carina-test.json, draws one fixed batch, and writes what Carina's trainer must reproduce:
the initial parameters (PyTorch's own initialisation), the batch, the loss, every parameter's gradient, and the
losses and parameters after AdamW updates (lr 1e-4, weight decay 0.05, the reference's optimizer).

Output (in --out, default Tests/CarinaTrainTests/Fixtures):
  reference-small.json  configuration, parameter names/shapes/offsets, batch ids/masks/concepts, losses, gradient norms
  reference-small.bin   float32 little-endian: images (B,1,S,S), parameters, gradients, parameters after 1 update

Run:  OPENBLAS_CORETYPE=Haswell /work/.venv-bench/bin/python Scripts/trainer-export-reference.py
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(ROOT, "..", "shared", "bench"), help="folder of trainer_baseline.py")
    ap.add_argument("--config", default=os.path.join(ROOT, "schemas", "models", "carina-test.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "CarinaTrainTests", "Fixtures"))
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--updates", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.bench))
    import trainer_baseline as tb

    cfg = json.load(open(a.config))
    # The reference reads these module constants when it builds and runs the model.
    tb.VOCAB, tb.TEXT_LEN, tb.WIDTH, tb.HEADS = cfg["vocabSize"], cfg["textLength"], cfg["width"], cfg["heads"]
    tb.MLP, tb.PROJ, tb.ENTITIES, tb.PATCH = cfg["mlp"], cfg["projection"], cfg["concepts"], cfg["patchSize"]
    tb.TAU_LOCAL = cfg["localTemperature"]
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    model = tb.CarinaTiny(cfg["depth"], cfg["imageSize"])

    g = torch.Generator().manual_seed(a.seed + 1)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]

    def text(lo, hi):
        ids = torch.randint(102, cfg["vocabSize"], (b, t), generator=g)
        ids[:, 0] = 101
        lens = torch.randint(lo, hi + 1, (b, 1), generator=g)
        valid = torch.arange(t)[None] < lens
        return torch.where(valid, ids, torch.zeros_like(ids)), valid

    img = torch.randn(b, 1, s, s, generator=g)
    imp, imp_valid = text(3, t // 2)
    fin, fin_valid = text(t // 2, t)
    ent = (torch.rand(b, cfg["concepts"], generator=g) < 0.25).float()
    batch = (img, imp, imp_valid, fin, fin_valid, ent)

    names, shapes, offsets, off = [], [], [], 0
    for n, p in model.named_parameters():
        names.append(n), shapes.append(list(p.shape)), offsets.append(off)
        off += p.numel()
    flat = lambda ts: torch.cat([x.detach().reshape(-1) for x in ts]).numpy().astype("<f4")  # noqa: E731
    params0 = flat(model.parameters())

    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)
    losses, grads0, params1, grad_norms = [], None, None, {}
    for step in range(a.updates + 1):
        opt.zero_grad(set_to_none=True)
        loss = model(*batch)
        losses.append(loss.item())
        if step == a.updates:
            break
        loss.backward()
        if step == 0:
            grads0 = flat(p.grad for p in model.parameters())
            grad_norms = {n: p.grad.norm().item() for n, p in model.named_parameters()}
        opt.step()
        if step == 0:
            params1 = flat(model.parameters())

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "reference-small.bin"), "wb") as f:
        for arr in (img.numpy().astype("<f4").reshape(-1), params0, grads0, params1):
            f.write(arr.tobytes())
    meta = {
        "source": "Scripts/trainer-export-reference.py over ../shared/bench/trainer_baseline.py",
        "torch": torch.__version__, "config": cfg, "batch": b, "parameterCount": int(off),
        "names": names, "shapes": shapes, "offsets": offsets,
        "impressionIDs": imp.reshape(-1).tolist(), "impressionMask": imp_valid.float().reshape(-1).tolist(),
        "findingsIDs": fin.reshape(-1).tolist(), "findingsMask": fin_valid.float().reshape(-1).tolist(),
        "concepts": ent.reshape(-1).tolist(),
        "lossesPerUpdate": losses, "gradientNorms": grad_norms,
        "binLayout": ["images", "parameters", "gradients", "parametersAfterOneUpdate"],
        "adamw": {"lr": 1e-4, "weightDecay": 0.05, "betas": [0.9, 0.999], "eps": 1e-8},
    }
    with open(os.path.join(a.out, "reference-small.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps({"parameters": int(off), "losses": losses}))


if __name__ == "__main__":
    main()
