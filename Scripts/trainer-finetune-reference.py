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
import json

import torch
import torch.nn.functional as F

import carina_reference as ref


def export(tb, a, cfg):
    model = ref.carina_tiny(tb, cfg, a.seed)
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

    layout = ref.Layout(model.named_parameters())
    params0, head0 = ref.flat(model.parameters()), ref.flat(head.parameters())

    opt = torch.optim.AdamW(list(model.image.parameters()) + list(head.parameters()), lr=1e-3, weight_decay=0.05)

    def zero_grad():  # the text tower's gradients zeros, not None, so that the slab has them
        opt.zero_grad(set_to_none=False)
        for p in model.parameters():
            p.grad = torch.zeros_like(p)
    losses, (grads, head_grads), _ = ref.update_losses(
        opt, loss_fn, a.updates, zero_grad,
        lambda: (ref.flat(p.grad for p in model.parameters()), ref.flat(p.grad for p in head.parameters())))

    meta = {
        **ref.fixture_head("trainer-finetune-reference.py", cfg, b), "labels": n_labels, **layout.fields(),
        "targets": y.reshape(-1).tolist(), "mask": m.reshape(-1).tolist(), "lossesPerUpdate": losses,
        "binLayout": ["images", "parameters", "headParameters", "gradients", "headGradients"],
        "adamw": {"lr": 1e-3, "weightDecay": 0.05, "betas": [0.9, 0.999], "eps": 1e-8},
    }
    ref.write_fixture(a.out, "reference-finetune", [ref.flat([img]), params0, head0, grads, head_grads], meta)
    print(json.dumps({"parameters": layout.count, "losses": losses}))


def main() -> None:
    ap = ref.arguments(__doc__)
    ap.add_argument("--labels", type=int, default=3)
    ap.add_argument("--updates", type=int, default=3)
    ref.run(ap, export)


if __name__ == "__main__":
    main()
