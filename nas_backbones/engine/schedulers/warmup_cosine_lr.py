"""The AttentiveNAS authors' learning-rate schedule, ``WarmupCosineLR``.

facebookresearch/AttentiveNAS solver/lr_scheduler.py (lines 26-32, 113-122),
stepped every iteration (train_attentive_nas.py line 344)::

    lr(t) = base_lr * w(t) * 0.5 * (1 + cos(pi * t / T))
    w(t)  = warmup_factor * (1 - t / W) + t / W   for t < W, else 1

with ``W`` the warm-up iterations (5 epochs) and ``T`` all iterations
(360 epochs): the warm-up factor multiplies a cosine that already runs from
iteration 0. mmengine's LinearLR + CosineAnnealingLR cannot give this
exactly: chaining them over the same steps reaches the full factor one step
early (LinearLR's ``end - begin - 1``), and a cosine after the warm-up starts
it late. This scheduler computes the closed form.
"""
from __future__ import annotations

import math
from typing import Optional

from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler

from ...registry import PARAM_SCHEDULERS


@PARAM_SCHEDULERS.register_module()
class WarmupCosineParamScheduler(_ParamScheduler):
    """``value = base * w(t) * (1 + cos(pi * t / T_max)) / 2``, ``t`` counted
    from ``begin``; ``w`` rises linearly from ``warmup_factor`` at ``t = 0``
    to 1 at ``t = warmup_length`` (in the scheduler's unit: epochs with
    ``by_epoch=True``, iterations after ``convert_to_iter_based``).

    Args:
        optimizer: Wrapped optimizer.
        param_name (str): Parameter to schedule, e.g. 'lr'.
        warmup_factor (float): Factor at ``t = 0``. Defaults to 0.001.
        warmup_length (int | float): Warm-up length. Defaults to 0 (none).
        T_max (int | float, optional): Cosine period; defaults to ``end - begin``.
        begin (int): Defaults to 0.
        end (int): Defaults to INF (then ``T_max`` is required).
        last_step (int): Defaults to -1.
        by_epoch (bool): Defaults to True.
        verbose (bool): Defaults to False.
    """

    def __init__(self, optimizer, param_name: str, warmup_factor: float = 0.001,
                 warmup_length: float = 0, T_max: Optional[float] = None, begin: int = 0,
                 end: int = INF, last_step: int = -1, by_epoch: bool = True,
                 verbose: bool = False):
        if not 0.0 <= warmup_factor <= 1.0:
            raise ValueError(f'warmup_factor: must be in [0, 1], got {warmup_factor}')
        if warmup_length < 0:
            raise ValueError(f'warmup_length: must be >= 0, got {warmup_length}')
        if T_max is None and end == INF:
            raise ValueError('T_max: required when end is not set')
        self.warmup_factor, self.warmup_length = warmup_factor, warmup_length
        self.T_max = T_max if T_max is not None else end - begin
        if self.T_max <= 0:
            raise ValueError(f'T_max: must be > 0, got {self.T_max}')
        super().__init__(optimizer, param_name=param_name, begin=begin, end=end,
                         last_step=last_step, by_epoch=by_epoch, verbose=verbose)

    @classmethod
    def build_iter_from_epoch(cls, *args, warmup_length: float = 0, T_max=None, begin=0,
                              end=INF, by_epoch=True, epoch_length=None, **kwargs):
        """Build an iter-based instance from an epoch-based config."""
        if not by_epoch:
            raise ValueError('convert_to_iter_based: needs by_epoch=True')
        if not epoch_length or epoch_length <= 0:
            raise ValueError(f'epoch_length: must be a positive int, got {epoch_length}')
        return cls(*args, warmup_length=warmup_length * epoch_length,
                   T_max=None if T_max is None else T_max * epoch_length,
                   begin=int(begin * epoch_length),
                   end=INF if end == INF else int(end * epoch_length),
                   by_epoch=False, **kwargs)

    def factor(self, t: int) -> float:
        """``w(t) * (1 + cos(pi * t / T_max)) / 2``."""
        w = 1.0
        if t < self.warmup_length:
            alpha = t / self.warmup_length
            w = self.warmup_factor * (1.0 - alpha) + alpha
        return w * 0.5 * (1.0 + math.cos(math.pi * t / self.T_max))

    def _get_value(self) -> list:
        f = self.factor(self.last_step)
        return [base * f for base in self.base_values]


@PARAM_SCHEDULERS.register_module()
class WarmupCosineLR(LRSchedulerMixin, WarmupCosineParamScheduler):
    """``WarmupCosineParamScheduler`` of the learning rate (the AttentiveNAS
    authors' ``WarmupCosineLR``)."""
