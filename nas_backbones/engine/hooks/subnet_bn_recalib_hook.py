"""BN recalibration of the evaluated subnet before every val/test epoch.

AttentiveNAS trains the supernet with BN momentum 0, so running statistics
are meaningless: every subnet is recalibrated (64 batches,
docs/methods/attentivenas.md#bn-recalibration) before it is evaluated. The
maths (and the average over the ranks of a distributed run) is ``ops.bn_recalib.recalibrate_bn``, reached through the model's
``recalibrate(batches, num_batches)``; this hook only schedules it.
"""
from __future__ import annotations

from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from ...registry import HOOKS


@HOOKS.register_module()
class SubnetBNRecalibHook(Hook):
    """Recalibrate the model's eval subnet on training batches.

    Args:
        num_batches (int): Batches to average statistics over. Defaults to 64.
        dataloader (dict, optional): Loader config for the batches; default:
            the runner's training loader (its config when no train loop runs,
            as in tools/test.py).
    """

    priority = 'ABOVE_NORMAL'  # before anything that evaluates

    def __init__(self, num_batches: int = 64, dataloader: Optional[dict] = None):
        if not isinstance(num_batches, int) or num_batches < 1:
            raise ValueError(f'num_batches: expected a positive int, got {num_batches!r}')
        self.num_batches, self.dataloader_cfg = num_batches, dataloader
        self._loader = None

    def _batches(self, runner):
        if self._loader is None:
            loop = getattr(runner, '_train_loop', None)
            if self.dataloader_cfg is None and isinstance(loop, BaseLoop):
                self._loader = loop.dataloader
            else:
                cfg = self.dataloader_cfg or runner.cfg.get('train_dataloader')
                if cfg is None:
                    raise ValueError('SubnetBNRecalibHook: no dataloader (set `dataloader=` or '
                                     'keep train_dataloader in the config)')
                self._loader = runner.build_dataloader(cfg, seed=runner.seed)
        return self._loader

    def _recalibrate(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'recalibrate'):
            raise TypeError(f'SubnetBNRecalibHook: {type(model).__name__} has no recalibrate()')
        used = model.recalibrate(self._batches(runner), self.num_batches)
        runner.logger.info(f'BN recalibrated on {used} batches for {model.eval_arch.encode()}')

    def before_val_epoch(self, runner) -> None:
        self._recalibrate(runner)

    def before_test_epoch(self, runner) -> None:
        self._recalibrate(runner)
