#!/usr/bin/env python3
"""trainer-hybridmed-reference.py - PyTorch reference of HybridMED's objectives on Carina's dual encoder.

Builds `CarinaTiny` from ../shared/bench/trainer_baseline.py on the small configuration plus the impression decoder
`gen` (pre-LN blocks: causal self-attention, cross-attention to a memory projected by `gen.mem`, MLP; the LM head
tied to `gen.tok` with its own bias), draws one fixed batch (one sample with empty findings, one with an empty
impression, both `[CLS] [SEP]`) and computes, per case, the loss parts and every parameter's gradient of:
  global     symmetric InfoNCE image <-> impression, learnable temperature
  token      MGCA's token-level alignment of findings words <-> patches (trainer-mgca-reference.py's functions)
  caption    teacher-forced next-token cross-entropy of the impression, memory = the image encoder's output
  summary    the same with memory = the findings run of the text encoder (its padding masked)
  distill    T^2 * KL(softmax(z_summary/T) || softmax(z_caption/T)), the summariser detached (the teacher)
each generation loss a mean over its target tokens (impressions and findings with no word give none). Written from
the documentation of Sources/CarinaTrain/Objectives/ImpressionGeneration.swift and ImpressionDecoder.swift,
independently of their code.

Output (in --out, default Tests/CarinaTrainTests/Fixtures):
  reference-hybridmed.json  configuration, parameter names/offsets, batch, per case weights, temperature and losses
  reference-hybridmed.bin   float32 little-endian: images (B,1,S,S), parameters, then one gradient slab per case

Run:  /work/.venv-bench/bin/python Scripts/trainer-hybridmed-reference.py     (any Python with torch and numpy)
      --bench-steps N times forward+backward+AdamW of the hybridmed preset on --config with random inputs.
"""
import argparse
import importlib.util
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [
    {"name": "hybridmed", "temperature": 2.0,
     "weights": {"global": 1, "token": 1, "caption": 1, "summary": 1, "distill": 1}},
    {"name": "weighted", "temperature": 3.0,
     "weights": {"global": 0.5, "token": 0, "caption": 0.7, "summary": 1.3, "distill": 0.9}},
]


def load_mgca():
    spec = importlib.util.spec_from_file_location("mgca_ref", os.path.join(ROOT, "Scripts", "trainer-mgca-reference.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class GenBlock(nn.Module):
    def __init__(self, d, h, m):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.q, self.kv, self.cproj = nn.Linear(d, d), nn.Linear(d, 2 * d), nn.Linear(d, d)
        self.ln3 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, m), nn.GELU(), nn.Linear(m, d))

    def forward(self, x, mem, mem_valid):
        b, n, d = x.shape
        hd = d // self.h
        q, k, v = self.qkv(self.ln1(x)).view(b, n, 3, self.h, hd).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(a.transpose(1, 2).reshape(b, n, d))
        q = self.q(self.ln2(x)).view(b, n, self.h, hd).transpose(1, 2)
        k, v = self.kv(mem).view(b, mem.shape[1], 2, self.h, hd).permute(2, 0, 3, 1, 4)
        mask = None if mem_valid is None else mem_valid[:, None, None, :]
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.cproj(a.transpose(1, 2).reshape(b, n, d))
        return x + self.mlp(self.ln3(x))


class Gen(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        s = cfg["impressionDecoder"]
        d = s["width"]
        self.pos = nn.Parameter(torch.randn(1, cfg["textLength"], d) * 0.02)
        self.tok = nn.Embedding(cfg["vocabSize"], d)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.mem = nn.Linear(cfg["width"], d)
        self.blocks = nn.ModuleList(GenBlock(d, s["heads"], s["mlp"]) for _ in range(s["depth"]))
        self.ln = nn.LayerNorm(d)
        self.head = nn.Module()
        self.head.bias = nn.Parameter(torch.zeros(cfg["vocabSize"]))

    def forward(self, ids, memory, mem_valid):
        x = self.tok(ids) + self.pos[:, :ids.shape[1]]
        m = self.mem(memory)
        for blk in self.blocks:
            x = blk(x, m, mem_valid)
        return self.ln(x) @ self.tok.weight.T + self.head.bias


def targets(imp, imp_valid, fin_valid):
    """Decoder inputs (B, n), and the (sample, position) target rows of each branch, by the documented rules."""
    lens = imp_valid.sum(1)
    n = max(int(lens.max()) - 1, 1)
    has_findings = fin_valid.sum(1) > 2
    rows = [(s, i) for s in range(imp.shape[0]) for i in range(n) if lens[s] > 2 and i + 1 < lens[s]]
    cap = torch.tensor(rows)
    summ = torch.tensor([r for r in rows if has_findings[r[0]]])
    return imp[:, :n], cap, summ


def generation_parts(model, vi, fin_out, fin_valid, imp, imp_valid, temperature):
    inp, cap, summ = targets(imp, imp_valid, fin_valid)
    z_cap = model.gen(inp, vi, None)
    z_sum = model.gen(inp, fin_out, fin_valid)
    labels = lambda rows: imp[rows[:, 0], rows[:, 1] + 1]  # noqa: E731
    sc = z_cap[cap[:, 0], cap[:, 1]]
    ss = z_sum[summ[:, 0], summ[:, 1]]
    student = z_cap[summ[:, 0], summ[:, 1]]
    t = temperature
    kl = F.kl_div(F.log_softmax(student / t, -1), F.log_softmax(ss.detach() / t, -1), log_target=True,
                  reduction="sum") / len(summ)
    return {"caption": F.cross_entropy(sc, labels(cap)), "summary": F.cross_entropy(ss, labels(summ)),
            "distill": t * t * kl}


def losses(model, mg, batch, words, cfg, temperature):
    img, imp, imp_valid, fin, fin_valid = batch
    vi, img_att = mg.run_with_last_attention(model.image, lambda: model.image(img))
    ign = F.normalize(model.img_g(vi[:, 0]), dim=-1)
    patches = F.normalize(model.img_l(vi[:, 1:]), dim=-1)
    fin_out, fin_att = mg.run_with_last_attention(model.text, lambda: model.text(fin, fin_valid))
    tgn = F.normalize(model.txt_g(model.text(imp, imp_valid)[:, 0]), dim=-1)
    logits = model.logit_scale.exp().clamp(max=100) * ign @ tgn.T
    target = torch.arange(len(img))
    parts = {"global": (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2}
    b, t, c = fin_out.shape
    pooled = fin_out.new_zeros(b, t, c)
    for i in range(b):
        for j in range(t):
            if words[i, j] >= 0:
                pooled[i, words[i, j]] = pooled[i, words[i, j]] + fin_out[i, j]
    word_emb = F.normalize(model.txt_l(pooled), dim=-1)
    word_valid = torch.arange(t)[None] < (words.max(dim=1).values + 1)[:, None]
    word_att = torch.zeros(b, t)
    for i in range(b):
        for j in range(t):
            if words[i, j] >= 0:
                word_att[i, words[i, j]] += fin_att[i, j]
    ww = mg.clip_normalize(word_att, word_valid)
    pw = mg.clip_normalize(img_att[:, 1:], torch.ones_like(img_att[:, 1:], dtype=torch.bool))
    all_patches = torch.ones(patches.shape[:2], dtype=torch.bool)
    tau = cfg["localTemperature"]
    parts["token"] = (mg.cross_alignment(word_emb, word_valid, ww, patches, all_patches, tau, True)
                      + mg.cross_alignment(patches, all_patches, pw, word_emb, word_valid, tau, False))
    parts.update(generation_parts(model, vi, fin_out, fin_valid, imp, imp_valid, temperature))
    return parts


def build(tb, cfg, seed):
    tb.VOCAB, tb.TEXT_LEN, tb.WIDTH, tb.HEADS = cfg["vocabSize"], cfg["textLength"], cfg["width"], cfg["heads"]
    tb.MLP, tb.PROJ, tb.ENTITIES, tb.PATCH = cfg["mlp"], cfg["projection"], cfg["concepts"], cfg["patchSize"]
    tb.TAU_LOCAL = cfg["localTemperature"]
    torch.manual_seed(seed)
    model = tb.CarinaTiny(cfg["depth"], cfg["imageSize"])
    model.gen = Gen(cfg)
    return model


def bench(tb, mg, a):
    """Times forward + backward + AdamW of the hybridmed preset (global, token, caption, summary, distill),
    the token level vectorised as trainer-mgca-reference.py's mgca_batched, on --config with random inputs."""
    torch.set_num_threads(a.threads)
    cfg = json.load(open(a.config))
    cfg["impressionDecoder"] = dict(zip(("width", "depth", "heads", "mlp"), map(int, a.decoder.split(","))))
    model = build(tb, cfg, a.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]
    g = torch.Generator().manual_seed(a.seed)
    img = torch.randn(b, 1, s, s, generator=g)

    def text(lo, hi):
        ids = torch.randint(1000, cfg["vocabSize"], (b, t), generator=g)
        ids[:, 0] = 101
        lens = torch.randint(lo, hi + 1, (b, 1), generator=g)
        valid = torch.arange(t)[None] < lens
        ids = torch.where(valid, ids, torch.zeros_like(ids))
        for i in range(b):
            ids[i, int(lens[i]) - 1] = 102
        return ids, valid
    imp, imp_valid = text(min(16, t), min(64, t))  # carina-trainer-bench's lengths
    fin, fin_valid = text(min(48, t), t)
    words = mg.word_index(fin, fin_valid, 10 ** 9, 102)
    has = words >= 0
    idx = words.clamp(min=0)

    def step():
        opt.zero_grad(set_to_none=True)
        vi, img_att = mg.run_with_last_attention(model.image, lambda: model.image(img))
        ign = F.normalize(model.img_g(vi[:, 0]), dim=-1)
        patches = F.normalize(model.img_l(vi[:, 1:]), dim=-1)
        fin_out, fin_att = mg.run_with_last_attention(model.text, lambda: model.text(fin, fin_valid))
        tgn = F.normalize(model.txt_g(model.text(imp, imp_valid)[:, 0]), dim=-1)
        logits = model.logit_scale.exp().clamp(max=100) * ign @ tgn.T
        target = torch.arange(b)
        loss = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        c = fin_out.shape[2]
        pooled = fin_out.new_zeros(b, t, c).scatter_add(1, idx[:, :, None].expand(-1, -1, c), fin_out * has[:, :, None])
        word_emb = F.normalize(model.txt_l(pooled), dim=-1)
        word_valid = torch.arange(t)[None] < (words.max(dim=1).values + 1)[:, None]
        word_att = torch.zeros(b, t).scatter_add(1, idx, fin_att * has)
        ww = mg.clip_normalize_batched(word_att, word_valid)
        allp = torch.ones(patches.shape[:2], dtype=torch.bool)
        pw = mg.clip_normalize_batched(img_att[:, 1:], allp)
        tau = cfg["localTemperature"]
        loss = loss + mg.cross_alignment_batched(word_emb, word_valid, ww, patches, allp, tau, True) \
            + mg.cross_alignment_batched(patches, allp, pw, word_emb, word_valid, tau, False)
        parts = generation_parts(model, vi, fin_out, fin_valid, imp, imp_valid, 2.0)
        loss = loss + parts["caption"] + parts["summary"] + parts["distill"]
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
    ms = statistics.median(times) * 1e3
    print(json.dumps({"script": "trainer-hybridmed-reference", "objectives": "hybridmed", "batch": b,
                      "threads": a.threads, "decoder": a.decoder, "ms_per_step": round(ms, 1),
                      "ms_per_step_min": round(min(times) * 1e3, 1),
                      "cpu_ms_per_step": round(statistics.median(cpu) * 1e3, 1), "torch": torch.__version__}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default=os.path.join(ROOT, "..", "shared", "bench"), help="folder of trainer_baseline.py")
    ap.add_argument("--config", default=os.path.join(ROOT, "schemas", "models", "carina-test.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "CarinaTrainTests", "Fixtures"))
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--decoder", default="16,2,2,32", help="impression decoder width,depth,heads,mlp")
    ap.add_argument("--bench-steps", type=int, default=0, help="time the hybridmed preset instead")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.bench))
    import trainer_baseline as tb
    mg = load_mgca()
    if a.bench_steps > 0:
        bench(tb, mg, a)
        return
    torch.set_num_threads(1)
    cfg = json.load(open(a.config))
    cfg["impressionDecoder"] = dict(zip(("width", "depth", "heads", "mlp"), map(int, a.decoder.split(","))))
    model = build(tb, cfg, a.seed)
    with torch.no_grad():  # a wider token table than the initial N(0, 0.02^2), so the two branches' distributions differ
        model.gen.tok.weight.normal_(0, 0.5)
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
        return ids, valid

    img = torch.randn(b, 1, s, s, generator=g)
    imp, imp_valid = text(4, t // 2)
    fin, fin_valid = text(t // 2, t)
    # Sample 1's findings and sample 2's impression are empty sections: [CLS] [SEP].
    for ids, valid, i in ((fin, fin_valid, 1), (imp, imp_valid, 2)):
        ids[i] = 0
        ids[i, 0], ids[i, 1] = 101, 102
        valid[i] = False
        valid[i, :2] = True
    words = mg.word_index(fin, fin_valid, 10 ** 9, 102)
    batch = (img, imp, imp_valid, fin, fin_valid)

    names, offsets, off = [], [], 0
    for name, p in model.named_parameters():
        names.append(name), offsets.append(off)
        off += p.numel()
    flat = lambda ts: torch.cat([x.detach().reshape(-1) for x in ts]).numpy().astype("<f4")  # noqa: E731
    slabs, cases = [img.numpy().astype("<f4").reshape(-1), flat(model.parameters())], []
    for case in CASES:
        model.zero_grad(set_to_none=True)
        parts = losses(model, mg, batch, words, cfg, case["temperature"])
        w = case["weights"]
        loss = sum(w[k] * parts[k] for k in parts if w[k] != 0)
        loss.backward()
        slabs.append(flat(p.grad if p.grad is not None else torch.zeros_like(p) for p in model.parameters()))
        cases.append({**case, "loss": loss.item(), "parts": {k: v.item() for k, v in parts.items()}})
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "reference-hybridmed.bin"), "wb") as f:
        for arr in slabs:
            f.write(arr.tobytes())
    meta = {
        "source": "Scripts/trainer-hybridmed-reference.py over ../shared/bench/trainer_baseline.py",
        "torch": torch.__version__, "config": cfg, "batch": b, "parameterCount": int(off),
        "names": names, "offsets": offsets,
        "impressionIDs": imp.reshape(-1).tolist(), "impressionMask": imp_valid.float().reshape(-1).tolist(),
        "findingsIDs": fin.reshape(-1).tolist(), "findingsMask": fin_valid.float().reshape(-1).tolist(),
        "cases": cases, "binLayout": ["images", "parameters"] + [f"gradients:{c['name']}" for c in CASES],
    }
    with open(os.path.join(a.out, "reference-hybridmed.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps({"parameters": int(off), "losses": {c["name"]: c["parts"] for c in cases}}))


if __name__ == "__main__":
    main()
