"""Fine-grained transfer (AttentiveNAS appendix G, docs/downstream.md#transfer):
the logic behind ``tools/transfer_sweep.py`` and ``tools/benchmark_transfer.py``.

* ``cls_head_dims``: the classifier head widths of an arch (what the configs
  in ``configs/transfer`` hold precomputed).
* ``holdout_split`` / ``holdout_config``: the deterministic 20 % hold-out of
  the training list on which lr and weight decay are chosen.
* ``with_arch`` / ``with_hparams``: the same recipe for another backbone,
  checkpoint, resolution, lr or weight decay.
* ``train_and_evaluate``, ``sweep``: run configs and collect top-1.
"""
from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np
from mmengine.config import Config

from ..arch import AtomNetArch, AttentiveArch, classifier_channels, load_arch
from ..engine.checkpoint import read_weights
from ..estimators import count_cost
from .det_config import detect_prefix

Arch = Union[str, Path, dict, AtomNetArch, AttentiveArch]
TOP1 = 'accuracy/top1'
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def cls_head_dims(arch: Arch) -> dict:
    """``NASClsHead`` widths of ``arch``: ``in_channels`` (the head conv's)
    and ``mid_channels`` (AttentiveNAS pre-logits width[8]; 0 for AtomNAS)."""
    in_channels, mid_channels, _ = classifier_channels(load_arch(arch))
    return dict(in_channels=in_channels, mid_channels=mid_channels)


def holdout_split(labels: Sequence[int], fraction: float = 0.2,
                  seed: int = 0) -> tuple[list[int], list[int]]:
    """Split sample indices into (train, hold-out), stratified by class.

    Each class's indices are shuffled with ``seed`` and ``round(fraction *
    n)`` of them (at least one when the class has two or more samples) go to
    the hold-out, so the split is the same on every run and machine.

    Args:
        labels (Sequence[int]): Class of each training sample.
        fraction (float): Share held out, in (0, 1). Defaults to 0.2.
        seed (int): Shuffle seed. Defaults to 0.

    Returns:
        tuple[list[int], list[int]]: Sorted train and hold-out indices.
    """
    if not 0 < fraction < 1:
        raise ValueError(f'fraction: must be in (0, 1), got {fraction}')
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    held = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        k = int(round(fraction * len(idx)))
        k = max(k, 1) if len(idx) >= 2 else 0
        held.extend(rng.permutation(idx)[:k].tolist())
    held_set = set(held)
    return [i for i in range(len(labels)) if i not in held_set], sorted(held)


def train_labels(cfg: Config) -> list[int]:
    """Class of every sample of ``cfg``'s training set (no images read)."""
    from mmengine.registry import DefaultScope

    from ..registry import DATASETS
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset_cfg.update(pipeline=[], indices=None)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'nas_backbones')):
        dataset = DATASETS.build(dataset_cfg)
    return [int(x) for x in dataset.get_gt_labels()]


def holdout_config(cfg: Config, fraction: float = 0.2, seed: int = 0) -> Config:
    """``cfg`` training on ``1 - fraction`` of its train list and validating
    on the rest (with the evaluation pipeline); its test set is dropped.

    Args:
        cfg (Config): A transfer config.
        fraction (float): Hold-out share. Defaults to 0.2 (the paper's 20 %).
        seed (int): Split seed. Defaults to 0.
    """
    train_idx, held_idx = holdout_split(train_labels(cfg), fraction, seed)
    cfg = copy.deepcopy(cfg)
    held = copy.deepcopy(cfg.train_dataloader.dataset)
    held.update(pipeline=copy.deepcopy(cfg.val_dataloader.dataset.pipeline), indices=held_idx)
    cfg.train_dataloader.dataset.indices = train_idx
    cfg.val_dataloader.dataset = held
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    return cfg


def _set_pipeline_size(pipeline: list, size: int) -> None:
    # The crops of configs/transfer/_base_/res<N>.py: train RandomResizedCrop
    # to ``size``; eval short side size/0.875 then a centre crop.
    for step in pipeline or ():
        if step['type'] == 'RandomResizedCrop':
            step['scale'] = size
        elif step['type'] == 'ResizeEdge':
            step['scale'] = round(size / 0.875)
        elif step['type'] == 'CenterCrop':
            step['crop_size'] = size


def with_arch(cfg: Config, arch: Arch, checkpoint: Optional[Union[str, Path]] = None,
              resolution: Optional[int] = None) -> Config:
    """``cfg`` with another backbone: arch, head widths, weights, image size.

    Args:
        cfg (Config): A transfer config.
        arch: Zoo name or arch file (exported by tools/export.py).
        checkpoint (str | Path, optional): Exported ImageNet weights. The
            backbone is loaded from them; the AttentiveNAS pre-logits layer
            too when the file has ``head.mid_fc`` (the fc stays new). None
            trains from scratch.
        resolution (int, optional): Image size; defaults to the arch's
            (the paper's protocol). 0 keeps the config's pipelines.
    """
    cfg = copy.deepcopy(cfg)
    net = load_arch(arch)
    cfg.model.backbone.arch = str(arch) if isinstance(arch, (str, Path)) else net.to_dict()
    cfg.model.head.update(cls_head_dims(net))
    cfg.model.backbone.init_cfg = cfg.model.head.init_cfg = None
    if checkpoint is not None:
        state = read_weights(checkpoint)
        prefix = detect_prefix(state, net)
        cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=str(checkpoint),
                                           prefix=prefix)
        if cfg.model.head.mid_channels and any(k.startswith('head.mid_fc.') for k in state):
            cfg.model.head.init_cfg = dict(type='Pretrained', checkpoint=str(checkpoint),
                                           prefix='head.')
    size = net.resolution if resolution is None else resolution
    if size:
        for key in LOADERS:
            if cfg.get(key):
                _set_pipeline_size(cfg[key].dataset.get('pipeline'), size)
    return cfg


def with_hparams(cfg: Config, lr: Optional[float] = None, weight_decay: Optional[float] = None,
                 epochs: Optional[int] = None) -> Config:
    """``cfg`` with another lr / weight decay / length (the cosine schedule
    is stretched to the new length; evaluation only at the end)."""
    cfg = copy.deepcopy(cfg)
    if lr is not None:
        cfg.optim_wrapper.optimizer.lr = lr
    if weight_decay is not None:
        cfg.optim_wrapper.optimizer.weight_decay = weight_decay
    if epochs is not None:
        cfg.train_cfg.max_epochs = epochs
        for sched in cfg.param_scheduler:
            if sched['type'] == 'CosineAnnealingLR':  # decay to the new end
                sched.update(end=epochs, T_max=epochs - sched.get('begin', 0))
            elif sched.get('end') is not None:
                sched.end = min(sched.end, epochs)
    cfg.train_cfg.val_interval = cfg.train_cfg.max_epochs
    return cfg


def input_size(cfg: Config) -> int:
    """The evaluation image size of a transfer config (its CenterCrop)."""
    for step in cfg.val_dataloader.dataset.pipeline:
        if step['type'] == 'CenterCrop':
            size = step['crop_size']
            return size if isinstance(size, int) else size[0]
    raise ValueError('val_dataloader.dataset.pipeline: no CenterCrop to read the size from')


def transfer_mflops(cfg: Config) -> float:
    """MFLOPs of the fine-tuned net (its arch at the config's input size and
    class count, in the family's convention: docs/flops_conventions.md)."""
    arch = load_arch(cfg.model.backbone.arch)
    return count_cost(arch.replace(resolution=input_size(cfg),
                                   num_classes=cfg.model.head.num_classes)).mflops


def train_and_evaluate(cfg: Config, work_dir: Union[str, Path]) -> dict:
    """Train ``cfg`` (which validates at its last epoch) and return the last
    validation metrics, e.g. ``{'accuracy/top1': 97.4}``.

    Each run gets its own experiment name, so several runs in one process
    keep separate loggers and message hubs.
    """
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner
    cfg = copy.deepcopy(cfg)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'{Path(work_dir).name}_{uuid.uuid4().hex[:8]}'
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    runner.train()
    scalars = runner.message_hub.log_scalars
    return {k[len('val/'):]: float(v.current()) for k, v in scalars.items()
            if k.startswith('val/') and k not in ('val/time', 'val/data_time')}


@dataclass(frozen=True)
class SweepPoint:
    """One grid point of the lr / weight-decay sweep and its hold-out top-1."""
    lr: float
    weight_decay: float
    top1: float


def sweep(cfg: Config, lrs: Sequence[float], weight_decays: Sequence[float],
          work_dir: Union[str, Path], epochs: Optional[int] = None, fraction: float = 0.2,
          seed: int = 0) -> list[SweepPoint]:
    """Short trainings over the lr x weight-decay grid on the hold-out split.

    Args:
        cfg (Config): A transfer config (its train list is split).
        lrs (Sequence[float]): Learning rates to try.
        weight_decays (Sequence[float]): Weight decays to try.
        work_dir (str | Path): Parent folder of the runs.
        epochs (int, optional): Epochs per run; defaults to the config's.
        fraction (float): Hold-out share. Defaults to 0.2.
        seed (int): Split seed. Defaults to 0.

    Returns:
        list[SweepPoint]: One per grid point, in grid order.
    """
    base = holdout_config(cfg, fraction, seed)
    points = []
    for lr in lrs:
        for wd in weight_decays:
            run = with_hparams(base, lr=lr, weight_decay=wd, epochs=epochs)
            metrics = train_and_evaluate(run, Path(work_dir) / f'lr{lr:g}_wd{wd:g}')
            points.append(SweepPoint(lr, wd, metrics[TOP1]))
    return points


def best_point(points: Sequence[SweepPoint]) -> SweepPoint:
    """Highest hold-out top-1; ties go to the earlier grid point."""
    if not points:
        raise ValueError('points: empty sweep')
    return max(points, key=lambda p: (p.top1, -points.index(p)))
