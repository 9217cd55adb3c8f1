"""Linear warm-up of the AtomNAS L1 penalty weight: lambda grows linearly per
iteration from 0 over the first 25 epochs, so that expensive atoms are not
removed before the net has learnt anything
(docs/methods/atomnas.md#lambda-and-its-warm-up)."""
from __future__ import annotations

from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from ...registry import HOOKS


def l1_warmup_scale(iteration: int, warmup_iters: int) -> float:
    """Factor of the target lambda at ``iteration`` (0-based): 0 at the first
    iteration, 1 from ``warmup_iters`` on."""
    if warmup_iters <= 0:
        return 1.0
    return min(1.0, iteration / warmup_iters)


@HOOKS.register_module()
class L1WarmupHook(Hook):
    """Set the model's lambda factor (``model.set_l1_scale``) before every
    training iteration.

    Args:
        warmup_epochs (float, optional): Warm-up length in epochs (converted
            with the train loader's length). Defaults to 25 when
            ``warmup_iters`` is not given.
        warmup_iters (int, optional): Warm-up length in iterations instead
            of epochs; excludes ``warmup_epochs``. Defaults to None.
    """

    priority = 'NORMAL'

    def __init__(self, warmup_epochs: Optional[float] = None, warmup_iters: Optional[int] = None):
        if warmup_epochs is not None and warmup_iters is not None:
            raise ValueError(f'warmup_iters: set either warmup_epochs ({warmup_epochs}) or '
                             f'warmup_iters ({warmup_iters}), not both')
        if warmup_iters is not None:
            if isinstance(warmup_iters, bool) or not isinstance(warmup_iters, int) \
                    or warmup_iters < 0:
                raise ValueError(f'warmup_iters: expected an int >= 0, got {warmup_iters!r}')
        else:
            warmup_epochs = 25 if warmup_epochs is None else warmup_epochs
            if not isinstance(warmup_epochs, (int, float)) or warmup_epochs < 0:
                raise ValueError(f'warmup_epochs: expected a number >= 0, got {warmup_epochs!r}')
        self.warmup_epochs, self.warmup_iters = warmup_epochs, warmup_iters
        self.scale = 0.0

    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def _total_iters(self, runner) -> int:
        if self.warmup_iters is not None:
            return self.warmup_iters
        return int(round(self.warmup_epochs * len(runner.train_dataloader)))

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        self.scale = l1_warmup_scale(runner.iter, self._total_iters(runner))
        self._model(runner).set_l1_scale(self.scale)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # The factor is a function of the iteration; it is saved so that a
        # checkpoint says which lambda produced it (and test-time logs agree).
        checkpoint['l1_warmup'] = {'scale': float(self.scale)}

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('l1_warmup')
        if state is not None:
            self.scale = float(state['scale'])
            self._model(runner).set_l1_scale(self.scale)
