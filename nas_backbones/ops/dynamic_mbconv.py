"""Dynamic conv-BN-act, shortcut and MBConv block of the AttentiveNAS supernet.

A block is told its subnet choice as an argument (``BlockChoice``, computed
once per arch by the supernet's ``set_arch``); nothing is written into the
modules between forwards. ``to_static`` returns the static ``ConvBNAct`` /
``Shortcut`` / ``MBConv`` of ``nas_backbones.ops`` with identical eval outputs.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .dynamic_bn import DynamicBatchNorm2d
from .dynamic_conv import DynamicConv2d, DynamicDepthwiseConv2d
from .dynamic_se import DynamicSqueezeExcite
from .layers import ConvBNAct, drop_path
from .mbconv import MBConv, Shortcut, shortcut_pool


def _act(x: torch.Tensor, act: Optional[str]) -> torch.Tensor:
    if act == 'swish':
        return F.silu(x, inplace=True)
    if act == 'relu':
        return F.relu(x, inplace=True)
    return x


class DynamicConvBNAct(nn.Module):
    """conv (or depthwise conv) -> dynamic BN -> activation.

    Args:
        max_in_channels (int): Input channels of the max-size layer.
        max_out_channels (int): Output channels (== input for depthwise).
        max_kernel_size (int): Largest kernel. Defaults to 1.
        stride (int): Defaults to 1.
        depthwise (bool): Depthwise conv. Defaults to False.
        act (str | None): 'swish', 'relu' or None. Defaults to 'swish'.
        bn_momentum (float | None): Defaults to 0 (frozen statistics during
            supernet training, docs/methods/attentivenas.md#supernet).
        bn_eps (float): Defaults to 1e-5.
    """

    def __init__(self, max_in_channels: int, max_out_channels: int, max_kernel_size: int = 1,
                 stride: int = 1, depthwise: bool = False, act: Optional[str] = 'swish',
                 bn_momentum: Optional[float] = 0.0, bn_eps: float = 1e-5):
        super().__init__()
        if act not in ('swish', 'relu', None):
            raise ValueError(f"act: expected 'swish', 'relu' or None, got {act!r}")
        self.depthwise, self.act, self.stride = depthwise, act, stride
        self.conv = (DynamicDepthwiseConv2d(max_in_channels, max_kernel_size, stride) if depthwise
                     else DynamicConv2d(max_in_channels, max_out_channels, max_kernel_size, stride))
        self.bn = DynamicBatchNorm2d(max_out_channels, bn_eps, bn_momentum)

    def forward(self, x: torch.Tensor, out_channels: int, kernel_size: Optional[int] = None):
        if self.depthwise:
            x = self.conv(x, kernel_size)
        else:
            x = self.conv(x, out_channels, kernel_size)
        return _act(self.bn(x), self.act)

    def to_static(self, in_channels: int, out_channels: int, kernel_size: Optional[int] = None,
                  bn_momentum: Optional[float] = None) -> ConvBNAct:
        k = kernel_size or self.conv.conv.kernel_size[0]
        groups = in_channels if self.depthwise else 1
        static = ConvBNAct(in_channels, out_channels, k, self.stride, groups=groups, act=self.act,
                           bn_eps=self.bn.bn.eps)
        static.conv = (self.conv.to_static(in_channels, k) if self.depthwise
                       else self.conv.to_static(in_channels, out_channels, k))
        static.bn = self.bn.to_static(out_channels, bn_momentum)
        return static


class BlockChoice(NamedTuple):
    """One block's subnet choice (all derived from the arch by the supernet).

    ``expand=False`` (and ``mid_channels == in_channels``) only for t == 1 in
    a stage offering no other ratio (``estimators.attentive_block_expansion``);
    ``se_hidden`` is 0 without SE; ``identity`` = stride 1 and in == out.
    """
    in_channels: int
    out_channels: int
    mid_channels: int
    kernel_size: int
    expand: bool
    se_hidden: int
    identity: bool
    drop_path_rate: float = 0.0


class DynamicMBConv(nn.Module):
    """expand 1x1 -> dw kxk -> [SE] -> project 1x1, plus the AttentiveNAS shortcut:
    identity when stride 1 and channels match, else avg-pool (kernel = stride)
    when strided and a 1x1 conv when the channels differ.

    Args:
        max_in_channels (int): Largest input width.
        max_out_channels (int): Largest output width.
        max_mid_channels (int): Largest hidden width.
        max_kernel_size (int): Largest dw kernel.
        stride (int): dw stride.
        has_expansion (bool): Build the expand conv (the stage offers a t != 1).
        max_se_hidden (int): SE bottleneck of the max block; 0 = no SE.
        needs_shortcut_conv (bool): Some choice has in != out channels.
        bn_momentum (float | None): Defaults to 0.
        bn_eps (float): Defaults to 1e-5.
    """

    def __init__(self, max_in_channels: int, max_out_channels: int, max_mid_channels: int,
                 max_kernel_size: int, stride: int, has_expansion: bool, max_se_hidden: int = 0,
                 needs_shortcut_conv: bool = False, bn_momentum: Optional[float] = 0.0,
                 bn_eps: float = 1e-5):
        super().__init__()
        self.stride = stride
        bn = dict(bn_momentum=bn_momentum, bn_eps=bn_eps)
        self.expand = (DynamicConvBNAct(max_in_channels, max_mid_channels, 1, **bn)
                       if has_expansion else None)
        self.dw = DynamicConvBNAct(max_mid_channels, max_mid_channels, max_kernel_size, stride,
                                   depthwise=True, **bn)
        self.se = DynamicSqueezeExcite(max_mid_channels, max_se_hidden) if max_se_hidden else None
        self.project = DynamicConvBNAct(max_mid_channels, max_out_channels, 1, act=None, **bn)
        self.shortcut_conv = (DynamicConv2d(max_in_channels, max_out_channels, 1)
                              if needs_shortcut_conv else None)

    @property
    def last_bn(self) -> nn.BatchNorm2d:
        """The residual branch's last BN (the authors zero its gamma at init)."""
        return self.project.bn.bn

    def shortcut(self, x: torch.Tensor, choice: BlockChoice) -> torch.Tensor:
        if choice.identity:
            return x
        if self.stride > 1:
            x = shortcut_pool(x, self.stride)
        if choice.in_channels != choice.out_channels:
            x = self.shortcut_conv(x, choice.out_channels)
        return x

    def forward(self, x: torch.Tensor, choice: BlockChoice) -> torch.Tensor:
        h = self.expand(x, choice.mid_channels) if choice.expand else x
        h = self.dw(h, choice.mid_channels, choice.kernel_size)
        if choice.se_hidden:
            h = self.se(h, choice.se_hidden)
        h = self.project(h, choice.out_channels)
        if choice.drop_path_rate > 0.0 and self.training:
            h = drop_path(h, choice.drop_path_rate, True)
        return h + self.shortcut(x, choice)

    def to_static(self, choice: BlockChoice, bn_momentum: Optional[float] = None) -> MBConv:
        c = choice
        static = MBConv(c.in_channels, c.out_channels, c.mid_channels, c.kernel_size, self.stride,
                        has_expansion=c.expand, se_hidden=c.se_hidden, act='swish',
                        bn_eps=self.dw.bn.bn.eps)
        if c.expand:
            static.expand = self.expand.to_static(c.in_channels, c.mid_channels,
                                                  bn_momentum=bn_momentum)
        static.dw = self.dw.to_static(c.mid_channels, c.mid_channels, c.kernel_size,
                                      bn_momentum=bn_momentum)
        if c.se_hidden:
            static.se = self.se.to_static(c.mid_channels, c.se_hidden)
        static.project = self.project.to_static(c.mid_channels, c.out_channels,
                                                bn_momentum=bn_momentum)
        if isinstance(static.shortcut, Shortcut) and c.in_channels != c.out_channels:
            static.shortcut.conv = self.shortcut_conv.to_static(c.in_channels, c.out_channels)
        return static
