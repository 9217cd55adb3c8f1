"""Edits of inherited config lists, for configs that derive from a ``_base_``.

mmengine merges dicts from a ``_base_`` key by key but replaces lists whole,
so a config that changes one field of one pipeline step (an image size) or
the epoch counts of a schedule would otherwise restate the whole list. These
functions, imported by such configs, build the edited list from
``_base_.<list>`` instead: the per-resolution ImageNet bases
(configs/_base_/datasets/imagenet_bs256_autoaug_*.py) and the larger scales
of configs/reproduce/.
"""
from __future__ import annotations

from typing import Sequence


def with_fields(items: Sequence[dict], **by_type: dict) -> list[dict]:
    """``items`` (pipeline steps, ...) with fields set per ``type``.

    Raises:
        KeyError: a type in ``by_type`` is not in ``items`` (a renamed or
            removed step must not leave the edit silently unapplied).
    """
    missing = set(by_type) - {item['type'] for item in items}
    if missing:
        raise KeyError(f'{sorted(missing)}: not in the inherited list {[i["type"] for i in items]}')
    return [{**item, **by_type.get(item['type'], {})} for item in items]


def stretched(schedulers, factor: float) -> list[dict]:
    """Epoch-based ``schedulers`` (a list, or one scheduler dict) with their
    epoch counts times ``factor``: the same shape over the new length;
    iteration-based ones unchanged."""
    schedulers = schedulers if isinstance(schedulers, list) else [schedulers]
    def scaled(value):
        value = value * factor
        return int(value) if float(value).is_integer() else value

    keys = ('begin', 'end', 'T_max', 'warmup_length')
    return [{**s, **{k: scaled(s[k]) for k in keys if k in s}} if s.get('by_epoch', True)
            else s for s in schedulers]
