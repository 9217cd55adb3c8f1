"""EMA of all weights for AtomNAS (SPEC §2), with the published decay given
at its reference batch and converted to the run's batch.

mmengine's ``ExponentialMovingAverage`` computes ``ema = (1 - m) * ema + m *
new``, i.e. its ``momentum`` m weights the *new* value: AtomNAS's decay
0.9999 per step at batch 4096 is m = 1e-4 there; at total batch B the same
horizon in images is decay ** (B / 4096). Shrinking replaces the EMA copy's
parameters; ``AtomShrinkHook`` slices it together with the model (through
``AtomNAS.drop_atoms``), so this hook only has to build it.
"""
from __future__ import annotations

import logging
from typing import Optional

from mmengine.hooks import EMAHook
from mmengine.logging import print_log
from mmengine.runner import BaseLoop

from ...registry import HOOKS


def ema_momentum(decay: float, batch_size: int, ref_batch_size: int) -> float:
    """mmengine momentum (weight of the new value) keeping the horizon in
    images of ``decay`` per step at ``ref_batch_size``."""
    return 1.0 - decay ** (batch_size / ref_batch_size)


@HOOKS.register_module()
class AtomNASEMAHook(EMAHook):
    """EMAHook whose momentum comes from AtomNAS's decay and the batch size.

    Args:
        decay (float): EMA decay per step at ``ref_batch_size``.
            Defaults to 0.9999.
        ref_batch_size (int): Batch the decay refers to. Defaults to 4096.
        batch_size (int, optional): Total training batch; defaults to the
            train loader's batch size x world size, from the config.
        update_buffers (bool): Average BN statistics too (the published EMA
            covers them). Defaults to True.
        **kwargs: Other ``EMAHook`` arguments (``begin_iter``, ...).
    """

    priority = 'NORMAL'

    def __init__(self, decay: float = 0.9999, ref_batch_size: int = 4096,
                 batch_size: Optional[int] = None, update_buffers: bool = True, **kwargs):
        if not 0 < decay < 1:
            raise ValueError(f'decay: expected a number in (0, 1), got {decay!r}')
        for name, value in (('ref_batch_size', ref_batch_size), ('batch_size', batch_size)):
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ValueError(f'{name}: expected a positive int, got {value!r}')
        if 'momentum' in kwargs:
            raise ValueError('momentum: derived from decay and the batch size; set decay instead')
        kwargs.setdefault('ema_type', 'ExponentialMovingAverage')
        super().__init__(update_buffers=update_buffers, **kwargs)
        self.decay, self.ref_batch_size, self.batch_size = decay, ref_batch_size, batch_size

    def _total_batch(self, runner) -> Optional[int]:
        if self.batch_size is not None:
            return self.batch_size
        loader = runner.cfg.get('train_dataloader') or {}
        per_gpu = loader.get('batch_size') if hasattr(loader, 'get') else None
        if per_gpu is None and isinstance(runner._train_loop, BaseLoop):
            per_gpu = runner.train_dataloader.batch_size  # a runner built without a config
        return None if per_gpu is None else per_gpu * runner.world_size

    def before_run(self, runner) -> None:
        batch = self._total_batch(runner)
        if batch is None:
            batch = self.ref_batch_size
            print_log('AtomNASEMAHook: no train batch size found; using the decay as given',
                      'current', logging.WARNING)
        self.ema_cfg['momentum'] = ema_momentum(self.decay, batch, self.ref_batch_size)
        print_log(f'AtomNASEMAHook: decay {self.decay} at batch {self.ref_batch_size} -> '
                  f'momentum {self.ema_cfg["momentum"]:.3g} at batch {batch}', 'current')
        super().before_run(runner)
