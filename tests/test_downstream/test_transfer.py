"""nas_backbones.downstream.transfer: the stratified hold-out split and the
config rewrites (backbone swap, hyper-parameters, FLOPs) that
tools/transfer_sweep.py and tools/benchmark_transfer.py apply to the
configs/transfer recipes."""
from collections import Counter

import pytest
from mmengine.config import Config
from nas_conftest import REPO

from nas_backbones.downstream import (holdout_config, holdout_split, transfer_mflops, with_arch,
                                      with_hparams)

CONFIGS = REPO / 'configs' / 'transfer'


def demo_cfg(config, root) -> Config:
    """The food101 demo config pointed at the session's fixture."""
    cfg = Config.fromfile(config)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = str(root / 'food101')
    return cfg


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
