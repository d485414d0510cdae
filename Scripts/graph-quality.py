#!/usr/bin/env python3
"""Measure the quality of Carina's entity graph and CheXpert labels against real annotations.

1. The MeSH <major> terms of the 3,955 Indiana University reports (less the 95 marked "No Indexing") (../shared/data/reports/iu-openi/NLMCXR_reports.tgz),
   mapped to Carina concepts by schemas/lexicon/mesh.tsv: precision, recall and F1 per concept, per CheXpert class,
   and for finding + location pairs (schemas/lexicon/mesh-locations.tsv).
2. The CheXpert labels themselves (`carina labels --source impression|report`) against the same annotations, for the
   nine classes the MeSH terms cover (gold class per MeSH concept: GOLD_CLASS below; --gold picks the mapping), on two fixed halves of the reports: `dev` (the half rules are written against)
   and `held-out` (the half kept apart: the first byte of SHA-256 of "iu-openi:" + report id is odd). A class counts
   as predicted when its label is 1 (with --uncertain-positive, 1 or -1).
3. The golden CheXpert-labeller and NegBio outputs in ../shared/data/reports: agreement per class.

The reports are read from the archive at run time and written, unmodified apart from a MIMIC-style section header per
field, to a temporary folder that is removed afterwards (the IU licence forbids keeping modified copies).

    python3 Scripts/graph-quality.py [--carina .build/release/carina] [--uncertain-positive] [--labels-only]
                                     [--gold chexpert|mesh-normal] [--show-errors CLASS,...] [--json OUT.json]

Prints Markdown tables and, last, one JSON line with the summary figures.
"""
import argparse
import collections
import csv
import hashlib
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = pathlib.Path(os.environ.get("CARINA_SHARED_DATA", ROOT.parent / "shared" / "data"))
LEX = ROOT / "schemas" / "lexicon"


def rows(path):
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#") or not line.strip():
            continue
        yield line.split("\t")


def load_lexicon():
    concepts = {}
    for c in rows(LEX / "concepts.tsv"):
        classes = [] if c[3] == "-" else c[3].split(";")
        concepts[c[0]] = {"kind": c[1], "classes": [x for x in classes if not x.endswith("?") and not x.endswith("~")],
                          "blocks": c[4] == "yes"}
    mesh = [(r[0].lower(), r[1].lower(), r[2]) for r in rows(LEX / "mesh.tsv")]
    locations = {r[0].lower(): r[1] for r in rows(LEX / "mesh-locations.tsv")}
    return concepts, mesh, locations


def map_major(term, mesh):
    parts = [p.strip().lower() for p in term.split("/")]
    for heading, qualifier, concept in mesh:
        if parts[0] == heading and (qualifier == "*" or qualifier in parts[1:]):
            return concept
    return None


def read_iu():
    reports = []
    with tarfile.open(DATA / "reports" / "iu-openi" / "NLMCXR_reports.tgz") as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".xml"):
                continue
            root = ET.parse(tar.extractfile(member)).getroot()
            fields = {a.get("Label"): (a.text or "") for a in root.iter("AbstractText")}
            majors = [m.text or "" for m in root.iter("major")]
            rid = pathlib.Path(member.name).stem
            reports.append({"id": rid, "findings": fields.get("FINDINGS", ""),
                            "impression": fields.get("IMPRESSION", ""), "majors": majors})
    reports.sort(key=lambda r: int(r["id"]) if r["id"].isdigit() else r["id"])
    return reports


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def table(title, counts, min_support=1):
    lines = [f"\n### {title}\n", "| name | support | predicted | precision | recall | F1 |", "| --- | --- | --- | --- | --- | --- |"]
    tp_all = fp_all = fn_all = 0
    macro = []
    for name in sorted(counts, key=lambda k: (-(counts[k][0] + counts[k][2]), str(k))):
        tp, fp, fn = counts[name]
        if tp + fn < min_support:
            continue
        p, r, f = prf(tp, fp, fn)
        macro.append(f)
        tp_all += tp; fp_all += fp; fn_all += fn
        lines.append(f"| {name} | {tp + fn} | {tp + fp} | {p:.3f} | {r:.3f} | {f:.3f} |")
    p, r, f = prf(tp_all, fp_all, fn_all)
    lines.append(f"| **micro** | {tp_all + fn_all} | {tp_all + fp_all} | {p:.3f} | {r:.3f} | {f:.3f} |")
    mf = sum(macro) / len(macro) if macro else 0.0
    lines.append(f"| **macro F1** | | | | | {mf:.3f} |")
    print("\n".join(lines))
    return {"micro_precision": round(p, 4), "micro_recall": round(r, 4), "micro_f1": round(f, 4),
            "macro_f1": round(mf, 4), "names": len(macro)}


def count(gold_sets, pred_sets, universe):
    counts = {n: [0, 0, 0] for n in universe}
    for g, p in zip(gold_sets, pred_sets):
        for n in universe:
            if n in g and n in p:
                counts[n][0] += 1
            elif n in p:
                counts[n][1] += 1
            elif n in g:
                counts[n][2] += 1
    return counts


def run_carina(carina, folder):
    out = subprocess.run([carina, "graph", folder, "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def iu_quality(args, concepts, mesh, locations):
    # Reports the indexers marked "No Indexing" have no annotation to compare with.
    reports = [r for r in read_iu() if not any(t.strip().lower() == "no indexing" for t in r["majors"])]
    gold, gold_pairs, unmapped = [], [], collections.Counter()
    with tempfile.TemporaryDirectory(prefix="carina-iu-") as tmp:
        for r in reports:
            text = f"\n FINDINGS: {r['findings']}\n IMPRESSION: {r['impression']}\n"
            pathlib.Path(tmp, f"{r['id']}.txt").write_text(text, encoding="utf-8")
        graphs = run_carina(args.carina, tmp)
    accepted = {"present"} | ({"uncertain"} if args.uncertain_positive else set())
    preds, pred_pairs = [], []
    for r in reports:
        g, gp = set(), set()
        for term in r["majors"]:
            c = map_major(term, mesh)
            if c is None:
                unmapped[term.split("/")[0]] += 1
                continue
            if c == "-":
                continue
            g.add(c)
            for q in term.split("/")[1:]:
                loc = locations.get(q.strip().lower())
                if loc:
                    gp.add((c, loc))
        gold.append(g)
        gold_pairs.append(gp)
        findings = graphs[r["id"]]["findings"]
        p, pp = set(), set()
        blocked = False
        for f in findings:
            if f["certainty"] in accepted:
                p.add(f["concept"])
                for a in f["anatomy"]:
                    pp.add((f["concept"], a))
            if f["certainty"] != "absent" and concepts.get(f["concept"], {}).get("blocks"):
                blocked = True
        if not blocked:
            p.add("normal")  # the CheXpert No Finding rule
        preds.append(p)
        pred_pairs.append(pp)
    universe = {c for _, _, c in mesh if c != "-"}
    print(f"## IU X-ray MeSH <major> terms: {len(reports)} indexed reports (findings + impression)\n")
    print(f"Unmapped MeSH headings (no row in mesh.tsv): {sum(unmapped.values())} terms"
          + (f": {dict(unmapped.most_common(8))}" if unmapped else ""))
    concept_summary = table("Per concept (gold support >= 5)", count(gold, preds, universe), min_support=5)

    def classes(s):
        out = set()
        for c in s:
            if c == "normal":
                out.add("No Finding")
            out.update(concepts.get(c, {}).get("classes", []))
        return out

    class_gold = [classes(g) for g in gold]
    class_pred = [classes(p) for p in preds]
    universe_classes = set().union(*class_gold) | set().union(*class_pred)
    class_summary = table("Per CheXpert class (through the concept -> class map)",
                          count(class_gold, class_pred, universe_classes))
    pair_universe = set().union(*gold_pairs)
    pair_summary = table("Finding + location pairs (gold support >= 5)", count(gold_pairs, pred_pairs, pair_universe),
                         min_support=5)
    return {"reports": len(reports), "concepts": concept_summary, "classes": class_summary,
            "locations": pair_summary}


# The CheXpert classes the IU MeSH annotations cover.
LABEL_CLASSES = ["Atelectasis", "Cardiomegaly", "Pleural Effusion", "Pneumonia", "Pneumothorax", "Consolidation",
                 "Edema", "Lung Opacity", "No Finding"]

# The gold class of a MeSH term's concept (mesh.tsv), fixed here so that editing the lexicon's class map cannot move
# the gold. It follows the CheXpert labeller's mention conventions: "Pulmonary Congestion" is not Edema (CheXpert
# makes vascular congestion uncertain), "Tuberculosis" is not Pneumonia, "Heart Failure" is Edema.
GOLD_CLASS = {
    "atelectasis": "Atelectasis", "cardiomegaly": "Cardiomegaly", "pleural_effusion": "Pleural Effusion",
    "pneumonia": "Pneumonia", "pneumothorax": "Pneumothorax", "consolidation": "Consolidation", "edema": "Edema",
    "heart_failure": "Edema", "opacity": "Lung Opacity", "airspace_disease": "Lung Opacity",
    "infiltrate": "Lung Opacity", "interstitial_marking": "Lung Opacity", "scarring": "Lung Opacity",
    "bronchial_thickening": "Lung Opacity", "normal": "No Finding",
}

# `--gold mesh-normal`: the first mapping, kept to compare with earlier figures. No Finding is the MeSH term "normal"
# alone, so a report indexed only with a device or "Technical Quality of Image Unsatisfactory" is not No Finding, and
# Hemothorax (concept hemorrhage) is a Lung Opacity.
GOLD_CLASS_MESH_NORMAL = dict(GOLD_CLASS, hemorrhage="Lung Opacity")

# `--gold chexpert` (the default) follows the CheXpert labeller's own definitions: No Finding ignores Support Devices
# (and every other device or surgical material: clips, sutures, sternotomy wires) and the quality of the image, so a
# report whose only MeSH terms are devices, surgical changes or "Technical Quality of Image Unsatisfactory" is No
# Finding; a hemothorax is blood in the pleural space, not a Lung Opacity.
NO_FINDING_NEUTRAL_HEADINGS = {"technical quality of image unsatisfactory"}


def gold_classes(majors, mesh, concepts, gold):
    """The gold CheXpert classes of one report's MeSH <major> terms under the named mapping."""
    mapping = GOLD_CLASS if gold == "chexpert" else GOLD_CLASS_MESH_NORMAL
    out = set()
    neutral = True
    for term in majors:
        c = map_major(term, mesh)
        if c in mapping:
            out.add(mapping[c])
        if gold == "chexpert" and c != "normal":
            heading = term.split("/")[0].strip().lower()
            kind = concepts.get(c, {}).get("kind")
            if not (heading in NO_FINDING_NEUTRAL_HEADINGS or kind == "device" or c == "surgical_change"):
                neutral = False
    if gold == "chexpert" and neutral and majors:
        out.add("No Finding")
    return out


def half(report_id):
    """The fixed half of a report: "held-out" when the first byte of SHA-256("iu-openi:" + id) is odd, else "dev"."""
    return "held-out" if hashlib.sha256(f"iu-openi:{report_id}".encode()).digest()[0] & 1 else "dev"


def carina_has_source(carina):
    out = subprocess.run([carina, "labels", "--help"], capture_output=True, text=True)
    return "--source" in out.stdout


def run_labels(carina, folder, source, has_source):
    cmd = [carina, "labels", folder] + (["--source", source] if has_source else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {r["study_id"]: r for r in csv.DictReader(io.StringIO(out))}


def label_quality(args, concepts, mesh):
    """Per-class precision, recall and F1 of `carina labels` against the MeSH annotations, per half and source."""
    reports = [r for r in read_iu() if not any(t.strip().lower() == "no indexing" for t in r["majors"])]
    has_source = carina_has_source(args.carina)
    accepted = {"1.0"} | ({"-1.0"} if args.uncertain_positive else set())
    labels = {}
    with tempfile.TemporaryDirectory(prefix="carina-iu-labels-") as tmp:
        for source in ("impression", "report"):
            folder = pathlib.Path(tmp, source)
            folder.mkdir()
            for r in reports:
                if has_source or source == "impression":
                    text = f"\n FINDINGS: {r['findings']}\n IMPRESSION: {r['impression']}\n"
                else:
                    # A binary without --source labels the impression: give it one section with both texts.
                    text = f"\n FINDINGS: {r['findings']}\n\n{r['impression']}\n"
                (folder / f"{r['id']}.txt").write_text(text, encoding="utf-8")
            labels[source] = run_labels(args.carina, str(folder), source, has_source)
    gold = [gold_classes(r["majors"], mesh, concepts, args.gold) for r in reports]
    summary = {}
    halves = [half(r["id"]) for r in reports]
    for source in ("report", "impression"):
        what = "findings + impression" if source == "report" else "impression, else findings (MIMIC-CXR)"
        for part in ("dev", "held-out"):
            idx = [k for k, h in enumerate(halves) if h == part]
            preds = [{c for c in LABEL_CLASSES if labels[source][reports[k]["id"]][c] in accepted} for k in idx]
            counts = count([gold[k] for k in idx], preds, LABEL_CLASSES)
            summary[f"{source}/{part}"] = table(
                f"CheXpert labels, --source {source} ({what}), {part} half ({len(idx)} reports)", counts)
            if args.show_errors and part == "dev":
                for k, pred in zip(idx, preds):
                    for c in args.show_errors.split(","):
                        if (c in pred) != (c in gold[k]):
                            r = reports[k]
                            kind = "FP" if c in pred else "FN"
                            print(f"  {kind} {c} {source} {r['id']}: F: {r['findings']} | I: {r['impression']} "
                                  f"| MeSH: {'; '.join(r['majors'])}")
            worst = min(LABEL_CLASSES, key=lambda c: prf(*counts[c])[2])
            summary[f"{source}/{part}"]["worst_class"] = [worst, round(prf(*counts[worst])[2], 4)]
    return summary


def relation_quality(args, concepts):
    """Relation precision and recall on the 100 hand-annotated IU reports (relations-iu-annotated.tsv: every relation
    the extractor made, judged; relations-iu-missed.tsv: the relations it did not make). Gold: the judged-correct
    relations and the missed ones; a relation matches by report, kind, source start and target start."""
    judged, missed = {}, set()
    for r in rows(LEX / "relations-iu-annotated.tsv"):
        judged[(r[0], r[1], int(r[2]), int(r[5]))] = r[8] == "correct"
    for r in rows(LEX / "relations-iu-missed.tsv"):
        missed.add((r[0], r[1], int(r[2]), int(r[4])))
    gold = {k for k, ok in judged.items() if ok} | missed
    ids = sorted({k[0] for k in judged}, key=int)
    byid = {r["id"]: r for r in read_iu()}
    with tempfile.TemporaryDirectory(prefix="carina-iu-relations-") as tmp:
        for i in ids:
            r = byid[i]
            pathlib.Path(tmp, f"{i}.txt").write_text(f"\n FINDINGS: {r['findings']}\n IMPRESSION: {r['impression']}\n",
                                                     encoding="utf-8")
        graphs = run_carina(args.carina, tmp)
    made, kind_of, kind_at = set(), {}, {}
    for i in ids:
        ents = graphs[i]["entities"]
        for e in ents.values():
            kind_at[(i, e["start_ix"])] = concepts.get(e.get("concept"), {}).get("kind")
            for rel in e["relations"]:
                if rel[0] in ("located_at", "suggestive_of") and rel[1] in ents:
                    key = (i, rel[0], e["start_ix"], ents[rel[1]]["start_ix"])
                    made.add(key)
                    kind_of[key] = concepts.get(e.get("concept"), {}).get("kind")
    print(f"\n## Relations on {len(ids)} hand-annotated IU reports\n")
    print("| relation | gold | made | judged wrong | not judged | found | precision | recall |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    out = {}
    for name, pick in (("located_at", lambda k: k[1] == "located_at"),
                       ("located_at from a finding", lambda k: k[1] == "located_at" and kind_of.get(k) == "finding"),
                       ("suggestive_of", lambda k: k[1] == "suggestive_of"), ("all", lambda k: True)):
        if name == "located_at from a finding":
            # Anatomy attachment: the located_at relations whose source entity is a finding.
            g = {k for k in gold if k[1] == "located_at" and kind_at.get((k[0], k[2])) == "finding"}
        else:
            g = {k for k in gold if pick(k)}
        m = {k for k in made if pick(k)}
        found = len(g & m)
        wrong = sum(1 for k in m if judged.get(k) is False)
        unjudged = sum(1 for k in m if k not in judged and k not in missed)
        precision = (found / (found + wrong)) if found + wrong else 0.0
        recall = found / len(g) if g else 0.0
        print(f"| {name} | {len(g)} | {len(m)} | {wrong} | {unjudged} | {found} | {precision:.3f} | {recall:.3f} |")
        out[name] = {"gold": len(g), "found": found, "precision": round(precision, 4), "recall": round(recall, 4)}
    return out


def golden_quality(args):
    print("\n## Golden CheXpert labeller and NegBio outputs\n")
    labeled = DATA / "reports" / "chexpert-labeler" / "labeled_reports.csv"
    with open(labeled, encoding="utf-8") as f:
        golden = list(csv.reader(f))
    header, body = golden[0], golden[1:]
    agree = collections.Counter()
    total = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="carina-golden-") as tmp:
        for i, row in enumerate(body):
            # The labeller's examples are impressions: label them as one.
            pathlib.Path(tmp, f"r{i}.txt").write_text("IMPRESSION:\n" + row[0], encoding="utf-8")
        out = subprocess.run([args.carina, "labels", tmp], check=True, capture_output=True, text=True).stdout
    ours = {r["study_id"]: r for r in csv.DictReader(io.StringIO(out))}
    for i, row in enumerate(body):
        mine = ours[f"r{i}"]
        for k, name in enumerate(header[1:], start=1):
            total[name] += 1
            if (row[k] or "") == (mine[name] or ""):
                agree[name] += 1
    cells = sum(total.values())
    print(f"CheXpert labeller (labeled_reports.csv, {len(body)} reports x 14 classes): "
          f"{sum(agree.values())}/{cells} cells agree exactly")
    for name in header[1:]:
        if agree[name] != total[name]:
            print(f"  disagreement: {name} {agree[name]}/{total[name]}")
    negbio = {}
    xml = (DATA / "reports" / "negbio" / "negbio2-pipeline-golden" / "1.neg_chexpert.xml").read_text()
    for doc in re.findall(r"<document>(.*?)</document>", xml, re.S):
        did = re.search(r"<id>(.*?)</id>", doc).group(1)
        negbio[did] = dict(re.findall(r'<infon key="CheXpert/([^"]+)">(\w+)</infon>', doc))
    value = {"Positive": "1.0", "Negative": "0.0", "Uncertain": "-1.0"}
    alias = {"Airspace Opacity": "Lung Opacity"}
    with tempfile.TemporaryDirectory(prefix="carina-negbio-") as tmp:
        for did in negbio:
            pathlib.Path(tmp, f"{did}.txt").write_text((DATA / "reports" / "negbio" / f"{did}.txt").read_text())
        # NegBio labels the whole document.
        ours = run_labels(args.carina, tmp, "report", carina_has_source(args.carina))
    n_agree = n_total = 0
    for did, infons in negbio.items():
        for name, v in infons.items():
            name = alias.get(name, name)
            n_total += 1
            if ours[did][name] == value[v]:
                n_agree += 1
            else:
                print(f"  NegBio {did} {name}: NegBio {value[v]}, Carina {ours[did][name] or 'blank'}")
    print(f"NegBio CheXpert document labels (2 reports): {n_agree}/{n_total} agree")
    return {"chexpert_cells_agree": sum(agree.values()), "chexpert_cells": cells,
            "negbio_agree": n_agree, "negbio_total": n_total}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--carina", default=str(ROOT / ".build" / "release" / "carina"))
    ap.add_argument("--uncertain-positive", action="store_true",
                    help="count uncertain findings as predicted (default: present only)")
    ap.add_argument("--gold", choices=["chexpert", "mesh-normal"], default="chexpert",
                    help="gold class mapping of the MeSH terms: chexpert (No Finding ignores devices, surgical changes "
                         "and image quality; hemothorax is not Lung Opacity) or mesh-normal (No Finding is the MeSH "
                         "term normal; the first mapping)")
    ap.add_argument("--json", help="also write the summary to this file")
    ap.add_argument("--show-errors", metavar="CLASS,CLASS",
                    help="print the dev half's false positives and negatives of these classes (never the held-out half)")
    ap.add_argument("--labels-only", action="store_true",
                    help="only the per-class label tables and the golden examples (skip the concept and location tables)")
    ap.add_argument("--relations-only", action="store_true",
                    help="only the relation precision and recall on the hand-annotated IU reports")
    args = ap.parse_args()
    if not os.path.exists(args.carina):
        sys.exit(f"{args.carina} not found: run swift build -c release first (or pass --carina)")
    concepts, mesh, locations = load_lexicon()
    if args.relations_only:
        print(json.dumps({"relations": relation_quality(args, concepts)}, sort_keys=True))
        return
    if args.labels_only:
        summary = {"labels": label_quality(args, concepts, mesh), "golden": golden_quality(args),
                   "uncertain_positive": args.uncertain_positive, "gold": args.gold}
    else:
        summary = {"iu_mesh": iu_quality(args, concepts, mesh, locations), "labels": label_quality(args, concepts, mesh),
                   "golden": golden_quality(args), "relations": relation_quality(args, concepts),
                   "uncertain_positive": args.uncertain_positive, "gold": args.gold}
    line = json.dumps(summary, sort_keys=True)
    if args.json:
        pathlib.Path(args.json).write_text(line + "\n")
    print("\n" + line)


if __name__ == "__main__":
    main()
