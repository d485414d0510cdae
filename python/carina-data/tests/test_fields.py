"""Every field `CarinaDataset` returns, checked against Carina's own views of the same shards: `carina shards cat
--json` (the stored columns) and `carina stream --show-batch` (the batch Carina's loader builds: token ids, word map,
entity spans on token positions, relations, labels)."""

import base64
import io
import json
import math
import re

import numpy as np
import pytest
import torch
from PIL import Image

from streaming import StreamingDataset

from carina_data import CarinaDataset, collate, label_targets
from conftest import run

TEXT_LENGTH = 64
PASSED = ("dicom_id", "study_id", "subject_id", "split", "view", "label_source", "schema", "image_format", "width",
          "height", "impression", "findings", "report", "sections", "graph", "meta", "entities")


def cat_records(carina, folder):
    count = sum(s["samples"] for s in json.load(open(f"{folder}/index.json"))["shards"])
    return {r["dicom_id"]: r for r in (json.loads(run(carina, "shards", "cat", folder, "--index", str(i), "--json"))
                                       for i in range(count))}


def show_batch(carina, folder, count):
    """`carina stream --show-batch` parsed: per sample key, its two sequences, entities, relations and labels."""
    text = run(carina, "stream", folder, "--show-batch", "--batch", str(count), "--no-augment", "--size", "32",
               "--text-length", str(TEXT_LENGTH))
    samples, current = {}, None
    for line in text.splitlines():
        if m := re.match(r"sample \d+: (\S+)$", line):
            current = samples.setdefault(m[1], {"entities": [], "relations": [], "labels": {}})
        elif m := re.match(r"  (impression|findings)( \(absent\))?: ?(.*)$", line):
            tokens = []
            for item in m[3].split(" ") if m[3] else []:
                position, rest = item.split(":", 1)
                token, word = (rest.rsplit("/", 1) if not rest.startswith("[") else (rest, "-1"))
                tokens.append((int(position), token, int(word)))
            current[m[1]] = {"absent": bool(m[2]), "tokens": tokens}
        elif m := re.match(r'  entity (\d+): "(.*)" (impression|findings)\[(\d+)\.\.<(\d+)\] (\w+) (\w+) concept (\S+)$',
                           line):
            current["entities"].append({"slot": int(m[1]), "words": m[2], "text": 0 if m[3] == "impression" else 1,
                                        "start": int(m[4]), "end": int(m[5]), "kind": m[6], "certainty": m[7],
                                        "concept": m[8]})
        elif m := re.match(r'  relation: (\d+) ".*?" --(\w+)--> (\d+) "', line):
            current["relations"].append((int(m[1]), m[2], int(m[3])))
        elif m := re.match(r"  labels: (.*)$", line):
            if m[1] != "(none)":
                for item in m[1].split(", "):
                    name, value = item.rsplit("=", 1)
                    current["labels"][name] = int(value)
    return samples


def int32s(ndarray_json):
    assert ndarray_json["dtype"] == "int32"
    return np.frombuffer(base64.b64decode(ndarray_json["base64"]), "<i4").tolist()


@pytest.fixture(scope="module")
def records(carina, shards):
    return cat_records(carina, shards["plain"])


@pytest.fixture(scope="module")
def items(shards, vocab):
    ds = CarinaDataset(local=shards["plain"], vocab=vocab, text_length=TEXT_LENGTH, keep_columns=PASSED)
    return {item["dicom_id"]: item for item in (ds[i] for i in range(len(ds)))}


def test_every_record_is_read(records, items):
    assert len(records) == 5
    assert sorted(items) == sorted(records)


def test_stored_columns_match_shards_cat(records, items, shards, vocab):
    ds = CarinaDataset(local=shards["plain"], vocab=vocab, text_length=TEXT_LENGTH)
    for i in range(len(ds)):
        raw = StreamingDataset.get_item(ds, i)
        rec = records[raw["dicom_id"]]
        assert sorted(raw) == sorted(rec), "StreamingDataset and carina shards cat list the same columns"
        for column in ("entities", "relations", "sections", "graph", "meta", "report"):
            assert raw[column] == rec[column]
    with pytest.raises(ValueError, match="relations"):
        CarinaDataset(local=shards["plain"], vocab=vocab, keep_columns=("dicom_id", "relations"))
    for key, rec in records.items():
        item = items[key]
        for column in PASSED:
            assert item[column] == rec[column], f"{key}: {column}"
        assert rec["schema"] == "carina-record/2"
        assert item["concepts"].tolist() == rec["concepts"]
        assert item["raw_range"].tolist() == int32s(rec["raw_range"])


def test_image_is_the_stored_pixels_over_the_raw_range_high(records, items):
    for key, rec in records.items():
        assert rec["image_format"] == "png16"
        stored = np.asarray(Image.open(io.BytesIO(base64.b64decode(rec["image"])))).astype(np.float64)
        high = int32s(rec["raw_range"])[1]
        image = items[key]["image"]
        assert image.dtype == torch.float32
        assert tuple(image.shape) == (1, rec["height"], rec["width"])
        np.testing.assert_array_equal(image[0].numpy(), (stored / high).astype(np.float32))
        assert 0 <= float(image.min()) and float(image.max()) <= 1.0


@pytest.mark.parametrize("policy", ["ones", "zeros", "ignore"])
def test_labels_follow_the_policy(records, shards, vocab, policy):
    ds = CarinaDataset(local=shards["plain"], vocab=vocab, text_length=TEXT_LENGTH, label_policy=policy)
    seen_uncertain = False
    for i in range(len(ds)):
        item = ds[i]
        stored = records[item["dicom_id"]]["labels"]
        for c, value in enumerate(stored):
            target, mask = float(item["labels"][c]), float(item["label_mask"][c])
            if value is None or (isinstance(value, float) and math.isnan(value)):
                assert (target, mask) == (0, 0)
            elif value == -1:
                seen_uncertain = True
                assert (target, mask) == {"ones": (1, 1), "zeros": (0, 1), "ignore": (0, 0)}[policy]
            else:
                assert (target, mask) == (float(value > 0), 1)
    assert seen_uncertain, "the sample dump should hold an uncertain label"
    with pytest.raises(ValueError, match="label_policy must be one of ones, zeros, ignore"):
        label_targets([1.0], "u-ones")


def test_tokens_spans_relations_and_labels_match_carinas_batch(carina, shards, items, vocab_tokens, concept_names):
    names = {i: t for t, i in vocab_tokens.items()}
    kinds, certainties = ["anatomy", "observation", "device"], ["present", "uncertain", "absent"]
    relation_kinds = ["located_at", "modify", "suggestive_of"]
    batch = show_batch(carina, shards["plain"], len(items))
    assert sorted(batch) == sorted(items)
    spans = 0
    for key, expected in batch.items():
        item = items[key]
        for name in ("impression", "findings"):
            seq = expected[name]
            ids, mask, words = item[f"{name}_ids"], item[f"{name}_mask"], item[f"{name}_word_index"]
            assert float(item[f"{name}_present"]) == (0.0 if seq["absent"] else 1.0), f"{key} {name}"
            real = [(p, names[int(ids[p])], int(words[p])) for p in range(TEXT_LENGTH) if mask[p] == 1]
            assert real == seq["tokens"], f"{key} {name}"
            if seq["absent"]:
                assert ids.tolist() == [vocab_tokens["[PAD]"]] * TEXT_LENGTH
        placed = int(item["entity_mask"].sum())
        assert placed == len(expected["entities"]), key
        for e in expected["entities"]:
            k = e["slot"]
            assert int(item["entity_text"][k]) == e["text"]
            assert (int(item["entity_start"][k]), int(item["entity_end"][k])) == (e["start"], e["end"])
            assert kinds[int(item["entity_kind"][k])] == e["kind"]
            assert certainties[int(item["entity_certainty"][k])] == e["certainty"]
            concept = int(item["entity_concept"][k])
            assert (concept_names[concept] if concept >= 0 else "-1") == e["concept"]
            ids = item["impression_ids" if e["text"] == 0 else "findings_ids"][e["start"]:e["end"]]
            assert " ".join(names[int(i)] for i in ids) == e["words"]
            spans += 1
        got = [(int(h), relation_kinds[int(t)], int(tail)) for (h, tail, t), m
               in zip(item["relations"].tolist(), item["relation_mask"].tolist()) if m == 1]
        assert got == expected["relations"], key
        labels = {n: int(item["labels"][c]) for c, n in enumerate(LABELS) if item["label_mask"][c] == 1}
        assert labels == expected["labels"], key
    assert spans > 50


def test_spans_cover_the_entity_text(records, items):
    """Each placed span's pieces overlap the entity's `text_start..text_end` in its text column, and the pieces just
    outside it do not (the offsets rule of Carina's loader)."""
    for key, rec in records.items():
        item = items[key]
        slots = iter(range(int(item["entity_mask"].sum())))
        for kind, certainty, concept, section, start, end, text, lo, hi in rec["entities"]:
            if text not in (0, 1):
                continue
            column = rec["impression" if text == 0 else "findings"]
            entity_text = column[lo:hi]
            assert entity_text == rec["sections"][section]["text"][start:end]
            k = next(slots)
            assert int(item["entity_text"][k]) == text and int(item["entity_kind"][k]) == kind
            words = item["impression_ids" if text == 0 else "findings_ids"][int(item["entity_start"][k]):int(item["entity_end"][k])]
            assert len(words) >= 1


def test_collate_stacks_a_batch(shards, vocab):
    ds = CarinaDataset(local=shards["plain"], vocab=vocab, text_length=TEXT_LENGTH, image_size=96, random_crop=True)
    batch = collate([ds[i] for i in range(3)])
    assert batch["image"].shape == (3, 1, 96, 96)
    assert batch["impression_ids"].shape == (3, TEXT_LENGTH)
    assert batch["relations"].shape == (3, 64, 3)
    assert batch["labels"].shape == (3, 14)
    assert len(batch["dicom_id"]) == 3
    with pytest.raises(ValueError, match="image_size"):
        raw = CarinaDataset(local=shards["plain"], vocab=vocab, text_length=TEXT_LENGTH)
        collate([raw[i] for i in range(len(raw))])


LABELS = ["Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum", "Fracture",
          "Lung Lesion", "Lung Opacity", "No Finding", "Pleural Effusion", "Pleural Other", "Pneumonia",
          "Pneumothorax", "Support Devices"]
