"""Static AttentiveNAS MBConv block: the to_static() target of the dynamic
MBConv, and the block of exported A0-A6 style nets
(docs/methods/attentivenas.md#block-rules)."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import ConvBNAct, NormLayer, SqueezeExcite, drop_path


def shortcut_pool(x: torch.Tensor, stride: int) -> torch.Tensor:
    """The authors' strided-shortcut pooling: ``avg_pool2d(x, stride,
    padding=1 if odd else 0)`` (AttentiveNAS models/modules/static_layers.py
    ShortcutLayer.forward and dynamic_layers.py DynamicShortcutLayer.forward),
    zero padding counted in the mean. At odd sizes its windows start one pixel
    before the map (ceil_mode gives the same shape with other windows). The
    authors test the width only; here each side gets its own padding, which
    equals theirs on square maps and keeps the shape of the strided dw conv on
    non-square ones (detection inputs)."""
    h, w = x.shape[-2:]
    if torch.jit.is_tracing():
        # The TorchScript ONNX exporter traces sizes as tensors and cannot
        # export a computed padding: fix it for the traced input size (export
        # is at a fixed resolution; only the batch may be dynamic).
        h, w = int(h), int(w)
    return F.avg_pool2d(x, stride, padding=(h % 2, w % 2))


class Shortcut(nn.Module):
    """AttentiveNAS shortcut: avg-pool (kernel = stride, see ``shortcut_pool``)
    when strided, then a 1x1 conv (no BN) when the channel counts differ."""

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.stride = stride
        self.conv = (nn.Conv2d(in_channels, out_channels, 1, bias=False)
                     if in_channels != out_channels else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            x = shortcut_pool(x, self.stride)
        return self.conv(x)


class MBConv(nn.Module):
    """[expand 1x1] -> dw kxk -> [SE] -> project 1x1, plus shortcut.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        mid_channels (int): Hidden channels (== in_channels without expansion).
        kernel_size (int): dw kernel size.
        stride (int): dw stride.
        has_expansion (bool): Build the expansion 1x1: all but t == 1 in a
            stage offering no other ratio (``estimators.attentive_block_expansion``).
        se_hidden (int): SE bottleneck; 0 disables SE. Defaults to 0.
        act (str): Defaults to 'swish'.
        drop_path_rate (float): Drop-connect rate of the residual branch.
        bn_momentum (float): Defaults to 0.1.
        bn_eps (float): Defaults to 1e-5.
        norm_layer (NormLayer, optional): Norm-layer factory replacing
            ``nn.BatchNorm2d(bn_eps, bn_momentum)`` (mmcv's ``norm_cfg``).
    """

    def __init__(self, in_channels: int, out_channels: int, mid_channels: int, kernel_size: int,
                 stride: int, has_expansion: bool, se_hidden: int = 0, act: str = 'swish',
                 drop_path_rate: float = 0.0, bn_momentum: float = 0.1, bn_eps: float = 1e-5,
                 norm_layer: Optional[NormLayer] = None):
        super().__init__()
        if not has_expansion and mid_channels != in_channels:
            raise ValueError(f'mid_channels: {mid_channels} != in_channels {in_channels} '
                             f'without expansion')
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.drop_path_rate = drop_path_rate
        bn = dict(bn_momentum=bn_momentum, bn_eps=bn_eps, norm_layer=norm_layer)
        self.expand = (ConvBNAct(in_channels, mid_channels, 1, act=act, **bn)
                       if has_expansion else nn.Identity())
        self.dw = ConvBNAct(mid_channels, mid_channels, kernel_size, stride, groups=mid_channels,
                            act=act, **bn)
        self.se = (SqueezeExcite(mid_channels, se_hidden, 'relu', 'hsigmoid')
                   if se_hidden > 0 else nn.Identity())
        self.project = ConvBNAct(mid_channels, out_channels, 1, act=None, **bn)
        self.identity_shortcut = stride == 1 and in_channels == out_channels
        self.shortcut = (nn.Identity() if self.identity_shortcut
                         else Shortcut(in_channels, out_channels, stride))

    @property
    def last_bn(self) -> nn.BatchNorm2d:
        """The residual branch's last BN (the authors zero its gamma at init)."""
        return self.project.bn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.project(self.se(self.dw(self.expand(x))))
        # As the published MobileInvertedResidualBlock: drop-connect only where
        # the shortcut is the identity (same channels, no pooling), and only
        # the last two stages get a rate (build_attentive_net).
        if self.identity_shortcut:
            h = drop_path(h, self.drop_path_rate, self.training)
        return h + self.shortcut(x)
