#!/usr/bin/env python3
"""trainer-mgca-reference.py - PyTorch reference of MGCA's objectives on Carina's dual encoder, for the equality test.

Builds `CarinaTiny` from ../shared/bench/trainer_baseline.py on the small configuration (as
trainer-export-reference.py does) plus a bias-free prototype layer, draws one fixed batch whose findings carry
WordPiece continuations (ids >= --continuation-from are `##` pieces) and a [SEP] (id 102) last, and computes, for
several objective settings, the loss parts and every parameter's gradient of Carina's objectives written from
MGCA's definitions (Wang et al., NeurIPS 2022):
  instance   symmetric InfoNCE image <-> report (impression / findings / both joined), learnable or fixed tau,
             the mean of both directions
  local      trainer_baseline's unweighted findings-piece -> patch alignment
  token      MGCA token level, both directions: pieces summed into words, words <-> patches, each weighted by the
             last layer's CLS attention (head mean; summed per word) clipped to its 10th-90th percentile and
             normalized; word contexts L2-normalized, patch contexts not (MGCA with a ViT); padding masked
  prototype  prototypes L2-normalized in place, Sinkhorn-Knopp codes (eps 0.05, 3 iterations), swapped prediction
             with temperature 0.2
  graph      entity BCE
With --norm batch (and --hidden H) the four heads are MGCA's GlobalEmbedding/LocalEmbedding as they are: Linear,
BatchNorm1d(H), ReLU, Linear, BatchNorm1d(E, affine=False), in training mode; each use's batch statistics over its
valid rows only (all rows of the global heads, where this is nn.BatchNorm1d itself; patch rows; real findings tokens
after CLS; real words), every row normalized with them, the running statistics moved as PyTorch does (momentum 0.1,
unbiased variance). Only the objectives a case weighs run, so the running statistics move as Carina's do.
The settings of `--cases` are those of Tests/CarinaTrainTests/MGCAReferenceTests.swift.

Output (in --out, default Tests/CarinaTrainTests/Fixtures):
  reference-mgca.json  (reference-mgca-hidden.json with --hidden H: 2-layer heads; reference-mgca-bn.json with
                       --hidden H --norm batch) configuration, parameter names/offsets, batch, word index, per case:
                       settings and losses
  reference-mgca.bin   float32 little-endian: images (B,1,S,S), parameters (then the running statistics, with
                       --norm batch), one gradient slab per case, then (--norm batch) the running statistics after
                       each case's forward

Run:  .venv-torch/bin/python Scripts/trainer-mgca-reference.py     (any Python with torch and numpy)
      --bench-steps N also times forward+backward+AdamW of the full MGCA objective on carina-tiny (see --help).
"""
import json
import math
import os

import torch
import torch.nn.functional as F
from torch import nn

import carina_reference as ref

CASES = [
    {"name": "mgca", "weights": {"global": 2, "local": 0, "graph": 0, "token": 0.7, "prototype": 0.5},
     "instanceText": "both", "instanceTemperature": 0.07},
    {"name": "all", "weights": {"global": 1, "local": 1, "graph": 1, "token": 1, "prototype": 1},
     "instanceText": "findings", "instanceTemperature": None},
    {"name": "token-impression", "weights": {"global": 1, "local": 0, "graph": 0, "token": 1, "prototype": 0},
     "instanceText": "impression", "instanceTemperature": None},
]


def cls_attention(block, x, mask):
    """Row 0 of a block's attention probabilities, the mean over heads: (B, N). No gradient."""
    with torch.no_grad():
        b, n, d = x.shape
        h = block.h
        q, k, _ = block.qkv(block.ln1(x)).view(b, n, 3, h, d // h).permute(2, 0, 3, 1, 4)
        s = q[:, :, :1, :] @ k.transpose(-1, -2) / math.sqrt(d // h)  # (B, H, 1, N)
        if mask is not None:
            s = s.masked_fill(~mask, float("-inf"))
        return torch.softmax(s, dim=-1)[:, :, 0, :].mean(dim=1)


def run_with_last_attention(encoder, run):
    """Runs `run()` and returns its output with the last block's CLS attention over all N positions."""
    seen = []
    hook = encoder.blocks[-1].register_forward_pre_hook(lambda m, args: seen.append(args))
    try:
        out = run()
    finally:
        hook.remove()
    x, mask = seen[-1][0], (seen[-1][1] if len(seen[-1]) > 1 else None)
    return out, cls_attention(encoder.blocks[-1], x, mask)


def word_index(ids, valid, continuation_from, sep_id):
    """(B, T) index of the word each piece belongs to; -1 for position 0, [SEP] and padding."""
    b, t = ids.shape
    out = torch.full((b, t), -1, dtype=torch.long)
    for i in range(b):
        cur = -1
        for j in range(1, t):
            if not valid[i, j] or ids[i, j] == sep_id:
                continue
            if not (ids[i, j] >= continuation_from and cur >= 0):
                cur += 1
            out[i, j] = cur
    return out


def joined(first, first_valid, second, second_valid):
    """[CLS] first pieces, second pieces [SEP], cut to T keeping [SEP] last (each section's last real token is its
    [SEP])."""
    b, t = first.shape
    ids, valid = torch.zeros_like(first), torch.zeros_like(first_valid)
    for i in range(b):
        cls = sep = None
        pieces = []
        for sec, v in ((first, first_valid), (second, second_valid)):
            n = int(v[i].sum())
            if n == 0:
                continue
            cls = int(sec[i, 0]) if cls is None else cls
            sep = int(sec[i, n - 1])
            pieces += [int(x) for x in sec[i, 1:n - 1]]
        seq = [cls] + pieces[:t - 2] + [sep]
        ids[i, :len(seq)] = torch.tensor(seq)
        valid[i, :len(seq)] = True
    return ids, valid


def clip_normalize(att, valid):
    """MGCA's weights: values of the valid entries clipped to their 10th and 90th percentiles, normalized."""
    out = torch.zeros_like(att)
    for i in range(att.shape[0]):
        v = att[i][valid[i]]
        if v.numel() == 0:
            continue
        c = v.clip(torch.quantile(v, 0.1), torch.quantile(v, 0.9))
        out[i][valid[i]] = c / c.sum()
    return out


def cross_alignment(queries, q_valid, q_weight, keys, k_valid, tau, normalize_context):
    """One direction of MGCA's weighted token alignment, summed over samples and divided by B."""
    total = queries.new_zeros(())
    for i in range(queries.shape[0]):
        q, k, w = queries[i][q_valid[i]], keys[i][k_valid[i]], q_weight[i][q_valid[i]]
        if q.shape[0] == 0 or k.shape[0] == 0:
            continue
        ctx = torch.softmax(q @ k.T / tau, dim=-1) @ k
        if normalize_context:
            ctx = F.normalize(ctx, dim=-1)
        s = q @ ctx.T / tau
        target = torch.arange(s.shape[0])
        ce = (F.cross_entropy(s, target, reduction="none") + F.cross_entropy(s.T, target, reduction="none")) / 2
        total = total + (w * ce).sum()
    return total / queries.shape[0]


def sinkhorn(scores, eps, iterations):
    """SwAV's Sinkhorn-Knopp on (B, K) scores: codes (B, K), rows summing to 1."""
    with torch.no_grad():
        q = torch.exp(scores.double() / eps).T
        q /= q.sum()
        k, b = q.shape
        for _ in range(iterations):
            q *= (1.0 / k) / q.sum(dim=1, keepdim=True)
            q *= (1.0 / b) / q.sum(dim=0, keepdim=True)
        return (q / q.sum(dim=0, keepdim=True)).T.float()


def batch_norm_rows(bn, x, valid):
    """`bn` (an nn.BatchNorm1d) on rows `x (M, C)` whose statistics come from the rows with `valid` (all: None)."""
    if not bn.training:
        return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0, bn.eps)
    xv = x if valid is None else x[valid]
    n = xv.shape[0]
    if n < 2:  # no batch statistic: the running ones normalize and stay
        return F.batch_norm(x, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0, bn.eps)
    mean, var = xv.mean(0), xv.var(0, unbiased=False)
    with torch.no_grad():
        bn.running_mean.mul_(1 - bn.momentum).add_(bn.momentum * mean)
        bn.running_var.mul_(1 - bn.momentum).add_(bn.momentum * var * n / (n - 1))
    y = (x - mean) / torch.sqrt(var + bn.eps)
    return y * bn.weight + bn.bias if bn.affine else y


class BatchNormHead(nn.Sequential):
    """MGCA's GlobalEmbedding/LocalEmbedding head (Linear, BatchNorm1d, ReLU, Linear, BatchNorm1d(affine=False)), its
    statistics over the valid rows of a use."""

    def __init__(self, c, h, e):
        super().__init__(nn.Linear(c, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, e), nn.BatchNorm1d(e, affine=False))

    def forward(self, x, valid=None):
        shape = x.shape
        rows = x.reshape(-1, shape[-1])
        v = None if valid is None else valid.reshape(-1)
        y = torch.relu(batch_norm_rows(self[1], self[0](rows), v))
        y = batch_norm_rows(self[4], self[3](y), v)
        return y.reshape(*shape[:-1], y.shape[-1])


def head(module, x, valid=None):
    """A projection head on `x`; a BatchNorm head gets the rows its statistics come from."""
    return module(x, valid) if isinstance(module, BatchNormHead) else module(x)


def objectives(model, tb, batch, case, words, tau_local):
    img, imp, imp_valid, fin, fin_valid, ent = batch
    w = case["weights"]
    vi, img_att = run_with_last_attention(model.image, lambda: model.image(img))
    ig = head(model.img_g, vi[:, 0])
    ign = F.normalize(ig, dim=-1)
    bn = isinstance(model.img_g, BatchNormHead)
    if not bn or w["local"] or w["token"]:
        patches = F.normalize(head(model.img_l, vi[:, 1:]), dim=-1)
    fin_out, fin_att = run_with_last_attention(model.text, lambda: model.text(fin, fin_valid))
    parts = {}
    text = case["instanceText"]
    if text == "impression":
        rep = model.text(imp, imp_valid)[:, 0]
    elif text == "findings":
        rep = fin_out[:, 0]
    else:
        j_ids, j_valid = joined(fin, fin_valid, imp, imp_valid)
        rep = model.text(j_ids, j_valid)[:, 0]
    tgn = F.normalize(head(model.txt_g, rep), dim=-1)
    if case["instanceTemperature"] is None:
        logits = ref.learned_logits(model, ign, tgn)
    else:
        logits = ign @ tgn.T / case["instanceTemperature"]
    parts["global"] = ref.symmetric_cross_entropy(logits)
    if bn:  # with BatchNorm heads only what the case weighs runs (each use moves the running statistics)
        parts["local"] = parts["token"] = parts["prototype"] = parts["graph"] = torch.zeros(())
    if not bn or w["local"]:
        parts["local"] = local_alignment(model, fin_out, fin_valid, patches, tau_local)
    if not bn or w["token"]:
        parts["token"] = token_alignment(model, fin_out, fin_att, img_att, patches, words, tau_local)
    if not bn or w["prototype"]:
        parts["prototype"] = prototype_alignment(model, ign, tgn)
    if not bn or w["graph"]:
        parts["graph"] = F.binary_cross_entropy_with_logits(model.entity(ig), ent)
    total = ref.weighted_sum(parts, w)
    return total, {k: v.item() for k, v in parts.items()}


def local_alignment(model, fin_out, fin_valid, patches, tau_local):
    """Carina's first local objective, as trainer_baseline.py computes it."""
    tok = F.normalize(head(model.txt_l, fin_out[:, 1:], fin_valid[:, 1:]), dim=-1)
    valid = fin_valid[:, 1:]
    att = torch.softmax(tok @ patches.transpose(1, 2) / tau_local, dim=-1)
    ctx = F.normalize(att @ patches, dim=-1)
    sim = tok @ ctx.transpose(1, 2) / tau_local
    diag = torch.arange(sim.shape[1]).expand(sim.shape[0], -1)
    s = sim.masked_fill(~(valid[:, :, None] & valid[:, None, :]), -1e4)
    ce = (F.cross_entropy(s.transpose(1, 2), diag, reduction="none") + F.cross_entropy(s, diag, reduction="none")) / 2
    return (ce * valid).sum() / valid.sum()


def token_alignment(model, fin_out, fin_att, img_att, patches, words, tau_local):
    """MGCA's token level, both directions."""
    b, t, c = fin_out.shape
    pooled = fin_out.new_zeros(b, t, c)
    for i in range(b):
        for j in range(t):
            if words[i, j] >= 0:
                pooled[i, words[i, j]] = pooled[i, words[i, j]] + fin_out[i, j]
    n_words = words.max(dim=1).values + 1
    word_valid = torch.arange(t)[None] < n_words[:, None]
    word_emb = F.normalize(head(model.txt_l, pooled, word_valid), dim=-1)
    word_att = torch.zeros(b, t)
    for i in range(b):
        for j in range(t):
            if words[i, j] >= 0:
                word_att[i, words[i, j]] += fin_att[i, j]
    ww = clip_normalize(word_att, word_valid)
    pw = clip_normalize(img_att[:, 1:], torch.ones_like(img_att[:, 1:], dtype=torch.bool))
    all_patches = torch.ones(patches.shape[:2], dtype=torch.bool)
    l_word = cross_alignment(word_emb, word_valid, ww, patches, all_patches, tau_local, True)
    l_patch = cross_alignment(patches, all_patches, pw, word_emb, word_valid, tau_local, False)
    return l_word + l_patch


def prototype_alignment(model, ign, tgn):
    """MGCA's disease level."""
    with torch.no_grad():
        model.prototype.weight.copy_(F.normalize(model.prototype.weight, dim=1))
    zi, zt = model.prototype(ign), model.prototype(tgn)
    qi, qt = sinkhorn(zi, 0.05, 3), sinkhorn(zt, 0.05, 3)
    return -((qi * F.log_softmax(zt / 0.2, dim=1)).sum(1).mean()
             + (qt * F.log_softmax(zi / 0.2, dim=1)).sum(1).mean()) / 2


def clip_normalize_batched(att, valid):
    """clip_normalize without the per-sample loop (for timing): quantiles over the valid entries via NaN masking."""
    with torch.no_grad():
        nan = att.masked_fill(~valid, float("nan"))
        lo = torch.nanquantile(nan, 0.1, dim=1, keepdim=True)
        hi = torch.nanquantile(nan, 0.9, dim=1, keepdim=True)
        c = torch.minimum(torch.maximum(att, lo), hi).masked_fill(~valid, 0)
        return c / c.sum(dim=1, keepdim=True)


def cross_alignment_batched(queries, q_valid, q_weight, keys, k_valid, tau, normalize_context):
    """cross_alignment over the whole batch at once with masks (for timing; equal up to rounding)."""
    b, n, _ = queries.shape
    z = (queries @ keys.transpose(1, 2) / tau).masked_fill(~k_valid[:, None, :], float("-inf"))
    ctx = torch.softmax(z, dim=-1) @ keys
    if normalize_context:
        ctx = F.normalize(ctx, dim=-1)
    s = (queries @ ctx.transpose(1, 2) / tau).masked_fill(~(q_valid[:, :, None] & q_valid[:, None, :]), -1e4)
    target = torch.arange(n).repeat(b)
    row = F.cross_entropy(s.reshape(b * n, n), target, reduction="none")
    col = F.cross_entropy(s.transpose(1, 2).reshape(b * n, n), target, reduction="none")
    return (q_weight.reshape(-1) * (row + col) / 2).sum() / b


def token_alignment_batched(model, fin_out, fin_att, img_att, patches, words, tau_local):
    """token_alignment over the whole batch at once with masks (heads without BatchNorm; for timing, equal up to
    rounding)."""
    b, t, c = fin_out.shape
    has = (words >= 0)
    idx = words.clamp(min=0)
    pooled = fin_out.new_zeros(b, t, c).scatter_add(1, idx[:, :, None].expand(-1, -1, c), fin_out * has[:, :, None])
    word_emb = F.normalize(model.txt_l(pooled), dim=-1)
    word_valid = torch.arange(t)[None] < (words.max(dim=1).values + 1)[:, None]
    word_att = torch.zeros(b, t).scatter_add(1, idx, fin_att * has)
    ww = clip_normalize_batched(word_att, word_valid)
    all_patches = torch.ones(patches.shape[:2], dtype=torch.bool)
    pw = clip_normalize_batched(img_att[:, 1:], all_patches)
    return (cross_alignment_batched(word_emb, word_valid, ww, patches, all_patches, tau_local, True)
            + cross_alignment_batched(patches, all_patches, pw, word_emb, word_valid, tau_local, False))


def mgca_batched(model, batch, words, tau_local, instance_temperature=0.07):
    """MGCA's combination (global=2 with the joined text and a fixed temperature, token=0.7, prototype=0.5),
    vectorised over the batch as one would write it for speed: the reference side of the speed comparison."""
    img, imp, imp_valid, fin, fin_valid, ent, j_ids, j_valid = batch
    vi, img_att = run_with_last_attention(model.image, lambda: model.image(img))
    ign, patches = ref.image_embeddings(model, vi)
    fin_out, fin_att = run_with_last_attention(model.text, lambda: model.text(fin, fin_valid))
    tgn = F.normalize(model.txt_g(model.text(j_ids, j_valid)[:, 0]), dim=-1)
    l_global = ref.symmetric_cross_entropy(ign @ tgn.T / instance_temperature)
    l_token = token_alignment_batched(model, fin_out, fin_att, img_att, patches, words, tau_local)
    with torch.no_grad():
        model.prototype.weight.copy_(F.normalize(model.prototype.weight, dim=1))
    zi, zt = model.prototype(ign), model.prototype(tgn)
    qi, qt = sinkhorn(zi, 0.05, 3), sinkhorn(zt, 0.05, 3)
    l_proto = -((qi * F.log_softmax(zt / 0.2, dim=1)).sum(1).mean()
                + (qt * F.log_softmax(zi / 0.2, dim=1)).sum(1).mean()) / 2
    return 2 * l_global + 0.7 * l_token + 0.5 * l_proto, {"global": l_global.item(), "token": l_token.item(),
                                                          "prototype": l_proto.item()}


class MIMDecoder(nn.Module):
    """MRM/MAE's light decoder: embed to its width, mask tokens, positions, blocks, LayerNorm, pixel prediction."""

    def __init__(self, tb, cfg):
        super().__init__()
        d = cfg["maskedImageDecoder"]
        n = (cfg["imageSize"] // cfg["patchSize"]) ** 2 + 1
        self.mask_token = nn.Parameter(torch.randn(1, 1, d["width"]) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, n, d["width"]) * 0.02)
        self.embed = nn.Linear(cfg["width"], d["width"])
        self.blocks = nn.ModuleList(tb.Block(d["width"], d["heads"], d["mlp"]) for _ in range(d["depth"]))
        self.ln = nn.LayerNorm(d["width"])
        r = cfg.get("maskedImageTargetScale") or 1  # MRM's higher-resolution target: (r p)^2 pixels per patch
        self.pred = nn.Linear(d["width"], (r * cfg["patchSize"]) ** 2)


class MLMHead(nn.Module):
    """MRM's report head: a projection of the pooled visible image tokens added to every token embedding, and the
    output bias of the prediction tied to the token embedding."""

    def __init__(self, cfg):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(cfg["vocabSize"]))
        self.cond = nn.Linear(cfg["width"], cfg["width"])


def mlm_loss(model, enc_out, ids, valid, masked_ids, mask_id):
    """Masked report modelling: [MASK]ed whole words, the text encoder conditioned on the visible image tokens' mean,
    a tied prediction, cross-entropy over the masked positions."""
    cond = model.mlm.cond(enc_out[:, 1:].mean(1))
    h = model.text.run(model.text.tok(masked_ids) + cond[:, None, :], valid[:, None, None, :])
    sel = (masked_ids == mask_id) & (ids != mask_id)
    logits = h[sel] @ model.text.tok.weight.T + model.mlm.bias
    return F.cross_entropy(logits, ids[sel])


def mim_loss(model, img, visible, patch, target_img=None):
    """Masked image modelling: the image encoder on CLS + the visible patches, the decoder on the full sequence,
    per-patch normalized pixel targets, mean squared error over the masked patches. With `target_img` (B, 1, rS, rS)
    the target of each patch is its (r p)^2 pixels there (MRM's higher-resolution target: model_mrm.py patchifies
    the 448-pixel image with 2 p while the encoder sees it at 224)."""
    enc, dec = model.image, model.mim
    b = img.shape[0]
    x = enc.patch(img).flatten(2).transpose(1, 2)
    c = x.shape[2]
    xv = torch.gather(x + enc.pos[:, 1:], 1, visible[:, :, None].expand(-1, -1, c))
    h = torch.cat([(enc.cls + enc.pos[:, :1]).expand(b, -1, -1), xv], 1)
    for blk in enc.blocks:
        h = blk(h)
    e = dec.embed(enc.ln(h))
    p_count, w = x.shape[1], e.shape[2]
    full = dec.mask_token.expand(b, p_count, w).scatter(1, visible[:, :, None].expand(-1, -1, w), e[:, 1:])
    d = torch.cat([e[:, :1], full], 1) + dec.pos
    for blk in dec.blocks:
        d = blk(d)
    pred = dec.pred(dec.ln(d))[:, 1:]
    src = img if target_img is None else target_img
    s = src.shape[-1]
    g = s // (patch * s // img.shape[-1])
    patch = s // g
    target = src.reshape(b, 1, g, patch, g, patch).permute(0, 2, 4, 3, 5, 1).reshape(b, g * g, patch * patch)
    target = (target - target.mean(-1, keepdim=True)) / (target.var(-1, keepdim=True) + 1e-6) ** 0.5
    per_patch = ((pred - target) ** 2).mean(-1)
    masked = torch.ones(b, p_count).scatter(1, visible, 0.0)
    return (per_patch * masked).sum() / masked.sum(), enc.ln(h)


def build(tb, cfg, prototypes, seed):
    hidden = cfg.get("projectionHidden")
    model = ref.carina_tiny(tb, cfg, seed)
    model.prototype = nn.Linear(cfg["projection"], prototypes, bias=False)
    if cfg.get("maskedImageDecoder"):
        model.mim = MIMDecoder(tb, cfg)
    if cfg.get("maskedReportHead"):
        model.mlm = MLMHead(cfg)
    if hidden and cfg.get("projectionNorm") == "batch":  # MGCA's 2-layer heads with their BatchNorms
        for name in ("img_g", "img_l", "txt_g", "txt_l"):
            setattr(model, name, BatchNormHead(cfg["width"], hidden, cfg["projection"]))
    elif hidden:  # MGCA's 2-layer heads, its BatchNorms left out (as Carina's ProjectionHead)
        for name in ("img_g", "img_l", "txt_g", "txt_l"):
            setattr(model, name, nn.Sequential(nn.Linear(cfg["width"], hidden), nn.ReLU(),
                                               nn.Linear(hidden, cfg["projection"])))
    return model


def bench(tb, a):
    """Times forward + backward + AdamW of MGCA's (or MRM's) combination on carina-tiny (random inputs, as
    trainer_baseline)."""
    cfg = json.load(open(os.path.join(ref.ROOT, "schemas", "models", "carina-tiny.json")))
    torch.set_num_threads(a.threads)
    mrm = a.bench_objectives == "mrm"
    if mrm:
        cfg["maskedImageDecoder"] = {"width": 128, "depth": 2, "heads": 4, "mlp": 512}
        cfg["maskedReportHead"] = True
    model = build(tb, cfg, 500, a.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)
    g = torch.Generator().manual_seed(a.seed)
    img, imp, imp_valid, fin, fin_valid, ent = tb.random_batch(a.batch, cfg["imageSize"], g)
    fin = fin.clone()
    for i in range(a.batch):  # [SEP] last, as the loader writes it
        fin[i, int(fin_valid[i].sum()) - 1] = 102
    words = word_index(fin, fin_valid, 10 ** 9, 102)
    batch = (img, imp, imp_valid, fin, fin_valid, ent, *joined(fin, fin_valid, imp, imp_valid))
    j_ids, j_valid = batch[6], batch[7]
    n_patches = (cfg["imageSize"] // cfg["patchSize"]) ** 2
    keep = max(1, int(n_patches * 0.25))
    masked_ids = j_ids.clone()
    for i in range(a.batch):  # half the joined report's words ([CLS]/[SEP] excluded; each piece a word here)
        n = int(j_valid[i].sum())
        chosen = 1 + torch.randperm(n - 2, generator=g)[:round((n - 2) * 0.5)]
        masked_ids[i, chosen] = 103

    def default_step():  # trainer_baseline's own objectives (global, local, graph)
        return model(img, imp, imp_valid, fin, fin_valid, ent), None

    def mrm_step():
        visible = torch.rand(a.batch, n_patches).argsort(dim=1)[:, :keep]
        mim, enc_out = mim_loss(model, img, visible, cfg["patchSize"])
        return mim + mlm_loss(model, enc_out, j_ids, j_valid, masked_ids, 103), None

    def step():
        opt.zero_grad(set_to_none=True)
        if a.bench_objectives == "default":
            loss, _ = default_step()
        else:
            loss, _ = mrm_step() if mrm else mgca_batched(model, batch, words, cfg["localTemperature"])
        loss.backward()
        opt.step()

    times, cpu = ref.time_steps(step, a.warmup, a.bench_steps)
    # Forward FLOPs per sample as carina-trainer-bench counts them for MGCA: the encoders (image, findings and the
    # joined text) plus the token level both ways, the prototype scores and the global logits.
    d, m, e, ln, p = cfg["width"], cfg["mlp"], cfg["projection"], cfg["textLength"], (cfg["imageSize"] // cfg["patchSize"]) ** 2
    block = lambda n: n * (4 * d * d + 2 * d * m) + 2 * n * n * d  # noqa: E731
    image = p * cfg["patchSize"] ** 2 * d + cfg["depth"] * block(p + 1) + d * e + p * d * e
    text = 2 * cfg["depth"] * block(ln) + d * e + (ln - 1) * d * e
    losses = 2 * (ln - 1) * p * e + (ln - 1) ** 2 * e + 2 * p * (ln - 1) * e + p * p * e + 2 * 500 * e + a.batch * e
    fwd = 2.0 * (image + text + losses)
    if a.bench_objectives == "default":
        fwd = tb.forward_flops(cfg["depth"], cfg["imageSize"], a.batch)
    if mrm:  # encoder on CLS + visible patches, decoder on all, one text run, the tied prediction on half the words
        dd, dm, dl, pp = 128, 512, 2, cfg["patchSize"] ** 2
        dblock = lambda n: n * (4 * dd * dd + 2 * dd * dm) + 2 * n * n * dd  # noqa: E731
        image = p * pp * d + cfg["depth"] * block(keep + 1) + (keep + 1) * d * dd + dl * dblock(p + 1) + (p + 1) * dd * pp
        text = cfg["depth"] * block(ln) + d * d + 0.5 * (ln - 2) * d * cfg["vocabSize"]
        fwd = 2.0 * (image + text)
    ref.print_timing({"script": "trainer-mgca-reference", "objectives": a.bench_objectives, "batch": a.batch,
                      "threads": a.threads}, times, cpu, a.batch, fwd)


def export(tb, a, cfg):
    cfg["prototypes"] = a.prototypes
    stem = "reference-mgca"
    if a.hidden:
        cfg["projectionHidden"] = a.hidden
        stem += "-hidden"
        if a.norm == "batch":
            cfg["projectionNorm"] = "batch"
            stem = "reference-mgca-bn"
    cases_run = CASES
    if a.mim:
        cfg["maskedImageDecoder"] = {"width": 24, "depth": 1, "heads": 2, "mlp": 48}
        cfg["maskedReportHead"] = True
        stem = "reference-mim"
        if a.target_scale > 1:
            cfg["maskedImageTargetScale"] = a.target_scale
            stem = "reference-mim-hr"
        cases_run = [
            {"name": "mim", "weights": {"global": 0, "local": 0, "graph": 0, "token": 0, "prototype": 0, "mim": 1},
             "instanceText": "impression", "instanceTemperature": None},
            {"name": "mim+global", "weights": {"global": 1, "local": 0, "graph": 0, "token": 0, "prototype": 0, "mim": 1},
             "instanceText": "impression", "instanceTemperature": None},
            {"name": "mim+mlm", "weights": {"global": 0, "local": 0, "graph": 0, "token": 0, "prototype": 0, "mim": 1,
                                            "mlm": 1}, "instanceText": "impression", "instanceTemperature": None},
        ]
    model = build(tb, cfg, a.prototypes, a.seed)

    g = torch.Generator().manual_seed(a.seed + 1)
    b, s, t = a.batch, cfg["imageSize"], cfg["textLength"]
    img = torch.randn(b, 1, s, s, generator=g)
    target_img = None
    if cfg.get("maskedImageTargetScale"):  # the input is the target seen at the lower resolution (2x2 means)
        r = cfg["maskedImageTargetScale"]
        target_img = torch.randn(b, 1, r * s, r * s, generator=g)
        img = F.avg_pool2d(target_img, r)
    imp, imp_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], 3, t // 2)
    fin, fin_valid, _ = ref.random_text(g, b, t, cfg["vocabSize"], t // 2, t)
    ent = (torch.rand(b, cfg["concepts"], generator=g) < 0.25).float()
    batch = (img, imp, imp_valid, fin, fin_valid, ent)
    words = word_index(fin, fin_valid, a.continuation_from, 102)
    n_patches = (s // cfg["patchSize"]) ** 2
    keep = max(1, int(n_patches * (1 - 0.75)))
    visible = torch.rand(b, n_patches, generator=g).argsort(dim=1)[:, :keep]
    # Masked report modelling: half the joined report's whole words (drawn here) become [MASK] (id 1, never drawn).
    mask_id = 1
    j_ids, j_valid = joined(fin, fin_valid, imp, imp_valid)
    j_words = word_index(j_ids, j_valid, a.continuation_from, 102)
    masked_ids = j_ids.clone()
    for i in range(b):
        n_words = int(j_words[i].max()) + 1
        chosen = torch.randperm(n_words, generator=g)[:max(1, n_words // 2)]
        masked_ids[i][torch.isin(j_words[i], chosen)] = mask_id

    # BatchNorm heads: affine parameters and running statistics away from their initial 1, 0 (so that the test sees
    # each of them act), the statistics after the parameters as Carina's arena keeps them.
    buffers = [(n, b) for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var"))]
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith((".1.weight", ".1.bias")) and n.split(".")[0] in ("img_g", "img_l", "txt_g", "txt_l"):
                p.copy_((1.0 if n.endswith("weight") else 0.0) + 0.2 * torch.randn(p.shape, generator=g))
        for n, b_ in buffers:
            b_.copy_(0.5 + torch.rand(b_.shape, generator=g) if n.endswith("var") else 0.1 * torch.randn(b_.shape, generator=g))
    layout = ref.Layout(list(model.named_parameters()) + buffers)
    params0 = ref.flat(list(model.parameters()) + [b_ for _, b_ in buffers])
    state0 = {k: v.clone() for k, v in model.state_dict().items()}
    slabs, cases, stats = [ref.flat([img]), params0], [], []
    if target_img is not None:
        slabs.insert(1, ref.flat([target_img]))
    for case in cases_run:
        model.load_state_dict(state0)
        model.zero_grad(set_to_none=True)
        loss, parts = objectives(model, tb, batch, case, words, cfg["localTemperature"])
        if a.mim:
            mim, enc_out = mim_loss(model, img, visible, cfg["patchSize"], target_img)
            loss = loss + case["weights"]["mim"] * mim if torch.is_tensor(loss) else case["weights"]["mim"] * mim
            parts["mim"] = mim.item()
            if case["weights"].get("mlm", 0):
                mlm = mlm_loss(model, enc_out, j_ids, j_valid, masked_ids, mask_id)
                loss = loss + case["weights"]["mlm"] * mlm
                parts["mlm"] = mlm.item()
        loss.backward()
        grads = ref.flat([p.grad if p.grad is not None else torch.zeros_like(p) for p in model.parameters()]
                         + [torch.zeros_like(b_) for _, b_ in buffers])
        slabs.append(grads)
        if buffers:
            stats.append(ref.flat(b_ for _, b_ in buffers))
        cases.append({**case, "loss": loss.item(), "parts": parts,
                      "gradientNorms": {n: (p.grad.norm().item() if p.grad is not None else 0.0)
                                        for n, p in model.named_parameters()}})
    # The vectorised form timed by --bench-steps computes the same MGCA combination as the per-sample loops.
    model.load_state_dict(state0)
    if a.mim or buffers:  # (the vectorised form has the heads without BatchNorm row masks)
        cases_check = []
    else:
        cases_check = [0]
    for _ in cases_check:
        fast, fast_parts = mgca_batched(model, (*batch, *joined(fin, fin_valid, imp, imp_valid)), words,
                                        cfg["localTemperature"])
        for k, v in fast_parts.items():
            assert abs(v - cases[0]["parts"][k]) <= 1e-5 * abs(v), (k, v, cases[0]["parts"][k])
    if buffers:  # a head on all rows of a batch is nn.BatchNorm1d itself
        model.load_state_dict(state0)
        x = torch.randn(5, cfg["width"], generator=g)
        plain = nn.Sequential(*list(model.img_g))
        torch.testing.assert_close(model.img_g(x), plain(x), rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(model.img_g[1].running_var, plain[1].running_var)
    meta = {
        **ref.fixture_head("trainer-mgca-reference.py", cfg, b), **layout.fields(),
        "continuationFrom": a.continuation_from, "separatorID": 102, **ref.text_fields(imp, imp_valid, fin, fin_valid),
        "findingsWordIndex": words.reshape(-1).tolist(), "concepts": ent.reshape(-1).tolist(),
        "visiblePatches": visible.reshape(-1).tolist(),
        "maskedReportIDs": masked_ids.reshape(-1).tolist(), "maskTokenID": mask_id,
        "targetScale": cfg.get("maskedImageTargetScale") or 1,
        "bufferCount": sum(b_.numel() for _, b_ in buffers),
        "cases": cases, "binLayout": ["images"] + (["targetImages"] if target_img is not None else []) + ["parameters"] + [f"gradients:{c['name']}" for c in cases_run]
        + [f"runningStatistics:{c['name']}" for c in cases_run if buffers],
    }
    ref.write_fixture(a.out, stem, slabs + stats, meta)
    print(json.dumps({"parameters": layout.count, "losses": {c["name"]: c["parts"] for c in cases}}))


def main() -> None:
    ap = ref.arguments(__doc__)
    ap.add_argument("--prototypes", type=int, default=24)
    ap.add_argument("--mim", action="store_true", help="masked image modelling cases (writes reference-mim.*)")
    ap.add_argument("--target-scale", type=int, default=1,
                    help="with --mim: MRM's higher-resolution target at this scale (writes reference-mim-hr.*)")
    ap.add_argument("--hidden", type=int, default=0, help="2-layer heads of this hidden width (writes reference-mgca-hidden.*)")
    ap.add_argument("--norm", default="none", choices=["none", "batch"],
                    help="with --hidden: MGCA's BatchNorms in the heads (writes reference-mgca-bn.*)")
    ap.add_argument("--continuation-from", type=int, default=150, help="ids from here up are ## pieces")
    ref.timing_arguments(ap, "time the MGCA objective on carina-tiny instead")
    ap.add_argument("--bench-objectives", default="mgca", choices=["mgca", "mrm", "default"])
    ref.run(ap, export, bench)


if __name__ == "__main__":
    main()
