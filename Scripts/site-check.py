#!/usr/bin/env python3
"""Checks a `carina show` site the way a person sees it, through headless Chromium (Debian's `chromium`).

    site-check.py CARINA SITE SHARDS [--screenshots DIR] [--expect-paged]

For every record page (or the first --records of them): Chromium loads it and runs its script (`--dump-dom`); the
image must have loaded (the page's script writes its natural size on <body>), every highlighted entity's text must
equal the entity's text at its stored offsets (`sections[section].text[start:end]`, read independently with
`carina shards cat --id … --json`), every section must be named with its rule, the relation arcs drawn must be the
relations whose two ends are highlighted, and the 14 labels must read as stored. The index must list every record
across its pages, with split counts adding up and the ingest's failures on ingest.html. Screenshots of the index, a
record page and the ingest page are written and checked for content (not blank; the record page's image region dark
and gray). Stdlib only. Prints 'site-check: N passed, M failed' last.
"""

import argparse
import glob
import json
import os
import re
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser

LABELS = ["Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum", "Fracture",
          "Lung Lesion", "Lung Opacity", "No Finding", "Pleural Effusion", "Pleural Other", "Pneumonia",
          "Pneumothorax", "Support Devices"]
CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--virtual-time-budget=4000"]


class Dom(HTMLParser):
    """The parts of a dumped page the checks read: <body> attributes, marks, section heads, label rows, grid cells,
    facet links, problem rows."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.body, self.marks, self.sections, self.labels, self.cells, self.facets = {}, [], [], [], [], []
        self.ids = {}
        self.problem_rows = 0
        self._stack, self._mark, self._section, self._label, self._cell = [], None, None, None, False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids[a["id"]] = ""
        if tag == "body":
            self.body = a
        elif tag == "mark" and "data-entity" in a:
            self._mark = [int(a["data-entity"]), a.get("class", ""), ""]
        elif tag == "div" and a.get("class") == "section-name":
            self._section = ["", ""]
        elif tag == "span" and a.get("class") == "rule" and self._section is not None:
            self._section_rule = True
        elif tag == "tr" and (a.get("class") or "").startswith("l-"):
            self._label = [a["class"][2:], ""]
        elif tag == "a" and a.get("class") == "cell":
            self.cells.append(a)
        elif tag == "a" and "data-facet" in a:
            self.facets.append(a)
        elif tag == "tr" and (a.get("class") or "").startswith("st-"):
            self.problem_rows += 1
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            self.marks.append(tuple(self._mark))
            self._mark = None
        elif tag == "div" and self._section is not None:
            self.sections.append(tuple(s.strip() for s in self._section))
            self._section = None
            self._section_rule = False
        elif tag == "th" and self._label is not None:
            self.labels.append(tuple(self._label))
            self._label = None

    def handle_data(self, data):
        if self._mark is not None:
            self._mark[2] += data
        if self._section is not None:
            self._section[1 if getattr(self, "_section_rule", False) else 0] += data
        if self._label is not None:
            self._label[1] += data


def dump_dom(path):
    done = subprocess.run(CHROMIUM + ["--dump-dom", "file://" + os.path.abspath(path)], capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0 or "<body" not in done.stdout:
        raise RuntimeError(f"chromium could not render {path}: {done.stderr[-400:]}")
    return Dom(done.stdout)


def screenshot(path, out, size="1280,1700"):
    subprocess.run(CHROMIUM + [f"--window-size={size}", f"--screenshot={out}", "file://" + os.path.abspath(path)],
                   capture_output=True, timeout=120, check=True)
    return read_png(out)


def read_png(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert depth == 8 and colour in (2, 6), f"{path}: unexpected PNG format {depth}/{colour}"
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"site-check: FAILED {what}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("carina")
    ap.add_argument("site")
    ap.add_argument("shards", help="the folder `carina show` read")
    ap.add_argument("--screenshots", help="write screenshots here")
    ap.add_argument("--records", type=int, default=0, help="check only this many record pages (0: all)")
    args = ap.parse_args()
    c = Checks()
    parts = [args.shards] if os.path.exists(f"{args.shards}/index.json") else \
        [f"{args.shards}/{s}" for s in ("train", "validate", "test") if os.path.exists(f"{args.shards}/{s}/index.json")]
    total = sum(s["samples"] for p in parts for s in json.load(open(f"{p}/index.json"))["shards"])

    def record_json(dicom_id):
        for p in parts:
            done = subprocess.run([args.carina, "shards", "cat", p, "--id", dicom_id, "--json"], capture_output=True,
                                  text=True)
            if done.returncode == 0:
                return json.loads(done.stdout)
        raise RuntimeError(f"no record {dicom_id} in {args.shards}")

    # The index: every record listed once across the pages of the "all" listing; split counts add up.
    pages = sorted(glob.glob(f"{args.site}/index*.html"), key=lambda p: int(re.sub(r"\D", "", os.path.basename(p)) or 1))
    first = dump_dom(pages[0])
    listed = []
    for page in pages:
        dom = first if page == pages[0] else dump_dom(page)
        listed += [cell["href"] for cell in dom.cells]
    c.check(len(listed) == total and len(set(listed)) == total, f"index lists {len(listed)} records of {total}")
    split_counts = [int(f["data-count"]) for f in first.facets if f["data-facet"] == "split"]
    c.check(sum(split_counts) == total, f"split facet counts {split_counts} add up to {total}")
    c.check("tally" in first.ids, "the index shows the ingest tally")
    problems = sum(1 for p in parts for line in open(f"{p}/ingest-report.tsv").read().splitlines()[1:]
                   if line.split("\t")[1] != "written")
    ingest = dump_dom(f"{args.site}/ingest.html")
    c.check(ingest.problem_rows == min(problems, 10000), f"ingest.html lists {ingest.problem_rows} of {problems} failures")

    # Record pages.
    record_pages = [os.path.normpath(os.path.join(args.site, href)) for href in listed]
    if args.records:
        record_pages = record_pages[:args.records]
    marked_total, arcs_total = 0, 0
    for path in record_pages:
        dom = dump_dom(path)
        dicom_id = os.path.basename(path)[:-5]
        rec = record_json(dicom_id)
        image = dom.body.get("data-image", "")
        c.check(re.fullmatch(r"\d+x\d+", image) is not None and image != "0x0", f"{dicom_id}: image loaded ({image!r})")
        sections = rec["sections"]
        c.check([s[0] for s in dom.sections] == [s["name"] for s in sections]
                and [s[1] for s in dom.sections] == [s["rule"] for s in sections],
                f"{dicom_id}: sections named with their rules")
        kinds, certainties = ["anatomy", "observation", "device"], ["present", "uncertain", "absent"]
        for row, cls, text in dom.marks:
            kind, certainty, _concept, section, start, end, *_ = rec["entities"][row]
            want = sections[section]["text"][start:end]
            c.check(text == want, f"{dicom_id}: entity {row} highlighted as {text!r}, stored text {want!r}")
            c.check(f"k-{kinds[kind]}" in cls and f"c-{certainties[certainty]}" in cls,
                    f"{dicom_id}: entity {row} styled {cls!r}")
        placed = {r for r, _, _ in dom.marks}
        c.check(len(placed) >= min(1, len(rec["entities"])), f"{dicom_id}: entities highlighted")
        want_arcs = sum(1 for h, t, _ in rec["relations"] if h in placed and t in placed)
        c.check(int(dom.body.get("data-relations-drawn", -1)) == want_arcs,
                f"{dicom_id}: {dom.body.get('data-relations-drawn')} relation arcs drawn, {want_arcs} expected")
        states = {"positive": 1, "negative": 0, "uncertain": -1}
        shown = [(name, states.get(state)) for state, name in dom.labels]
        stored = [(n, None if v is None or v != v else int(v)) for n, v in zip(LABELS, rec["labels"])]
        c.check(shown == stored, f"{dicom_id}: labels {shown} != stored {stored}")
        marked_total += len(dom.marks)
        arcs_total += want_arcs

    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
        w, h, rows = screenshot(pages[0], f"{args.screenshots}/index.png", "1280,1000")
        colours = {px for row in rows[::8] for px in row[::8]}
        c.check(len(colours) > 50, f"index screenshot has {len(colours)} colours (blank page?)")
        w, h, rows = screenshot(record_pages[0], f"{args.screenshots}/record.png")
        # The image sits at the top left (below the title): mostly gray, with dark and light parts.
        region = [px for row in rows[90:560:4] for px in row[30:500:4]]
        gray = sum(1 for r, g, b in region if abs(r - g) < 8 and abs(g - b) < 8) / len(region)
        dark = sum(1 for r, g, b in region if r < 100) / len(region)
        c.check(gray > 0.95 and dark > 0.05, f"record screenshot image region: gray {gray:.2f}, dark {dark:.2f}")
        screenshot(f"{args.site}/ingest.html", f"{args.screenshots}/ingest.png", "1280,800")
    print(f"site-check: {len(record_pages)} record pages, {marked_total} highlighted entities, {arcs_total} arcs, "
          f"{len(pages)} index pages")
    print(f"site-check: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
