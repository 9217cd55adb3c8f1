"""AtomNAS search through mmengine's Runner on tiny in-memory data: the net
shrinks, a checkpoint taken after a shrink resumes with the same next losses,
and the export tool turns it into a static backbone with the same logits."""
from pathlib import Path

import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.hooks import Hook
from mmengine.runner import load_checkpoint
from mmpretrain.models import ImageClassifier
from nas_conftest import TinyDataset

from nas_backbones.arch import AtomNetArch
from nas_backbones.engine import NASRunner, load_run_checkpoint
from nas_backbones.estimators import count_cost

TINY = [(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 2, 2), (6, 24, 1, 2)]
MODEL = dict(type='AtomNAS',
             supernet=dict(setting=TINY, resolution=32, num_classes=4, last_channels=32,
                           dropout=0.0, bn_momentum=0.1),
             l1_lambda=1.0, weight_decay=1e-4,
             data_preprocessor=dict(num_classes=4, mean=[127.5] * 3, std=[127.5] * 3))



class LossRecorder(Hook):
    priority = 'LOWEST'

    def __init__(self):
        self.losses = {}

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.losses[runner.iter] = {k: float(v.detach()) for k, v in outputs.items()}


def make_runner(work_dir, recorder, **kwargs):
    return NASRunner(
        model=dict(MODEL),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=TinyDataset(), batch_size=4, num_workers=0,
                              sampler=dict(type='DefaultSampler', shuffle=True, seed=0),
                              collate_fn=dict(type='default_collate')),
        train_cfg=dict(by_epoch=True, max_epochs=3),
        # SGD with momentum: its buffers are sliced at every shrink and resumed.
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.5)),
        param_scheduler=dict(type='MultiStepLR', by_epoch=True, milestones=[2], gamma=0.5),
        custom_hooks=[dict(type='L1WarmupHook', warmup_iters=2),
                      dict(type='AtomNASEMAHook', decay=0.5, ref_batch_size=4),
                      # A large lambda and threshold: atoms die within 4 iterations.
                      dict(type='AtomShrinkHook', threshold=0.3, min_flops_delta=0,
                           recalib_batches=2),
                      recorder],
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=1),
                           logger=dict(type='LoggerHook', interval=1)),
        randomness=dict(seed=0), default_scope='nas_backbones', log_level='WARNING', **kwargs)


@pytest.fixture(autouse=True)
def nas_scope():
    # Heads build their losses from the default scope's registry; another
    # test may have left a different scope current.
    with DefaultScope.overwrite_default_scope('nas_backbones'):
        yield


@pytest.fixture(scope='module')
def search_run(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('atomnas_search')
    recorder = LossRecorder()
    runner = make_runner(work_dir, recorder)
    runner.train()
    return work_dir, runner, recorder


def test_search_shrinks_the_net(search_run):
    work_dir, runner, recorder = search_run
    model = runner.model
    full = model.supernet.space_arch
    assert model.arch.num_atoms < full.num_atoms
    assert count_cost(model.arch).flops < count_cost(full).flops
    # The logged FLOPs follow the shrinking and are the estimator's numbers.
    mflops = [recorder.losses[i]['mflops'] for i in sorted(recorder.losses)]
    assert mflops[0] == pytest.approx(count_cost(full).mflops)
    assert mflops[-1] < mflops[0]
    assert all(b <= a for a, b in zip(mflops, mflops[1:]))
    ckpt = load_run_checkpoint(str(work_dir / 'epoch_1.pth'))
    arch = AtomNetArch.from_dict(ckpt['atomnas_shrink']['arch'])
    assert arch.num_atoms < full.num_atoms, 'the test needs a shrink after epoch 1'
    assert ckpt['state_dict']['supernet.backbone.blocks.1.bn_dw.weight'].numel() == \
        arch.blocks[1].num_atoms


def test_resume_after_shrink_continues_identically(search_run, tmp_path):
    work_dir, _, recorder = search_run
    resumed = LossRecorder()
    runner = make_runner(tmp_path, resumed, resume=True, load_from=str(work_dir / 'epoch_1.pth'))
    runner.train()
    assert sorted(resumed.losses) == [i for i in sorted(recorder.losses) if i >= 4]
    for i, logs in resumed.losses.items():
        for key in ('loss', 'loss_cls', 'loss_atom_l1', 'mflops'):
            assert logs[key] == pytest.approx(recorder.losses[i][key], rel=1e-5, abs=1e-6), (i, key)
    # The EMA's update count comes back exactly (the authors restore their
    # global step, meijieru/AtomNAS train.py L314, which sets the decay
    # warm-up, utils/optim.py L60-61), so the resumed EMA ends where the
    # uninterrupted one did.
    ema, ema_resumed = (next(h for h in r.hooks if type(h).__name__ == 'AtomNASEMAHook').ema_model
                        for r in (search_run[1], runner))
    assert int(ema_resumed.steps) == int(ema.steps) == max(recorder.losses) + 1
    for k, v in ema.module.state_dict().items():
        torch.testing.assert_close(ema_resumed.module.state_dict()[k], v, rtol=1e-5, atol=1e-6)


def test_export_tool_gives_static_net_with_supernet_logits(search_run, tmp_path, capsys):
    from tools.analysis import count_flops
    from tools.export import main as export_main
    work_dir, runner, recorder = search_run
    cfg = tmp_path / 'search.py'
    cfg.write_text(f"default_scope = 'nas_backbones'\nmodel = {MODEL!r}\n")
    ckpt = work_dir / 'epoch_3.pth'
    export_main([str(cfg), '--checkpoint', str(ckpt), '--out', str(tmp_path / 'out'),
                 '--name', 'tiny'])
    arch_file, weights = tmp_path / 'out' / 'tiny.yml', tmp_path / 'out' / 'tiny.pth'
    assert arch_file.is_file() and weights.is_file()
    printed = capsys.readouterr().out

    # The exported arch is the run's final arch; its FLOPs are what the run logged.
    arch = AtomNetArch.load(arch_file)
    assert arch.with_atoms([b.atoms for b in runner.model.arch.blocks]) == arch
    count_flops.main([str(arch_file)])
    line = capsys.readouterr().out
    mflops = f'{count_cost(arch).mflops:.2f} MFLOPs, {count_cost(arch).mparams:.3f} M params'
    assert mflops in line and mflops in printed
    shrink_hook = runner.hooks[[type(h).__name__ for h in runner.hooks].index('AtomShrinkHook')]
    assert count_cost(arch).mflops == shrink_hook.history[-1]['mflops']  # the hook's log line

    # The exported weights are the EMA net (swapped into state_dict on save).
    ema = runner.hooks[[type(h).__name__ for h in runner.hooks].index('AtomNASEMAHook')].ema_model
    supernet = ema.module.supernet.eval()
    classifier = ImageClassifier(
        backbone=dict(type='nas_backbones.SearchedMobileNet', arch=str(arch_file),
                      out_indices=(len(arch.stages()),)),  # the head conv
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='nas_backbones.NASClsHead', num_classes=4, in_channels=32),
        data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=4)).eval()
    load_checkpoint(classifier, str(weights), strict=True)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(classifier(x, mode='tensor'), supernet(x), atol=1e-5, rtol=1e-5)
    assert Path(weights).stat().st_size > 0
