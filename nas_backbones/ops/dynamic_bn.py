"""Dynamic BatchNorm: the first-N affine parameters and running statistics
of one max-size ``nn.BatchNorm2d`` (docs/methods/attentivenas.md#supernet)."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import count_bn_batch


class DynamicBatchNorm2d(nn.Module):
    """BN over the first ``x.shape[1]`` channels of a max-size BN.

    The inner ``bn`` is a real ``nn.BatchNorm2d``, so ``recalibrate_bn`` (which
    sets ``momentum=None`` on every ``_BatchNorm``) works unchanged: the first-N
    statistics are updated in place through views.

    Args:
        max_channels (int): Channels of the max-size layer.
        eps (float): Defaults to 1e-5.
        momentum (float | None): PyTorch convention. AttentiveNAS trains the
            supernet with 0 (statistics frozen; every subnet is recalibrated
            before evaluation). Defaults to 0.
    """

    def __init__(self, max_channels: int, eps: float = 1e-5, momentum: Optional[float] = 0.0):
        super().__init__()
        self.bn = nn.BatchNorm2d(max_channels, eps=eps, momentum=momentum)

    def active_params(self, channels: int) -> tuple[torch.Tensor, ...]:
        """(weight, bias, running_mean, running_var) views of the first ``channels``."""
        bn = self.bn
        if channels == bn.num_features:
            return bn.weight, bn.bias, bn.running_mean, bn.running_var
        return (bn.weight[:channels], bn.bias[:channels], bn.running_mean[:channels],
                bn.running_var[:channels])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bn = self.bn
        weight, bias, mean, var = self.active_params(x.shape[1])
        if not bn.training:
            return F.batch_norm(x, mean, var, weight, bias, False, 0.0, bn.eps)
        if bn.momentum == 0.0:
            # Statistics are frozen: skip the (no-op) in-place running update.
            return F.batch_norm(x, None, None, weight, bias, True, 0.0, bn.eps)
        return F.batch_norm(x, mean, var, weight, bias, True, count_bn_batch(bn), bn.eps)

    def to_static(self, channels: int, momentum: Optional[float] = None) -> nn.BatchNorm2d:
        """A standalone BN with the first ``channels`` parameters and statistics.

        Args:
            channels (int): Active channels.
            momentum (float, optional): Momentum of the static BN; defaults to
                this op's momentum.
        """
        weight, bias, mean, var = self.active_params(channels)
        static = nn.BatchNorm2d(channels, eps=self.bn.eps,
                                momentum=self.bn.momentum if momentum is None else momentum)
        with torch.no_grad():
            static.weight.copy_(weight)
            static.bias.copy_(bias)
            static.running_mean.copy_(mean)
            static.running_var.copy_(var)
            static.num_batches_tracked.copy_(self.bn.num_batches_tracked)
        return static
