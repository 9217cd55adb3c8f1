"""The AtomNAS lr schedule (engine/schedulers) against the authors'
``get_lr_scheduler`` (meijieru/AtomNAS utils/optim.py L252-295) with the
values of apps/mobilenet/default_mnas_scheduler.yml (base_lr 0.016 per 256,
exp_decaying, lr_stepwise False, gamma 0.97 every 2.4 epochs, 5 warm-up
epochs by default, L256) and steps per epoch ceil(1281167 / batch)
(common.py L206-209)."""
import math

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from nas_conftest import REPO

from nas_backbones.registry import PARAM_SCHEDULERS

IMAGENET_TRAIN = 1281167  # train.py L463


def lrs(cfg, epoch_length, iters):
    """lr of every iteration 0..iters-1 under the config's scheduler, stepped
    after each optimizer step as mmengine's ParamSchedulerHook does."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=cfg['lr'])
    sched_cfg = {k: v for k, v in cfg.items() if k != 'lr'}
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        sched = PARAM_SCHEDULERS.build(sched_cfg, default_args=dict(optimizer=opt,
                                                                    epoch_length=epoch_length))
    out = []
    for _ in range(iters):
        out.append(opt.param_groups[0]['lr'])
        opt.step()
        sched.step()
    return out


@pytest.mark.parametrize('batch', [2048, 4096])
def test_lr_at_given_iterations(batch):
    """Numbers from optim.py L256-295: lr(0) = base_lr = 0.016; linear to
    0.016 x batch / 256 at iteration W = 5 x steps per epoch (warm-up
    includes i = W, L262); then 0.97 ** floor(i / (2.4 x steps per epoch))
    from iteration 0 on (the staircase is not restarted after warm-up)."""
    spe = math.ceil(IMAGENET_TRAIN / batch)  # 626 / 313
    lr = 0.016 * batch / 256
    W, D = 5 * spe, spe * 2.4
    cfg = dict(type='WarmupExpDecayLR', by_epoch=True, convert_to_iter_based=True,
               warmup_epochs=5, start_factor=256 / batch, decay_epochs=2.4, gamma=0.97, lr=lr)
    # The k-th x0.97 step is at the first iteration >= k x 2.4 x spe.
    k3, k10 = math.ceil(3 * D), math.ceil(10 * D)
    got = lrs(cfg, spe, k10 + 1)
    assert got[0] == pytest.approx(0.016, rel=1e-12)
    assert got[W // 2] == pytest.approx(0.016 + (W // 2) / W * (lr - 0.016), rel=1e-12)
    assert got[W] == pytest.approx(lr, rel=1e-12)
    assert got[W + 1] == pytest.approx(lr * 0.97 ** 2, rel=1e-12)  # two steps already passed
    assert (got[k3 - 1], got[k3]) == pytest.approx((lr * 0.97 ** 2, lr * 0.97 ** 3), rel=1e-12)
    assert (got[k10 - 1], got[k10]) == pytest.approx((lr * 0.97 ** 9, lr * 0.97 ** 10), rel=1e-12)
    if batch == 2048:  # 626 iterations per epoch: steps inside epochs
        assert (W, k3, k10) == (3130, 4508, 15024)


@pytest.mark.parametrize('path,batch', [('atomnas/atomnas-a-search_8xb256_in1k.py', 2048),
                                        ('atomnas/atomnas-a_32xb128_in1k.py', 4096),
                                        ('atomnas/atomnas-c-plus_32xb128_in1k.py', 4096)])
def test_configs_use_the_authors_schedule(path, batch):
    cfg = Config.fromfile(str(REPO / 'configs' / path))
    spe = math.ceil(IMAGENET_TRAIN / batch)
    sched = dict(cfg.param_scheduler, lr=cfg.optim_wrapper.optimizer.lr)
    assert sched['lr'] == pytest.approx(0.016 * batch / 256)
    got = lrs(sched, spe, 5 * spe + 2)
    assert got[0] == pytest.approx(0.016, rel=1e-12)
    assert got[5 * spe] == pytest.approx(0.016 * batch / 256, rel=1e-12)
    assert got[5 * spe + 1] == pytest.approx(0.016 * batch / 256 * 0.97 ** 2, rel=1e-12)


def test_arguments_checked_naming_the_argument():
    for kwargs, name in ((dict(start_factor=0), 'start_factor'), (dict(decay_epochs=0), 'decay_iters'),
                         (dict(warmup_epochs=0.5), 'warmup_epochs')):
        cfg = dict(type='WarmupExpDecayLR', by_epoch=True, convert_to_iter_based=True,
                   warmup_epochs=5, start_factor=0.125, decay_epochs=2.4, lr=0.1)
        cfg.update(kwargs)
        with pytest.raises(ValueError, match=name):
            lrs(cfg, 3, 1)
    with pytest.raises(ValueError, match='by_epoch'):
        lrs(dict(type='WarmupExpDecayLR', warmup_iters=5, start_factor=0.5, decay_iters=3,
                 by_epoch=True, lr=0.1), 3, 1)
