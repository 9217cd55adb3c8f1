"""mmpretrain classification head of the searched nets: [mid linear + act] ->
dropout -> linear, as ``ops.ClassifierHead`` (same attribute names, so torch-only
and mmpretrain state dicts agree)."""
from __future__ import annotations

from typing import Tuple

import torch
from mmpretrain.models.heads import ClsHead

from ..ops.classifier import ClassifierHead
from ..registry import MODELS


@MODELS.register_module()
class NASClsHead(ClsHead):
    """Head of AtomNAS (dropout -> fc) and AttentiveNAS nets (mid fc ->
    swish -> dropout -> fc), on pooled features.

    Args:
        num_classes (int): Classes.
        in_channels (int): Pooled feature width.
        mid_channels (int): AttentiveNAS last width (0 for AtomNAS).
        dropout (float): Dropout before the classifier. Defaults to 0.
        act (str): Activation after the mid fc. Defaults to 'swish'.
        weight_init (str): ``ops.init_weights`` scheme of the linear layers:
            'mobilenet' (N(0, 0.01)), 'mnas' (the AtomNAS authors'
            U(+-1/sqrt(num_classes))) or 'attentivenas' (the AttentiveNAS
            authors': PyTorch's default). Defaults to 'mobilenet'.
        **kwargs: ``loss``, ``topk``, ``cal_acc``, ``init_cfg`` of ClsHead.
    """

    def __init__(self, num_classes: int, in_channels: int, mid_channels: int = 0,
                 dropout: float = 0.0, act: str = 'swish', weight_init: str = 'mobilenet',
                 **kwargs):
        super().__init__(**kwargs)
        if num_classes <= 0:
            raise ValueError(f'num_classes: must be positive, got {num_classes}')
        self.num_classes, self.in_channels = num_classes, in_channels
        head = ClassifierHead(in_channels, num_classes, mid_channels, dropout, act, weight_init)
        self.mid_fc, self.dropout, self.fc = head.mid_fc, head.dropout, head.fc

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Input to the final fc (after the mid fc and dropout)."""
        return self.dropout(self.mid_fc(feats[-1]))

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        return self.fc(self.pre_logits(feats))
