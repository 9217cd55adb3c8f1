"""mmpretrain classification head of the searched nets: [mid linear + act] ->
dropout -> linear, as ``ops.ClassifierHead`` (same attribute names, so torch-only
and mmpretrain state dicts agree)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple, Union

import torch
from mmpretrain.models.heads import ClsHead

from ..arch import AtomNetArch, AttentiveArch, classifier_channels, load_arch
from ..ops.classifier import ClassifierHead
from ..registry import MODELS


@MODELS.register_module()
class NASClsHead(ClsHead):
    """Head of AtomNAS (dropout -> fc) and AttentiveNAS nets (mid fc ->
    swish -> dropout -> fc), on pooled features.

    The widths follow from the backbone's arch: give ``arch`` (the same zoo
    name, file or mapping as ``SearchedMobileNet``'s) and leave
    ``in_channels`` / ``mid_channels`` out, or give them by hand; given
    both, they must agree with the arch.

    Args:
        num_classes (int): Classes (the dataset's, not the arch's).
        in_channels (int, optional): Pooled feature width (the backbone's
            head conv: ``6 x width[7]`` for AttentiveNAS, ``last_channel``
            for AtomNAS). Required without ``arch``.
        mid_channels (int, optional): AttentiveNAS pre-logits width
            (``width[8]``); 0 for AtomNAS. Defaults to the arch's, or 0.
        dropout (float): Dropout before the classifier. Defaults to 0.
        act (str): Activation after the mid fc. Defaults to 'swish'.
        weight_init (str): ``ops.init_weights`` scheme of the linear layers:
            'mobilenet' (N(0, 0.01)), 'mnas' (the AtomNAS authors'
            U(+-1/sqrt(num_classes))) or 'attentivenas' (the AttentiveNAS
            authors': PyTorch's default). Defaults to 'mobilenet'.
        arch (str | dict | AtomNetArch | AttentiveArch, optional): The
            backbone's arch, to derive the widths from. Defaults to None.
        **kwargs: ``loss``, ``topk``, ``cal_acc``, ``init_cfg`` of ClsHead.
            The default loss is ClsHead's, named with its scope
            (``mmpretrain.CrossEntropyLoss``) so that it is mmpretrain's
            whatever scope is current (mmdet has a CrossEntropyLoss too).
    """

    def __init__(self, num_classes: int, in_channels: Optional[int] = None,
                 mid_channels: Optional[int] = None, dropout: float = 0.0, act: str = 'swish',
                 weight_init: str = 'mobilenet',
                 arch: Union[str, Path, dict, AtomNetArch, AttentiveArch, None] = None,
                 **kwargs):
        kwargs.setdefault('loss', dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0))
        super().__init__(**kwargs)
        if num_classes <= 0:
            raise ValueError(f'num_classes: must be positive, got {num_classes}')
        in_channels, mid_channels = _head_widths(in_channels, mid_channels, arch)
        self.num_classes, self.in_channels = num_classes, in_channels
        head = ClassifierHead(in_channels, num_classes, mid_channels, dropout, act, weight_init)
        self.mid_fc, self.dropout, self.fc = head.mid_fc, head.dropout, head.fc

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Input to the final fc (after the mid fc and dropout)."""
        return self.dropout(self.mid_fc(feats[-1]))

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        return self.fc(self.pre_logits(feats))


def _head_widths(in_channels: Optional[int], mid_channels: Optional[int],
                 arch) -> tuple[int, int]:
    """(in_channels, mid_channels), derived from ``arch`` when given."""
    if arch is None:
        if in_channels is None:
            raise ValueError('in_channels: missing; give it or the backbone\'s arch '
                             '(NASClsHead(arch=...) derives it)')
        return in_channels, mid_channels or 0
    arch = load_arch(arch)
    derived_in, derived_mid, _ = classifier_channels(arch)
    for key, given, derived in (('in_channels', in_channels, derived_in),
                                ('mid_channels', mid_channels, derived_mid)):
        if given is not None and given != derived:
            raise ValueError(f'{key}: {given} disagrees with arch {arch.name or "(unnamed)"}, '
                             f'whose head has {derived}; leave {key} out to derive it')
    return derived_in, derived_mid
