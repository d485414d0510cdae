#!/usr/bin/env python3
"""Builds schemas/vocab/carina-cxr-vocab.txt, Carina's default WordPiece vocabulary.

It is trained with Hugging Face `tokenizers` (BertWordPieceTokenizer, lowercase) on freely licensed chest X-ray
text only: the sample reports in samples/, the CheXpert labeler's mention and unmention phrase lists (MIT), the
NegBio section titles (public domain), the MIMIC-CXR example report MIT-LCP published, and RadGraph's public
examples (MIT). Users with a BERT vocabulary of their own (BiomedBERT, CXR-BERT) pass it with --vocab instead.

    python3 Scripts/make-vocab.py ../shared/data          (needs `pip install tokenizers==0.22.2`)
"""
import glob
import json
import os
import sys

from tokenizers import BertWordPieceTokenizer

data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
texts = []
for path in sorted(glob.glob(os.path.join(root, "samples", "**", "*.txt"), recursive=True)):
    texts.append(open(path, encoding="utf-8").read())
for path in sorted(glob.glob(os.path.join(data, "reports", "chexpert-labeler", "phrases", "*", "*.txt"))):
    texts += open(path, encoding="utf-8").read().splitlines()
texts += open(os.path.join(data, "reports", "mimic-style", "negbio_section_titles.txt"), encoding="utf-8").read().splitlines()
texts.append(open(os.path.join(data, "reports", "mimic-style", "mimic_cxr_website_example_report.txt"), encoding="utf-8").read())


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


texts += list(strings(json.load(open(os.path.join(data, "reports", "radgraph", "radgraph_public_examples.json")))))
tokenizer = BertWordPieceTokenizer(lowercase=True)
tokenizer.train_from_iterator(sorted(set(t for t in texts if t.strip())), vocab_size=30522, min_frequency=1)
out = os.path.join(root, "schemas", "vocab")
os.makedirs(out, exist_ok=True)
tokenizer.save_model(out, "carina-cxr")
print(f"wrote {out}/carina-cxr-vocab.txt with {tokenizer.get_vocab_size()} tokens from {len(texts)} texts")
