"""AtomNAS search under DDP: two gloo ranks through tools/train.py (torchrun,
CPU), shrinking after every epoch. Both ranks drop the same atoms and hold
the same weights, BN statistics, EMA weights and optimizer state after each
shrink; the optimizer, the EMA copy and the re-built DDP wrapper point at
the live parameters; training goes on after the re-wrap (the ranks stay
equal only if the new wrapper averages the new parameters' gradients); and
``--resume`` from the first epoch's checkpoint reproduces the uninterrupted
run bit for bit. Per-rank records come from ddp_shrink_probe.py."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nas_conftest import REPO

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory) -> Path:
    """4 classes x 4 train / 1 val images, 32x32: 4 iterations per epoch at
    2 ranks x batch 2."""
    from tools.data.build_imagenet_demo import build_imagenet_demo
    return build_imagenet_demo(tmp_path_factory.mktemp('atomnas_ddp') / 'imagenet_demo',
                               classes=4, train_per_class=4, val_per_class=1, size=32)


def write_config(tmp_path: Path, data_root: Path, probe_dir: Path) -> Path:
    probe_dir.mkdir(parents=True, exist_ok=True)
    tmp_path.mkdir(parents=True, exist_ok=True)
    text = f"""
_base_ = ['{REPO}/configs/atomnas/atomnas-a-search_demo.py']
custom_imports = dict(imports=['nas_backbones', 'ddp_shrink_probe'], allow_failed_imports=False)
model = dict(supernet=dict(setting=[(1, 8, 1, 1), (6, 8, 2, 2), (6, 16, 2, 2), (6, 24, 1, 2)],
                           num_classes=4, last_channels=32, resolution=32, dropout=0.0),
             l1_lambda=1.0, weight_decay=1e-4, data_preprocessor=dict(num_classes=4))
# No random augmentation: a resumed run sees the same images as the
# uninterrupted one (mmengine does not checkpoint the transforms' RNG).
train_dataloader = dict(batch_size=2, dataset=dict(data_root='{data_root}',
                                                   pipeline={{{{_base_.test_pipeline}}}}))
val_dataloader = dict(batch_size=4, dataset=dict(data_root='{data_root}'))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1,))
test_evaluator = val_evaluator
# SGD with momentum: its buffers are sliced at every shrink.
optim_wrapper = dict(_delete_=True, optimizer=dict(type='SGD', lr=0.1, momentum=0.5))
param_scheduler = dict(_delete_=True, type='MultiStepLR', by_epoch=True, milestones=[2], gamma=0.5)
train_cfg = dict(max_epochs=3)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
# A large lambda and threshold: atoms die after every epoch.
custom_hooks = [
    dict(type='L1WarmupHook', warmup_iters=2),
    dict(type='AtomNASEMAHook', decay=0.5, ref_batch_size=4),
    dict(type='AtomShrinkHook', threshold=0.3, min_flops_delta=0, interval=1, recalib_batches=2),
    dict(type='ShrinkProbeHook', out_dir='{probe_dir}'),
]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=-1))
"""
    path = tmp_path / 'atomnas_ddp.py'
    path.write_text(text)
    return path


def torchrun(cfg: Path, work_dir: Path, *extra: str, port: int) -> str:
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(REPO), str(HERE)]),
           'PYTHONUNBUFFERED': '1'}
    proc = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2',
         '--master_port', str(port), 'tools/train.py', str(cfg), '--launcher', 'pytorch',
         '--work-dir', str(work_dir), *extra],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def records(probe_dir: Path) -> list[list[dict]]:
    """Per rank, one record per epoch."""
    return [[json.loads(line) for line in (probe_dir / f'probe.rank{r}.jsonl').read_text()
             .splitlines()] for r in (0, 1)]


@pytest.mark.slow
def test_two_ranks_shrink_alike_and_resume(demo_root, tmp_path):
    full_probe, resumed_probe = tmp_path / 'probe_full', tmp_path / 'probe_resumed'
    full = tmp_path / 'full'
    log = torchrun(write_config(tmp_path / 'a', demo_root, full_probe), full, port=29541)
    rank0, rank1 = records(full_probe)
    assert [r['epoch'] for r in rank0] == [r['epoch'] for r in rank1] == [1, 2, 3]
    # It shrank before the last epoch (so training ran on re-wrapped weights).
    assert rank0[-1]['shrunk_epochs'][0] < 3 and log.count('AtomShrinkHook: epoch') == 3
    assert rank0[0]['atoms'] != rank0[-1]['atoms']
    for a, b in zip(rank0, rank1):
        for key in ('atoms', 'shrunk_epochs', 'params', 'ema_params', 'momentum'):
            assert a[key] == b[key], (a['epoch'], key)
        if a['epoch'] in a['shrunk_epochs']:  # recalibrated and averaged over the ranks
            assert a['bn_stats'] == b['bn_stats'], a['epoch']
        for rec in (a, b):
            for check in ('optimizer_holds_live_params', 'optimizer_state_shapes_match',
                          'ema_shapes_match', 'ema_table_is_live', 'ddp_wraps_live_params'):
                assert rec[check], (rec['epoch'], rec['rank'], check)
    # Training continued after each re-wrap: finite losses, weights moving.
    assert all(len(r['losses']) == 4 and all(math.isfinite(v) for _, v in r['losses'])
               for r in rank0)
    assert len({r['params'] for r in rank0}) == 3

    # --resume from the checkpoint written after the first shrink.
    log = torchrun(write_config(tmp_path / 'b', demo_root, resumed_probe), tmp_path / 'resumed',
                   '--resume', str(full / 'epoch_1.pth'), port=29542)
    assert 'AtomShrinkHook: reshaped the model to the checkpoint arch' in log
    assert 'resumed epoch: 1' in log
    resumed = records(resumed_probe)
    assert [r['epoch'] for r in resumed[0]] == [2, 3]
    for rank, recs in enumerate(resumed):
        for got, want in zip(recs, (rank0, rank1)[rank][1:]):
            assert got == want, (rank, got['epoch'])
