"""Export the searched AtomNAS net at the end of a run (the demo "ends with
an exported arch"). The hook is the engine's side (when, which weights, where
in the work dir); ``export/`` below it does supernet -> arch file + weights and
knows nothing of runners or registries."""
from __future__ import annotations

import os.path as osp
from typing import Optional

from mmengine.hooks import EMAHook, Hook
from mmengine.model import is_model_wrapper

from ...export.atomnas_export import export_from_model
from ...registry import HOOKS
from .atom_shrink_hook import arch_summary


@HOOKS.register_module()
class AtomNASExportHook(Hook):
    """At the end of training, write ``{out_dir}/{name}.yml`` + ``{name}.pth``.

    Args:
        out_dir (str, optional): Defaults to ``{work_dir}/export``.
        name (str): File stem and arch name. Defaults to 'atomnas_searched'.
        use_ema (bool): Export the EMA weights of an ``EMAHook`` when one is
            registered (docs/methods/atomnas.md#export). Defaults to True.
    """

    priority = 'LOW'

    def __init__(self, out_dir: Optional[str] = None, name: str = 'atomnas_searched',
                 use_ema: bool = True):
        if not isinstance(name, str) or not name or '/' in name:
            raise ValueError(f'name: expected a file stem, got {name!r}')
        self.out_dir, self.name, self.use_ema = out_dir, name, use_ema
        self.paths: Optional[tuple] = None

    def after_train(self, runner) -> None:
        # after_train, not after_run: tools/test.py runs must not export.
        if runner.rank != 0:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        ema = None
        if self.use_ema:
            ema = next((h.ema_model for h in runner.hooks
                        if isinstance(h, EMAHook) and hasattr(h, 'ema_model')), None)
        out_dir = self.out_dir or osp.join(runner.work_dir, 'export')
        self.paths = export_from_model(model, out_dir, self.name, ema,
                                       meta={'epoch': runner.epoch, 'iter': runner.iter})
        arch_path, ckpt_path = self.paths
        runner.logger.info(f'AtomNASExportHook: exported {arch_summary(model.arch)} '
                           f'({"EMA" if ema is not None else "model"} weights) to {arch_path} '
                           f'and {ckpt_path}; check: python tools/analysis/count_flops.py '
                           f'{arch_path}')
