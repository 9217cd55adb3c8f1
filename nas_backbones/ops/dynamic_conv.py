"""Dynamic convolutions of the AttentiveNAS weight-sharing supernet
(docs/methods/attentivenas.md#supernet).

Each op owns one max-size ``nn.Conv2d`` and slices it with prefix views in
``active_params()``; ``forward`` and ``to_static()`` both get their weights
there, so the two paths cannot slice differently (mmrazor's DynamicMixin
invariant). Slicing a prefix is a view: no weight is copied per step, and a
choice equal to the max size returns the parameter itself, so the max
subnet runs the very same kernels as a static net.
"""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


def centre_crop(weight: torch.Tensor, kernel_size: int) -> torch.Tensor:
    """The centre ``kernel_size`` x ``kernel_size`` window of a conv weight (a view)."""
    full = weight.shape[-1]
    if kernel_size == full:
        return weight
    if kernel_size > full or (full - kernel_size) % 2:
        raise ValueError(f'kernel_size: {kernel_size} cannot be centre-cropped from {full}')
    start = (full - kernel_size) // 2
    return weight[:, :, start:start + kernel_size, start:start + kernel_size]


def _copy_params(module: nn.Module, weight: torch.Tensor, bias: Optional[torch.Tensor]) -> nn.Module:
    with torch.no_grad():
        module.weight.copy_(weight)
        if bias is not None:
            module.bias.copy_(bias)
    return module


class DynamicConv2d(nn.Module):
    """Conv with first-N input/output channels and a centre-cropped kernel.

    Args:
        max_in_channels (int): Input channels of the max-size layer.
        max_out_channels (int): Output channels of the max-size layer.
        max_kernel_size (int): Largest (odd) kernel. Defaults to 1.
        stride (int): Fixed stride. Defaults to 1.
        bias (bool): Learnable bias (first-N sliced). Defaults to False.
    """

    def __init__(self, max_in_channels: int, max_out_channels: int, max_kernel_size: int = 1,
                 stride: int = 1, bias: bool = False):
        super().__init__()
        self.stride = stride
        self.conv = nn.Conv2d(max_in_channels, max_out_channels, max_kernel_size, stride,
                              max_kernel_size // 2, bias=bias)

    def active_params(self, in_channels: int, out_channels: int,
                      kernel_size: Optional[int] = None) -> tuple[torch.Tensor, Optional[torch.Tensor]]:
        """(weight, bias) views of the subnet layer."""
        w, b = self.conv.weight, self.conv.bias
        if out_channels != w.shape[0] or in_channels != w.shape[1]:
            w = w[:out_channels, :in_channels]
            b = b[:out_channels] if b is not None else None
        if kernel_size is not None:
            w = centre_crop(w, kernel_size)
        return w, b

    def forward(self, x: torch.Tensor, out_channels: int,
                kernel_size: Optional[int] = None) -> torch.Tensor:
        w, b = self.active_params(x.shape[1], out_channels, kernel_size)
        return F.conv2d(x, w, b, self.stride, w.shape[-1] // 2)

    def to_static(self, in_channels: int, out_channels: int,
                  kernel_size: Optional[int] = None) -> nn.Conv2d:
        w, b = self.active_params(in_channels, out_channels, kernel_size)
        k = w.shape[-1]
        conv = nn.Conv2d(in_channels, out_channels, k, self.stride, k // 2, bias=b is not None)
        return _copy_params(conv, w, b)


class DynamicDepthwiseConv2d(nn.Module):
    """Depthwise conv: first-N channels (groups follow) and a centre-cropped kernel.

    Args:
        max_channels (int): Channels of the max-size layer.
        max_kernel_size (int): Largest (odd) kernel.
        stride (int): Fixed stride. Defaults to 1.
    """

    def __init__(self, max_channels: int, max_kernel_size: int, stride: int = 1):
        super().__init__()
        self.stride = stride
        self.conv = nn.Conv2d(max_channels, max_channels, max_kernel_size, stride,
                              max_kernel_size // 2, groups=max_channels, bias=False)

    def active_params(self, channels: int, kernel_size: int) -> tuple[torch.Tensor, None]:
        w = self.conv.weight
        if channels != w.shape[0]:
            w = w[:channels]
        return centre_crop(w, kernel_size), None

    def forward(self, x: torch.Tensor, kernel_size: int) -> torch.Tensor:
        channels = x.shape[1]
        w, _ = self.active_params(channels, kernel_size)
        return F.conv2d(x, w, None, self.stride, kernel_size // 2, 1, channels)

    def to_static(self, channels: int, kernel_size: int) -> nn.Conv2d:
        w, _ = self.active_params(channels, kernel_size)
        conv = nn.Conv2d(channels, channels, kernel_size, self.stride, kernel_size // 2,
                         groups=channels, bias=False)
        return _copy_params(conv, w, None)
