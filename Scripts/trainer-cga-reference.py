#!/usr/bin/env python3
"""trainer-cga-reference.py - PyTorch reference of CGA's cascading graph alignment on Carina's dual encoder.

Builds `CarinaTiny` from ../shared/bench/trainer_baseline.py on the small configuration (as
trainer-mgca-reference.py does) plus the relation-type table `cga.relation (3, E)`, draws one fixed batch with a
random entity graph per sample (spans in the findings or the impression, kinds, certainties, relations; one sample
with an empty graph) and computes, per case, the loss parts and every parameter's gradient of:
  global     symmetric InfoNCE image <-> impression, learnable temperature
  anatomy    InfoNCE of anatomy nodes: text node = normalize(txt_l(mean of the findings' last hidden states over
             the span)), image node = normalize(softmax(t . p_j / 0.1) @ p) over the normalized img_l patches
  pathology  the same over observation/device nodes not stated absent (certainty 2 left out of the graph)
  edge       InfoNCE of edges normalize(n_head + n_tail + R[type]) in each modality (both ends kept nodes)
  readout    InfoNCE of normalize(sum of a graph's nodes and edges) over the samples with nodes
each InfoNCE at temperature 0.1, (CE rows + CE columns) / 2. Written from the rules in
Sources/CarinaTrain/Objectives/GraphAlignment.swift's documentation, independently of its code.

Output (in --out, default Tests/CarinaTrainTests/Fixtures):
  reference-cga.json  configuration, parameter names/offsets, batch with its graph fields, per case weights and losses
  reference-cga.bin   float32 little-endian: images (B,1,S,S), parameters, then one gradient slab per case

Run:  /work/.venv-bench/bin/python Scripts/trainer-cga-reference.py     (any Python with torch and numpy)
      --bench-steps N times forward+backward+AdamW of the full CGA combination (global + four stages), the cascade
      vectorised over the batch's nodes, on --config with random inputs and ~8 findings entities per sample.
"""
import statistics
import time
import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAU, TAU_ATT = 0.1, 0.1
CASES = [
    {"name": "cga", "weights": {"global": 1, "anatomy": 0.7, "pathology": 1.3, "edge": 0.9, "readout": 1.1}},
    {"name": "stages", "weights": {"global": 0, "anatomy": 1, "pathology": 1, "edge": 1, "readout": 1}},
]


def info_nce(a, b):
    if a.shape[0] < 2:
        return a.sum() * 0
    logits = a @ b.T / TAU
    target = torch.arange(a.shape[0])
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def graph_nodes(g, b, n, r, length):
    """Nodes (sample, start, end, stage) and edges (head, tail, type) by the documented rules."""
    nodes, edges = [], []
    for s in range(b):
        node_of = {}
        for k in range(n):
            i = s * n + k
            if not g["entityMask"][i] or g["entityText"][i] != 1:
                continue
            start, end = g["entityStart"][i], min(g["entityEnd"][i], length)
            if start < 0 or end <= start:
                continue
            if g["entityKind"][i] == 0:
                stage = 0
            elif g["entityCertainty"][i] != 2:
                stage = 1
            else:
                continue
            node_of[k] = len(nodes)
            nodes.append((s, start, end, stage))
        for q in range(r):
            if not g["relationMask"][s * r + q]:
                continue
            h, t, ty = g["relations"][(s * r + q) * 3:(s * r + q) * 3 + 3]
            if h in node_of and t in node_of and node_of[h] != node_of[t] and 0 <= ty < 3:
                edges.append((node_of[h], node_of[t], ty))
    return nodes, edges


def losses(model, batch, nodes, edges):
    img, imp, imp_valid, fin, fin_valid = batch
    vi = model.image(img)
    ign = F.normalize(model.img_g(vi[:, 0]), dim=-1)
    patches = F.normalize(model.img_l(vi[:, 1:]), dim=-1)
    tgn = F.normalize(model.txt_g(model.text(imp, imp_valid)[:, 0]), dim=-1)
    logits = model.logit_scale.exp().clamp(max=100) * ign @ tgn.T
    target = torch.arange(len(img))
    parts = {"global": (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2}
    fin_out = model.text(fin, fin_valid)
    pooled = torch.stack([fin_out[s, a:e].mean(0) for s, a, e, _ in nodes])
    t = F.normalize(model.txt_l(pooled), dim=-1)
    p = patches[torch.tensor([s for s, *_ in nodes])]  # (N, P, E)
    att = torch.softmax((p @ t[:, :, None]).squeeze(-1) / TAU_ATT, dim=-1)
    v = F.normalize((att[:, :, None] * p).sum(1), dim=-1)
    rel = model.cga.relation
    h = torch.tensor([e[0] for e in edges]); tl = torch.tensor([e[1] for e in edges])
    ty = torch.tensor([e[2] for e in edges])
    e_t = F.normalize(t[h] + t[tl] + rel[ty], dim=-1)
    e_i = F.normalize(v[h] + v[tl] + rel[ty], dim=-1)
    samples = sorted({s for s, *_ in nodes})
    g_t, g_i = [], []
    for s in samples:
        idx = [i for i, nd in enumerate(nodes) if nd[0] == s]
        eidx = [q for q, e in enumerate(edges) if nodes[e[0]][0] == s]
        g_t.append(t[idx].sum(0) + (e_t[eidx].sum(0) if eidx else 0))
        g_i.append(v[idx].sum(0) + (e_i[eidx].sum(0) if eidx else 0))
    g_t, g_i = F.normalize(torch.stack(g_t), dim=-1), F.normalize(torch.stack(g_i), dim=-1)
    anat = [i for i, nd in enumerate(nodes) if nd[3] == 0]
    path = [i for i, nd in enumerate(nodes) if nd[3] == 1]
    parts["anatomy"] = info_nce(t[anat], v[anat])
    parts["pathology"] = info_nce(t[path], v[path])
    parts["edge"] = info_nce(e_t, e_i)
    parts["readout"] = info_nce(g_t, g_i)
    return parts


def bench(tb, a):
    torch.set_num_threads(a.threads)
    cfg = json.load(open(a.config))
    tb.VOCAB, tb.TEXT_LEN, tb.WIDTH, tb.HEADS = cfg["vocabSize"], cfg["textLength"], cfg["width"], cfg["heads"]
    tb.MLP, tb.PROJ, tb.ENTITIES, tb.PATCH = cfg["mlp"], cfg["projection"], cfg["concepts"], cfg["patchSize"]
    model = tb.CarinaTiny(cfg["depth"], cfg["imageSize"])
    model.cga = nn.Module()
    model.cga.relation = nn.Parameter(torch.randn(3, cfg["projection"]) * 0.3)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]
    img = torch.randn(b, 1, s, s)
    ids = torch.randint(103, cfg["vocabSize"], (b, t)); valid = torch.ones(b, t, dtype=torch.bool)
    valid[:, t // 2:] = False
    per = 8
    sample = torch.arange(b).repeat_interleave(per)
    start = torch.randint(1, t // 2 - 3, (b * per,)); length = torch.randint(1, 3, (b * per,))
    stage = torch.arange(b * per) % 2
    pool = torch.zeros(b * per, b * t)
    for i in range(b * per):
        pool[i, sample[i] * t + start[i]:sample[i] * t + start[i] + length[i]] = 1.0 / float(length[i])
    head = torch.arange(0, b * per, 2); tail = head + 1; ty = torch.randint(0, 3, head.shape)
    edge_sample = sample[head]

    def step():
        opt.zero_grad(set_to_none=True)
        vi = model.image(img)
        ign = F.normalize(model.img_g(vi[:, 0]), dim=-1)
        patches = F.normalize(model.img_l(vi[:, 1:]), dim=-1)
        tgn = F.normalize(model.txt_g(model.text(ids, valid)[:, 0]), dim=-1)
        logits = model.logit_scale.exp().clamp(max=100) * ign @ tgn.T
        target = torch.arange(b)
        loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        fin_out = model.text(ids, valid)
        tn = F.normalize(model.txt_l(pool @ fin_out.reshape(b * t, -1)), dim=-1)
        p = patches[sample]
        att = torch.softmax(torch.einsum("npe,ne->np", p, tn) / TAU_ATT, dim=-1)
        v = F.normalize(torch.einsum("np,npe->ne", att, p), dim=-1)
        rel = model.cga.relation
        e_t = F.normalize(tn[head] + tn[tail] + rel[ty], dim=-1)
        e_i = F.normalize(v[head] + v[tail] + rel[ty], dim=-1)
        g_t = torch.zeros(b, tn.shape[1]).index_add(0, sample, tn).index_add(0, edge_sample, e_t)
        g_i = torch.zeros(b, tn.shape[1]).index_add(0, sample, v).index_add(0, edge_sample, e_i)
        loss = loss + info_nce(tn[stage == 0], v[stage == 0]) + info_nce(tn[stage == 1], v[stage == 1]) \
            + info_nce(e_t, e_i) + info_nce(F.normalize(g_t, dim=-1), F.normalize(g_i, dim=-1))
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    times, cpu = [], []
    for _ in range(a.bench_steps):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    # FLOPs as for the base model (the graph stages add little): the same count carina-trainer-bench uses.
    fwd = tb.forward_flops(cfg["depth"], cfg["imageSize"], b)
    ms = statistics.median(times) * 1e3
    print(json.dumps({"script": "trainer-cga-reference", "objectives": "cga", "batch": b, "threads": a.threads,
                      "ms_per_step": round(ms, 1), "ms_per_step_min": round(min(times) * 1e3, 1),
                      "cpu_ms_per_step": round(statistics.median(cpu) * 1e3, 1),
                      "train_gflops_per_s_approx": round(3 * fwd * b / (ms / 1e3) / 1e9, 1),
                      "torch": torch.__version__}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(ROOT, "..", "shared", "bench"), help="folder of trainer_baseline.py")
    ap.add_argument("--config", default=os.path.join(ROOT, "schemas", "models", "carina-test.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "CarinaTrainTests", "Fixtures"))
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bench-steps", type=int, default=0, help="time the full CGA combination instead")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.bench))
    import trainer_baseline as tb
    if a.bench_steps > 0:
        bench(tb, a)
        return
    torch.set_num_threads(1)
    cfg = json.load(open(a.config))
    cfg["graphAlignment"] = True
    tb.VOCAB, tb.TEXT_LEN, tb.WIDTH, tb.HEADS = cfg["vocabSize"], cfg["textLength"], cfg["width"], cfg["heads"]
    tb.MLP, tb.PROJ, tb.ENTITIES, tb.PATCH = cfg["mlp"], cfg["projection"], cfg["concepts"], cfg["patchSize"]
    tb.TAU_LOCAL = cfg["localTemperature"]
    torch.manual_seed(a.seed)
    model = tb.CarinaTiny(cfg["depth"], cfg["imageSize"])
    model.cga = nn.Module()
    model.cga.relation = nn.Parameter(torch.randn(3, cfg["projection"]) * 0.3)

    g = torch.Generator().manual_seed(a.seed + 1)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]

    def text(lo, hi):
        ids = torch.randint(103, cfg["vocabSize"], (b, t), generator=g)
        ids[:, 0] = 101
        lens = torch.randint(lo, hi + 1, (b, 1), generator=g)
        valid = torch.arange(t)[None] < lens
        ids = torch.where(valid, ids, torch.zeros_like(ids))
        for i in range(b):
            ids[i, int(lens[i]) - 1] = 102
        return ids, valid, lens[:, 0].tolist()

    img = torch.randn(b, 1, s, s, generator=g)
    imp, imp_valid, _ = text(3, t // 2)
    fin, fin_valid, fin_lens = text(t // 2, t)
    n, r = 6, 5
    graph = {k: [0] * (b * n) for k in ("entityText", "entityStart", "entityEnd", "entityKind", "entityCertainty",
                                         "entityConcept", "entityMask")}
    graph["relations"], graph["relationMask"] = [0] * (b * r * 3), [0] * (b * r)

    def draw(hi):
        return int(torch.randint(0, hi, (1,), generator=g))
    for si in range(b - 1):  # the last sample's graph is empty
        count = 3 + draw(n - 2)
        for k in range(count):
            i = si * n + k
            start = 1 + draw(fin_lens[si] - 2)
            graph["entityStart"][i], graph["entityEnd"][i] = start, min(fin_lens[si], start + 1 + draw(3))
            graph["entityText"][i] = 0 if k == count - 1 else 1
            graph["entityKind"][i] = 0 if k % 2 == 0 else 1 + draw(2)
            graph["entityCertainty"][i] = 2 if k == 3 else draw(2)
            graph["entityConcept"][i] = -1
            graph["entityMask"][i] = 1
        for q in range(r):
            graph["relations"][(si * r + q) * 3:(si * r + q) * 3 + 3] = [draw(count), draw(count), draw(3)]
            graph["relationMask"][si * r + q] = 1 if q < 4 else 0
    nodes, edges = graph_nodes(graph, b, n, r, t)
    batch = (img, imp, imp_valid, fin, fin_valid)

    names, offsets, off = [], [], 0
    for name, p in model.named_parameters():
        names.append(name), offsets.append(off)
        off += p.numel()
    flat = lambda ts: torch.cat([x.detach().reshape(-1) for x in ts]).numpy().astype("<f4")  # noqa: E731
    slabs, cases = [img.numpy().astype("<f4").reshape(-1), flat(model.parameters())], []
    for case in CASES:
        model.zero_grad(set_to_none=True)
        parts = losses(model, batch, nodes, edges)
        w = case["weights"]
        loss = sum(w[k] * parts[k] for k in parts if w[k] != 0)
        loss.backward()
        slabs.append(flat(p.grad if p.grad is not None else torch.zeros_like(p) for p in model.parameters()))
        cases.append({**case, "loss": loss.item(), "parts": {k: v.item() for k, v in parts.items()}})
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "reference-cga.bin"), "wb") as f:
        for arr in slabs:
            f.write(arr.tobytes())
    meta = {
        "source": "Scripts/trainer-cga-reference.py over ../shared/bench/trainer_baseline.py",
        "torch": torch.__version__, "config": cfg, "batch": b, "parameterCount": int(off),
        "names": names, "offsets": offsets, "maxEntities": n, "maxRelations": r,
        "impressionIDs": imp.reshape(-1).tolist(), "impressionMask": imp_valid.float().reshape(-1).tolist(),
        "findingsIDs": fin.reshape(-1).tolist(), "findingsMask": fin_valid.float().reshape(-1).tolist(),
        "graph": graph, "nodes": len(nodes), "edges": len(edges),
        "cases": cases, "binLayout": ["images", "parameters"] + [f"gradients:{c['name']}" for c in CASES],
    }
    with open(os.path.join(a.out, "reference-cga.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps({"parameters": int(off), "nodes": len(nodes), "edges": len(edges),
                      "losses": {c["name"]: c["parts"] for c in cases}}))


if __name__ == "__main__":
    main()
