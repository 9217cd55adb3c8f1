"""Static feature extractors built from an arch: stem -> blocks -> head 1x1.

``StaticNet`` is shared by the mmpretrain/mmdet backbone, the AtomNAS
supernet (an AtomNAS net with every atom present) and the AttentiveNAS
export. Module names match the estimator's per-layer rows
(``stem``, ``blocks.{i}``, ``head``).
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Optional, Union

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp

from ..arch import (AtomNetArch, AttentiveArch, AttentiveSpace, atomnas_block_configs,
                    attentive_layout, attentive_stage_blocks, head_channels)
from ..arch.blocks import ATOMNAS_STEM_STRIDE
from .atomic_block import AtomicBlock
from .dynamic_mbconv import DynamicMBConv
from .layers import ConvBNAct, NormLayer, batch_norm
from .mbconv import MBConv

# BN settings of each family, the authors': AtomNAS momentum 0.01 / eps 1e-3;
# AttentiveNAS static nets 0.1 / 1e-5 (its supernet trains with momentum 0).
BN_DEFAULTS = {'atomnas': dict(bn_momentum=0.01, bn_eps=1e-3),
               'attentivenas': dict(bn_momentum=0.1, bn_eps=1e-5)}


@dataclass(frozen=True)
class StageInfo:
    """Output of one stage, known without a forward (like detectron2's ShapeSpec)."""
    channels: int
    stride: int
    last_block: int


class StaticNet(nn.Module):
    """stem conv -> blocks -> head 1x1 conv; ``stages`` say where each stage ends.

    Index ``len(stages)`` in ``out_indices`` terms is the head conv output.
    """

    def __init__(self, stem: nn.Module, blocks: list[nn.Module], head: nn.Module,
                 stages: list[StageInfo], head_channels: int, weight_init: str = 'mobilenet'):
        super().__init__()
        self.stem = stem
        self.blocks = nn.Sequential(*blocks)
        self.head = head
        self.stages = stages
        self.head_channels = head_channels
        init_weights(self, weight_init)

    def out_channels(self) -> list[int]:
        """Channels of each out index: the stages, then the head conv."""
        return [s.channels for s in self.stages] + [self.head_channels]

    def out_strides(self) -> list[int]:
        return [s.stride for s in self.stages] + [self.stages[-1].stride]

    def forward_features(self, x: torch.Tensor, out_indices=None) -> list[torch.Tensor]:
        """Features at ``out_indices`` (default: the head output only)."""
        return forward_stages(self, x, out_indices)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)[-1]


def forward_stages(net: nn.Module, x: torch.Tensor, out_indices=None,
                   with_cp: bool = False) -> list[torch.Tensor]:
    """Run ``net.stem``, ``net.blocks`` stage by stage and ``net.head``;
    return the outputs at ``out_indices`` (default: the head only), in index
    order. Shared by StaticNet and the mmpretrain backbone, which owns the
    same children. ``with_cp`` runs each block under
    :func:`checkpoint_block` when autograd records (mmpretrain's
    ``with_cp``: activation memory for compute)."""
    n = len(net.stages)
    out_indices = (n,) if out_indices is None else tuple(out_indices)
    run = checkpoint_block if with_cp and torch.is_grad_enabled() else (lambda m, h: m(h))
    outs, start = [], 0
    x = net.stem(x)
    for i, st in enumerate(net.stages):
        for b in range(start, st.last_block + 1):
            x = run(net.blocks[b], x)
        start = st.last_block + 1
        if i in out_indices:
            outs.append(x)
    if n in out_indices:
        outs.append(net.head(x))
    return outs


class _KeepRunningStats:
    """Context of a checkpointed block's recomputation: the recomputed
    forward updates BN running statistics (and ``num_batches_tracked``) a
    second time; restore them to what the first forward left."""

    def __init__(self, block: nn.Module):
        self.bns = [m for m in block.modules()
                    if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training
                    and m.track_running_stats]

    def __enter__(self):
        self.saved = [[b.clone() for b in (m.running_mean, m.running_var, m.num_batches_tracked)]
                      for m in self.bns]

    def __exit__(self, *exc):
        with torch.no_grad():
            for m, saved in zip(self.bns, self.saved):
                for buf, value in zip((m.running_mean, m.running_var, m.num_batches_tracked),
                                      saved):
                    buf.copy_(value)
        return False


def checkpoint_block(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``block(x)`` under ``torch.utils.checkpoint`` (non-reentrant, RNG
    state preserved: drop-path draws the same mask): outputs, gradients and
    BN running statistics as without it."""
    return cp.checkpoint(block, x, use_reentrant=False,
                         context_fn=lambda: (contextlib.nullcontext(), _KeepRunningStats(block)))


def _init_layers(module: nn.Module, conv_weight, linear_weight) -> None:
    """Module by module: conv and linear weights by the scheme's functions,
    their biases 0, BN weight 1 and bias 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            (conv_weight if isinstance(m, nn.Conv2d) else linear_weight)(m)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def _init_mobilenet(module: nn.Module) -> None:
    """MobileNet init (as torchvision): conv kaiming fan-out, BN 1/0, linear N(0, 0.01)."""
    _init_layers(module, lambda m: nn.init.kaiming_normal_(m.weight, mode='fan_out'),
                 lambda m: nn.init.normal_(m.weight, 0, 0.01))


def _init_mnas(module: nn.Module) -> None:
    """The AtomNAS authors' "mnas" init (meijieru/AtomNAS
    models/mobilenet_base.py L440-459, ``reset_param_method: mnas`` for the
    supernet and the retrained nets): conv N(0, sqrt(2 / fan_out)) with
    fan_out = k*k for a depthwise conv (``groups == in_channels``) and
    out_channels*k*k otherwise, bias 0; BN 1/0; linear U(+-1/sqrt(out_features)),
    bias 0."""
    def conv(m: nn.Conv2d) -> None:
        fan_out = m.weight[0][0].numel() if m.groups == m.in_channels \
            else m.weight.shape[0] * m.weight[0][0].numel()
        nn.init.normal_(m.weight, 0.0, nn.init.calculate_gain('relu') / math.sqrt(fan_out))

    def linear(m: nn.Linear) -> None:
        bound = 1.0 / math.sqrt(m.out_features)
        nn.init.uniform_(m.weight, -bound, bound)

    _init_layers(module, conv, linear)


def _init_attentivenas(module: nn.Module) -> None:
    """The AttentiveNAS authors' init: PyTorch's default init of every conv,
    BN and linear (their code calls no init: models/modules/nn_base.py's
    ``init_model`` is never used), then the last BN gamma of every MBConv
    block zeroed (``zero_residual_block_bn_weights``,
    models/attentive_nas_dynamic_model.py lines 121, 128-133: every block has
    a shortcut there), so each block starts as its shortcut."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear, nn.BatchNorm2d)):
            m.reset_parameters()
    for m in module.modules():
        if isinstance(m, (MBConv, DynamicMBConv)):
            nn.init.zeros_(m.last_bn.weight)


# Weight init of the built nets, by name; the family defaults are the
# authors' (FAMILY_INIT). One dispatch point for every builder.
INIT_SCHEMES = {'mobilenet': _init_mobilenet, 'mnas': _init_mnas,
                'attentivenas': _init_attentivenas}
FAMILY_INIT = {'atomnas': 'mnas', 'attentivenas': 'attentivenas'}


def init_weights(module: nn.Module, scheme: str = 'mobilenet') -> None:
    """Initialise ``module``'s conv / BN / linear layers with ``scheme``
    ('mobilenet': torchvision's MobileNet init; 'mnas': the AtomNAS authors';
    'attentivenas': the AttentiveNAS authors')."""
    try:
        fn = INIT_SCHEMES[scheme]
    except KeyError:
        raise ValueError(f'weight_init: unknown scheme {scheme!r}; expected one of '
                         f'{sorted(INIT_SCHEMES)}') from None
    fn(module)


def _norm_layer(family: str, bn_momentum: Optional[float], bn_eps: Optional[float],
                norm_layer: Optional[NormLayer]) -> NormLayer:
    """The norm-layer factory of a net: ``norm_layer`` as given, or
    ``nn.BatchNorm2d`` with the family's momentum/eps (``BN_DEFAULTS``), each
    overridable."""
    if norm_layer is not None:
        if bn_momentum is not None or bn_eps is not None:
            raise ValueError('norm_layer: give either norm_layer or bn_momentum / bn_eps '
                             '(put them into the factory)')
        return norm_layer
    bn = BN_DEFAULTS[family]
    return batch_norm(bn['bn_momentum'] if bn_momentum is None else bn_momentum,
                      bn['bn_eps'] if bn_eps is None else bn_eps)


def build_atomnas_net(arch: AtomNetArch, bn_momentum: Optional[float] = None,
                      bn_eps: Optional[float] = None, norm_layer: Optional[NormLayer] = None,
                      block_type: type[AtomicBlock] = AtomicBlock,
                      weight_init: str = FAMILY_INIT['atomnas']) -> StaticNet:
    """Static AtomNAS net of ``arch`` (also the supernet when given a full
    arch and the supernet's ``block_type``).

    Args:
        arch (AtomNetArch): The net.
        bn_momentum (float, optional): Overrides the family's 0.01.
        bn_eps (float, optional): Overrides the family's 1e-3.
        norm_layer (NormLayer, optional): Norm-layer factory for every norm
            (instead of BN with bn_momentum / bn_eps).
        block_type (type): ``AtomicBlock`` or a subclass with the same
            arguments and modules. Defaults to ``AtomicBlock``.
        weight_init (str): ``init_weights`` scheme. Defaults to the
            authors' 'mnas'.
    """
    norm = _norm_layer('atomnas', bn_momentum, bn_eps, norm_layer)
    stem = ConvBNAct(3, arch.stem_channels, 3, ATOMNAS_STEM_STRIDE, act=arch.act, norm_layer=norm)
    configs = atomnas_block_configs(arch)
    blocks = [block_type(b.cin, b.cout, b.stride, row.kernel_sizes, row.atoms, b.has_expansion,
                         arch.act, arch.se_ratio, norm_layer=norm)
              for b, row in zip(configs, arch.blocks)]
    stages, stride = [], ATOMNAS_STEM_STRIDE
    for idx in arch.stages():
        for i in idx:
            stride *= arch.blocks[i].stride
        stages.append(StageInfo(arch.blocks[idx[-1]].out_channels, stride, idx[-1]))
    cin, feat = configs[-1].cout if configs else arch.stem_channels, head_channels(arch)
    head = ConvBNAct(cin, feat, 1, act=arch.act, norm_layer=norm)
    return StaticNet(stem, blocks, head, stages, feat, weight_init)


def build_attentive_net(arch: AttentiveArch, space: Optional[AttentiveSpace] = None,
                        drop_path_rate: float = 0.0, bn_momentum: Optional[float] = None,
                        bn_eps: Optional[float] = None,
                        norm_layer: Optional[NormLayer] = None,
                        weight_init: str = FAMILY_INIT['attentivenas']) -> StaticNet:
    """Static AttentiveNAS subnet ``arch`` (strides and SE from ``space``),
    initialised with ``weight_init`` (default: the authors' 'attentivenas').

    ``drop_path_rate`` follows the published max-subnet rule: only the blocks of
    the last two stages, ``rate * block_index / n_blocks``. ``norm_layer``
    (a factory) replaces BN with ``bn_momentum`` / ``bn_eps`` (defaults:
    the family's 0.1 / 1e-5).
    """
    layout = attentive_layout(arch, space)
    bn = dict(norm_layer=_norm_layer('attentivenas', bn_momentum, bn_eps, norm_layer))
    stem_c, _, stem_stride = layout.stem
    stem = ConvBNAct(3, stem_c, 3, stem_stride, act=arch.act, **bn)
    n_blocks = sum(arch.depth)
    blocks, stages, stride = [], [], stem_stride
    for s, stage in enumerate(layout.stages):
        last_two = s >= len(layout.stages) - 2
        for b in attentive_stage_blocks(stage):
            rate = drop_path_rate * len(blocks) / n_blocks if last_two else 0.0
            blocks.append(MBConv(b.cin, b.cout, b.mid, b.kernel, b.stride,
                                 has_expansion=b.has_expansion, se_hidden=b.se_hidden,
                                 act=arch.act, drop_path_rate=rate, **bn))
        stride *= stage.stride
        stages.append(StageInfo(stage.cout, stride, len(blocks) - 1))
    cin, feat, _ = layout.head
    head = ConvBNAct(cin, feat, 1, act=arch.act, **bn)
    return StaticNet(stem, blocks, head, stages, feat, weight_init)


def build_static_net(arch: Union[AtomNetArch, AttentiveArch], **kwargs) -> StaticNet:
    if isinstance(arch, AtomNetArch):
        return build_atomnas_net(arch, **kwargs)
    if isinstance(arch, AttentiveArch):
        return build_attentive_net(arch, **kwargs)
    raise TypeError(f'arch: expected AtomNetArch or AttentiveArch, got {type(arch).__name__}')


