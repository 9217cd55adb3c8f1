"""BN recalibration: re-estimate BN running statistics of the current net.

Used after AtomNAS shrinking (docs/methods/atomnas.md#bn-recalibration-after-a-shrink)
and before evaluating any AttentiveNAS subnet (64 batches,
docs/methods/attentivenas.md#bn-recalibration). A plain function: no
monkeypatching, no class flags; every BN's momentum is restored even when a
forward raises.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


@torch.no_grad()
def recalibrate_bn(model: nn.Module, batches: Iterable, num_batches: int,
                   forward: Optional[Callable[[nn.Module, object], object]] = None) -> int:
    """Reset BN statistics and re-estimate them over ``num_batches`` batches.

    Running stats become the cumulative (equal-weight) average over the
    batches (``momentum=None``), in train mode under ``no_grad``; the model's
    train/eval mode and each BN's momentum are restored afterwards.

    Args:
        model: The network (its BN layers are recalibrated).
        batches: Iterable of inputs (tensors, or whatever ``forward`` takes).
        num_batches (int): How many batches to use (must be >= 1).
        forward: ``forward(model, batch)``; defaults to ``model(batch)``.

    Returns:
        int: The number of batches actually used.
    """
    if num_batches < 1:
        raise ValueError(f'num_batches: must be >= 1, got {num_batches}')
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm) and m.track_running_stats]
    momenta = [bn.momentum for bn in bns]
    was_training = model.training
    used = 0
    try:
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None
        model.train()
        for batch in batches:
            if used >= num_batches:
                break
            forward(model, batch) if forward is not None else model(batch)
            used += 1
    finally:
        for bn, m in zip(bns, momenta):
            bn.momentum = m
        model.train(was_training)
    if used == 0:
        raise ValueError('batches: no batch to recalibrate BN with')
    return used
