"""AtomNAS hooks: schedules and argument checks (the Runner-level behaviour is
in tests/test_algorithms/test_atomnas_search.py)."""
import pytest

from nas_backbones.engine.hooks import (AtomNASEMAHook, AtomShrinkHook, BNCalibrationHook,
                                        L1WarmupHook, ema_momentum, l1_warmup_scale)
from nas_backbones.engine.hooks import AtomNASExportHook
from nas_backbones.registry import HOOKS


def test_l1_warmup_is_linear_per_iteration():
    assert [l1_warmup_scale(i, 4) for i in range(6)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    assert l1_warmup_scale(0, 0) == 1.0


def test_ema_momentum_keeps_the_horizon_in_images():
    assert ema_momentum(0.9999, 4096, 4096) == pytest.approx(1e-4)
    # Half the batch: two steps per reference step, same decay over them.
    m = ema_momentum(0.9999, 2048, 4096)
    assert (1 - m) ** 2 == pytest.approx(0.9999)


@pytest.mark.parametrize('cls,kwargs,name', [
    (L1WarmupHook, dict(warmup_epochs=-1), 'warmup_epochs'),
    (L1WarmupHook, dict(warmup_epochs=5, warmup_iters=10), 'warmup_iters'),
    (L1WarmupHook, dict(warmup_iters=2.5), 'warmup_iters'),
    (AtomNASEMAHook, dict(decay=1.0), 'decay'),
    (AtomNASEMAHook, dict(ref_batch_size=0), 'ref_batch_size'),
    (AtomNASEMAHook, dict(momentum=1e-4), 'momentum'),
    (AtomShrinkHook, dict(threshold=0), 'threshold'),
    (AtomShrinkHook, dict(min_flops_delta=-1), 'min_flops_delta'),
    (AtomShrinkHook, dict(interval=0), 'interval'),
    (AtomShrinkHook, dict(recalib_batches=1.5), 'recalib_batches'),
    (AtomNASExportHook, dict(name='a/b'), 'name'),
    (BNCalibrationHook, dict(num_batches=0), 'num_batches'),
    (BNCalibrationHook, dict(batch_size=2.5), 'batch_size'),
])
def test_arguments_checked_naming_the_argument(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls(**kwargs)


def test_hooks_registered():
    for name in ('L1WarmupHook', 'AtomNASEMAHook', 'AtomShrinkHook', 'AtomNASExportHook',
                 'BNCalibrationHook'):
        assert HOOKS.get(name) is not None
    # AtomShrinkHook must reshape the model before EMAHook loads the EMA state.
    assert AtomShrinkHook.priority == 'ABOVE_NORMAL' and AtomNASEMAHook.priority == 'NORMAL'


# ---------------------------------------------------------------- shrink rules
def _shrink_setup(min_flops_delta, last):
    """A tiny AtomNAS model with an EMA copy, all atoms alive; block 1's atoms
    0-4 dead in the EMA only, atoms 5-7 dead in both. Returns (hook, runner,
    model, ema, costs of those two groups)."""
    import logging
    from types import SimpleNamespace

    import torch
    from mmengine.model import ExponentialMovingAverage

    from nas_backbones.algorithms import AtomNAS

    torch.manual_seed(0)
    model = AtomNAS(supernet=dict(setting=[(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 1, 2)],
                                  resolution=32, num_classes=4, last_channels=32))
    ema_hook = AtomNASEMAHook()
    ema_hook.ema_model = ExponentialMovingAverage(model, momentum=0.1, update_buffers=True)
    ema = ema_hook.ema_model
    live, avg = model.supernet.blocks[1].bn_dw.weight, ema.module.supernet.blocks[1].bn_dw.weight
    with torch.no_grad():
        for p in (live, avg):
            p.fill_(0.5)
        avg[:5] = 1e-3  # at the threshold: dead (alive iff > threshold)
        live[5:8] = avg[5:8] = 1e-4
    costs = model.supernet.atom_costs(1)
    hook = AtomShrinkHook(threshold=1e-3, min_flops_delta=min_flops_delta, recalib_batches=0)
    runner = SimpleNamespace(model=model, hooks=[ema_hook], epoch=0 if not last else 4,
                             max_epochs=5, logger=logging.getLogger('test'), optim_wrapper=None)
    return hook, runner, model, float(costs[:5].sum()), float(costs[5:8].sum())


def test_shrink_triggers_on_the_ema_dead_flops():
    """meijieru/AtomNAS train.py L382-394: the trigger is the FLOPs of the atoms
    dead in the EMA net (utils/prune.py L190-212, ``> threshold`` alive,
    per-atom cost summed without any keep rule); the shrink then removes the
    atoms dead in both the weights and the EMA (train.py L58-61)."""
    _, _, _, ema_only, both = _shrink_setup(0, False)
    assert both < ema_only  # so a threshold can sit between "both" and "EMA-dead"
    hook, runner, model, ema_only, both = _shrink_setup(ema_only + both, False)
    atoms = model.supernet.blocks[1].num_atoms
    assert hook.shrink(runner, last=False) == 3
    assert model.supernet.blocks[1].num_atoms == atoms - 3
    # Just below the trigger nothing happens, though 3 atoms are dead in both.
    hook, runner, model, ema_only, both = _shrink_setup(ema_only + both + 1, False)
    assert hook.shrink(runner, last=False) == 0
    assert model.supernet.blocks[1].num_atoms == atoms


def test_last_epoch_always_shrinks_on_the_ema_alone():
    """train.py L390-394: at the last epoch the shrink runs whatever the dead
    FLOPs, with ``ema_only=True`` (the atoms dead in the EMA alone go)."""
    hook, runner, model, ema_only, both = _shrink_setup(1e12, True)
    atoms = model.supernet.blocks[1].num_atoms
    hook.after_train_epoch(runner)
    assert model.supernet.blocks[1].num_atoms == atoms - 8
