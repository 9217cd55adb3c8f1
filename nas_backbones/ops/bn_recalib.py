"""BN recalibration: re-estimate BN running statistics of the current net.

Used after AtomNAS shrinking (docs/methods/atomnas.md#bn-recalibration-after-a-shrink),
before every AtomNAS evaluation (``BNCalibrationHook``) and before evaluating
any AttentiveNAS subnet (64 batches, docs/methods/attentivenas.md#bn-recalibration).
A plain function: no monkeypatching, no class flags; every BN's momentum is
restored even when a forward raises. In a distributed run each rank estimates the statistics on its own batches and they are then
averaged over the ranks, so that every rank evaluates the same net.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


@torch.no_grad()
def average_bn_stats_over_ranks(model: nn.Module) -> None:
    """Average every BN's running mean and variance over the ranks of the
    default process group, in place (no-op outside a distributed run), as
    the AtomNAS authors do after their calibration (``udist.allreduce_bn``).
    One all-reduce per device and dtype."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return
    groups: dict = {}
    for m in model.modules():
        if isinstance(m, _BatchNorm) and m.track_running_stats:
            for t in (m.running_mean, m.running_var):
                if t is not None:
                    groups.setdefault((t.device, t.dtype), []).append(t)
    for tensors in groups.values():
        flat = torch.cat([t.reshape(-1) for t in tensors])
        dist.all_reduce(flat)
        flat.div_(dist.get_world_size())
        for t, value in zip(tensors, flat.split([t.numel() for t in tensors])):
            t.copy_(value.view_as(t))


@torch.no_grad()
def recalibrate_bn(model: nn.Module, batches: Iterable, num_batches: int,
                   forward: Optional[Callable[[nn.Module, object], object]] = None,
                   average_over_ranks: bool = True) -> int:
    """Reset BN statistics and re-estimate them over ``num_batches`` batches.

    Running stats become the cumulative (equal-weight) average over the
    batches (``momentum=None``), in train mode under ``no_grad``, then the
    average over the ranks of a distributed run (every rank must call it);
    the model's train/eval mode and each BN's momentum are restored
    afterwards.

    Args:
        model: The network (its BN layers are recalibrated).
        batches: Iterable of inputs (tensors, or whatever ``forward`` takes).
        num_batches (int): How many batches to use (must be >= 1).
        forward: ``forward(model, batch)``; defaults to ``model(batch)``.
        average_over_ranks (bool): Average the statistics over the ranks
            (:func:`average_bn_stats_over_ranks`). Defaults to True.

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
    if average_over_ranks:
        average_bn_stats_over_ranks(model)
    return used
