#!/usr/bin/env python3
"""Oracle for Carina's WordPiece tokenizer: Hugging Face `tokenizers` ids for each text.

    oracle-wordpiece.py VOCAB TEXTS.json  ->  prints a JSON list of id lists (no [CLS]/[SEP])
"""
import json
import sys

from tokenizers import BertWordPieceTokenizer

tokenizer = BertWordPieceTokenizer(sys.argv[1], lowercase=True)
texts = json.load(open(sys.argv[2], encoding="utf-8"))
print(json.dumps([tokenizer.encode(t, add_special_tokens=False).ids for t in texts]))
