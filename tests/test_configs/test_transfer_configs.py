"""Fine-grained transfer configs: every config builds and runs, follows the
recipe of the paper (docs/downstream.md#transfer), each demo trains and
reports top-1. The config rewriting of nas_backbones.downstream.transfer:
tests/test_downstream/test_transfer.py."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from nas_backbones.arch import load_arch
from nas_backbones.downstream import cls_head_dims
from nas_backbones.registry import MODELS


CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'transfer'
ALL = sorted(CONFIGS.glob('*.py'))
DEMOS = sorted(CONFIGS.glob('*_demo_*.py'))
NUM_CLASSES = {'flowers102': 102, 'stanford_cars': 196, 'food101': 101}


def dataset_of(config: Path) -> str:
    return next(name for name in NUM_CLASSES if config.stem.endswith(name))


def demo_cfg(config: Path, root: Path) -> Config:
    """A demo config pointed at the session's fixture of its dataset."""
    cfg = Config.fromfile(config)
    data_root = str(root / dataset_of(config))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = data_root
    return cfg


@pytest.mark.parametrize('config', ALL, ids=[p.stem for p in ALL])
def test_config_builds_and_runs(config):
    cfg = Config.fromfile(config)
    arch = load_arch(cfg.model.backbone.arch)
    head = cfg.model.head
    assert head.num_classes == NUM_CLASSES[dataset_of(config)]
    assert {k: head[k] for k in ('in_channels', 'mid_channels')} == cls_head_dims(arch)
    assert head.dropout == 0.5 and head.loss.label_smooth_val == 0.1
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        scores = model(torch.rand(2, 3, 64, 64), mode='tensor')
    assert scores.shape == (2, head.num_classes)


@pytest.mark.parametrize('config', sorted(set(ALL) - set(DEMOS)),
                         ids=[p.stem for p in sorted(set(ALL) - set(DEMOS))])
def test_recipe(config):
    """The paper's recipe: 150 epochs, batch 64, SGD momentum 0.9, the arch's
    resolution, ImageNet weights for the backbone and the pre-logits layer."""
    cfg = Config.fromfile(config)
    arch = load_arch(cfg.model.backbone.arch)
    assert cfg.train_cfg.max_epochs == 150
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.optim_wrapper.optimizer.type == 'SGD'
    assert cfg.optim_wrapper.optimizer.momentum == 0.9
    crops = [s for s in cfg.train_dataloader.dataset.pipeline if s.type == 'RandomResizedCrop']
    assert crops[0].scale == arch.resolution
    for key in ('val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.split == 'test'
        centre = [s for s in cfg[key].dataset.pipeline if s.type == 'CenterCrop']
        assert centre[0].crop_size == arch.resolution
    ckpt = cfg.model.backbone.init_cfg.checkpoint
    assert cfg.model.backbone.init_cfg.prefix == 'backbone.'
    assert cfg.model.head.init_cfg == dict(type='Pretrained', checkpoint=ckpt, prefix='head.')


@pytest.mark.parametrize('config', DEMOS, ids=[p.stem for p in DEMOS])
def test_demo_trains_and_reports_top1(tmp_path, finegrained_demo, val_metrics, config):
    from tools.train import main
    cfg = demo_cfg(config, finegrained_demo)
    cfg.train_cfg.update(max_epochs=2, val_interval=2)
    cfg_file = tmp_path / config.name
    cfg.dump(cfg_file)
    main([str(cfg_file), '--work-dir', str(tmp_path / 'run')])
    top1 = val_metrics(tmp_path / 'run')['accuracy/top1']
    assert 0.0 <= top1 <= 100.0
