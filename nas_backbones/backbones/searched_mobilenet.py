"""SearchedMobileNet: a static backbone built from an arch file, with the
mmpretrain backbone contract (``out_indices``, ``frozen_stages``,
``norm_eval``, ``init_cfg``, tuple output) so that mmpretrain classifiers and
mmdet detectors use a searched net with one line of config."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch.nn.modules.batchnorm import _BatchNorm

from ..arch import AtomNetArch, AttentiveArch, load_arch
from ..ops.static_net import build_static_net, forward_stages
from ..registry import MODELS
from .pretrained import load_pretrained


@MODELS.register_module()
class SearchedMobileNet(BaseModule):
    """Static net of a searched architecture (AtomNAS A/B/C(+), AttentiveNAS
    A0-A6 or any exported arch).

    Out index ``i < num_stages`` is the output of stage ``i`` (7 MBConv
    stages for both families); ``num_stages`` is the final 1x1 head conv.

    Args:
        arch (str | dict | AtomNetArch | AttentiveArch): Zoo name
            ('atomnas_a', 'attentivenas_a0', ...), arch file path or mapping.
        out_indices (Sequence[int]): Outputs to return. Defaults to (7,).
        frozen_stages (int): Freeze the stem (0) and stages 1..k; -1 freezes
            nothing. Defaults to -1.
        norm_eval (bool): Keep BN layers in eval mode while training.
            Defaults to False.
        drop_path_rate (float): AttentiveNAS drop-connect on the last two
            stages. Defaults to 0.
        bn_momentum (float, optional): Override the family's BN momentum.
        bn_eps (float, optional): Override the family's BN eps.
        norm_cfg (dict, optional): ``dict(type='SyncBN')`` converts every BN
            to SyncBatchNorm (multi-GPU detection); ``None``/``BN`` keeps BN.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...,
            prefix='backbone.')`` loads weights (weights-only) and fails
            naming the expected keys when nothing matches.
    """

    def __init__(self, arch: Union[str, Path, dict, AtomNetArch, AttentiveArch],
                 out_indices: Sequence[int] = (7,), frozen_stages: int = -1,
                 norm_eval: bool = False, drop_path_rate: float = 0.0,
                 bn_momentum: Optional[float] = None, bn_eps: Optional[float] = None,
                 norm_cfg: Optional[dict] = None, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=None)
        self.arch = load_arch(arch)
        kwargs = dict(bn_momentum=bn_momentum, bn_eps=bn_eps)
        if isinstance(self.arch, AttentiveArch):
            kwargs['drop_path_rate'] = drop_path_rate
        elif drop_path_rate:
            raise ValueError('drop_path_rate: AtomNAS nets have no drop-connect')
        net = build_static_net(self.arch, **kwargs)
        self.stem, self.blocks, self.head = net.stem, net.blocks, net.head
        self.stages = net.stages
        self._out_channels, self._out_strides = net.out_channels(), net.out_strides()
        self.num_stages = len(self.stages)
        out_indices = tuple(out_indices) if isinstance(out_indices, (list, tuple)) else (out_indices,)
        for index in out_indices:
            if index not in range(0, self.num_stages + 1):
                raise ValueError(f'out_indices: each index must be in range(0, '
                                 f'{self.num_stages + 1}), got {index}')
        if frozen_stages not in range(-1, self.num_stages + 1):
            raise ValueError(f'frozen_stages: must be in range(-1, {self.num_stages + 1}), '
                             f'got {frozen_stages}')
        self.out_indices, self.frozen_stages, self.norm_eval = out_indices, frozen_stages, norm_eval
        if norm_cfg is not None and norm_cfg.get('type', 'BN') not in ('BN', 'BN2d', 'SyncBN'):
            raise ValueError(f"norm_cfg.type: expected 'BN' or 'SyncBN', got {norm_cfg['type']!r}")
        if norm_cfg is not None and norm_cfg.get('type') == 'SyncBN':
            for name in ('stem', 'blocks', 'head'):
                setattr(self, name, nn.SyncBatchNorm.convert_sync_batchnorm(getattr(self, name)))
        self.pretrained_cfg = init_cfg
        self._freeze_stages()

    # ------------------------------------------------------------ contract
    def output_shape(self) -> dict[int, tuple[int, int]]:
        """(channels, stride) of every out index, without a forward."""
        return {i: (self._out_channels[i], self._out_strides[i]) for i in range(self.num_stages + 1)}

    @property
    def out_channels(self) -> list[int]:
        """Channels of the selected ``out_indices`` (what an FPN needs)."""
        return [self._out_channels[i] for i in self.out_indices]

    def init_weights(self) -> None:
        # Building already initialised the weights (ops.static_net.init_weights);
        # only a Pretrained init_cfg changes them, with strict key checks.
        cfg = self.pretrained_cfg
        if cfg is None:
            return
        if cfg.get('type') != 'Pretrained':
            raise ValueError(f"init_cfg.type: only 'Pretrained' is supported, got {cfg.get('type')!r}")
        if 'checkpoint' not in cfg:
            raise ValueError('init_cfg.checkpoint: missing')
        load_pretrained(self, cfg['checkpoint'], prefix=cfg.get('prefix', 'backbone.'))
        self._freeze_stages()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(forward_stages(self, x, self.out_indices))

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
