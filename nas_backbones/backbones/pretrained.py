"""Loading pretrained / exported weights into a backbone: through mmengine's
``CheckpointLoader`` (local paths and every URL scheme it knows: http(s)://,
torchvision://, open-mmlab://, mmcls://, s3://, ...), weights-only, and loud
about key mismatches (wrong prefixes are the most common complaint with NAS
backbones in mmdet).

Why a context for weights-only: mmengine's loaders call ``torch.load``
without ``weights_only`` (local files: torch's default, restricted since
torch 2.6 but switched off by ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``) or go
through ``torch.hub.load_state_dict_from_url``, which passes
``weights_only=False`` (URLs). ``TORCH_FORCE_WEIGHTS_ONLY_LOAD=1`` makes
torch use its restricted unpickler in every one of those calls, so no file
runs code whatever scheme it comes from; mmengine training checkpoints still
load (``engine.checkpoint.allow_run_checkpoints`` names the plain-data types
they hold).
"""
from __future__ import annotations

import contextlib
import os
import pickle
import re
from pathlib import Path
from typing import Iterator, Optional, Union

import torch
import torch.nn as nn
from mmengine.runner.checkpoint import CheckpointLoader

from ..engine.checkpoint import allow_run_checkpoints

_FORCE, _FORCE_NO = 'TORCH_FORCE_WEIGHTS_ONLY_LOAD', 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'


@contextlib.contextmanager
def weights_only_loads() -> Iterator[None]:
    """Within the block every ``torch.load`` uses the restricted unpickler
    (also where the caller passes ``weights_only=False``)."""
    saved = {k: os.environ.pop(k, None) for k in (_FORCE, _FORCE_NO)}
    os.environ[_FORCE] = '1'
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def read_weights(checkpoint: Union[str, Path], map_location: str = 'cpu') -> dict[str, torch.Tensor]:
    """The state dict of a checkpoint (exported, published or an mmengine
    training checkpoint), read through mmengine's ``CheckpointLoader`` with
    torch's weights-only unpickler (no code from the file runs).

    Args:
        checkpoint (str | Path): Local path or URL (any scheme of
            ``CheckpointLoader``).
        map_location (str): As for ``torch.load``. Defaults to 'cpu'.
    """
    name = str(checkpoint)
    try:
        with weights_only_loads(), allow_run_checkpoints():
            ckpt = CheckpointLoader.load_checkpoint(name, map_location=map_location)
    except FileNotFoundError:
        raise FileNotFoundError(f'init_cfg.checkpoint: file not found: {name}') from None
    except pickle.UnpicklingError as e:  # the restricted unpickler refused a global
        raise ValueError(f'{name}: not a weights-only checkpoint (it pickles code or objects '
                         f'other than tensors and plain data): {str(e).splitlines()[0]}') from None
    if isinstance(ckpt, dict) and 'state_dict' in ckpt:
        ckpt = ckpt['state_dict']
    if not isinstance(ckpt, dict):
        raise ValueError(f'{name}: expected a state dict, got {type(ckpt).__name__}')
    return ckpt


def _guess_prefix(state: dict, expected: dict) -> Optional[str]:
    """The prefix under which the file holds the module's keys, if any."""
    first = next(iter(expected), None)
    found = sorted({k[:-len(first)] for k in state if first and k.endswith(first)}, key=len)
    return found[0] if found else None


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
    state = read_weights(checkpoint, map_location)
    expected = module.state_dict()
    guess = _guess_prefix(state, expected)
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
