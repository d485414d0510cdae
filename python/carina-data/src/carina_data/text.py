"""WordPiece encoding with offsets, as Carina's loader encodes a text column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np


@dataclass
class EncodedText:
    ids: np.ndarray  # (T,) int64
    mask: np.ndarray  # (T,) float32, 1 for [CLS], the pieces and [SEP]
    word_index: np.ndarray  # (T,) int64, -1 for special tokens and padding
    start: np.ndarray  # (T,) int64 piece offsets in the text (code points), -1 for special tokens and padding
    end: np.ndarray

    def positions_overlapping(self, lower: int, upper: int) -> Optional[tuple[int, int]]:
        """The positions whose pieces overlap the text range `lower..upper`, as `(first, last + 1)`; None when none
        does (cut off by truncation, or in no piece)."""
        hit = np.nonzero((self.word_index >= 0) & (self.start < upper) & (self.end > lower))[0]
        if hit.size == 0:
            return None
        return int(hit[0]), int(hit[-1]) + 1


class TextEncoder:
    """A Hugging Face `tokenizers` BertWordPieceTokenizer over a BERT `vocab.txt` (Carina's is
    `schemas/vocab/carina-cxr-vocab.txt`), truncating to `length` with `[SEP]` kept last and padding with `[PAD]`.
    The empty text (an absent section) is all `[PAD]` with mask 0, not `[CLS] [SEP]`.

    The tokenizer is built on first use in each process, so the encoder pickles into DataLoader workers."""

    def __init__(self, vocab: str, length: int, lowercase: bool = True) -> None:
        if length < 2:
            raise ValueError("text_length must leave room for [CLS] and [SEP] (2 or more)")
        self.vocab = vocab
        self.length = length
        self.lowercase = lowercase
        self._tokenizer = None
        self.tokenizer  # fail early on a missing or non-BERT vocabulary

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_tokenizer"] = None
        return state

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            from tokenizers import BertWordPieceTokenizer

            tok = BertWordPieceTokenizer(self.vocab, lowercase=self.lowercase)
            for special in ("[CLS]", "[SEP]", "[PAD]", "[UNK]"):
                if tok.token_to_id(special) is None:
                    raise ValueError(f"{self.vocab} has no {special} token; is it a BERT vocab.txt?")
            tok.enable_truncation(max_length=self.length)
            self.pad_id = tok.token_to_id("[PAD]")
            self.mask_id = tok.token_to_id("[MASK]")
            self._tokenizer = tok
        return self._tokenizer

    def encode(self, text: str) -> EncodedText:
        t = self.length
        tok = self.tokenizer
        ids = np.full(t, self.pad_id, np.int64)
        mask = np.zeros(t, np.float32)
        words = np.full(t, -1, np.int64)
        start = np.full(t, -1, np.int64)
        end = np.full(t, -1, np.int64)
        if text:
            enc = tok.encode(text)
            n = len(enc.ids)
            ids[:n] = enc.ids
            mask[:n] = 1
            special = np.asarray(enc.special_tokens_mask, bool)
            words[:n] = [-1 if w is None else w for w in enc.word_ids]
            offsets = np.asarray(enc.offsets, np.int64).reshape(n, 2)
            start[:n] = np.where(special, -1, offsets[:, 0])
            end[:n] = np.where(special, -1, offsets[:, 1])
            words[:n][special] = -1
        return EncodedText(ids, mask, words, start, end)
