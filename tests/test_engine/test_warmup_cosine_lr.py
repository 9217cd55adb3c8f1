"""WarmupCosineLR gives the AttentiveNAS authors' learning rate at every iteration.

The reference is facebookresearch/AttentiveNAS solver/lr_scheduler.py
``WarmupCosineLR.get_lr`` (lines 26-32) with ``_get_warmup_factor_at_iter``
(lines 113-122, 'linear'), built by solver/build.py (lines 187-208:
max_iters = iters/epoch x epochs, warmup_iters = iters/epoch x
warmup_epochs, warmup_factor = warmup_lr default 0.001, clamp 0) and
stepped once per iteration (train_attentive_nas.py line 344):
"""
import math

import pytest
import torch
from mmengine.config import Config
from mmengine.optim.scheduler import CosineAnnealingLR, LinearLR

import nas_backbones  # noqa: F401  (registers the scheduler)
from nas_backbones.registry import PARAM_SCHEDULERS
from nas_conftest import REPO


def authors_lr(base_lr, it, max_iters, warmup_iters, warmup_factor=0.001):
    if it >= warmup_iters:
        w = 1.0
    else:
        alpha = it / warmup_iters
        w = warmup_factor * (1.0 - alpha) + alpha
    return max(0.0, base_lr * w * 0.5 * (1.0 + math.cos(math.pi * it / max_iters)))


def lrs_of(schedulers_cfg, epoch_length, iters, base_lr=0.8):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
    scheds = []
    for cfg in schedulers_cfg:
        cfg = dict(cfg)
        cls = PARAM_SCHEDULERS.get(cfg.pop('type'))
        if cfg.pop('convert_to_iter_based', False):
            scheds.append(cls.build_iter_from_epoch(opt, epoch_length=epoch_length, **cfg))
        else:
            scheds.append(cls(opt, **cfg))
    out = []
    for _ in range(iters):
        out.append(opt.param_groups[0]['lr'])  # the lr this iteration trains with
        opt.step()
        for s in scheds:
            s.step()
    return out


EPOCH = 7  # iterations per epoch (any length; the real one is the loader's)
CHECK = [0, 1, 2, 5 * EPOCH - 1, 5 * EPOCH, 5 * EPOCH + 1, 100, 180 * EPOCH, 360 * EPOCH - 1]


def test_supernet_schedule_is_the_authors():
    cfg = Config.fromfile(REPO / 'configs/_base_/schedules/attentivenas_sgd_cosine_bs2048.py')
    assert cfg.train_cfg.max_epochs == 360
    lrs = lrs_of(cfg.param_scheduler, EPOCH, 360 * EPOCH, base_lr=cfg.optim_wrapper.optimizer.lr)
    for it in CHECK:
        assert lrs[it] == pytest.approx(authors_lr(0.8, it, 360 * EPOCH, 5 * EPOCH), rel=1e-9,
                                        abs=1e-12), it
    assert lrs[0] == pytest.approx(0.8 * 0.001)


def test_mmengine_linear_plus_cosine_is_not_the_authors():
    # Why a scheduler of our own: LinearLR (begin 0, end 5 epochs) chained with
    # a cosine from 0 reaches the full warm-up factor one iteration early.
    cfg = [dict(type=LinearLR, start_factor=0.001, by_epoch=False, begin=0, end=5 * EPOCH),
           dict(type=CosineAnnealingLR, T_max=360 * EPOCH, by_epoch=False, begin=0,
                end=360 * EPOCH)]
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.8)
    scheds = [c.pop('type')(opt, **c) for c in cfg]
    lrs = []
    for _ in range(5 * EPOCH):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        for s in scheds:
            s.step()
    it = 5 * EPOCH - 1
    assert lrs[it] != pytest.approx(authors_lr(0.8, it, 360 * EPOCH, 5 * EPOCH), rel=1e-4)


def test_demo_schedule_is_the_authors_scaled_down():
    cfg = Config.fromfile(REPO / 'configs/attentivenas/attentivenas-bestup3-loss_demo.py')
    epochs = cfg.train_cfg.max_epochs
    (sched,) = cfg.param_scheduler
    lr = cfg.optim_wrapper.optimizer.lr
    lrs = lrs_of(cfg.param_scheduler, EPOCH, epochs * EPOCH, base_lr=lr)
    warm = int(sched.warmup_length * EPOCH)
    for it in (0, 1, warm - 1, warm, epochs * EPOCH - 1):
        assert lrs[it] == pytest.approx(authors_lr(lr, it, epochs * EPOCH, warm), rel=1e-9), it


def test_bad_arguments_name_the_field():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    cls = PARAM_SCHEDULERS.get('WarmupCosineLR')
    with pytest.raises(ValueError, match='warmup_factor'):
        cls(opt, warmup_factor=2.0, end=10)
    with pytest.raises(ValueError, match='T_max: required'):
        cls(opt, warmup_length=1)
