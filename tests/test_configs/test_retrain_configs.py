"""The retrain/demo configs build, and carry the published recipes
(docs/methods/atomnas.md#training-recipe,
docs/methods/attentivenas.md#training-recipe). The metafiles:
test_metafiles.py."""

import math

import pytest
import torch
from nas_conftest import REPO
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from nas_backbones.arch import load_arch
from nas_backbones.registry import MODELS

ATOMNAS = sorted(p.name for p in (REPO / 'configs' / 'atomnas').glob('atomnas-[abc]*_32xb128_in1k.py'))
ATTENTIVE = sorted(p.name for p in (REPO / 'configs' / 'attentivenas').glob('attentivenas-a?_8xb256_in1k.py'))
DEMOS = ['atomnas/atomnas-a_demo.py', 'attentivenas/attentivenas-a0_demo.py']


@pytest.fixture(autouse=True)
def scope():
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        yield


def load(path):
    return Config.fromfile(str(REPO / 'configs' / path))


def build(cfg):
    with DefaultScope.overwrite_default_scope(cfg.default_scope):  # whatever scope is current
        model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def test_every_net_has_a_config():
    assert len(ATOMNAS) == 6 and len(ATTENTIVE) == 7


@pytest.mark.parametrize('name', ATOMNAS + ATTENTIVE + DEMOS)
def test_model_builds_and_runs(name):
    path = name if '/' in name else f'{name.split("-")[0]}/{name}'
    cfg = load(path)
    model = build(cfg).eval()
    with torch.no_grad():
        logits = model(torch.randn(1, 3, 64, 64), mode='tensor')
    assert logits.shape == (1, cfg.model.head.num_classes)


@pytest.mark.parametrize('name', ATOMNAS)
def test_atomnas_recipe(name):
    cfg = load(f'atomnas/{name}')
    plus = '-plus' in name
    arch = load_arch(cfg.model.backbone.arch)
    assert (arch.act, arch.se_ratio) == (('swish', 0.5) if plus else ('relu', 0.0))
    # meijieru/AtomNAS apps/searched/atomnas_*/atomnas_*.yml L12: 0.28 for all.
    assert cfg.model.head.dropout == 0.28
    assert cfg.model.head.loss == dict(type='LabelSmoothLoss', label_smooth_val=0.1, loss_weight=1.0)
    assert cfg.train_dataloader.batch_size * 32 == cfg.auto_scale_lr.base_batch_size == 4096
    opt = cfg.optim_wrapper.optimizer
    assert opt.type == 'RMSpropTF'
    assert (opt.lr, opt.alpha, opt.momentum, opt.eps, opt.weight_decay) == \
        (0.016 * 4096 / 256, 0.9, 0.9, 1e-3, 1e-5)
    assert cfg.train_cfg.max_epochs == (250 if plus else 350)
    ema, = [h for h in cfg.custom_hooks if h.type == 'AtomNASEMAHook']
    assert (ema.decay, ema.ref_batch_size) == (0.9999, 4096)
    # The lr values per iteration: tests/test_engine/test_warmup_exp_decay_lr.py.
    assert cfg.param_scheduler.type == 'WarmupExpDecayLR'
    # BN calibration before evaluation only in the + configs
    # (apps/searched/atomnas_*/atomnas_*+.yml L9-11: 10 steps x 512 per GPU).
    calib = [(h.num_batches, h.batch_size) for h in cfg.custom_hooks
             if h.type == 'BNCalibrationHook']
    assert calib == ([(10, 512)] if plus else [])


def test_atomnas_weight_decay_groups():
    cfg = load('atomnas/atomnas-a-plus_32xb128_in1k.py')
    model = build(cfg)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {id(p): g['weight_decay'] for g in wrapper.optimizer.param_groups for p in g['params']}
    names = dict(model.named_parameters())
    # Conv/linear weights and the classifier bias decay; BN and other biases do not
    # (docs/methods/atomnas.md#weight-decay-as-a-loss-term).
    assert decay[id(names['head.fc.bias'])] == 1e-5
    assert decay[id(names['head.fc.weight'])] == 1e-5
    assert decay[id(names['backbone.stem.conv.weight'])] == 1e-5
    assert decay[id(names['backbone.stem.bn.weight'])] == 0
    se_bias = [n for n in names if n.startswith('backbone.blocks.1.') and n.endswith('bias')
               and '.se.' in n]
    assert se_bias and all(decay[id(names[n])] == 0 for n in se_bias)


@pytest.mark.parametrize('name', ATTENTIVE)
def test_attentivenas_recipe(name):
    cfg = load(f'attentivenas/{name}')
    arch = load_arch(cfg.model.backbone.arch)
    head = MODELS.build(cfg.model.head)  # widths derived from head.arch
    assert cfg.model.head.arch == cfg.model.backbone.arch
    assert head.in_channels == 6 * arch.width[7]
    assert head.mid_fc[0].out_features == arch.width[8]
    assert cfg.model.head.dropout == 0.2
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.nesterov, opt.weight_decay) == \
        ('SGD', 0.8, 0.9, True, 1e-5)
    assert cfg.optim_wrapper.clip_grad == dict(type='value', clip_value=1.0)
    (sched,) = cfg.param_scheduler  # the authors' WarmupCosineLR (tests/test_engine)
    assert (sched.type, sched.warmup_factor, sched.warmup_length, sched.begin, sched.end) == \
        ('WarmupCosineLR', 0.001, 5, 0, 360)
    assert cfg.train_cfg.max_epochs == 360
    assert cfg.train_dataloader.batch_size * 8 == 2048
    crop = [t for t in cfg.test_dataloader.dataset.pipeline if t.type == 'CenterCrop']
    assert crop[0].crop_size == arch.resolution
    # The per-resolution _base_ (imagenet_bs256_autoaug_<res>.py) fits the arch.
    resize = [t for t in cfg.test_dataloader.dataset.pipeline if t.type == 'ResizeEdge']
    assert resize[0].scale == math.ceil(arch.resolution / 0.875)
    rrc = [t for t in cfg.train_dataloader.dataset.pipeline if t.type == 'RandomResizedCrop']
    assert rrc[0].scale == arch.resolution
