"""AttentiveNAS weight-sharing supernet (docs/methods/attentivenas.md#supernet).
Imports torch only.

One set of max-size weights; a subnet uses the first-N channels of every
layer, the centre crop of the largest dw kernel and the first d blocks of
each stage. ``set_arch`` turns the typed arch into per-block choices once
(cached per arch), so ``forward`` is a plain loop over the active blocks, as
cheap in Python as the static net's. The supernet does not sample, mutate or
count FLOPs: samplers, the search loop and the estimator do.
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..arch import (AttentiveArch, AttentiveSpace, attentive_block_expansion, attentive_head_channels,
                    attentive_layout, attentive_se_hidden, attentive_stage_blocks,
                    default_attentive_space)
from ..ops.classifier import StaticClassifier, build_static_classifier
from ..ops.dynamic_linear import DynamicLinear
from ..ops.dynamic_mbconv import BlockChoice, DynamicConvBNAct, DynamicMBConv
from ..ops.static_net import init_weights


def space_from_cfg(cfg: Union[str, Path, dict, AttentiveSpace, None] = None) -> AttentiveSpace:
    """A search space from a config entry.

    Args:
        cfg: None (the published space), an ``AttentiveSpace``, a
            ``supernet_config`` yml path, or a mapping in that format; a
            partial mapping is merged onto the published space, so a demo
            can override only ``resolutions`` (or one stage's fields).
    """
    if cfg is None:
        return default_attentive_space()
    if isinstance(cfg, AttentiveSpace):
        return cfg
    if isinstance(cfg, (str, Path)):
        return AttentiveSpace.load(cfg)
    data = dict(cfg.get('supernet_config', cfg))
    merged = default_attentive_space().to_dict()
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return AttentiveSpace.from_dict(merged)


class _Plan(NamedTuple):
    arch: AttentiveArch
    stem: int
    blocks: tuple[tuple[int, BlockChoice], ...]  # (supernet block index, choice)
    head: int
    last: int
    dropout: float


class AttentiveSupernet(nn.Module):
    """The AttentiveNAS supernet over an ``AttentiveSpace``.

    Args:
        space (AttentiveSpace, optional): Defaults to the published space.
        num_classes (int): Defaults to 1000.
        dropout (float): Dropout before the classifier, max subnet only.
            Defaults to 0.2.
        drop_path_rate (float): Drop-connect of the max subnet on the blocks
            of the last two stages, ``rate * index / n_blocks``. Defaults to 0.2.
        bn_momentum (float | None): 0 freezes the statistics during supernet
            training, as published. Defaults to 0.
        bn_eps (float): Defaults to 1e-5.
        channels_last (bool): Run on channels-last activations (NHWC). On CPU
            (oneDNN) this makes the depthwise-heavy blocks ~1.7x faster, and
            cheap forwards (BestUp scoring) cheaper still. Defaults to False.
    """

    def __init__(self, space: Optional[AttentiveSpace] = None, num_classes: int = 1000,
                 dropout: float = 0.2, drop_path_rate: float = 0.2,
                 bn_momentum: Optional[float] = 0.0, bn_eps: float = 1e-5,
                 channels_last: bool = False):
        super().__init__()
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.space = space or default_attentive_space()
        self.num_classes, self.dropout, self.drop_path_rate = num_classes, dropout, drop_path_rate
        bn = dict(bn_momentum=bn_momentum, bn_eps=bn_eps)
        sp = self.space
        self.stem = DynamicConvBNAct(3, max(sp.stem_widths), 3, sp.stem_stride, **bn)
        blocks, self.stage_starts = [], []
        in_widths = sp.stem_widths
        for st in sp.stages:
            self.stage_starts.append(len(blocks))
            for d in range(max(st.depths)):
                ins = in_widths if d == 0 else st.widths
                # The max-size block holds every choice of this position.
                choices = [attentive_block_expansion(c, t, st.expands)
                           for c in ins for t in st.expands]
                max_mid = max(mid for _, mid in choices)
                blocks.append(DynamicMBConv(
                    max(ins), max(st.widths), max_mid, max(st.kernels), st.stride if d == 0 else 1,
                    has_expansion=any(expand for expand, _ in choices),
                    max_se_hidden=attentive_se_hidden(max_mid) if st.se else 0,
                    needs_shortcut_conv=any(a != b for a in ins for b in st.widths), **bn))
            in_widths = st.widths
        self.blocks = nn.ModuleList(blocks)
        max_feat = attentive_head_channels(max(sp.stages[-1].widths))
        self.head = DynamicConvBNAct(max(sp.stages[-1].widths), max_feat, 1, **bn)
        self.mid_fc = DynamicLinear(max_feat, max(sp.last_widths), bias=False)
        self.fc = DynamicLinear(max(sp.last_widths), num_classes)
        init_weights(self, 'attentivenas')  # the authors': PyTorch default, last BN gamma 0
        self._plans: OrderedDict = OrderedDict()
        self._plan: Optional[_Plan] = None
        self.set_arch(sp.max_arch())

    # ------------------------------------------------------------ arch
    @property
    def arch(self) -> AttentiveArch:
        """The arch that ``forward`` runs."""
        return self._plan.arch

    def set_arch(self, arch: AttentiveArch, regularize: Optional[bool] = None) -> None:
        """Make ``arch`` the subnet that ``forward`` runs.

        Args:
            arch (AttentiveArch): Must lie in the space (ValueError otherwise).
            regularize (bool, optional): Apply dropout/drop-connect (train mode
                only). Default: only for the max arch, as published.
        """
        if not isinstance(arch, AttentiveArch):
            raise TypeError(f'arch: expected AttentiveArch, got {type(arch).__name__}')
        if regularize is None:
            regularize = arch.key() == self.space.max_arch().key()
        key = (arch.key(), bool(regularize))
        plan = self._plans.get(key)
        if plan is None:
            try:
                self.space.validate(arch)
            except ValueError as e:
                raise ValueError(f'set_arch: arch is outside the supernet space: {e}') from None
            plan = self._make_plan(arch, bool(regularize))
            self._plans[key] = plan
            if len(self._plans) > 4096:  # bounded: samplers draw many distinct archs
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(key)
        self._plan = plan

    def _make_plan(self, arch: AttentiveArch, regularize: bool) -> _Plan:
        layout = attentive_layout(arch, self.space)
        n_blocks, last_two = len(self.blocks), len(layout.stages) - 2
        blocks = []
        for s, stage in enumerate(layout.stages):
            for d, b in enumerate(attentive_stage_blocks(stage)):
                idx = self.stage_starts[s] + d
                # Published rule (set_dropout_rate + MobileInvertedResidualBlock):
                # drop-connect on the last two stages' identity blocks, rate
                # scaled by the supernet block index.
                rate = (self.drop_path_rate * idx / n_blocks
                        if regularize and b.identity_shortcut and s >= last_two else 0.0)
                blocks.append((idx, BlockChoice(b.cin, b.cout, b.mid, b.kernel, b.has_expansion,
                                                b.se_hidden, b.identity_shortcut, rate)))
        _, feat, _ = layout.head
        return _Plan(arch, layout.stem[0], tuple(blocks), feat, layout.classifier[1],
                     self.dropout if regularize else 0.0)

    # --------------------------------------------------------- forward
    @staticmethod
    def resize(x: torch.Tensor, resolution: int) -> torch.Tensor:
        """Bicubic resize to ``resolution`` (no-op when already there)."""
        if x.shape[-1] == resolution and x.shape[-2] == resolution:
            return x
        return F.interpolate(x, size=(resolution, resolution), mode='bicubic',
                             align_corners=False)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled features (after the head 1x1 conv) of the active subnet."""
        plan = self._plan
        x = self.resize(x, plan.arch.resolution).contiguous(memory_format=self.memory_format)
        x = self.stem(x, plan.stem, 3)
        blocks = self.blocks
        for idx, choice in plan.blocks:
            x = blocks[idx](x, choice)
        return self.head(x, plan.head).mean((2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of the active subnet; ``x`` is resized to its resolution."""
        plan = self._plan
        h = F.silu(self.mid_fc(self.forward_features(x), plan.last), inplace=True)
        if plan.dropout > 0.0 and self.training:
            h = F.dropout(h, plan.dropout, True)
        return self.fc(h, self.num_classes)

    # ---------------------------------------------------------- export
    def to_static(self, arch: Optional[AttentiveArch] = None) -> StaticClassifier:
        """Standalone static classifier of ``arch`` (default: the active one).

        Same module names as ``build_static_classifier`` and as
        SearchedMobileNet + NASClsHead (``backbone.stem/blocks/head``,
        ``head.mid_fc/fc``); eval outputs equal the supernet's for that arch.
        The static BNs get the static default momentum (0.1) for retraining.
        """
        old = self._plan
        if arch is not None:
            self.set_arch(arch, regularize=False)
        plan = self._plan
        self._plan = old
        arch = plan.arch
        if arch.num_classes != self.num_classes:
            arch = arch.replace(num_classes=self.num_classes)
        model = build_static_classifier(arch, space=self.space)
        net = model.backbone
        net.stem = self.stem.to_static(3, plan.stem, 3, bn_momentum=net.stem.bn.momentum)
        for i, (idx, choice) in enumerate(plan.blocks):
            net.blocks[i] = self.blocks[idx].to_static(choice, bn_momentum=net.stem.bn.momentum)
        net.head = self.head.to_static(plan.blocks[-1][1].out_channels, plan.head,
                                       bn_momentum=net.stem.bn.momentum)
        model.head.mid_fc[0] = self.mid_fc.to_static(plan.head, plan.last)
        model.head.fc = self.fc.to_static(plan.last, self.num_classes)
        return model.train(self.training)
