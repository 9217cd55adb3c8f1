"""Loading pretrained / exported weights into a backbone with mmengine's
``Pretrained`` prefix semantics, but strict and loud about key mismatches
(wrong prefixes are the most common complaint with NAS backbones in mmdet).
The file is read by the project's one checkpoint reader,
``engine.checkpoint.read_weights`` (mmengine's ``CheckpointLoader``,
weights-only, every URL scheme).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional, Union

import torch.nn as nn

from ..engine.checkpoint import key_prefix, read_weights


def load_pretrained(module: nn.Module, checkpoint: Union[str, Path], prefix: Optional[str] = None,
                    map_location: str = 'cpu', allow_missing: tuple[str, ...] = ()) -> None:
    """Load ``checkpoint`` into ``module`` with mmengine's ``Pretrained``
    prefix semantics, but strict.

    ``prefix=None`` (mmengine's default) loads the whole state dict (a
    leading ``module.`` is stripped, as mmengine's ``load_checkpoint``
    does), and so does ``prefix=''`` (no prefix); ``prefix='backbone'`` or
    ``'backbone.'`` loads the keys under it with the prefix removed. Every parameter and buffer of ``module``
    must be found (``allow_missing`` lists name prefixes that may be
    absent) with its shape; otherwise a ValueError says which keys were
    expected and which the file has.
    """
    state = read_weights(checkpoint, map_location, what='init_cfg.checkpoint')
    expected = module.state_dict()
    guess = key_prefix(state, expected)
    hint = (f" Keys of this module are in the file under prefix {guess!r}: set "
            f"init_cfg.prefix={guess!r}." if guess is not None else '')
    if not prefix:
        picked = {re.sub(r'^module\.', '', k): v for k, v in state.items()}
        if not any(k in expected for k in picked):
            raise ValueError(
                f'{checkpoint}: no key matches the model (init_cfg.prefix {prefix!r}: the whole '
                f'file is loaded). Expected keys like {list(expected)[:3]}; the file has e.g. '
                f'{sorted(state)[:5]}.{hint}')
    else:
        if not prefix.endswith('.'):
            prefix += '.'
        picked = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        if not picked:
            hint = hint or ' Set init_cfg.prefix to the part before the backbone keys.'
            raise ValueError(
                f"{checkpoint}: no key starts with prefix {prefix!r}. Expected keys like "
                f"{[prefix + k for k in list(expected)[:3]]}; the file has e.g. "
                f"{sorted(state)[:5]}.{hint}")
    shown = prefix or ''
    missing = [k for k in expected if k not in picked and not k.startswith(allow_missing)]
    unexpected = [k for k in picked if k not in expected]
    wrong = [f'{k}: file {tuple(picked[k].shape)} vs model {tuple(expected[k].shape)}'
             for k in expected if k in picked and picked[k].shape != expected[k].shape]
    if missing or wrong:
        raise ValueError(
            f'{checkpoint} (prefix {prefix!r}) does not fit the model: '
            f'{len(missing)} missing keys, e.g. {[shown + k for k in missing[:5]]}; '
            f'{len(unexpected)} unexpected, e.g. {[shown + k for k in unexpected[:5]]}; '
            f'shape mismatches: {wrong[:5]}. Was it exported from the same arch?{hint}')
    module.load_state_dict({k: v for k, v in picked.items() if k in expected}, strict=False)
