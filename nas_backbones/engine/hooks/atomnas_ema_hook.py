"""EMA of all weights for AtomNAS, as the authors' ``ExponentialMovingAverage``
(meijieru/AtomNAS utils/optim.py L54-65): at the n-th update (n = 1, 2, ...)
the decay is ``min(decay, (1 + n) / (10 + n))``, so early in training the
EMA follows the weights closely and reaches the full decay after ~1e5 steps.
The published decay is given at a reference batch and converted to the run's
batch (common.py L48-52: ``decay ** (batch / ref_batch)``); the conversion
applies to ``decay`` only, not to the warm-up term.

mmengine's ``ExponentialMovingAverage`` computes ``ema = (1 - m) * ema + m *
new``, i.e. its ``momentum`` m weights the *new* value: decay 0.9999 is
m = 1e-4. ``AtomNASEMA`` is that averaged model with m_n = 1 - decay_n; its
update count is mmengine's ``steps`` buffer, saved in ``ema_state_dict`` and
restored on resume (the authors restore their global step, train.py L314).
Shrinking replaces the EMA copy's parameters; ``AtomShrinkHook`` slices it
together with the model (through ``AtomNAS.drop_atoms``).
"""
from __future__ import annotations

import logging
from typing import Optional

import torch.nn as nn
from mmengine.hooks import EMAHook
from mmengine.logging import print_log
from mmengine.model import ExponentialMovingAverage
from mmengine.runner import BaseLoop

from ...registry import HOOKS, MODELS


def ema_momentum(decay: float, batch_size: int, ref_batch_size: int) -> float:
    """mmengine momentum (weight of the new value) keeping the horizon in
    images of ``decay`` per step at ``ref_batch_size``."""
    return 1.0 - decay ** (batch_size / ref_batch_size)


def warmup_decay(decay: float, n: int) -> float:
    """The authors' decay at the n-th update (n >= 1): ``min(decay, (1 + n)
    / (10 + n))`` (meijieru/AtomNAS utils/optim.py L60-61)."""
    return min(decay, (1.0 + n) / (10.0 + n))


@MODELS.register_module()
class AtomNASEMA(ExponentialMovingAverage):
    """``ExponentialMovingAverage`` with the authors' decay warm-up.

    Unlike mmengine's averaged models, the first update averages too (with
    decay 2/11) instead of copying the weights: the EMA starts from the
    initialised weights, as the authors' shadow variables do
    (``AtomNASEMAHook.before_train`` puts them there).

    Args:
        model (nn.Module): The model to average.
        momentum (float): ``1 - decay`` at full decay (the batch-adjusted
            value; ``AtomNASEMAHook`` computes it).
        interval (int): Update every ``interval`` calls. Defaults to 1.
        device (torch.device, optional): Where the copy lives.
        update_buffers (bool): Average the BN statistics too (the authors
            register ``running_mean`` / ``running_var``, common.py L60-63).
            Defaults to False.
    """

    def momentum_at(self, n: int) -> float:
        """mmengine momentum (weight of the new value) of the n-th update."""
        return 1.0 - warmup_decay(1.0 - self.momentum, n)

    def update_parameters(self, model: nn.Module) -> None:
        src = model.state_dict() if self.update_buffers else dict(model.named_parameters())
        if int(self.steps) % self.interval == 0:
            momentum = self.momentum_at(int(self.steps) // self.interval + 1)
            for k, p_avg in self.avg_parameters.items():
                new = src[k].data.to(p_avg.device)
                if p_avg.dtype.is_floating_point:
                    p_avg.data.lerp_(new, momentum)
                else:  # num_batches_tracked: a counter, not averaged
                    p_avg.data.copy_(new)
        if not self.update_buffers:
            for b_avg, b_src in zip(self.module.buffers(), model.buffers()):
                b_avg.data.copy_(b_src.data.to(b_avg.device))
        self.steps += 1


@HOOKS.register_module()
class AtomNASEMAHook(EMAHook):
    """EMAHook with the authors' EMA: decay warm-up (``AtomNASEMA``) and the
    decay converted from its reference batch to the run's batch.

    Args:
        decay (float): EMA decay per step at ``ref_batch_size``.
            Defaults to 0.9999.
        ref_batch_size (int): Batch the decay refers to. Defaults to 4096.
        batch_size (int, optional): Total training batch; defaults to the
            train loader's batch size x world size, from the config.
        update_buffers (bool): Average BN statistics too (the published EMA
            covers them). Defaults to True.
        **kwargs: Other ``EMAHook`` arguments (``begin_iter``, ...).
            ``ema_type='ExponentialMovingAverage'`` gives mmengine's EMA
            (constant decay from the first step), not the authors'.
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
        kwargs.setdefault('ema_type', 'nas_backbones.AtomNASEMA')
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

    def before_train(self, runner) -> None:
        super().before_train(runner)
        # The averaged copy was made in before_run, before the runner
        # initialised the weights; a run that did not resume an EMA state
        # starts averaging from the weights it trains (the authors register
        # the shadow variables after initialisation, common.py L57-63).
        if isinstance(self.ema_model, AtomNASEMA) and int(self.ema_model.steps) == 0:
            self.ema_model.module.load_state_dict(self.src_model.state_dict())
