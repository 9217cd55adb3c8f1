"""Loading pretrained / exported weights into a backbone: weights-only, and
loud about key mismatches (wrong prefixes are the most common complaint with
NAS backbones in mmdet)."""
from __future__ import annotations

from pathlib import Path
from typing import Union

import torch
import torch.nn as nn


def read_weights(checkpoint: Union[str, Path]) -> dict[str, torch.Tensor]:
    """The state dict of an exported / published checkpoint, loaded with
    ``weights_only=True`` (no code from the file runs)."""
    path = Path(checkpoint)
    if not path.is_file():
        raise FileNotFoundError(f'init_cfg.checkpoint: file not found: {path}')
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # torch raises UnpicklingError or RuntimeError subclasses
        raise ValueError(
            f'{path}: not a weights-only checkpoint ({e.__class__.__name__}). Training '
            f'checkpoints carry optimizer and message-hub state; strip them first with '
            f'`python tools/publish_model.py {path} OUT.pth`.') from None
    if isinstance(ckpt, dict) and 'state_dict' in ckpt:
        ckpt = ckpt['state_dict']
    if not isinstance(ckpt, dict):
        raise ValueError(f'{path}: expected a state dict, got {type(ckpt).__name__}')
    return ckpt


def load_pretrained(module: nn.Module, checkpoint: Union[str, Path], prefix: str = 'backbone.',
                    allow_missing: tuple[str, ...] = ()) -> None:
    """Load the ``prefix``-ed entries of ``checkpoint`` into ``module``.

    Every parameter and buffer of ``module`` must be found (``allow_missing``
    lists name prefixes that may be absent) and shapes must agree; otherwise
    a ValueError says which keys were expected and which the file has.
    """
    state = read_weights(checkpoint)
    picked = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)} if prefix \
        else dict(state)
    expected = module.state_dict()
    sample_have = sorted(state)[:5]
    if not picked:
        raise ValueError(
            f"{checkpoint}: no key starts with prefix {prefix!r}. Expected keys like "
            f"{[prefix + k for k in list(expected)[:3]]}; the file has e.g. {sample_have}. "
            f"Set init_cfg.prefix to the part before 'stem.' / 'blocks.' in the file.")
    missing = [k for k in expected if k not in picked and not k.startswith(allow_missing)]
    unexpected = [k for k in picked if k not in expected]
    wrong = [f'{k}: file {tuple(picked[k].shape)} vs model {tuple(expected[k].shape)}'
             for k in expected if k in picked and picked[k].shape != expected[k].shape]
    if missing or wrong:
        raise ValueError(
            f'{checkpoint} (prefix {prefix!r}) does not fit the model: '
            f'{len(missing)} missing keys, e.g. {[prefix + k for k in missing[:5]]}; '
            f'{len(unexpected)} unexpected, e.g. {[prefix + k for k in unexpected[:5]]}; '
            f'shape mismatches: {wrong[:5]}. Was it exported from the same arch?')
    module.load_state_dict({k: v for k, v in picked.items() if k in expected}, strict=False)
