"""The AttentiveNAS evaluation protocol's in-model resize, as a data preprocessor.

The authors evaluate A0-A6 on 224 x 224 centre crops (resize the short side
to 256, crop 224: ``data/data_transform.py``) and resize the *normalised
batch* to the subnet's resolution inside the model:
``AttentiveNasStaticModel.forward`` (``models/attentive_nas_static_model.py``)
calls ``F.interpolate(x, size=resolution, mode='bicubic')`` when the input
width differs. BN recalibration batches (224 training crops) go through the
same resize. This preprocessor does exactly that after mmpretrain's
normalisation, so a plain ``SearchedMobileNet`` + ``NASClsHead`` classifier
evaluates with the authors' protocol; from-scratch retrain configs crop at
the net's resolution instead and do not use it.
"""
from __future__ import annotations

import torch.nn.functional as F
from mmpretrain.models.utils.data_preprocessor import ClsDataPreprocessor

from ..registry import MODELS

_MODES = ('bicubic', 'bilinear', 'nearest', 'area')


@MODELS.register_module()
class ResizeClsDataPreprocessor(ClsDataPreprocessor):
    """``ClsDataPreprocessor``, then a resize of the batch to ``size`` x ``size``.

    Args:
        size (int): Side of the net's input (the arch's resolution).
        mode (str): ``F.interpolate`` mode. Defaults to 'bicubic' (the authors').
        align_corners (bool): Defaults to False (``F.interpolate``'s default,
            which the authors' call uses).
        **kwargs: ``ClsDataPreprocessor`` arguments (mean, std, to_rgb, ...).
    """

    def __init__(self, size: int, mode: str = 'bicubic', align_corners: bool = False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f'size: expected a positive int, got {size!r}')
        if mode not in _MODES:
            raise ValueError(f'mode: expected one of {_MODES}, got {mode!r}')
        self.size, self.mode = size, mode
        self.align_corners = align_corners if mode in ('bicubic', 'bilinear') else None

    def forward(self, data: dict, training: bool = False) -> dict:
        data = super().forward(data, training)
        x = data['inputs']
        # As the authors' check (width only) for square inputs; any other
        # shape is resized too, to a square.
        if x.shape[-1] != self.size or x.shape[-2] != self.size:
            data['inputs'] = F.interpolate(x, size=(self.size, self.size), mode=self.mode,
                                           align_corners=self.align_corners)
        return data
