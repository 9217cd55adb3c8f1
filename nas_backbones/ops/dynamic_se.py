"""Dynamic squeeze-and-excitation of the AttentiveNAS supernet (hidden =
make_divisible(mid / 4, 8), ReLU, hard-sigmoid gate;
docs/methods/attentivenas.md#block-rules)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .dynamic_conv import DynamicConv2d
from .layers import SqueezeExcite


class DynamicSqueezeExcite(nn.Module):
    """SE over the first ``x.shape[1]`` channels with ``hidden`` bottleneck channels.

    The reduce/expand 1x1 convs are stored as convs (so ``to_static`` gives the
    static ``SqueezeExcite``), but run as linear layers on the pooled vector:
    the same maths without a conv call on a 1x1 map.

    Args:
        max_channels (int): Channels of the max-size gated tensor.
        max_hidden (int): Bottleneck of the max-size layer.
    """

    def __init__(self, max_channels: int, max_hidden: int):
        super().__init__()
        self.reduce = DynamicConv2d(max_channels, max_hidden, 1, bias=True)
        self.expand = DynamicConv2d(max_hidden, max_channels, 1, bias=True)

    def active_params(self, channels: int, hidden: int) -> tuple[torch.Tensor, ...]:
        """(reduce weight, reduce bias, expand weight, expand bias) views."""
        rw, rb = self.reduce.active_params(channels, hidden)
        ew, eb = self.expand.active_params(hidden, channels)
        return rw, rb, ew, eb

    def forward(self, x: torch.Tensor, hidden: int) -> torch.Tensor:
        rw, rb, ew, eb = self.active_params(x.shape[1], hidden)
        s = x.mean((2, 3))  # keeps the batch dim even at batch 1 (no squeeze())
        s = F.relu(F.linear(s, rw[:, :, 0, 0], rb), inplace=True)
        gate = F.hardsigmoid(F.linear(s, ew[:, :, 0, 0], eb))
        return x * gate[:, :, None, None]

    def to_static(self, channels: int, hidden: int) -> SqueezeExcite:
        se = SqueezeExcite(channels, hidden, 'relu', 'hsigmoid')
        se.reduce = self.reduce.to_static(channels, hidden)
        se.expand = self.expand.to_static(hidden, channels)
        return se
