"""AtomNAS search configs: the published recipe
(docs/methods/atomnas.md#training-recipe) and the demo run end to
end through tools/train.py (shrinks, exports an arch whose FLOPs the log and
count_flops.py agree on)."""
import re
from pathlib import Path

import pytest
from mmengine.config import Config
from nas_conftest import REPO, run_tool

from nas_backbones.arch import AtomNetArch
from nas_backbones.estimators import count_cost

SEARCH = {'a': (16, 1.8e-4), 'b': (32, 1.2e-4), 'c': (32, 1.0e-4)}
DEMO = 'configs/atomnas/atomnas-a-search_demo.py'


def load(name):
    return Config.fromfile(str(REPO / 'configs' / 'atomnas' / name))


def hook(cfg, kind):
    return next(h for h in cfg.custom_hooks if h['type'] == kind)


@pytest.mark.parametrize('variant', sorted(SEARCH))
def test_search_config_is_the_published_recipe(variant):
    cfg = load(f'atomnas-{variant}-search_8xb256_in1k.py')
    stem, lam = SEARCH[variant]
    net = cfg.model.supernet
    assert (cfg.model.type, net.stem_channels, cfg.model.l1_lambda) == ('AtomNAS', stem, lam)
    assert (net.kernel_sizes, net.resolution, net.dropout) == ((3, 5, 7), 224, 0.2)
    assert (net.bn_momentum, net.bn_eps, cfg.model.label_smoothing) == (0.01, 1e-3, 0.1)
    # wd 1e-5 as the L2 term in the loss, not in the optimizer.
    assert cfg.model.weight_decay == 1e-5 and cfg.optim_wrapper.optimizer.weight_decay == 0
    batch = cfg.train_dataloader.batch_size * 8
    assert batch == cfg.auto_scale_lr.base_batch_size == 2048
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.alpha, opt.momentum, opt.eps) == ('RMSpropTF', 0.9, 0.9, 1e-3)
    assert opt.lr == pytest.approx(0.016 * batch / 256)
    # The lr values per iteration: tests/test_engine/test_warmup_exp_decay_lr.py.
    assert cfg.param_scheduler.type == 'WarmupExpDecayLR'
    assert cfg.train_cfg.max_epochs == 350
    assert hook(cfg, 'L1WarmupHook')['warmup_epochs'] == 25
    ema = hook(cfg, 'AtomNASEMAHook')
    assert (ema['decay'], ema['ref_batch_size']) == (0.9999, 4096)
    shrink = hook(cfg, 'AtomShrinkHook')
    assert (shrink['threshold'], shrink['min_flops_delta']) == (1e-3, 1e6)
    assert 10 <= shrink['recalib_batches'] <= 16
    # meijieru/AtomNAS apps/slimming/shrink/atomnas_*.yml L22-24: calibration
    # before every validation, 10 steps x 256 per GPU on 32 GPUs.
    calib = hook(cfg, 'BNCalibrationHook')
    per_gpu = calib.get('batch_size') or cfg.train_dataloader.batch_size
    assert calib['num_batches'] * per_gpu * 8 == 10 * 256 * 32


def test_exported_retrain_configs_point_at_export_files():
    for name, stem in (('atomnas-exported_32xb128_in1k.py', 'atomnas_a_searched.yml'),
                       ('atomnas-exported-plus_32xb128_in1k.py', 'atomnas_a_searched_plus.yml'),
                       ('atomnas-exported_demo.py', 'atomnas_demo_searched.yml')):
        assert Path(load(name).model.backbone.arch).name == stem


def test_demo_search_end_to_end(tiny_imagenet_demo, tmp_path):
    """The demo config through tools/train.py, on a tiny copy of the demo set
    (5 classes x 2 images, 2 iterations per epoch) with an aggressive
    threshold (alpha starts at 1: atoms whose alpha fell die) so that
    a shrink happens within 4 iterations."""
    options = [f'{k}.dataset.data_root={tiny_imagenet_demo}'
               for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')]
    options += ['train_dataloader.batch_size=5', 'train_cfg.max_epochs=2',
                'model.supernet.num_classes=5', 'model.data_preprocessor.num_classes=5',
                'model.supernet.resolution=32', 'custom_hooks.2.threshold=1.0',
                'custom_hooks.2.min_flops_delta=0', 'default_hooks.logger.interval=1']
    proc = run_tool('tools/train.py', DEMO, '--work-dir', str(tmp_path), '--cfg-options',
                    *options)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert re.search(r'AtomShrinkHook: epoch \d+: removed \d+ atoms', log), log[-3000:]
    exported = re.search(r'AtomNASExportHook: exported (\d+\.\d\d) MFLOPs, (\d+\.\d{3}) M params',
                         log)
    arch_file = tmp_path / 'export' / 'atomnas_demo_searched.yml'
    assert exported and arch_file.is_file() and arch_file.with_suffix('.pth').is_file()
    arch = AtomNetArch.load(arch_file)
    assert arch.num_atoms < 5328  # the demo supernet's atoms
    cost = count_cost(arch)
    assert (exported.group(1), exported.group(2)) == (f'{cost.mflops:.2f}', f'{cost.mparams:.3f}')
    count = run_tool('tools/analysis/count_flops.py', str(arch_file))
    assert f'{exported.group(1)} MFLOPs, {exported.group(2)} M params' in count.stdout
    # The last shrink's log line reports the same net.
    last = re.findall(r'AtomShrinkHook: epoch \d+: .*?now (\d+\.\d\d) MFLOPs', log)[-1]
    assert last == exported.group(1)
