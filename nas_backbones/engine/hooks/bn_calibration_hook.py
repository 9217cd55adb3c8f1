"""BN calibration before every validation / test, as the authors' validate()
(meijieru/AtomNAS train.py L419-443): a copy of the evaluated net (the EMA
net when there is one, common.py L155-172) gets its BN statistics reset and
re-estimated as the cumulative mean over ``num_batches`` training batches
(utils/common.py L214-226; ``bn_calibration_steps: 10``) and averaged over
ranks (train.py L442-443), and the evaluation uses them.
The trained statistics are untouched: they are put back after the epoch.

With mmengine's ``EMAHook`` the EMA weights are swapped into the runner's
model in ``before_val_epoch`` and swapped back in ``after_val_epoch``. This
hook works outside that swap: it calibrates in ``before_val`` (before the
swap-in) and restores in ``after_val_epoch`` at a lower priority (after the
swap-back, before ``CheckpointHook`` saves a best checkpoint), both times on
the net that holds the evaluated statistics while unswapped: the EMA copy
when its buffers are averaged (``update_buffers=True``), else the model.
The maths is ``ops.bn_recalib.recalibrate_bn``; any mmengine model whose
``forward(inputs, mode='tensor')`` runs the net works (``AtomNAS``, an
mmpretrain ``ImageClassifier`` over ``SearchedMobileNet``).
"""
from __future__ import annotations

import copy
from typing import Optional

import torch
import torch.nn as nn
from mmengine.hooks import EMAHook, Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop
from torch.nn.modules.batchnorm import _BatchNorm

from ...ops.bn_recalib import recalibrate_bn
from ...registry import HOOKS

BN_BUFFERS = ('running_mean', 'running_var', 'num_batches_tracked')


def _bn_buffers(net: nn.Module) -> dict[str, torch.Tensor]:
    """Name -> tensor of every BN statistic of ``net``."""
    out = {}
    for name, m in net.named_modules():
        if isinstance(m, _BatchNorm) and m.track_running_stats:
            for b in BN_BUFFERS:
                if getattr(m, b, None) is not None:
                    out[f'{name}.{b}'] = getattr(m, b)
    return out


def _preprocessed_forward(net: nn.Module, data) -> None:
    net(net.data_preprocessor(data, False)['inputs'], mode='tensor')


@HOOKS.register_module()
class BNCalibrationHook(Hook):
    """Evaluate with BN statistics re-estimated on training batches.

    Args:
        num_batches (int): Training batches per calibration (the authors'
            ``bn_calibration_steps``). Defaults to 10.
        batch_size (int, optional): Per-GPU batch of the calibration loader
            (the authors' ``bn_calibration_per_gpu_batch_size``: 256 in the
            search, 512 in the + retrains); it is the ``train_dataloader``
            config with this batch size. Defaults to None: the training
            loader itself.
        dataloader (dict, optional): Loader config for the batches instead of
            ``train_dataloader`` (the authors use the training set and
            transforms, utils/dataflow.py L247-251).
    """

    # after_val_epoch: after EMAHook (NORMAL) swapped the EMA weights back,
    # before CheckpointHook (VERY_LOW) may save a best checkpoint.
    priority = 'BELOW_NORMAL'

    def __init__(self, num_batches: int = 10, batch_size: Optional[int] = None,
                 dataloader: Optional[dict] = None):
        if isinstance(num_batches, bool) or not isinstance(num_batches, int) or num_batches < 1:
            raise ValueError(f'num_batches: expected a positive int, got {num_batches!r}')
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(
                batch_size, int) or batch_size < 1):
            raise ValueError(f'batch_size: expected a positive int, got {batch_size!r}')
        self.num_batches, self.batch_size, self.dataloader_cfg = num_batches, batch_size, dataloader
        self._loader = None
        self._saved: list[tuple[torch.Tensor, torch.Tensor]] = []

    def _batches(self, runner):
        if self._loader is not None:
            return self._loader
        loop = getattr(runner, '_train_loop', None)
        if self.dataloader_cfg is None and self.batch_size is None and isinstance(loop, BaseLoop):
            self._loader = loop.dataloader
            return self._loader
        cfg = self.dataloader_cfg or runner.cfg.get('train_dataloader')
        if cfg is None:
            raise ValueError('BNCalibrationHook: no dataloader config (set `dataloader=` or keep '
                             'train_dataloader in the config)')
        cfg = copy.deepcopy(cfg)
        if self.batch_size is not None:
            cfg['batch_size'] = self.batch_size
        self._loader = runner.build_dataloader(cfg, seed=runner.seed)
        return self._loader

    @staticmethod
    def _nets(runner) -> tuple[nn.Module, nn.Module]:
        """(net with the evaluated weights, net holding the evaluated BN
        statistics), both outside the EMA swap."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        ema = next((h.ema_model for h in runner.hooks
                    if isinstance(h, EMAHook) and hasattr(h, 'ema_model')), None)
        if ema is None:
            return model, model
        return ema.module, (ema.module if ema.update_buffers else model)

    def calibrate(self, runner) -> int:
        """Calibrate a copy, move its statistics into the evaluated net and
        remember the trained ones; returns the batches used."""
        if self._saved:
            raise RuntimeError('BNCalibrationHook: statistics of the last calibration were not '
                               'restored')
        weights, target = self._nets(runner)
        calibrated = copy.deepcopy(weights)
        # Averaged over the ranks too: every rank evaluates the same net.
        used = recalibrate_bn(calibrated, self._batches(runner), self.num_batches,
                              _preprocessed_forward)
        stats = _bn_buffers(calibrated)
        for name, tensor in _bn_buffers(target).items():
            self._saved.append((tensor, tensor.detach().clone()))
            tensor.data.copy_(stats[name])
        runner.logger.info(f'BNCalibrationHook: BN statistics re-estimated on {used} training '
                           f'batches for evaluation')
        return used

    def restore(self) -> None:
        """Put the trained statistics back."""
        for tensor, value in self._saved:
            tensor.data.copy_(value)
        self._saved = []

    def before_val(self, runner) -> None:
        self.calibrate(runner)

    def after_val_epoch(self, runner, metrics=None) -> None:
        self.restore()

    def before_test(self, runner) -> None:
        self.calibrate(runner)

    def after_test_epoch(self, runner, metrics=None) -> None:
        self.restore()
