"""Dynamic network shrinkage of AtomNAS (paper Algorithm 1), with the rules
of the authors' train.py (meijieru/AtomNAS train.py L382-394, L27-69):

* trigger: the atoms dead in the EMA net (``|EMA alpha| <= threshold``; the
  live net when there is no EMA) add up to at least ``min_flops_delta`` MACs
  (utils/prune.py L190-212), or the epoch is the last one;
* removed: the atoms dead in both the weights and the EMA (alive iff
  ``|alpha| > threshold`` in either); at the last epoch the atoms dead in the
  EMA alone (the exported net is the EMA net).

So a mid-run check can trigger and remove nothing (EMA-dead atoms still alive
in the weights), as in the authors' code. The removal slices the model, the
EMA copy and the optimizer state in one call (``AtomNAS.drop_atoms``); then
the BN statistics are recalibrated on training batches (``recalib_batches``)
and FLOPs / params / atoms are logged.

Checkpoints carry the live arch (``checkpoint['atomnas_shrink']``, plain
data). On load, mmengine calls ``after_load_checkpoint`` *before* it loads
the model's state dict, and before ``EMAHook`` (lower priority) loads the
EMA state and before ``Runner.resume`` loads the optimizer state; this hook
uses that moment to reshape the freshly built supernet, its EMA copy and the
optimizer's param groups to the saved arch, so all three load as saved.
"""
from __future__ import annotations

import json
from typing import Optional

import torch
from mmengine.hooks import EMAHook, Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper

from ...arch import AtomNetArch
from ...estimators import count_cost
from ...ops.atom_shrink import dead_atom_masks
from ...registry import HOOKS

CHECKPOINT_KEY = 'atomnas_shrink'


def arch_summary(arch: AtomNetArch, latency_ms: Optional[float] = None) -> str:
    """'X MFLOPs, Y M params, N atoms (R x R input, C classes)', from the
    analytic estimator, the same numbers ``count_flops.py`` prints; with the
    supernet's latency table, ', predicted Z ms' too."""
    cost = count_cost(arch)
    latency = '' if latency_ms is None else f', predicted {latency_ms:.2f} ms'
    return (f'{cost.mflops:.2f} MFLOPs, {cost.mparams:.3f} M params, {arch.num_atoms} atoms '
            f'({arch.resolution}x{arch.resolution} input, {arch.num_classes} classes){latency}')



def live_summary(supernet) -> str:
    """``arch_summary`` of a supernet's live atoms, with its predicted
    latency when it has a latency table."""
    return arch_summary(supernet.current_arch(), supernet.predicted_latency())

@HOOKS.register_module()
class AtomShrinkHook(Hook):
    """Remove dead atoms during the search.

    Args:
        threshold (float): Dead when ``|alpha|`` (and ``|EMA alpha|``) is
            at most this. Defaults to 1e-3.
        min_flops_delta (float): Shrink (before the last epoch) only when the
            atoms dead in the EMA cost at least this many MACs. Defaults to 1e6.
        interval (int): Check every ``interval`` epochs (and after the
            last). Defaults to 1.
        recalib_batches (int): Training batches for BN recalibration after a
            shrink; 0 disables it. Defaults to 10.
        use_ema (bool): Use the EMA alphas of an ``EMAHook`` when one is
            registered. Defaults to True.
    """

    # Before EMAHook (NORMAL) in after_load_checkpoint: the EMA copy must have
    # the saved shapes when EMAHook loads its state; before CheckpointHook
    # (VERY_LOW) in after_train_epoch: the checkpoint holds the shrunk net.
    priority = 'ABOVE_NORMAL'

    def __init__(self, threshold: float = 1e-3, min_flops_delta: float = 1e6, interval: int = 1,
                 recalib_batches: int = 10, use_ema: bool = True):
        if not isinstance(threshold, (int, float)) or threshold <= 0:
            raise ValueError(f'threshold: expected a positive number, got {threshold!r}')
        if not isinstance(min_flops_delta, (int, float)) or min_flops_delta < 0:
            raise ValueError(f'min_flops_delta: expected a number >= 0, got {min_flops_delta!r}')
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(f'interval: expected a positive int, got {interval!r}')
        if isinstance(recalib_batches, bool) or not isinstance(recalib_batches, int) \
                or recalib_batches < 0:
            raise ValueError(f'recalib_batches: expected an int >= 0, got {recalib_batches!r}')
        self.threshold, self.min_flops_delta = float(threshold), float(min_flops_delta)
        self.interval, self.recalib_batches, self.use_ema = interval, recalib_batches, use_ema
        self.history: list[dict] = []

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def _ema_model(self, runner):
        if not self.use_ema:
            return None
        for hook in runner.hooks:
            if isinstance(hook, EMAHook) and hasattr(hook, 'ema_model'):
                return hook.ema_model
        return None

    @staticmethod
    def _optimizer(runner) -> Optional[torch.optim.Optimizer]:
        wrapper = runner.optim_wrapper
        return wrapper.optimizer if isinstance(wrapper, OptimWrapper) else None

    @staticmethod
    def _rewrap(runner) -> None:
        # A DDP wrapper keeps its own list of parameters (gradient buckets);
        # after parameters were replaced it must be built again.
        if is_model_wrapper(runner.model) and isinstance(
                runner.model, torch.nn.parallel.DistributedDataParallel):
            runner.model = runner.wrap_model(runner.cfg.get('model_wrapper_cfg'),
                                             runner.model.module)

    # ------------------------------------------------------------ shrinking
    def after_train_epoch(self, runner) -> None:
        epoch = runner.epoch + 1  # epochs completed
        last = epoch >= runner.max_epochs
        if last or epoch % self.interval == 0:
            self.shrink(runner, last=last)

    def shrink(self, runner, last: bool = False) -> int:
        """Check for dead atoms and remove them; returns the atoms removed."""
        model, ema = self._model(runner), self._ema_model(runner)
        supernet = model.supernet
        alphas = supernet.alphas()
        ema_alphas = None if ema is None else list(ema.module.supernet.alphas().values())
        # The authors decide on the evaluated net: the EMA when there is one.
        judged = list(alphas.values()) if ema_alphas is None else ema_alphas
        judged_dead = dead_atom_masks(judged, None, self.threshold)
        trigger = supernet.dead_flops({i: m.cpu() for i, m in zip(alphas, judged_dead)},
                                      resolve=False)
        epoch = runner.epoch + 1
        if not last and trigger < self.min_flops_delta:
            runner.logger.info(f'AtomShrinkHook: epoch {epoch}: atoms dead in the '
                               f'{"live" if ema is None else "EMA"} net cost '
                               f'{trigger / 1e6:.2f} MFLOPs (< {self.min_flops_delta / 1e6:.2f}), '
                               f'no shrink; {live_summary(supernet)}')
            return 0
        masks = dead_atom_masks(list(alphas.values()), ema_alphas, self.threshold,
                                ema_only=last and ema is not None)
        dead = {i: m.cpu() for i, m in zip(alphas, masks) if m.any()}
        if not dead:
            runner.logger.info(f'AtomShrinkHook: epoch {epoch}: no atom dead in both the weights '
                               f'and the EMA, nothing removed; '
                               f'{live_summary(supernet)}')
            return 0
        before = supernet.cost().mflops
        result = model.drop_atoms({i: ~m for i, m in dead.items()}, self._optimizer(runner), ema)
        self._rewrap(runner)
        if self.recalib_batches:
            model.recalibrate(runner.train_dataloader, self.recalib_batches)
            if ema is not None:
                ema.module.recalibrate(runner.train_dataloader, self.recalib_batches)
        arch = supernet.current_arch()
        self.history.append({'epoch': epoch, 'removed_atoms': result.removed_atoms,
                             'mflops': supernet.cost().mflops, 'atoms': arch.num_atoms})
        if supernet.predicted_latency() is not None:
            self.history[-1]['latency_ms'] = supernet.predicted_latency()
        runner.logger.info(f'AtomShrinkHook: epoch {epoch}: removed {result.removed_atoms} atoms '
                           f'({before - supernet.cost().mflops:.2f} MFLOPs'
                           f'{", EMA alphas only" if last and ema is not None else ""}); '
                           f'now {live_summary(supernet)}')
        return result.removed_atoms

    # ------------------------------------------------------------ checkpoints
    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        arch = self._model(runner).supernet.current_arch()
        # Plain data only (a JSON round trip drops the YAML list subclass):
        # run checkpoints are read with torch's weights-only unpickler.
        checkpoint[CHECKPOINT_KEY] = json.loads(json.dumps(
            {'arch': arch.to_dict(), 'history': self.history}))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get(CHECKPOINT_KEY)
        if state is None:
            return
        arch = AtomNetArch.from_dict(state['arch'])
        model = self._model(runner)
        model.shrink_to_arch(arch, self._optimizer(runner), self._ema_model(runner))
        self._rewrap(runner)
        self.history = list(state.get('history', []))
        runner.logger.info(f'AtomShrinkHook: reshaped the model to the checkpoint arch: '
                           f'{arch_summary(arch)}')
