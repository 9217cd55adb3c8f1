"""The one-line summary tools/train.py prints after training: top-1, FLOPs of
the trained arch (analytic, docs/flops_conventions.md) and where the
checkpoint went."""
from __future__ import annotations

import os
from typing import Any, Optional, Union

from mmengine.model import is_model_wrapper
from mmengine.runner import find_latest_checkpoint

from ..arch import AtomNetArch, AttentiveArch, load_arch
from ..estimators import count_cost

Arch = Union[AtomNetArch, AttentiveArch]


def arch_of_config(cfg: Any) -> Arch:
    """The arch a config trains: ``model.backbone.arch`` (zoo name, file or
    mapping).

    Args:
        cfg: An mmengine Config (or mapping) with a ``model`` entry.

    Raises:
        ValueError: the config has no ``model.backbone.arch``.
    """
    backbone = (cfg.get('model') or {}).get('backbone') or {}
    arch = backbone.get('arch') if hasattr(backbone, 'get') else None
    if arch is None:
        raise ValueError('model.backbone.arch: not set in this config; pass an arch name or '
                         'file instead')
    return load_arch(arch)


def trained_arch(runner: Any) -> Optional[Arch]:
    """The arch of the runner's model (its backbone's, which a shrinking
    search updates), else the config's; None when neither has one."""
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    for owner in (getattr(model, 'backbone', None), model):
        arch = getattr(owner, 'arch', None)
        if isinstance(arch, (AtomNetArch, AttentiveArch)):
            return arch
    try:
        return arch_of_config(runner.cfg)
    except (ValueError, FileNotFoundError):
        return None


def last_top1(runner: Any) -> Optional[float]:
    """Top-1 (%) of the last validation, from the message hub."""
    buffer = runner.message_hub.log_scalars.get('val/accuracy/top1')
    return None if buffer is None else float(buffer.current())


# Detection runs (mmdet CocoMetric) report mAPs instead of top-1.
DET_METRICS = (('val/coco/bbox_mAP', 'bbox mAP'), ('val/coco/segm_mAP', 'segm mAP'))


def last_metrics(runner: Any) -> Optional[str]:
    """The last validation's headline metric(s): top-1, else COCO mAPs."""
    top1 = last_top1(runner)
    if top1 is not None:
        return f'top-1 {top1:.2f} % (val, epoch {runner.epoch})'
    scalars = runner.message_hub.log_scalars
    found = [f'{label} {float(scalars[key].current()):.3f}' for key, label in DET_METRICS
             if key in scalars]
    return f'{", ".join(found)} (val, epoch {runner.epoch})' if found else None


def train_summary(runner: Any) -> str:
    """One line: top-1, FLOPs/params of the arch, checkpoint path.

    FLOPs are the arch's published count (its own resolution, 1000 classes,
    the family's convention), whatever input size the run used.

    Args:
        runner: The mmengine Runner after ``train()``.
    """
    acc = last_metrics(runner) or 'top-1 n/a (no validation ran)'
    arch = trained_arch(runner)
    if arch is None:
        cost = 'FLOPs n/a (no arch in the config)'
    else:
        c = count_cost(arch.replace(num_classes=1000))
        cost = (f'{c.mflops:.2f} MFLOPs, {c.mparams:.3f} M params ({arch.name or "arch"} at '
                f'{arch.resolution}x{arch.resolution}, 1000 classes, {arch.family} convention)')
    ckpt = find_latest_checkpoint(runner.work_dir) or 'none saved'
    if ckpt.startswith(os.getcwd() + os.sep):  # work_dirs/... reads better from the repo root
        ckpt = os.path.relpath(ckpt)
    return f'[nas_backbones] {acc} | {cost} | checkpoint: {ckpt}'
