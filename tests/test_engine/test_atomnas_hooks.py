"""AtomNAS hooks: schedules and argument checks (the Runner-level behaviour is
in tests/test_algorithms/test_atomnas_search.py)."""
import pytest

from nas_backbones.engine.hooks import (AtomNASEMAHook, AtomShrinkHook, L1WarmupHook,
                                        ema_momentum, l1_warmup_scale)
from nas_backbones.export import AtomNASExportHook
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
])
def test_arguments_checked_naming_the_argument(cls, kwargs, name):
    with pytest.raises(ValueError, match=name):
        cls(**kwargs)


def test_hooks_registered():
    for name in ('L1WarmupHook', 'AtomNASEMAHook', 'AtomShrinkHook', 'AtomNASExportHook'):
        assert HOOKS.get(name) is not None
    # AtomShrinkHook must reshape the model before EMAHook loads the EMA state.
    assert AtomShrinkHook.priority == 'ABOVE_NORMAL' and AtomNASEMAHook.priority == 'NORMAL'
