"""The AtomNAS learning-rate schedule: linear warm-up per iteration, then
x gamma every ``decay_epochs`` as a staircase counted from iteration 0
(meijieru/AtomNAS utils/optim.py L252-295, 'exp_decaying' with
``lr_stepwise: False``, apps/mobilenet/default_mnas_scheduler.yml L25-31).

At iteration i (0-based; the scheduler steps after every optimizer step,
train.py L224-225), with W warm-up iterations and D = iterations per epoch x
decay_epochs (a float: the steps fall inside epochs)::

    factor(i) = r + i / W * (1 - r)              if r < 1 and i <= W
              = gamma ** (((i // D) * D) / D)    otherwise (staircase)

r is the authors' ``base_lr / lr`` (0.016 / (0.016 x batch / 256) = 256 /
batch). The staircase does not restart after the warm-up: at W = 5 epochs
two 2.4-epoch steps have passed, so the lr drops from 1 to 0.97 ** 2 at
iteration W + 1. mmengine's LinearLR + MultiStepLR chain multiplies the two
and steps at epoch boundaries, which is why this is its own scheduler.
"""
from __future__ import annotations

from mmengine.optim.scheduler.lr_scheduler import LRSchedulerMixin
from mmengine.optim.scheduler.param_scheduler import INF, _ParamScheduler

from ...registry import PARAM_SCHEDULERS


def warmup_exp_decay_factor(i: int, warmup_iters: int, start_factor: float, decay_iters: float,
                            gamma: float, staircase: bool = True) -> float:
    """lr factor at iteration ``i`` (the formula of the module docstring)."""
    if start_factor < 1 and warmup_iters > 0 and i <= warmup_iters:
        return start_factor + i / warmup_iters * (1 - start_factor)
    if staircase:
        i = (i // decay_iters) * decay_iters
    return gamma ** (i / decay_iters)


class WarmupExpDecayParamScheduler(_ParamScheduler):
    """Linear warm-up, then exponential (staircase) decay; per iteration.

    Args:
        optimizer (Optimizer | OptimWrapper): Wrapped optimizer.
        param_name (str): The scheduled parameter (``lr``).
        warmup_iters (int): Warm-up length W in iterations; 0 = none.
        start_factor (float): Factor at iteration 0, in (0, 1]; 1 = no
            warm-up (the authors warm up only when lr > base_lr).
        decay_iters (float): Iterations per decay step D (may be fractional).
        gamma (float): Decay per step. Defaults to 0.97.
        staircase (bool): Step-wise (True, the authors' ``lr_stepwise:
            False``) or continuous decay. Defaults to True.
        begin, end, last_step, verbose: As mmengine's schedulers.
        by_epoch (bool): Must be False: the schedule is per iteration; give
            epochs with ``by_epoch=True, convert_to_iter_based=True``.
    """

    def __init__(self, optimizer, param_name: str, warmup_iters: int, start_factor: float,
                 decay_iters: float, gamma: float = 0.97, staircase: bool = True,
                 begin: int = 0, end: int = INF, last_step: int = -1, by_epoch: bool = False,
                 verbose: bool = False):
        if by_epoch:
            raise ValueError('by_epoch: this schedule is per iteration; give epochs with '
                             'by_epoch=True and convert_to_iter_based=True')
        if isinstance(warmup_iters, bool) or not isinstance(warmup_iters, int) or warmup_iters < 0:
            raise ValueError(f'warmup_iters: expected an int >= 0, got {warmup_iters!r}')
        if not 0 < start_factor <= 1:
            raise ValueError(f'start_factor: expected a number in (0, 1], got {start_factor!r}')
        if not decay_iters > 0:
            raise ValueError(f'decay_iters: expected a positive number, got {decay_iters!r}')
        if not 0 < gamma <= 1:
            raise ValueError(f'gamma: expected a number in (0, 1], got {gamma!r}')
        self.warmup_iters, self.start_factor = warmup_iters, float(start_factor)
        self.decay_iters, self.gamma, self.staircase = float(decay_iters), float(gamma), staircase
        super().__init__(optimizer, param_name, begin=begin, end=end, last_step=last_step,
                         by_epoch=False, verbose=verbose)

    @classmethod
    def build_iter_from_epoch(cls, *args, warmup_epochs: float = 5, decay_epochs: float = 2.4,
                              begin=0, end=INF, by_epoch=True, epoch_length=None, **kwargs):
        """Build from epochs: W = warmup_epochs x epoch_length (the authors'
        ``epoch_warmup * steps_per_epoch``), D = epoch_length x decay_epochs."""
        if not by_epoch:
            raise ValueError('by_epoch: convert_to_iter_based needs an epoch-based config')
        if not epoch_length or epoch_length < 1:
            raise ValueError(f'epoch_length: expected a positive int, got {epoch_length!r}')
        warmup = warmup_epochs * epoch_length
        if warmup != int(warmup):
            raise ValueError(f'warmup_epochs: {warmup_epochs} x {epoch_length} iterations per '
                             f'epoch is not a whole number of iterations')
        begin = int(begin * epoch_length)
        end = end if end == INF else int(end * epoch_length)
        return cls(*args, warmup_iters=int(warmup), decay_iters=epoch_length * decay_epochs,
                   begin=begin, end=end, by_epoch=False, **kwargs)

    def _get_value(self):
        factor = warmup_exp_decay_factor(self.last_step, self.warmup_iters, self.start_factor,
                                         self.decay_iters, self.gamma, self.staircase)
        return [base * factor for base in self.base_values]


@PARAM_SCHEDULERS.register_module()
class WarmupExpDecayLR(LRSchedulerMixin, WarmupExpDecayParamScheduler):
    """The AtomNAS lr schedule (see the module docstring). In a config::

        param_scheduler = dict(type='WarmupExpDecayLR', by_epoch=True,
                               convert_to_iter_based=True, warmup_epochs=5,
                               start_factor=256 / total_batch,
                               decay_epochs=2.4, gamma=0.97)
    """
