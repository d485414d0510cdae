"""Batching `CarinaDataset` items."""

from __future__ import annotations

from typing import Any, Sequence

import torch


def collate(samples: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Stacks each tensor field into a batch (`image` → `(B, 1, S, S)`, `impression_ids` → `(B, T)`,
    `relations` → `(B, E, 3)`, …) and keeps every other field (the ids, `view`, `split`, …) as a list.

    Images of different sizes cannot be stacked: build the dataset with `image_size=` to resize them."""
    if not samples:
        raise ValueError("collate needs at least one sample")
    out: dict[str, Any] = {}
    for key in samples[0]:
        values = [s[key] for s in samples]
        if isinstance(values[0], torch.Tensor):
            shapes = {tuple(v.shape) for v in values}
            if len(shapes) > 1:
                hint = " (build the dataset with image_size=… to resize images)" if key == "image" else ""
                raise ValueError(f"cannot batch {key!r}: samples have shapes {sorted(shapes)}{hint}")
            out[key] = torch.stack(values)
        else:
            out[key] = values
    return out
