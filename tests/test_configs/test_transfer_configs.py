"""Fine-grained transfer: every config builds and runs, follows the recipe of
SPEC §4, each demo trains and reports top-1; the hold-out split and the
backbone swap used by the sweep and benchmark tools."""
from collections import Counter
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from nas_backbones.arch import load_arch
from nas_backbones.downstream import (cls_head_dims, holdout_config, holdout_split,
                                      transfer_mflops, with_arch, with_hparams)
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
    """SPEC §4: 150 epochs, batch 64, SGD momentum 0.9, the arch's resolution,
    ImageNet weights for the backbone and the pre-logits layer."""
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


def test_holdout_split_is_stratified_and_deterministic():
    labels = [c for c in range(5) for _ in range(10)] + [5]  # class 5: one sample
    train, held = holdout_split(labels, 0.2, seed=3)
    assert (train, held) == holdout_split(labels, 0.2, seed=3)
    assert sorted(train + held) == list(range(len(labels)))
    assert Counter(labels[i] for i in held) == {c: 2 for c in range(5)}
    assert holdout_split(labels, 0.2, seed=4) != (train, held)
    with pytest.raises(ValueError, match='fraction'):
        holdout_split(labels, 1.0)


def test_holdout_config_splits_the_train_list(finegrained_demo):
    cfg = demo_cfg(CONFIGS / 'attentivenas-a0_demo_food101.py', finegrained_demo)
    held = holdout_config(cfg, 0.25)
    train_idx = held.train_dataloader.dataset.indices
    held_idx = held.val_dataloader.dataset.indices
    assert held.val_dataloader.dataset.split == 'train'  # not the test split
    assert held.val_dataloader.dataset.pipeline == cfg.val_dataloader.dataset.pipeline
    assert len(held_idx) == 3 and len(train_idx) == 9  # 3 classes x 4 train images
    assert not set(train_idx) & set(held_idx)
    assert held.test_dataloader is None


def test_with_arch_swaps_backbone_head_and_size(exported):
    cfg = Config.fromfile(CONFIGS / 'attentivenas-a1_1xb64_flowers102.py')
    ckpt = exported('atomnas_b', prefix='')
    swapped = with_arch(cfg, 'atomnas_b', ckpt)
    assert swapped.model.backbone.arch == 'atomnas_b'
    assert swapped.model.head.in_channels == 1280 and swapped.model.head.mid_channels == 0
    assert swapped.model.backbone.init_cfg.prefix == ''
    assert swapped.model.head.init_cfg is None  # AtomNAS: no pre-logits layer to load
    a6 = with_arch(cfg, 'attentivenas_a6', exported('attentivenas_a6'))
    assert a6.model.head.init_cfg.prefix == 'head.'
    assert a6.val_dataloader.dataset.pipeline[-2].crop_size == 288
    assert a6.val_dataloader.dataset.pipeline[1].scale == round(288 / 0.875)
    assert cfg.model.backbone.arch == 'attentivenas_a1'  # input untouched


def test_with_hparams_and_flops():
    cfg = Config.fromfile(CONFIGS / 'attentivenas-a1_1xb64_food101.py')
    short = with_hparams(cfg, lr=0.03, weight_decay=1e-5, epochs=3)
    assert short.optim_wrapper.optimizer.lr == 0.03
    assert short.optim_wrapper.optimizer.weight_decay == 1e-5
    assert short.train_cfg.max_epochs == short.train_cfg.val_interval == 3
    assert short.param_scheduler[0].end == short.param_scheduler[0].T_max == 3
    # A1 at 224 with 101 classes: the published 279.24 MFLOPs less the
    # 1000-way fc, plus a 101-way one (1984 inputs).
    assert transfer_mflops(cfg) == pytest.approx(279.24 - 1984 * 899 / 1e6, abs=0.01)


def test_metafile_lists_the_published_configs():
    import yaml
    meta = yaml.safe_load((CONFIGS / 'metafile.yml').read_text())
    published = {('attentivenas_a1', 'flowers102'): 97.4, ('attentivenas_a6', 'flowers102'): 98.6,
                 ('attentivenas_a1', 'stanford_cars'): 91.3,
                 ('attentivenas_a6', 'stanford_cars'): 92.5,
                 ('attentivenas_a1', 'food101'): 88.1, ('attentivenas_a6', 'food101'): 89.6}
    for model in meta['Models']:
        config = CONFIGS.parents[1] / model['Config']
        arch = model['Metadata']['Backbone Arch']
        assert Config.fromfile(config).model.backbone.arch == arch
        top1 = model['Results'][0]['Metrics']['Top 1 Accuracy']
        assert top1 == published.pop((arch, dataset_of(config)))
    assert not published
