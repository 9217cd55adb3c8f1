"""Small building blocks shared by the static and searchable ops (torch only)."""
from __future__ import annotations

from functools import partial
from typing import Callable, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

ACT_LAYERS = {'relu': nn.ReLU, 'swish': nn.SiLU}

# A norm-layer factory, torchvision/timm style: num_features -> module. The
# mmcv side builds one from ``norm_cfg`` (mmcv's ``build_norm_layer``), so
# BN / SyncBN / GN and their arguments reach every norm layer of a net.
NormLayer = Callable[[int], nn.Module]


def batch_norm(momentum: Optional[float] = 0.1, eps: float = 1e-5) -> NormLayer:
    """The default factory: ``nn.BatchNorm2d`` with a family's momentum/eps."""
    return partial(nn.BatchNorm2d, eps=eps, momentum=momentum)


def count_bn_batch(bn: nn.modules.batchnorm._BatchNorm) -> float:
    """Count one training batch in ``bn.num_batches_tracked`` and return the
    weight its statistics get in the running averages, as
    ``nn.BatchNorm2d.forward`` does: ``momentum``, or ``1 / batches`` when
    ``momentum`` is None (cumulative average, used by BN recalibration).
    For the ops that compute a BN's training forward themselves (on channel
    slices, or folded into a conv)."""
    bn.num_batches_tracked.add_(1)
    return 1.0 / float(bn.num_batches_tracked) if bn.momentum is None else bn.momentum


def make_act(name: str) -> nn.Module:
    """'relu' or 'swish' -> a module; unknown names fail naming the value."""
    try:
        return ACT_LAYERS[name](inplace=True)
    except KeyError:
        raise ValueError(f'act: unknown activation {name!r}; expected one of {sorted(ACT_LAYERS)}') from None


class Hsigmoid(nn.Module):
    """relu6(x + 3) / 6, the AttentiveNAS/MobileNetV3 SE gate."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.hardsigmoid(x)


class ConvBNAct(nn.Sequential):
    """conv (no bias) -> BN -> optional activation, 'same' padding.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Odd kernel size. Defaults to 1.
        stride (int): Defaults to 1.
        groups (int): Defaults to 1 (``in_channels`` for depthwise).
        act (str | None): 'relu', 'swish' or None. Defaults to 'relu'.
        bn_momentum (float): BN momentum (PyTorch convention) of the default
            norm layer. Defaults to 0.1.
        bn_eps (float): BN eps of the default norm layer. Defaults to 1e-5.
        norm_layer (NormLayer, optional): Builds the norm layer from the
            channel count; replaces the default ``nn.BatchNorm2d(bn_eps,
            bn_momentum)``. Defaults to None.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 1, stride: int = 1,
                 groups: int = 1, act: str | None = 'relu', bn_momentum: float = 0.1,
                 bn_eps: float = 1e-5, norm_layer: Optional[NormLayer] = None):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2,
                              groups=groups, bias=False)
        self.bn = (norm_layer or batch_norm(bn_momentum, bn_eps))(out_channels)
        self.act = make_act(act) if act else nn.Identity()


class SqueezeExcite(nn.Module):
    """Global pool -> 1x1 reduce (bias) -> act -> 1x1 expand (bias) -> gate -> scale.

    Args:
        channels (int): Channels of the gated tensor.
        hidden (int): Bottleneck width.
        act (str): Activation between the 1x1 convs.
        gate (str): 'sigmoid' (AtomNAS+) or 'hsigmoid' (AttentiveNAS).
    """

    def __init__(self, channels: int, hidden: int, act: str = 'relu', gate: str = 'sigmoid'):
        super().__init__()
        self.reduce = nn.Conv2d(channels, hidden, 1, bias=True)
        self.act = make_act(act)
        self.expand = nn.Conv2d(hidden, channels, 1, bias=True)
        if gate not in ('sigmoid', 'hsigmoid'):
            raise ValueError(f"gate: expected 'sigmoid' or 'hsigmoid', got {gate!r}")
        self.gate = nn.Sigmoid() if gate == 'sigmoid' else Hsigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Mean over H, W with keepdim works for batch 1 (a squeeze() of the
        # pooled tensor, as the AttentiveNAS authors' head does, drops the
        # batch dim there).
        s = x.mean((2, 3), keepdim=True)
        return x * self.gate(self.expand(self.act(self.reduce(s))))


def drop_path(x: torch.Tensor, rate: float, training: bool) -> torch.Tensor:
    """Per-sample stochastic depth (drop-connect) with rescaling."""
    if rate <= 0.0 or not training:
        return x
    keep = 1.0 - rate
    mask = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(keep)
    return x * mask / keep
