"""carina_reference.py - what the PyTorch reference scripts (Scripts/trainer-*-reference.py) have in common.

Each of those scripts builds `CarinaTiny` from ../shared/bench/trainer_baseline.py on a Carina model configuration,
draws one fixed batch, and writes a fixture pair (NAME.json + NAME.bin, float32 little-endian) that a Swift test
compares against; the ones with --bench-steps also time a training step. This module holds the parts they share:
the common options and the main that loads trainer_baseline and either writes the fixture or times, the model built
on a configuration, the random batch text, the parameter layout and the flattening of tensors into the .bin, the JSON
fields every fixture starts with and the writing of the pair, the gradient slab of each weighted case, the losses of
a sequence of optimizer updates, the symmetric InfoNCE, and the timing loop with its one-line JSON report.

Not run on its own: the scripts import it from their own folder (Python puts a script's folder first on sys.path).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLS_ID, SEP_ID = 101, 102


def arguments(doc):
    """The options every reference script takes (--bench, --config, --out, --batch, --seed); the script adds its own
    to the returned parser and hands it to `run`."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(ROOT, "..", "shared", "bench"),
                    help="folder of trainer_baseline.py")
    ap.add_argument("--config", default=os.path.join(ROOT, "schemas", "models", "carina-test.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "CarinaTrainTests", "Fixtures"))
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    return ap


def timing_arguments(ap, what):
    """The options of a script's --bench-steps mode; `what` is --bench-steps' help."""
    ap.add_argument("--bench-steps", type=int, default=0, help=what)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)


def run(ap, export, bench=None):
    """A reference script's main: parses the command line, imports trainer_baseline from --bench (as `tb`), then
    with --bench-steps above 0 times a training step, `bench(tb, a)`; otherwise, on one thread, writes the fixture:
    `export(tb, a, cfg)` with the configuration of --config."""
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.bench))
    import trainer_baseline as tb
    if bench is not None and a.bench_steps > 0:
        bench(tb, a)
        return
    torch.set_num_threads(1)
    export(tb, a, json.load(open(a.config)))


def carina_tiny(tb, cfg, seed=None):
    """trainer_baseline's `CarinaTiny` with its shape constants (module globals it reads when it builds and runs the
    model) taken from the Carina configuration `cfg`; PyTorch's generator seeded with `seed` first, unless None."""
    tb.VOCAB, tb.TEXT_LEN, tb.WIDTH, tb.HEADS = cfg["vocabSize"], cfg["textLength"], cfg["width"], cfg["heads"]
    tb.MLP, tb.PROJ, tb.ENTITIES, tb.PATCH = cfg["mlp"], cfg["projection"], cfg["concepts"], cfg["patchSize"]
    tb.TAU_LOCAL = cfg["localTemperature"]
    if seed is not None:
        torch.manual_seed(seed)
    return tb.CarinaTiny(cfg["depth"], cfg["imageSize"])


def random_text(g, b, t, vocab, lo, hi, first=103, sep=True):
    """A random batch section drawn from generator `g`: ids (B, T), [CLS] then pieces from `first` up to `vocab`, the
    length of each row drawn in [lo, hi] and 0 past it; with `sep` each row's last real token is [SEP]. Returns the
    ids, the (B, T) valid mask and the (B,) lengths."""
    ids = torch.randint(first, vocab, (b, t), generator=g)
    ids[:, 0] = CLS_ID
    lens = torch.randint(lo, hi + 1, (b, 1), generator=g)
    valid = torch.arange(t)[None] < lens
    ids = torch.where(valid, ids, torch.zeros_like(ids))
    if sep:
        for i in range(b):
            ids[i, int(lens[i]) - 1] = SEP_ID
    return ids, valid, lens[:, 0]


def flat(tensors):
    """Tensors flattened and joined as float32 little-endian, the .bin's slab layout."""
    return torch.cat([x.detach().reshape(-1) for x in tensors]).numpy().astype("<f4")


def grads(parameters):
    """The gradient slab of `parameters`, zeros for those the loss did not reach."""
    return flat(p.grad if p.grad is not None else torch.zeros_like(p) for p in parameters)


class Layout:
    """Names, shapes and offsets of named tensors laid out one after the other in a slab, and their total count."""

    def __init__(self, named):
        self.names, self.shapes, self.offsets, self.count = [], [], [], 0
        for name, p in named:
            self.names.append(name), self.shapes.append(list(p.shape)), self.offsets.append(self.count)
            self.count += p.numel()
        self.count = int(self.count)

    def fields(self, shapes=False):
        """The fixture JSON's parameterCount, names, (shapes,) offsets."""
        out = {"parameterCount": self.count, "names": self.names}
        if shapes:
            out["shapes"] = self.shapes
        out["offsets"] = self.offsets
        return out


def fixture_head(script, cfg, batch):
    """The fields every fixture JSON starts with: the script that wrote it, the torch version, configuration, batch."""
    return {"source": f"Scripts/{script} over ../shared/bench/trainer_baseline.py", "torch": torch.__version__,
            "config": cfg, "batch": batch}


def text_fields(imp, imp_valid, fin, fin_valid):
    """The fixture JSON's impression and findings ids and masks, row-major."""
    return {"impressionIDs": imp.reshape(-1).tolist(), "impressionMask": imp_valid.float().reshape(-1).tolist(),
            "findingsIDs": fin.reshape(-1).tolist(), "findingsMask": fin_valid.float().reshape(-1).tolist()}


def write_fixture(out, stem, slabs, meta):
    """Writes OUT/STEM.bin (the slabs one after the other) and OUT/STEM.json (`meta`, indent 1)."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, stem + ".bin"), "wb") as f:
        for arr in slabs:
            f.write(arr.tobytes())
    with open(os.path.join(out, stem + ".json"), "w") as f:
        json.dump(meta, f, indent=1)


def weighted_sum(parts, weights):
    """The loss of a case: its loss parts weighed, those of weight 0 left out."""
    return sum(weights[k] * parts[k] for k in parts if weights[k] != 0)


def gradient_cases(model, cases, parts_of):
    """For each case, from zeroed gradients: the loss parts `parts_of(case)` weighed by the case's weights, backward.
    Returns one gradient slab per case and the cases with their loss and parts added."""
    slabs, done = [], []
    for case in cases:
        model.zero_grad(set_to_none=True)
        parts = parts_of(case)
        loss = weighted_sum(parts, case["weights"])
        loss.backward()
        slabs.append(grads(model.parameters()))
        done.append({**case, "loss": loss.item(), "parts": {k: v.item() for k, v in parts.items()}})
    return slabs, done


def update_losses(opt, loss_fn, updates, zero_grad, first_gradients, first_update=lambda: None):
    """The losses of a fixture's optimizer updates: `updates` rounds of `zero_grad()`, `loss_fn()`, backward and
    `opt.step()`, then the loss after the last update (updates + 1 losses). Returns the losses and what
    `first_gradients()` (after the first backward) and `first_update()` (after the first step) returned."""
    losses, gradients, updated = [], None, None
    for step in range(updates + 1):
        zero_grad()
        loss = loss_fn()
        losses.append(loss.item())
        if step == updates:
            break
        loss.backward()
        if step == 0:
            gradients = first_gradients()
        opt.step()
        if step == 0:
            updated = first_update()
    return losses, gradients, updated


def symmetric_cross_entropy(logits):
    """(CE over rows + CE over columns) / 2 of square logits whose matching pairs are on the diagonal."""
    target = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def image_embeddings(model, vi):
    """The normalized global (B, E) and patch (B, P, E) embeddings of the image encoder's output `vi`."""
    return F.normalize(model.img_g(vi[:, 0]), dim=-1), F.normalize(model.img_l(vi[:, 1:]), dim=-1)


def learned_logits(model, ign, tgn):
    """Image-text logits at the model's learnable temperature (its scale clamped at 100)."""
    return model.logit_scale.exp().clamp(max=100) * ign @ tgn.T


def time_steps(step, warmup, steps):
    """Runs `step()` `warmup` times, then `steps` times timed: (wall seconds, CPU seconds) per timed step."""
    for _ in range(warmup):
        step()
    times, cpu = [], []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return times, cpu


def print_timing(head, times, cpu, batch=None, forward_flops=None):
    """Prints the one-line JSON report of a timing: `head`'s fields, median and minimum ms per step, median CPU ms,
    with `forward_flops` (per sample) the approximate training GFLOP/s (3x forward over `batch` samples), torch."""
    ms = statistics.median(times) * 1e3
    report = {**head, "ms_per_step": round(ms, 1), "ms_per_step_min": round(min(times) * 1e3, 1),
              "cpu_ms_per_step": round(statistics.median(cpu) * 1e3, 1)}
    if forward_flops is not None:
        report["train_gflops_per_s_approx"] = round(3 * forward_flops * batch / (ms / 1e3) / 1e9, 1)
    report["torch"] = torch.__version__
    print(json.dumps(report))
