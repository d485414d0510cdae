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
import importlib.util
import json
import os

import torch
import torch.nn.functional as F
from torch import nn

import carina_reference as ref

CASES = [
    {"name": "hybridmed", "temperature": 2.0,
     "weights": {"global": 1, "token": 1, "caption": 1, "summary": 1, "distill": 1}},
    {"name": "weighted", "temperature": 3.0,
     "weights": {"global": 0.5, "token": 0, "caption": 0.7, "summary": 1.3, "distill": 0.9}},
]


def load_mgca():
    path = os.path.join(ref.ROOT, "Scripts", "trainer-mgca-reference.py")
    spec = importlib.util.spec_from_file_location("mgca_ref", path)
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
    ign, patches = ref.image_embeddings(model, vi)
    fin_out, fin_att = mg.run_with_last_attention(model.text, lambda: model.text(fin, fin_valid))
    tgn = F.normalize(model.txt_g(model.text(imp, imp_valid)[:, 0]), dim=-1)
    parts = {"global": ref.symmetric_cross_entropy(ref.learned_logits(model, ign, tgn))}
    parts["token"] = mg.token_alignment(model, fin_out, fin_att, img_att, patches, words, cfg["localTemperature"])
    parts.update(generation_parts(model, vi, fin_out, fin_valid, imp, imp_valid, temperature))
    return parts


def with_decoder(cfg, a):
    """The configuration with the impression decoder of --decoder."""
    cfg["impressionDecoder"] = dict(zip(("width", "depth", "heads", "mlp"), map(int, a.decoder.split(","))))
    return cfg


def build(tb, cfg, seed):
    model = ref.carina_tiny(tb, cfg, seed)
    model.gen = Gen(cfg)
    return model


def bench(tb, a):
    """Times forward + backward + AdamW of the hybridmed preset (global, token, caption, summary, distill),
    the token level vectorised (trainer-mgca-reference.py's token_alignment_batched, as its mgca_batched), on --config
    with random inputs."""
    torch.set_num_threads(a.threads)
    mg = load_mgca()
    cfg = with_decoder(json.load(open(a.config)), a)
    model = build(tb, cfg, a.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]
    g = torch.Generator().manual_seed(a.seed)
    img = torch.randn(b, 1, s, s, generator=g)
    # carina-trainer-bench's lengths
    imp, imp_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], min(16, t), min(64, t), first=1000)
    fin, fin_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], min(48, t), t, first=1000)
    words = mg.word_index(fin, fin_valid, 10 ** 9, 102)

    def step():
        opt.zero_grad(set_to_none=True)
        vi, img_att = mg.run_with_last_attention(model.image, lambda: model.image(img))
        ign, patches = ref.image_embeddings(model, vi)
        fin_out, fin_att = mg.run_with_last_attention(model.text, lambda: model.text(fin, fin_valid))
        tgn = F.normalize(model.txt_g(model.text(imp, imp_valid)[:, 0]), dim=-1)
        loss = ref.symmetric_cross_entropy(ref.learned_logits(model, ign, tgn))
        loss = loss + mg.token_alignment_batched(model, fin_out, fin_att, img_att, patches, words,
                                                 cfg["localTemperature"])
        parts = generation_parts(model, vi, fin_out, fin_valid, imp, imp_valid, 2.0)
        loss = loss + parts["caption"] + parts["summary"] + parts["distill"]
        loss.backward()
        opt.step()

    times, cpu = ref.time_steps(step, a.warmup, a.bench_steps)
    ref.print_timing({"script": "trainer-hybridmed-reference", "objectives": "hybridmed", "batch": b,
                      "threads": a.threads, "decoder": a.decoder}, times, cpu)


def export(tb, a, cfg):
    mg = load_mgca()
    cfg = with_decoder(cfg, a)
    model = build(tb, cfg, a.seed)
    with torch.no_grad():  # a wider token table than the initial N(0, 0.02^2), so the two branches' distributions differ
        model.gen.tok.weight.normal_(0, 0.5)
    g = torch.Generator().manual_seed(a.seed + 1)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]
    img = torch.randn(b, 1, s, s, generator=g)
    imp, imp_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], 4, t // 2)
    fin, fin_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], t // 2, t)
    # Sample 1's findings and sample 2's impression are empty sections: [CLS] [SEP].
    for ids, valid, i in ((fin, fin_valid, 1), (imp, imp_valid, 2)):
        ids[i] = 0
        ids[i, 0], ids[i, 1] = 101, 102
        valid[i] = False
        valid[i, :2] = True
    words = mg.word_index(fin, fin_valid, 10 ** 9, 102)
    batch = (img, imp, imp_valid, fin, fin_valid)

    layout = ref.Layout(model.named_parameters())
    slabs = [ref.flat([img]), ref.flat(model.parameters())]
    grads, cases = ref.gradient_cases(model, CASES,
                                      lambda case: losses(model, mg, batch, words, cfg, case["temperature"]))
    meta = {
        **ref.fixture_head("trainer-hybridmed-reference.py", cfg, b), **layout.fields(),
        **ref.text_fields(imp, imp_valid, fin, fin_valid),
        "cases": cases, "binLayout": ["images", "parameters"] + [f"gradients:{c['name']}" for c in CASES],
    }
    ref.write_fixture(a.out, "reference-hybridmed", slabs + grads, meta)
    print(json.dumps({"parameters": layout.count, "losses": {c["name"]: c["parts"] for c in cases}}))


def main() -> None:
    ap = ref.arguments(__doc__)
    ap.add_argument("--decoder", default="16,2,2,32", help="impression decoder width,depth,heads,mlp")
    ref.timing_arguments(ap, "time the hybridmed preset instead")
    ref.run(ap, export, bench)


if __name__ == "__main__":
    main()
