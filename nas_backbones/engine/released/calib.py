"""The classifier a converted released net becomes, and its BN recalibration
on the batches of an evaluation config (the authors' protocols both
recalibrate BN on training images before evaluating).

The classifier is the mmpretrain ``ImageClassifier`` that the evaluation
configs build: ``SearchedMobileNet`` + global pooling + ``NASClsHead``, with
the config's data preprocessor (for AttentiveNAS the in-model resize to the
arch's resolution, :class:`ResizeClsDataPreprocessor`). Converted weights
load into it strictly, so a key SearchedMobileNet does not have fails here
and not later in ``init_cfg``.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Iterable, Optional, Union

import torch
import torch.nn as nn

from ...arch import AtomNetArch, AttentiveArch
from ...ops.bn_recalib import recalibrate_bn
from ...ops.classifier import head_kwargs

Arch = Union[AtomNetArch, AttentiveArch]


def classifier_cfg(arch: Arch, data_preprocessor: Optional[dict] = None) -> dict:
    """``model`` config of the evaluation classifier of ``arch``."""
    head = head_kwargs(arch)
    cfg = dict(
        type='ImageClassifier',
        backbone=dict(type='SearchedMobileNet', arch=arch.to_dict()),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='NASClsHead', loss=dict(type='CrossEntropyLoss'), topk=(1, 5), **head))
    if data_preprocessor is not None:
        pre = copy.deepcopy(dict(data_preprocessor))
        if str(pre.get('type', '')).split('.')[-1] == 'ResizeClsDataPreprocessor':
            pre['size'] = arch.resolution  # the arch decides what the net sees
        cfg['data_preprocessor'] = pre
    return cfg


def build_classifier(arch: Arch, state_dict: dict,
                     data_preprocessor: Optional[dict] = None) -> nn.Module:
    """The evaluation classifier of ``arch`` holding ``state_dict`` (strict)."""
    from mmengine.registry import DefaultScope

    from ...registry import MODELS
    from ...utils import register_all_modules
    register_all_modules(init_default_scope=False)
    # Unscoped names (ImageClassifier, the head's loss) resolve from ours
    # whatever scope the caller's last Runner left current.
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        model = MODELS.build(classifier_cfg(arch, data_preprocessor))
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    if missing or unexpected:
        raise ValueError(f'converted weights do not fit SearchedMobileNet + NASClsHead of '
                         f'{arch.name or "the arch"}: missing {missing[:5]}, unexpected '
                         f'{unexpected[:5]}')
    return model.eval()


def calibration_data(config: Union[str, Path], seed: int = 0,
                     cfg_options: Optional[dict] = None) -> tuple[Iterable, dict, dict]:
    """(batches, data preprocessor config, plain description) of an
    evaluation config: its ``calib_dataloader`` (training images with the
    augmentation the authors recalibrate with) and its model's data
    preprocessor."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from ..data_root import check_data_roots
    from ...utils import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(str(config))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if cfg.get('calib_dataloader') is None:
        raise ValueError(f'{config}: no calib_dataloader (the BN recalibration batches)')
    check_data_roots(cfg, ('calib_dataloader',))
    pre = cfg.model.get('data_preprocessor') or cfg.get('data_preprocessor')
    if pre is None:
        raise ValueError(f'{config}: no data_preprocessor (model.data_preprocessor)')
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'nas_backbones')):
        loader = Runner.build_dataloader(copy.deepcopy(cfg.calib_dataloader), seed=seed)
    info = {'config': str(config), 'batch_size': cfg.calib_dataloader.get('batch_size'),
            'seed': seed}
    return loader, pre.to_dict() if hasattr(pre, 'to_dict') else dict(pre), info


@torch.no_grad()
def recalibrate_classifier(model: nn.Module, batches: Iterable, num_batches: int) -> int:
    """Reset and re-estimate every BN's statistics over ``num_batches`` data
    batches (cumulative average, train mode, as the authors' calibrations:
    AttentiveNAS ``reset_running_stats_for_calibration``, AtomNAS
    ``utils.common.bn_calibration``). Returns the batches used."""
    def forward(m, data):
        m(m.data_preprocessor(data, False)['inputs'], mode='tensor')

    used = recalibrate_bn(model, batches, num_batches, forward)
    model.eval()
    return used


def recalibrated_state(arch: Arch, state_dict: dict, config: Union[str, Path],
                       num_batches: int, seed: int = 0,
                       cfg_options: Optional[dict] = None) -> tuple[dict, dict]:
    """A converted classifier's weights with BN recalibrated on ``config``'s
    ``calib_dataloader`` (``calibration_data`` -> ``build_classifier`` ->
    ``recalibrate_classifier``), and the checkpoint meta that records it."""
    batches, pre, info = calibration_data(config, seed, cfg_options)
    model = build_classifier(arch, state_dict, pre)
    used = recalibrate_classifier(model, batches, num_batches)
    return model.state_dict(), {'bn_recalibrated': True, 'calib_batches': used, **info}
