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
import json

import torch

import carina_reference as ref


def export(tb, a, cfg):
    model = ref.carina_tiny(tb, cfg, a.seed)

    g = torch.Generator().manual_seed(a.seed + 1)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]
    img = torch.randn(b, 1, s, s, generator=g)
    imp, imp_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], 3, t // 2, first=102, sep=False)
    fin, fin_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], t // 2, t, first=102, sep=False)
    ent = (torch.rand(b, cfg["concepts"], generator=g) < 0.25).float()
    batch = (img, imp, imp_valid, fin, fin_valid, ent)

    layout = ref.Layout(model.named_parameters())
    params0 = ref.flat(model.parameters())

    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)
    losses, (grads0, grad_norms), params1 = ref.update_losses(
        opt, lambda: model(*batch), a.updates, lambda: opt.zero_grad(set_to_none=True),
        lambda: (ref.flat(p.grad for p in model.parameters()),
                 {n: p.grad.norm().item() for n, p in model.named_parameters()}),
        lambda: ref.flat(model.parameters()))

    meta = {
        **ref.fixture_head("trainer-export-reference.py", cfg, b), **layout.fields(shapes=True),
        **ref.text_fields(imp, imp_valid, fin, fin_valid), "concepts": ent.reshape(-1).tolist(),
        "lossesPerUpdate": losses, "gradientNorms": grad_norms,
        "binLayout": ["images", "parameters", "gradients", "parametersAfterOneUpdate"],
        "adamw": {"lr": 1e-4, "weightDecay": 0.05, "betas": [0.9, 0.999], "eps": 1e-8},
    }
    ref.write_fixture(a.out, "reference-small", [ref.flat([img]), params0, grads0, params1], meta)
    print(json.dumps({"parameters": layout.count, "losses": losses}))


def main() -> None:
    ap = ref.arguments(__doc__)
    ap.add_argument("--updates", type=int, default=3)
    ref.run(ap, export)


if __name__ == "__main__":
    main()
