"""Torch-only classifier around a StaticNet: backbone -> global pool -> head.

The mmpretrain ImageClassifier path (backbones/) uses the same head maths via
``NASClsHead``; this module exists so benchmarks and FLOPs checks can build a
whole net with torch alone. Module names match the estimator rows
(``backbone.*``, ``neck.gap``, ``head.mid_fc``, ``head.fc``); mmpretrain's
``NASClsHead`` uses the same attribute names, so state dicts are compatible.
"""
from __future__ import annotations

from typing import Union

import torch
import torch.nn as nn

from ..arch import AtomNetArch, AttentiveArch, classifier_channels
from .layers import make_act
from .static_net import FAMILY_INIT, StaticNet, build_static_net, init_weights


class ClassifierHead(nn.Module):
    """[linear (no bias) -> act] -> dropout -> linear.

    Args:
        in_channels (int): Pooled feature width.
        num_classes (int): Classes.
        mid_channels (int): Width of the AttentiveNAS pre-logits layer
            (the MobileNetV3 head's last 1x1 conv); 0 = none (AtomNAS).
        dropout (float): Dropout before the classifier.
        act (str): Activation after the pre-logits layer. Defaults to 'swish'.
        weight_init (str): ``init_weights`` scheme. Defaults to 'mobilenet'.
    """

    def __init__(self, in_channels: int, num_classes: int, mid_channels: int = 0,
                 dropout: float = 0.0, act: str = 'swish', weight_init: str = 'mobilenet'):
        super().__init__()
        # 'mid_fc', not 'pre_logits': mmpretrain's ClsHead has a pre_logits() method.
        if mid_channels:
            self.mid_fc = nn.Sequential(nn.Linear(in_channels, mid_channels, bias=False),
                                        make_act(act))
            in_channels = mid_channels
        else:
            self.mid_fc = nn.Identity()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Linear(in_channels, num_classes)
        init_weights(self, weight_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.dropout(self.mid_fc(x)))


def head_kwargs(arch: Union[AtomNetArch, AttentiveArch]) -> dict:
    """ClassifierHead arguments that reproduce the arch's published head."""
    in_channels, mid_channels, num_classes = classifier_channels(arch)
    return dict(in_channels=in_channels, num_classes=num_classes, mid_channels=mid_channels,
                dropout=arch.dropout, act=arch.act, weight_init=FAMILY_INIT[arch.family])


class StaticClassifier(nn.Module):
    """backbone (StaticNet) -> global average pool -> ClassifierHead."""

    def __init__(self, backbone: StaticNet, head: ClassifierHead):
        super().__init__()
        self.backbone = backbone
        self.neck = nn.AdaptiveAvgPool2d(1)
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.neck(self.backbone(x)).flatten(1))


def build_static_classifier(arch: Union[AtomNetArch, AttentiveArch], **kwargs) -> StaticClassifier:
    net = build_static_net(arch, **kwargs)
    return StaticClassifier(net, ClassifierHead(**head_kwargs(arch)))
