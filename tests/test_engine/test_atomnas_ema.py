"""AtomNAS EMA (engine/hooks/atomnas_ema_hook.py) against the authors'
ExponentialMovingAverage (meijieru/AtomNAS utils/optim.py L15-177)."""
import pytest
import torch
import torch.nn as nn

from nas_backbones.engine.hooks import AtomNASEMA, ema_momentum, warmup_decay


def test_decay_warm_up_is_the_authors_formula():
    """utils/optim.py L60-61: decay_n = min(decay, (1 + n) / (10 + n)), with n
    the global step after its increment (train.py L228-236): 2/11 at the first
    update, the full decay only from n = (10 d - 1) / (1 - d) = 89,990 steps
    for d = 0.9999."""
    assert warmup_decay(0.9999, 1) == 2 / 11
    assert warmup_decay(0.9999, 100) == 101 / 110
    assert warmup_decay(0.9999, 89989) < 0.9999 == warmup_decay(0.9999, 89991)


def test_batch_adjustment_applies_to_the_decay_only():
    """common.py L48-52 adjusts the configured decay (``decay ** (batch /
    base_batch)``, optim.py L167-177) before the EMA is built; the warm-up
    term (optim.py L60-61) is not adjusted."""
    m = ema_momentum(0.9999, 2048, 4096)
    assert 1 - m == pytest.approx(0.9999 ** 0.5, abs=1e-15)
    ema = AtomNASEMA(nn.Linear(2, 2), momentum=m)
    assert ema.momentum_at(1) == pytest.approx(1 - 2 / 11, abs=1e-15)
    assert ema.momentum_at(10 ** 6) == pytest.approx(m, abs=1e-15)


def _authors_ema(init, updates, decay):
    """The authors' shadow update (optim.py L54-65): shadow starts at the
    initial value; the k-th update (global step k) uses
    min(decay, (1 + k) / (10 + k))."""
    shadow = init.clone()
    for k, x in enumerate(updates, start=1):
        d = min(decay, (1.0 + k) / (10.0 + k))
        shadow.mul_(d).add_(x, alpha=1.0 - d)
    return shadow


def test_averaged_model_follows_the_authors_updates():
    """Update by update (parameters and BN running stats), from the
    initialised weights, as optim.py L54-65 with the step of train.py L236."""
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    init = {k: v.clone() for k, v in net.state_dict().items()}
    ema = AtomNASEMA(net, momentum=1 - 0.99, update_buffers=True)
    seen = {k: [] for k in init}
    for _ in range(30):
        with torch.no_grad():
            for p in net.parameters():
                p.add_(torch.randn_like(p))
        net(torch.randn(8, 3))  # moves the BN running stats
        for k, v in net.state_dict().items():
            seen[k].append(v.clone())
        ema.update_parameters(net)
    assert int(ema.steps) == 30
    got = ema.module.state_dict()
    for k in ('0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var'):
        torch.testing.assert_close(got[k], _authors_ema(init[k], seen[k], 0.99),
                                   rtol=1e-6, atol=1e-6)
