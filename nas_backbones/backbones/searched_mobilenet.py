"""SearchedMobileNet: a static backbone built from an arch file, with the
mmpretrain backbone contract of ``MobileNetV2`` / ``MobileNetV3`` /
``EfficientNet`` (``out_indices``, ``frozen_stages``, ``norm_cfg``,
``act_cfg``, ``norm_eval``, ``with_cp``, ``init_cfg``, tuple output) so that
mmpretrain classifiers and mmdet detectors use a searched net with one line
of config."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule, initialize
from mmengine.registry import WEIGHT_INITIALIZERS
from torch.nn.modules.batchnorm import _BatchNorm

from ..arch import AtomNetArch, AttentiveArch, load_arch
from ..ops.static_net import build_static_net, forward_stages
from ..registry import MODELS
from .layer_cfgs import check_act_cfg, norm_layer_from_cfg
from .pretrained import load_pretrained

_PRETRAINED_KEYS = ('type', 'checkpoint', 'prefix', 'map_location')


def _check_init_cfg(init_cfg) -> list[dict]:
    """``init_cfg`` as mmengine takes it (a dict or a list of dicts), checked
    up front so that a typo fails at build time, naming the entry."""
    if init_cfg is None:
        return []
    cfgs = [init_cfg] if isinstance(init_cfg, dict) else init_cfg
    if not isinstance(cfgs, (list, tuple)):
        raise ValueError(f'init_cfg: expected a dict or a list of dicts, got {init_cfg!r}')
    pretrained = 0
    for i, cfg in enumerate(cfgs):
        where = 'init_cfg' if isinstance(init_cfg, dict) else f'init_cfg[{i}]'
        if not isinstance(cfg, dict) or 'type' not in cfg:
            raise ValueError(f"{where}: expected a dict with a 'type', got {cfg!r}")
        if cfg['type'] == 'Pretrained':
            pretrained += 1
            if not cfg.get('checkpoint'):
                raise ValueError(f'{where}.checkpoint: missing')
            unknown = sorted(set(cfg) - set(_PRETRAINED_KEYS))
            if unknown:
                raise ValueError(f'{where}: unknown key(s) {unknown} of Pretrained; expected '
                                 f'{list(_PRETRAINED_KEYS)}')
        elif WEIGHT_INITIALIZERS.get(cfg['type']) is None:
            raise ValueError(f'{where}.type: unknown initializer {cfg["type"]!r} (mmengine: '
                             f'Kaiming, Constant, Normal, Xavier, Uniform, TruncNormal, '
                             f'Pretrained, ...)')
    if pretrained > 1:
        raise ValueError('init_cfg: more than one Pretrained entry')
    return list(cfgs)


def _check_out_indices(out_indices, num_outputs: int) -> tuple[int, ...]:
    if isinstance(out_indices, int) and not isinstance(out_indices, bool):
        out_indices = (out_indices,)
    if not isinstance(out_indices, Sequence) or isinstance(out_indices, str) or any(
            not isinstance(i, int) or isinstance(i, bool) for i in out_indices):
        raise TypeError(f'out_indices: expected an int or a sequence of ints, got {out_indices!r}')
    for index in out_indices:
        if index not in range(0, num_outputs):
            raise ValueError(f'out_indices: each index must be in range(0, {num_outputs}), '
                             f'got {index}')
    if len(set(out_indices)) != len(out_indices):
        raise ValueError(f'out_indices: repeated index in {list(out_indices)}')
    # forward returns the outputs in net order, whatever order they were given in.
    return tuple(sorted(out_indices))


@MODELS.register_module()
class SearchedMobileNet(BaseModule):
    """Static net of a searched architecture (AtomNAS A/B/C(+), AttentiveNAS
    A0-A6 or any exported arch).

    Out index ``i < num_stages`` is the output of stage ``i`` (7 MBConv
    stages for both families); ``num_stages`` is the final 1x1 head conv.

    Args:
        arch (str | dict | AtomNetArch | AttentiveArch): Zoo name
            ('atomnas_a', 'attentivenas_a0', ...), arch file path or mapping.
        out_indices (int | Sequence[int]): Outputs to return; ``forward``
            and ``out_channels`` give them in increasing index order.
            Defaults to (7,).
        frozen_stages (int): Freeze the stem (0) and stages 1..k (parameters
            and norm statistics); -1 freezes nothing. Defaults to -1.
        norm_cfg (dict): mmcv norm config of every norm layer (BN, SyncBN,
            GN, IN, with ``requires_grad``, ``eps``, ``momentum``,
            ``num_groups`` ...). BN types default to the family's momentum /
            eps (AtomNAS 0.01 / 1e-3, AttentiveNAS 0.1 / 1e-5). Defaults to
            ``dict(type='BN')``.
        act_cfg (dict, optional): The activation is part of the searched
            arch: None (default) or a dict restating it (``ReLU`` for
            AtomNAS A/B/C, ``Swish``/``SiLU`` for AtomNAS+ and AttentiveNAS);
            anything else raises.
        norm_eval (bool): Keep BN layers in eval mode while training
            (statistics and normalisation from the running stats).
            Defaults to False.
        with_cp (bool): Gradient checkpointing per block (saves activation
            memory, costs a second forward). Defaults to False.
        drop_path_rate (float): AttentiveNAS drop-connect on the last two
            stages. Defaults to 0.
        bn_momentum (float, optional): Shorthand for ``norm_cfg.momentum``.
        bn_eps (float, optional): Shorthand for ``norm_cfg.eps``.
        init_cfg (dict | list[dict], optional): mmengine initializer configs
            (Kaiming, Constant, ...) applied over the MobileNet init the net
            is built with, then ``dict(type='Pretrained', checkpoint=...,
            prefix=None)`` last, with mmengine's prefix semantics, loaded
            weights-only through mmengine's CheckpointLoader and strictly
            (a prefix or arch that does not fit fails naming the keys).
    """

    def __init__(self, arch: Union[str, Path, dict, AtomNetArch, AttentiveArch],
                 out_indices: Union[int, Sequence[int]] = (7,), frozen_stages: int = -1,
                 norm_cfg: dict = dict(type='BN'), act_cfg: Optional[dict] = None,
                 norm_eval: bool = False, with_cp: bool = False, drop_path_rate: float = 0.0,
                 bn_momentum: Optional[float] = None, bn_eps: Optional[float] = None,
                 init_cfg: Union[dict, list, None] = None):
        super().__init__(init_cfg=init_cfg)
        self._init_cfgs = _check_init_cfg(init_cfg)
        self.arch = load_arch(arch)
        family = 'attentivenas' if isinstance(self.arch, AttentiveArch) else 'atomnas'
        check_act_cfg(act_cfg, self.arch)
        kwargs = dict(norm_layer=norm_layer_from_cfg(norm_cfg, family, bn_momentum, bn_eps))
        if isinstance(self.arch, AttentiveArch):
            kwargs['drop_path_rate'] = drop_path_rate
        elif drop_path_rate:
            raise ValueError('drop_path_rate: AtomNAS nets have no drop-connect')
        net = build_static_net(self.arch, **kwargs)
        self.stem, self.blocks, self.head = net.stem, net.blocks, net.head
        self.stages = net.stages
        self._out_channels, self._out_strides = net.out_channels(), net.out_strides()
        self.num_stages = len(self.stages)
        self.out_indices = _check_out_indices(out_indices, self.num_stages + 1)
        if isinstance(frozen_stages, bool) or frozen_stages not in range(-1, self.num_stages + 1):
            raise ValueError(f'frozen_stages: must be in range(-1, {self.num_stages + 1}), '
                             f'got {frozen_stages}')
        self.frozen_stages, self.norm_eval, self.with_cp = frozen_stages, norm_eval, with_cp
        self.norm_cfg, self.act_cfg = norm_cfg, act_cfg
        self._freeze_stages()

    # ------------------------------------------------------------ contract
    def output_shape(self) -> dict[int, tuple[int, int]]:
        """(channels, stride) of every out index, without a forward."""
        return {i: (self._out_channels[i], self._out_strides[i]) for i in range(self.num_stages + 1)}

    @property
    def out_channels(self) -> list[int]:
        """Channels of the outputs ``forward`` returns, in its order (what an
        FPN's ``in_channels`` needs)."""
        return [self._out_channels[i] for i in self.out_indices]

    def init_weights(self) -> None:
        """Apply ``init_cfg``: mmengine's initializers first, Pretrained last
        (as ``BaseModule.init_weights`` orders them). Without ``init_cfg``
        the MobileNet init of the build stays."""
        others = [c for c in self._init_cfgs if c['type'] != 'Pretrained']
        if others:
            initialize(self, others)
        for cfg in self._init_cfgs:
            if cfg['type'] == 'Pretrained':
                load_pretrained(self, cfg['checkpoint'], prefix=cfg.get('prefix'),
                                map_location=cfg.get('map_location', 'cpu'))
        self._is_init = True
        self._freeze_stages()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(forward_stages(self, x, self.out_indices, with_cp=self.with_cp))

    def _stage_modules(self, i: int) -> list[nn.Module]:
        start = self.stages[i - 1].last_block + 1 if i > 0 else 0
        return [self.blocks[b] for b in range(start, self.stages[i].last_block + 1)]

    def _freeze_stages(self) -> None:
        if self.frozen_stages < 0:
            return
        frozen = [self.stem]
        # As mmpretrain's MobileNetV2: k freezes the stem and the first k
        # stages; the head conv is never frozen.
        for i in range(min(self.frozen_stages, self.num_stages)):
            frozen += self._stage_modules(i)
        for m in frozen:
            m.eval()
            for p in m.parameters():
                p.requires_grad = False

    def train(self, mode: bool = True) -> 'SearchedMobileNet':
        # Re-apply freezing and norm_eval: calling .train() never unfreezes.
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self
