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
import json

import torch
import torch.nn.functional as F
from torch import nn

import carina_reference as ref

TAU, TAU_ATT = 0.1, 0.1
CASES = [
    {"name": "cga", "weights": {"global": 1, "anatomy": 0.7, "pathology": 1.3, "edge": 0.9, "readout": 1.1}},
    {"name": "stages", "weights": {"global": 0, "anatomy": 1, "pathology": 1, "edge": 1, "readout": 1}},
]


def info_nce(a, b):
    if a.shape[0] < 2:
        return a.sum() * 0
    return ref.symmetric_cross_entropy(a @ b.T / TAU)


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
    ign, patches = ref.image_embeddings(model, model.image(img))
    tgn = F.normalize(model.txt_g(model.text(imp, imp_valid)[:, 0]), dim=-1)
    parts = {"global": ref.symmetric_cross_entropy(ref.learned_logits(model, ign, tgn))}
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


def build(tb, cfg, seed=None):
    """CarinaTiny on `cfg` with CGA's relation-type table `cga.relation (3, E)`."""
    model = ref.carina_tiny(tb, cfg, seed)
    model.cga = nn.Module()
    model.cga.relation = nn.Parameter(torch.randn(3, cfg["projection"]) * 0.3)
    return model


def bench(tb, a):
    torch.set_num_threads(a.threads)
    cfg = json.load(open(a.config))
    model = build(tb, cfg)
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
        ign, patches = ref.image_embeddings(model, model.image(img))
        tgn = F.normalize(model.txt_g(model.text(ids, valid)[:, 0]), dim=-1)
        loss = ref.symmetric_cross_entropy(ref.learned_logits(model, ign, tgn))
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

    times, cpu = ref.time_steps(step, a.warmup, a.bench_steps)
    # FLOPs as for the base model (the graph stages add little): the same count carina-trainer-bench uses.
    fwd = tb.forward_flops(cfg["depth"], cfg["imageSize"], b)
    ref.print_timing({"script": "trainer-cga-reference", "objectives": "cga", "batch": b, "threads": a.threads},
                     times, cpu, b, fwd)


def export(tb, a, cfg):
    cfg["graphAlignment"] = True
    model = build(tb, cfg, a.seed)

    g = torch.Generator().manual_seed(a.seed + 1)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]
    img = torch.randn(b, 1, s, s, generator=g)
    imp, imp_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], 3, t // 2)
    fin, fin_valid, fin_lens = ref.random_text(g, b, t, cfg["vocabSize"], t // 2, t)
    fin_lens = fin_lens.tolist()
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

    layout = ref.Layout(model.named_parameters())
    slabs = [ref.flat([img]), ref.flat(model.parameters())]
    grads, cases = ref.gradient_cases(model, CASES, lambda case: losses(model, batch, nodes, edges))
    meta = {
        **ref.fixture_head("trainer-cga-reference.py", cfg, b), **layout.fields(), "maxEntities": n, "maxRelations": r,
        **ref.text_fields(imp, imp_valid, fin, fin_valid), "graph": graph, "nodes": len(nodes), "edges": len(edges),
        "cases": cases, "binLayout": ["images", "parameters"] + [f"gradients:{c['name']}" for c in CASES],
    }
    ref.write_fixture(a.out, "reference-cga", slabs + grads, meta)
    print(json.dumps({"parameters": layout.count, "nodes": len(nodes), "edges": len(edges),
                      "losses": {c["name"]: c["parts"] for c in cases}}))


def main() -> None:
    ap = ref.arguments(__doc__)
    ref.timing_arguments(ap, "time the full CGA combination instead")
    ref.run(ap, export, bench)


if __name__ == "__main__":
    main()
